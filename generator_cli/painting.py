"""Painting with an exported painter: latents -> ONNX Runtime -> pixels -> upscale -> files.

This is the painting API the scheduler uses too.  It needs numpy, Pillow and
onnxruntime only.  Painting ``i`` of seed ``s`` always uses the latent drawn
from ``default_rng([s, i])``, so results do not depend on batch size or on how
many paintings were asked for, and any single one can be regenerated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from artgan.models.atomic import atomic_write
from artgan.models.imaging import to_uint8
from artgan.models.runtime import LoadedModel
from PIL import Image

FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def latents(seed: int, indices: range | list[int], latent_dim: int) -> np.ndarray:
    return np.stack([np.random.default_rng([seed, i]).standard_normal(latent_dim) for i in indices]).astype(np.float32)


def generate(model: LoadedModel, seed: int, indices: range, batch_size: int = 32) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index, uint8 [H, W, 3]) one painting at a time, running the model in batches."""
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    order = list(indices)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        z = latents(seed, chunk, model.info.latent_dim)
        feeds = {"z": z}
        if model.info.conditional:
            feeds["label"] = np.zeros(len(chunk), dtype=np.int64)
        raw = model.session.run(["image"], feeds)[0]  # type: ignore[attr-defined]
        yield from zip(chunk, to_uint8(raw))


def upscale(image: np.ndarray, factor: int) -> Image.Image:
    """Lanczos upscaling by an integer factor (1 keeps the size)."""
    picture = Image.fromarray(image)
    if factor == 1:
        return picture
    return picture.resize((picture.width * factor, picture.height * factor), Image.Resampling.LANCZOS)


def save_image(picture: Image.Image, path: Path, overwrite: bool = False, quality: int = 95) -> Path:
    """Write atomically; refuse to replace an existing file unless asked."""
    fmt = FORMATS[path.suffix.lower().lstrip(".").replace("jpeg", "jpg")]
    options = {"quality": quality} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    with atomic_write(path, "wb", overwrite=overwrite) as handle:
        picture.save(handle, format=fmt, **options)
    return path


@dataclass(frozen=True)
class PaintRequest:
    n: int
    seed: int
    out_dir: Path
    upscale: int = 4
    batch_size: int = 32
    fmt: str = "png"
    overwrite: bool = False


def painting_path(request: PaintRequest, model: LoadedModel, index: int) -> Path:
    return request.out_dir / f"{model.name}-s{request.seed}-{index:04d}.{request.fmt}"


def paint_to_files(model: LoadedModel, request: PaintRequest) -> Iterator[Path]:
    """Paint ``request.n`` images and write each as soon as it exists (memory stays flat in n)."""
    if request.n < 1:
        raise ValueError("the number of paintings must be at least 1")
    targets = [painting_path(request, model, i) for i in range(request.n)]
    if not request.overwrite:
        clashes = [p for p in targets if p.exists()]
        if clashes:
            raise FileExistsError(
                f"{clashes[0]} already exists ({len(clashes)} of the {request.n} files would be replaced). "
                "Use another --seed or --out, or --overwrite."
            )
    request.out_dir.mkdir(parents=True, exist_ok=True)
    for index, image in generate(model, request.seed, range(request.n), request.batch_size):
        yield save_image(upscale(image, request.upscale), targets[index], overwrite=request.overwrite)
