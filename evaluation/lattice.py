"""The lattice-peak score: how much periodic grid an image carries at 2, 4 and 8 px.

Sub-pixel upsampling (pixel shuffle, transposed convolutions) and tiling leave a
faint checkerboard or block pattern whose period is the upsampling factor.  In
the power spectrum of the grey image such a pattern is a sharp peak at the
lattice frequencies (N/2, N/4, N/8 cycles along a side, and their diagonals),
standing above the smooth 1/f spectrum of a natural picture.  The score is the
mean, over those peak positions, of the peak's power divided by the median
power of the 7x7 frequency bins around it: about 1 for photos and paintings,
several times that for a visible grid.  Numpy only; no pretrained network.
"""

from __future__ import annotations

import numpy as np

PERIODS = (2, 4, 8)
RING = 3  # the background is the median of the 7x7 bins around a peak


def _power_spectrum(image: np.ndarray) -> np.ndarray:
    """Welch's estimate: Hann-windowed half-size tiles at half-tile steps, their power averaged.

    A single periodogram bin is exponentially distributed around the true power, so one
    picture's texture alone would make random bins look like peaks; nine averaged tiles
    keep a grid's peak (it is in every tile) and calm the noise.
    """
    grey = np.asarray(image, np.float64)
    if grey.ndim == 3:
        grey = grey[..., :3].mean(axis=2)
    h, w = grey.shape
    tile = min(h, w) // 2 if min(h, w) >= 8 * (RING + 1) * 2 else min(h, w)
    tile -= tile % 8  # a whole number of 8 px periods
    window = np.outer(np.hanning(tile), np.hanning(tile))
    step = max(tile // 2, 1)
    total, count = np.zeros((tile, tile)), 0
    for top in range(0, h - tile + 1, step):
        for left in range(0, w - tile + 1, step):
            patch = grey[top : top + tile, left : left + tile]
            total += np.abs(np.fft.fft2((patch - patch.mean()) * window)) ** 2
            count += 1
    return total / count


def _peak_positions(h: int, w: int) -> list[tuple[int, int]]:
    """(row, column) frequency bins of the 2/4/8 px lattices (axes and diagonals), no duplicates."""
    positions: set[tuple[int, int]] = set()
    for period in PERIODS:
        if h % period or w % period:
            continue
        ky, kx = h // period, w // period
        positions.update({(ky, 0), (0, kx), (ky, kx), (ky, w - kx)})
    return sorted(positions)


def lattice_peak_score(image: np.ndarray) -> float:
    """Score of one image (uint8 or float, [H, W] or [H, W, C]); 1.0 = no lattice peak."""
    height, width = np.shape(image)[:2]
    if min(height, width) < 8 * (RING + 1):
        raise ValueError(
            f"the lattice-peak score needs an image of at least {8 * (RING + 1)} px a side, not {width}x{height}"
        )
    power = _power_spectrum(image)
    h, w = power.shape
    ratios = []
    for row, col in _peak_positions(h, w):
        window = power[np.ix_(np.arange(row - RING, row + RING + 1) % h, np.arange(col - RING, col + RING + 1) % w)]
        background = float(np.median(np.delete(window.ravel(), window.size // 2)))  # all but the peak itself
        ratios.append(float(power[row, col]) / max(background, 1e-12))
    return float(np.mean(ratios)) if ratios else 1.0


def median_lattice_score(images) -> float:
    """The median score over a set of images (the figure the benchmarks and tests quote)."""
    return float(np.median([lattice_peak_score(image) for image in images]))
