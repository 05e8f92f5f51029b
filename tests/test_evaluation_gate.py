"""The gate's paintings: the same latents and the same resizing for every painter it compares."""

from __future__ import annotations

import numpy as np

from artgan.evaluation.gate import at_size, gate_latents, paint_gate_set
from artgan.models.runtime import load_model
from artgan.models.store import resolve_painter


def test_the_gate_paints_a_fixed_latent_set_at_the_painters_size():
    painter = resolve_painter(None)
    resolution = load_model(painter).info.resolution
    first = paint_gate_set(painter, 70)  # more than one batch
    assert first.shape == (70, resolution, resolution, 3) and first.dtype == np.uint8
    assert np.array_equal(paint_gate_set(painter, 70), first)
    assert np.array_equal(paint_gate_set(painter, 5), first[:5])  # a smaller gate is a prefix of a larger one
    assert len({im.tobytes() for im in first}) == 70
    assert np.array_equal(gate_latents(3, 8), gate_latents(5, 8)[:3])


def test_at_size_resizes_only_what_needs_it():
    images = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 3), dtype=np.uint8)
    assert at_size(images, 32) is images
    small = at_size(images, 16)
    assert small.shape == (2, 16, 16, 3) and small.dtype == np.uint8
    assert abs(float(small.mean()) - float(images.mean())) < 3
