"""Signs that a run went wrong: non-finite losses and mode collapse (no TensorFlow here)."""

from __future__ import annotations

import math

import numpy as np


def all_finite(values: dict[str, float]) -> bool:
    return all(math.isfinite(v) for v in values.values())


def diversity(images: np.ndarray) -> float:
    """Mean per-pixel standard deviation across a batch (0 = every image identical)."""
    images = np.asarray(images, dtype=np.float32)
    return float(np.mean(np.std(images, axis=0)))


def collapse_ratio(samples: np.ndarray, reals: np.ndarray) -> float:
    """Diversity of generated samples relative to real images on the same scale ([-1, 1] or uint8)."""
    return diversity(samples) / max(diversity(reals), 1e-6)
