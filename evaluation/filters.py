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


def along_axis(images: np.ndarray, matrix: np.ndarray, axis: int) -> np.ndarray:
    """Apply ``matrix`` [out, in] to axis ``axis`` of ``images``: one matrix product over the batch."""
    moved = np.moveaxis(images, axis, -1)
    flat = np.ascontiguousarray(moved).reshape(-1, moved.shape[-1])
    result = flat @ matrix.T.astype(images.dtype)
    return np.moveaxis(result.reshape(*moved.shape[:-1], matrix.shape[0]), -1, axis)


def separable(images: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Filter axis 1 with ``rows`` and axis 2 with ``columns`` (images are [N, H, W, C])."""
    return along_axis(along_axis(images, rows, 1), columns, 2)
