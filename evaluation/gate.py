"""The default-painter gate's paintings: one fixed latent set, painted by an ONNX painter or a
checkpoint, and brought to the size a figure is measured at.

``scripts/make_default_painter.py`` (which painter ships) and ``benchmarks/bench_checkpoints.py``
(which checkpoint to ship) must compare like with like: the same latents, the same resizing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

GATE_SEED = 0
BATCH = 64


def gate_latents(n: int, latent_dim: int) -> np.ndarray:
    """The gate's ``n`` latents (seed 0): every painter and checkpoint is measured on these."""
    return np.random.default_rng(GATE_SEED).standard_normal((n, latent_dim)).astype(np.float32)


def paint_gate_set(painter: Path, n: int) -> np.ndarray:
    """uint8 [n, S, S, 3]: an unconditional ONNX painter's paintings of the gate's latents, at its own size."""
    from artgan.models.runtime import load_model
    from artgan.painter.painting import run_painter

    model = load_model(painter, device="cpu", expect_kind="painter")
    z = gate_latents(n, model.info.latent_dim)
    return np.concatenate([run_painter(model, z[i : i + BATCH]) for i in range(0, n, BATCH)])


def at_size(images: np.ndarray, size: int) -> np.ndarray:
    """``images`` Lanczos-resized to ``size`` px (as they are when their size already matches)."""
    if images.shape[1] == size:
        return images
    return np.stack([np.asarray(Image.fromarray(im).resize((size, size), Image.Resampling.LANCZOS)) for im in images])
