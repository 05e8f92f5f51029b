"""Does a painter keep the palette of its training set?  Colour histograms compared, with a floor.

Every pixel of a set goes into a joint RGB histogram of ``bins`` levels per channel; two
sets differ by the total variation between their histograms (half the L1 distance: the share
of pixels whose colour would have to change, 0 = the same palette, 1 = no colour in common).
As for SWD, the floor is the same figure between two disjoint halves of the real images, so
"keeps the palette" means "close to the floor".  SWD's pyramid normalises each level's colour,
so a painter can score well there in the wrong colours; this figure cannot.
"""

from __future__ import annotations

import numpy as np

BINS = 8  # 512 colours: coarse enough that 90 images fill the histogram without sampling noise


def colour_histogram(images: np.ndarray, bins: int = BINS) -> np.ndarray:
    """Normalised joint RGB histogram [bins ** 3] of uint8 images [N, H, W, 3]."""
    levels = (images.reshape(-1, 3).astype(np.int64) * bins) // 256
    index = (levels[:, 0] * bins + levels[:, 1]) * bins + levels[:, 2]
    counts = np.bincount(index, minlength=bins**3).astype(np.float64)
    return counts / counts.sum()


def palette_distance(a: np.ndarray, b: np.ndarray, bins: int = BINS) -> float:
    """Total variation between the colour histograms of two image sets (0 = the same palette)."""
    return float(0.5 * np.abs(colour_histogram(a, bins) - colour_histogram(b, bins)).sum())


def palette_with_floor(generated: np.ndarray, real: np.ndarray, seed: int = 0) -> dict:
    """Generated vs one half of the reals, beside the other half vs the same half (the floor)."""
    order = np.random.default_rng(seed).permutation(len(real))
    half = len(real) // 2
    if half < 1:
        raise ValueError("a palette floor needs at least 2 real images")
    a, b = real[order[:half]], real[order[half : 2 * half]]
    return {"distance": palette_distance(generated, a), "floor": palette_distance(b, a)}
