"""The edge-contrast score: how much a painter draws along the border of its paintings.

A generator whose convolutions pad with zeros can tell the edge from the inside, and an
undertrained one uses that: it paints a bright frame, or a column at the right edge, that
no photo has.  The score compares the grey image's gradients across its outermost pixels
(rows near the top and bottom, columns near the sides, each taken across the edge) with
the same gradients in the middle half of the image: about 1 for photos, well above it for
a painted frame.  Numpy only.
"""

from __future__ import annotations

import numpy as np

BAND = 2  # the differences between the outermost three pixels of each side


def _grey(images) -> np.ndarray:
    array = np.asarray(images, np.float64)
    if array.ndim == 3:  # one image
        array = array[None]
    if array.ndim != 4 or min(array.shape[1:3]) < 4 * (BAND + 1):
        raise ValueError(f"the edge-contrast score needs images [N, H, W, C] at least {4 * (BAND + 1)} px a side")
    return array[..., :3].mean(axis=3)


def edge_contrast(images) -> float:
    """Mean |gradient| across the border band over the mean |gradient| in the middle, over a set.

    Pooled over the set (a flat painting's tiny middle gradients would blow up its own ratio)."""
    grey = _grey(images)
    n, h, w = grey.shape
    across_cols = np.abs(np.diff(grey, axis=2))  # [N, H, W-1]: column j vs j+1
    across_rows = np.abs(np.diff(grey, axis=1))  # [N, H-1, W]
    edge = np.concatenate([
        across_cols[:, :, :BAND].ravel(), across_cols[:, :, -BAND:].ravel(),
        across_rows[:, :BAND, :].ravel(), across_rows[:, -BAND:, :].ravel(),
    ])
    middle = np.concatenate([
        across_cols[:, :, w // 4 : 3 * w // 4].ravel(), across_rows[:, h // 4 : 3 * h // 4, :].ravel(),
    ])
    return float(edge.mean() / max(middle.mean(), 1e-12))
