"""Painting with an exported painter: latents -> ONNX Runtime -> pixels -> upscale -> files.

This is the painting API the scheduler uses too.  It needs numpy, Pillow and
onnxruntime only.  Painting ``i`` of seed ``s`` always uses the latent drawn
from ``default_rng([s, i])`` (times the truncation psi), so results do not
depend on batch size or on how many paintings were asked for, and any single
one can be regenerated from the provenance written into its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
from artgan.models.artifact import ModelError
from artgan.models.atomic import atomic_write
from artgan.models.imaging import make_grid, round_pixels, to_pixels
from artgan.models.runtime import LoadedModel
from PIL import Image

from .provenance import Provenance, save_with_provenance
from .upscaling import BICUBIC, OnnxUpscaler, upscale_image

FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def latents(seed: int, indices: Sequence[int], latent_dim: int, truncation: float = 1.0) -> np.ndarray:
    """z for each index; ``truncation`` psi < 1 pulls it towards the mean (0): cleaner, less varied."""
    z = np.stack([np.random.default_rng([seed, i]).standard_normal(latent_dim) for i in indices])
    return (z * truncation).astype(np.float32)


def nudged_latent(seed: int, index: int, latent_dim: int, truncation: float, steps: Sequence[Sequence[float]]) -> np.ndarray:
    """z of painting (seed, index) moved by each (k, size) of ``steps`` in turn ("more like this").

    Step j goes along its own random direction, from the stream ``rng([seed, index, 2, j, k])`` (apart
    from z's and the class's), so a neighbour of a neighbour is one more step from where it was."""
    z = np.random.default_rng([seed, index]).standard_normal(latent_dim)
    for j, (k, size) in enumerate(steps):
        z = z + float(size) * np.random.default_rng([seed, index, 2, j, int(k)]).standard_normal(latent_dim)
    return (z * truncation).astype(np.float32)[None]


def latent_for(model: LoadedModel, provenance: Provenance) -> tuple[np.ndarray, np.ndarray | None]:
    """(z [1, latent], label [1] or None) of the painting a provenance describes, for this painter.

    Refuses a provenance that names other weights, so a queued painting cannot silently change."""
    if provenance.model_sha256 != model.sha256:
        raise ModelError(
            f"the painting was made by {provenance.model} ({provenance.model_sha256[:12]}), not by the loaded "
            f"{model.name} ({model.sha256[:12]}); load that painter to paint it again."
        )
    label = class_index(model, provenance.class_name)
    if model.info.conditional and label is None:
        label = int(class_labels(provenance.seed, [provenance.index], len(model.info.class_names))[0])
    labels = None if label is None else np.array([label], np.int64)
    if provenance.nudge:
        z = nudged_latent(provenance.seed, provenance.index, model.info.latent_dim, provenance.truncation,
                          provenance.nudge["steps"])
    else:
        z = latents(provenance.seed, [provenance.index], model.info.latent_dim, provenance.truncation)
    return z, labels


def paint_one(model: LoadedModel, provenance: Provenance) -> np.ndarray:
    """The painter's own pixels (uint8 [H, W, 3], not upscaled) for a provenance: the same painting again."""
    return run_painter(model, *latent_for(model, provenance))[0]


def class_labels(seed: int, indices: Sequence[int], class_count: int) -> np.ndarray:
    """A class per index when none was asked for; its own stream, so z stays the same either way."""
    return np.array([np.random.default_rng([seed, i, 1]).integers(class_count) for i in indices], dtype=np.int64)


def class_index(model: LoadedModel, name: str | None) -> int | None:
    """The label for ``--class NAME``; a clear error for a wrong name or an unconditional painter."""
    if name is None:
        return None
    names = model.info.class_names
    if not names:
        raise ModelError(f"--class needs a conditional painter; {model.name} was not trained on classes.")
    if name not in names:
        raise ModelError(f"{model.name} has no class {name!r}. Its classes: {', '.join(names)}.")
    return names.index(name)


def run_painter(model: LoadedModel, z: np.ndarray, labels: np.ndarray | None = None, *, rounded: bool = True) -> np.ndarray:
    """One batch through the painter: z [N, latent] (+ labels [N]) -> uint8 [N, H, W, 3], or with
    ``rounded=False`` float32 pixel values in [0, 255] (what upscaling should start from)."""
    feeds = {"z": z}
    if model.info.conditional:
        feeds["label"] = labels if labels is not None else np.zeros(len(z), dtype=np.int64)
    pixels = to_pixels(model.run(["image"], feeds)[0])
    return round_pixels(pixels) if rounded else pixels


