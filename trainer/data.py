"""Reading a folder of images into a training set.

Files are found recursively, decoded with Pillow, converted to RGB, centre
cropped to a square and resized.  Unreadable files are skipped and reported,
never fatal; a folder with nothing usable is a clear error.  The prepared set
is kept as uint8 (a quarter of float32) and scaled to [-1, 1] per batch.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
MIN_SIDE = 8  # smaller files are icons or thumbnails, not training material


class DataError(Exception):
    """A problem with the user's image folder, worded for the user."""


@dataclass
class ImageSet:
    images: np.ndarray  # uint8 [N, size, size, 3]
    files: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    fingerprint: str = ""

    def __len__(self) -> int:
        return len(self.files)


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


def load_image(path: Path, size: int) -> np.ndarray:
    """One file as uint8 [size, size, 3]; raises on anything unreadable."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            image = ImageOps.exif_transpose(image)
            if min(image.size) < MIN_SIDE:
                raise ValueError(f"too small ({image.size[0]}x{image.size[1]})")
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                rgba = image.convert("RGBA")
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(background, rgba)
            image = image.convert("RGB")
            image = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))
            return np.asarray(image, dtype=np.uint8)


def load_folder(folder: str | Path, size: int) -> ImageSet:
    folder = Path(folder)
    files = find_images(folder)
    if not files:
        raise DataError(
            f"no images in {folder}: artgan reads {', '.join(sorted(IMAGE_SUFFIXES))} files "
            "(subfolders included)."
        )
    images, used, skipped = [], [], []
    for path in files:
        try:
            images.append(load_image(path, size))
            used.append(path)
        except Exception as exc:  # noqa: BLE001 - any decoder failure means "skip this file"
            skipped.append((path, _reason(exc)))
    if not used:
        raise DataError(
            f"none of the {len(files)} image files in {folder} could be read "
            f"(first problem: {skipped[0][0].name}: {skipped[0][1]})."
        )
    return ImageSet(
        images=np.stack(images),
        files=used,
        skipped=skipped,
        fingerprint=fingerprint(used, folder, {"size": size, "crop": "centre"}),
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombWarning | Image.DecompressionBombError):
        return "too large (possible decompression bomb)"
    if isinstance(exc, Image.UnidentifiedImageError):
        return "not a readable image"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]
