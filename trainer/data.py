"""Reading a folder of images into a training set (no TensorFlow here).

Files are found recursively and decoded with Pillow: EXIF orientation is
applied, transparency is composited on white, grayscale/CMYK/16-bit/palette
images become 8-bit RGB, and non-square images are cropped (centre, or a
seeded random window) before resizing.  Corrupt, tiny and decompression-bomb
files are skipped and reported, never fatal; a folder with nothing usable is a
clear error.  Optionally near-duplicates (same 64-bit difference hash within a
few bits) are dropped, and top-level subfolders become class labels.

:func:`iter_prepared` streams images one at a time, so the memory-mapped cache
(:mod:`artgan.trainer.cache`) never holds the set in RAM; :func:`load_folder`
collects them for callers that want an array (evaluation, small sets).
"""

from __future__ import annotations

import hashlib
import json
import warnings
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
from PIL import Image, ImageOps

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
MIN_SIDE = 8  # smaller files are icons or thumbnails, not training material
CROPS = ("centre", "random")
DUPLICATE_BITS = 4  # difference hashes within this many of 64 bits count as the same picture


class DataError(Exception):
    """A problem with the user's image folder, worded for the user."""


@dataclass(frozen=True)
class PrepareSettings:
    """Everything that changes the prepared pixels; part of the cache fingerprint."""

    size: int
    crop: str = "centre"
    dedupe: bool = False
    classes: bool = False  # top-level subfolders are classes
    seed: int = 0  # random crops only

    def __post_init__(self) -> None:
        if self.crop not in CROPS:
            raise DataError(f"--crop must be one of {', '.join(CROPS)}, not {self.crop!r}")

    def key(self) -> dict:
        settings = asdict(self)
        if self.crop != "random":
            settings.pop("seed")  # the seed changes nothing for centre crops
        return settings


@dataclass
class ImageSet:
    images: np.ndarray  # uint8 [N, size, size, 3]
    files: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    fingerprint: str = ""
    labels: np.ndarray | None = None  # int64 [N] when classes were asked for
    class_names: list[str] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)  # (dropped, the one kept)

    def __len__(self) -> int:
        return len(self.files)


@dataclass
class Prepared:
    """One usable image from :func:`iter_prepared`."""

    path: Path
    image: np.ndarray  # uint8 [size, size, 3]
    label: int


def find_images(folder: Path) -> list[Path]:
    if not folder.exists():
        raise DataError(f"image folder not found: {folder}")
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder; give the folder that holds your images.")
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )


