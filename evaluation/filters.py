"""Separable linear filters as matrices, so that each pass is one BLAS matrix product.

A 1-D filter along one image axis, borders included, is a [out, in] matrix;
applying it to every row/column of a batch at once is a single ``gemm``, which
is many times faster in numpy than summing shifted slices.
"""

from __future__ import annotations

import numpy as np


def _mirror(index: int, length: int) -> int:
    """Reflect an out-of-range index without repeating the edge (d c b | a b c d | c b a)."""
    if length == 1:
        return 0
    period = 2 * (length - 1)
    index %= period
    return period - index if index >= length else index


def mirrored_filter_matrix(taps: np.ndarray, length: int) -> np.ndarray:
    """[length, length] matrix of a centred 'same' correlation with mirrored borders."""
    radius = len(taps) // 2
    matrix = np.zeros((length, length), dtype=np.float64)
    for row in range(length):
        for k, weight in enumerate(taps):
            matrix[row, _mirror(row + k - radius, length)] += weight
    return matrix


def valid_filter_matrix(taps: np.ndarray, length: int) -> np.ndarray:
    """[length - len(taps) + 1, length] matrix of a 'valid' correlation (no borders)."""
    out = length - len(taps) + 1
    matrix = np.zeros((out, length), dtype=np.float64)
    for row in range(out):
        matrix[row, row : row + len(taps)] = taps
    return matrix


def separable(planes: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Filter the last two axes of ``planes`` [..., H, W] with ``rows`` [H', H] and ``columns`` [W', W].

    Channels-first layout keeps both passes free of transposes: the column pass is
    one matrix product over every row of the batch, the row pass one per plane.
    """
    *lead, h, w = planes.shape
    stacked = planes.reshape(-1, h, w)
    filtered = np.matmul(rows.astype(planes.dtype), stacked)  # [B, H', W]
    out = filtered.reshape(-1, w) @ columns.T.astype(planes.dtype)
    return out.reshape(*lead, rows.shape[0], columns.shape[0])