def generate(
    model: LoadedModel,
    seed: int,
    indices: Sequence[int],
    batch_size: int = 32,
    *,
    truncation: float = 1.0,
    label: int | None = None,
    rounded: bool = True,
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (index, uint8 [H, W, 3]) one painting at a time, running the model in batches.

    ``label`` fixes the class of a conditional painter; by default each index draws its own.
    ``rounded=False`` yields float32 pixels in [0, 255] instead (see :func:`run_painter`).
    """
    if batch_size < 1:
        raise ValueError("batch size must be at least 1")
    if not 0.0 < truncation <= 1.0:
        raise ValueError(f"truncation psi must be in (0, 1], not {truncation}")
    order = list(indices)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        labels = None
        if model.info.conditional:
            count = len(model.info.class_names)
            labels = np.full(len(chunk), label, np.int64) if label is not None else class_labels(seed, chunk, count)
        z = latents(seed, chunk, model.info.latent_dim, truncation)
        yield from zip(chunk, run_painter(model, z, labels, rounded=rounded))


def upscale(
    image: np.ndarray, factor: int, *, upscaler: OnnxUpscaler | None = None, size: int | None = None, resample: str = BICUBIC
) -> Image.Image:
    """Upscale by an integer factor (1 keeps the size) or to ``size`` px: ``upscaler`` first, then ``resample``."""
    return upscale_image(image, factor, upscaler=upscaler, size=size, resample=resample)


def save_image(
    picture: Image.Image, path: Path, overwrite: bool = False, quality: int = 95, provenance: Provenance | None = None
) -> Path:
    """Write atomically, with provenance when given; refuse to replace an existing file unless asked."""
    fmt = FORMATS[path.suffix.lower().lstrip(".").replace("jpeg", "jpg")]
    with atomic_write(path, "wb", overwrite=overwrite) as handle:
        save_with_provenance(picture, handle, fmt, quality, provenance)
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
    truncation: float = 1.0
    class_name: str | None = None
    quality: int = 95
    size: int | None = None
    grid: bool = False
    first_index: int = 0
    resample: str = BICUBIC  # the classical step: all of the upscaling without a learned upscaler


def file_stem(request: PaintRequest, model: LoadedModel) -> str:
    """NAME[-CLASS][-tPSI]-sSEED: what every file of one request starts with."""
    tags = (f"-{request.class_name}" if request.class_name else "") + (
        f"-t{request.truncation:g}" if request.truncation != 1.0 else ""
    )
    return f"{model.name}{tags}-s{request.seed}"


def painting_path(request: PaintRequest, model: LoadedModel, index: int) -> Path:
    return request.out_dir / f"{file_stem(request, model)}-{index:04d}.{request.fmt}"


def grid_path(request: PaintRequest, model: LoadedModel) -> Path:
    return request.out_dir / f"{file_stem(request, model)}-grid.png"


def provenance_for(model: LoadedModel, request: PaintRequest, index: int, upscaler: OnnxUpscaler | None) -> Provenance:
    return Provenance(
        model=model.name, model_sha256=model.sha256, seed=request.seed, index=index,
        truncation=request.truncation, class_name=request.class_name, upscale=request.upscale, size=request.size,
        upscaler=upscaler.name if upscaler else None, upscaler_sha256=upscaler.sha256 if upscaler else None,
        quality=request.quality, resample=request.resample,
    )


def paint_to_files(model: LoadedModel, request: PaintRequest, upscaler: OnnxUpscaler | None = None) -> Iterator[Path]:
    """Paint ``request.n`` images and write each as soon as it exists (memory stays flat in n).

    With ``request.grid`` a contact sheet of the unscaled paintings follows the files.
    """
    if request.n < 1:
        raise ValueError("the number of paintings must be at least 1")
    label = class_index(model, request.class_name)
    indices = range(request.first_index, request.first_index + request.n)
    targets = {i: painting_path(request, model, i) for i in indices}
    wanted = list(targets.values()) + ([grid_path(request, model)] if request.grid else [])
    if not request.overwrite:
        clashes = [p for p in wanted if p.exists()]
        if clashes:
            raise FileExistsError(
                f"{clashes[0]} already exists ({len(clashes)} of the {len(wanted)} files would be replaced). "
                "Use another --seed or --out, or --overwrite."
            )
    request.out_dir.mkdir(parents=True, exist_ok=True)
    thumbnails = []
    # unrounded: the 8-bit painting's rounding steps, enlarged, would repeat with the painter's pixel grid
    paintings = generate(model, request.seed, indices, request.batch_size, truncation=request.truncation, label=label,
                         rounded=False)
    for index, pixels in paintings:
        if request.grid:
            thumbnails.append(round_pixels(pixels))
        picture = upscale(pixels, request.upscale, upscaler=upscaler, size=request.size, resample=request.resample)
        provenance = provenance_for(model, request, index, upscaler)
        yield save_image(picture, targets[index], request.overwrite, request.quality, provenance)
    if request.grid:
        path = grid_path(request, model)
        with atomic_write(path, "wb", overwrite=request.overwrite) as handle:
            Image.fromarray(make_grid(np.stack(thumbnails))).save(handle, format="PNG")
        yield path