def fingerprint(files: list[Path], folder: Path, settings: dict) -> str:
    """A hash of the file list (names, sizes, mtimes) and the preparation settings."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def class_names_of(files: list[Path], folder: Path) -> list[str]:
    """Sorted names of the top-level subfolders that hold images."""
    return sorted({p.relative_to(folder).parts[0] for p in files if len(p.relative_to(folder).parts) > 1})


def _to_rgb(image: Image.Image) -> Image.Image:
    """8-bit RGB from any mode Pillow opens: alpha on white, 16/32-bit and float scaled down."""
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        top = values.max(initial=0.0)
        if image.mode == "F" and top <= 1.0:
            values = values * 255.0  # float images in [0, 1]
        elif top > 255:
            values = values * (255.0 / max(top, 65535.0))  # 16-bit (or wider) samples
        grey = np.clip(np.rint(values), 0, 255).astype(np.uint8)
        return Image.fromarray(grey, "L").convert("RGB")
    return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, RGB


def load_image(path: Path, size: int, crop: str = "centre", seed: int = 0) -> np.ndarray:
    """One file as uint8 [size, size, 3]; raises on anything unreadable or unusable."""
    min_side = max(MIN_SIDE, size // 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            if min(image.size) < min_side:
                raise ValueError(f"too small ({image.size[0]}x{image.size[1]}; at least {min_side} px a side for --size {size})")
            if image.format == "JPEG":
                image.draft(image.mode, (size, size))  # decode big photos at a reduced scale: much faster
            image = _to_rgb(ImageOps.exif_transpose(image))
            centering = (0.5, 0.5)
            if crop == "random":
                rng = np.random.default_rng([seed, zlib.crc32(str(path).encode())])
                centering = tuple(rng.uniform(0.0, 1.0, 2))
            image = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS, centering=centering)
            return np.asarray(image, dtype=np.uint8)


def difference_hash(image: np.ndarray) -> np.uint64:
    """64-bit dHash: is each pixel of a 9x8 grey thumbnail brighter than its right neighbour."""
    grey = Image.fromarray(image).convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    pixels = np.asarray(grey, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).reshape(-1)
    return np.uint64(int("".join("1" if b else "0" for b in bits), 2))


class DuplicateFinder:
    """Remembers the hashes seen so far; O(N) vectorised work per new image."""

    def __init__(self, max_bits: int = DUPLICATE_BITS) -> None:
        self.max_bits = max_bits
        self.hashes = np.zeros(1024, dtype=np.uint64)
        self.owners: list[Path] = []

    def match(self, image: np.ndarray, path: Path) -> Path | None:
        """The earlier file this image nearly duplicates, or None (and remember it)."""
        code = difference_hash(image)
        n = len(self.owners)
        if n:
            distances = np.bitwise_count(self.hashes[:n] ^ code)
            nearest = int(np.argmin(distances))
            if distances[nearest] <= self.max_bits:
                return self.owners[nearest]
        if n == len(self.hashes):
            self.hashes = np.concatenate([self.hashes, np.zeros_like(self.hashes)])
        self.hashes[n] = code
        self.owners.append(path)
        return None


@dataclass
class PrepareReport:
    """What :func:`iter_prepared` left out, filled in while it runs."""

    candidates: list[Path]
    class_names: list[str]
    fingerprint: str
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[tuple[Path, Path]] = field(default_factory=list)


def scan(folder: str | Path, settings: PrepareSettings) -> PrepareReport:
    """List the candidate files, their classes and the fingerprint, without decoding anything."""
    folder = Path(folder)
    files = find_images(folder)
    if not files:
        raise DataError(
            f"no images in {folder}: artgan reads {', '.join(sorted(IMAGE_SUFFIXES))} files "
            "(subfolders included)."
        )
    names: list[str] = []
    if settings.classes:
        names = class_names_of(files, folder)
        if len(names) < 2:
            raise DataError(
                f"--classes auto needs at least two subfolders of {folder} holding images (one per class); "
                f"found {len(names)}{': ' + names[0] if names else ''}."
            )
    return PrepareReport(files, names, fingerprint(files, folder, settings.key()))


def iter_prepared(
    folder: str | Path,
    settings: PrepareSettings,
    report: PrepareReport,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[Prepared]:
    """Decode the scanned files one by one, recording skipped files and duplicates in ``report``."""
    folder = Path(folder)
    class_index = {name: i for i, name in enumerate(report.class_names)}
    duplicates = DuplicateFinder() if settings.dedupe else None
    total = len(report.candidates)
    for done, path in enumerate(report.candidates, 1):
        if on_progress:
            on_progress(done, total)
        label = 0
        if settings.classes:
            parts = path.relative_to(folder).parts
            if len(parts) < 2:
                report.skipped.append((path, "not inside a class subfolder (--classes auto uses subfolders as classes)"))
                continue
            label = class_index[parts[0]]
        try:
            image = load_image(path, settings.size, settings.crop, settings.seed)
        except Exception as exc:  # noqa: BLE001 - any decoder failure means "skip this file"
            report.skipped.append((path, _reason(exc)))
            continue
        if duplicates is not None and (original := duplicates.match(image, path)) is not None:
            report.duplicates.append((path, original))
            continue
        yield Prepared(path, image, label)


def no_usable_images(folder: Path, report: PrepareReport) -> DataError:
    first = report.skipped[0] if report.skipped else None
    problem = f" (first problem: {first[0].name}: {first[1]})" if first else ""
    return DataError(f"none of the {len(report.candidates)} image files in {folder} could be read{problem}.")


def load_folder(
    folder: str | Path,
    size: int,
    crop: str = "centre",
    dedupe: bool = False,
    classes: bool = False,
    seed: int = 0,
) -> ImageSet:
    """The whole prepared set in memory (uint8).  Training streams it from a cache instead."""
    folder = Path(folder)
    settings = PrepareSettings(size, crop, dedupe, classes, seed)
    report = scan(folder, settings)
    items = list(iter_prepared(folder, settings, report))
    if not items:
        raise no_usable_images(folder, report)
    return ImageSet(
        images=np.stack([item.image for item in items]),
        files=[item.path for item in items],
        skipped=report.skipped,
        fingerprint=report.fingerprint,
        labels=np.array([item.label for item in items], dtype=np.int64) if classes else None,
        class_names=report.class_names,
        duplicates=report.duplicates,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombWarning | Image.DecompressionBombError):
        return "too large (possible decompression bomb)"
    if isinstance(exc, Image.UnidentifiedImageError):
        return "not a readable image"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]
