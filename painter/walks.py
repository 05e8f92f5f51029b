"""Latent walks: an animation that glides through K random points of latent space and back.

Consecutive points are joined by spherical interpolation (slerp): Gaussian
latents live near a sphere, and a straight line between two of them passes
through the low-norm middle where a generator paints washed-out images.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from artgan.models.atomic import atomic_write
from artgan.models.runtime import LoadedModel
from PIL import Image

from .painting import class_labels, latents, run_painter, upscale
from .provenance import Provenance, save_with_provenance
from .upscaling import OnnxUpscaler

ANIMATION_FORMATS = {"gif": "GIF", "webp": "WEBP"}


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    cos = np.dot(a, b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)
    omega = float(np.arccos(np.clip(cos, -1.0, 1.0)))
    if omega < 1e-6:  # (nearly) the same direction: slerp and lerp agree
        return (1.0 - t) * a + t * b
    return (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def walk_latents(seed: int, points: int, frames: int, latent_dim: int, truncation: float = 1.0) -> np.ndarray:
    """[points * frames, latent]: ``frames`` steps from each point to the next, the last leading back to the first."""
    anchors = latents(seed, range(points), latent_dim, truncation)
    path = [
        slerp(anchors[k], anchors[(k + 1) % points], f / frames) for k in range(points) for f in range(frames)
    ]
    return np.stack(path).astype(np.float32)


def write_walk(
    model: LoadedModel,
    path: Path,
    provenance: Provenance,
    label: int | None = None,
    batch_size: int = 32,
    upscaler: OnnxUpscaler | None = None,
    overwrite: bool = False,
) -> Path:
    """Paint the walk described by ``provenance.walk`` and write it as an animated GIF or WebP."""
    if path.exists() and not overwrite:  # say so before painting every frame
        raise FileExistsError(f"{path} already exists. Use another --seed or --out, or --overwrite.")
    walk = provenance.walk or {}
    points, frames, fps = int(walk["points"]), int(walk["frames"]), float(walk["fps"])
    if points < 2 or frames < 1 or fps <= 0:
        raise ValueError("a walk needs at least 2 points, 1 frame per step and a positive frame rate")
    z = walk_latents(provenance.seed, points, frames, model.info.latent_dim, provenance.truncation)
    labels = None
    if model.info.conditional:
        fixed = label if label is not None else int(class_labels(provenance.seed, [0], len(model.info.class_names))[0])
        labels = np.full(len(z), fixed, dtype=np.int64)
    pictures = []
    for start in range(0, len(z), batch_size):
        batch_labels = labels[start : start + batch_size] if labels is not None else None
        for image in run_painter(model, z[start : start + batch_size], batch_labels, rounded=False):  # as paint enlarges
            pictures.append(upscale(image, provenance.upscale, upscaler=upscaler, size=provenance.size,
                                    resample=provenance.resample))
    fmt = ANIMATION_FORMATS[path.suffix.lower().lstrip(".")]
    with atomic_write(path, "wb", overwrite=overwrite) as handle:
        save_with_provenance(
            pictures[0], handle, fmt, provenance.quality, provenance,
            save_all=True, append_images=pictures[1:], duration=round(1000 / fps), loop=0,
        )
    return path
