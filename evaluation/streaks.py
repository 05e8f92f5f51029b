"""The streak score: how far the fine texture of a set of paintings runs in lines.

An undertrained painter draws the fine detail of landscapes as streaks: rows (or
columns) a pixel or two high whose light/dark alternation continues along the row for
many pixels.  Natural texture changes along the row as well.  The score is the
correlation, pooled over the set, of the grey image's second difference across the rows
(a streak's signature) with itself ``side / 16`` pixels along the row (8 px at 128 px):
about 0.1 for the Endless Sky photos at 128 px (their horizons count too), three times
that for the streaky painter of 2026-12-06.  The vertical twin (columns) is measured too;
the score is the larger of the two.  Numpy only.
"""

from __future__ import annotations

import numpy as np

LAG_DIVISOR = 16  # the along-the-line distance is the side over this: the same share of the picture at any size
MIN_SIDE = 2 * LAG_DIVISOR  # smaller paintings have no room for a line: callers skip the score there


def _grey(images) -> np.ndarray:
    array = np.asarray(images, np.float64)
    if array.ndim == 3:  # one image
        array = array[None]
    if array.ndim != 4 or min(array.shape[1:3]) < MIN_SIDE:
        raise ValueError(f"the streak score needs images [N, H, W, C] at least {MIN_SIDE} px a side")
    return array[..., :3].mean(axis=3)


def _along(detail: np.ndarray, lag: int) -> float:
    """Correlation of ``detail`` with itself ``lag`` pixels further along axis 2, pooled over the set."""
    head, tail = detail[:, :, :-lag], detail[:, :, lag:]
    return float((head * tail).sum() / max(np.sqrt((head * head).sum() * (tail * tail).sum()), 1e-12))


def streak_coherence(images) -> dict[str, float]:
    """{"horizontal": ..., "vertical": ..., "score": the larger}: 0 = no line runs, 1 = perfect stripes."""
    grey = _grey(images)
    lag = max(min(grey.shape[1:]) // LAG_DIVISOR, 1)
    across_rows = grey[:, 2:, :] - 2 * grey[:, 1:-1, :] + grey[:, :-2, :]  # a horizontal streak's signature
    across_cols = grey[:, :, 2:] - 2 * grey[:, :, 1:-1] + grey[:, :, :-2]
    horizontal = _along(across_rows, lag)
    vertical = _along(np.swapaxes(across_cols, 1, 2), lag)
    return {"horizontal": horizontal, "vertical": vertical, "score": max(horizontal, vertical)}


def streak_score(images) -> float:
    """The larger of the horizontal and vertical streak coherence of a set (photos about 0.1 at 128 px)."""
    return streak_coherence(images)["score"]
