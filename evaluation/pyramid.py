"""Gaussian and Laplacian pyramids with the 5x5 binomial filter, as OpenCV's pyrDown/pyrUp.

Borders are mirrored without repeating the edge pixel (``d c b | a b c d | c b a``,
OpenCV's BORDER_REFLECT_101), exactly as ProGAN's ``sliced_wasserstein.py`` does
with ``scipy.ndimage.convolve(mode='mirror')``.  The 5x5 filter is the outer
product of [1, 4, 6, 4, 1] / 16, so it runs as two 1-D passes, each a matrix
product (see :mod:`.filters`).  Images are float arrays of planes [..., H, W]
(channels first, e.g. [N, C, H, W], as in ProGAN).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from .filters import mirrored_filter_matrix, separable

BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


@lru_cache(maxsize=32)
def _down_matrix(length: int) -> np.ndarray:
    """Blur with mirrored borders, then keep every other sample."""
    return mirrored_filter_matrix(BINOMIAL, length)[::2]


@lru_cache(maxsize=32)
def _up_matrix(length: int) -> np.ndarray:
    """Put the samples at even positions of a zero-filled signal twice as long, then blur with 2x the taps."""
    return mirrored_filter_matrix(2.0 * BINOMIAL, 2 * length)[:, ::2]


def pyr_down(images: np.ndarray) -> np.ndarray:
    """Blur, then keep every other row and column (cv2.pyrDown)."""
    return separable(images, _down_matrix(images.shape[-2]), _down_matrix(images.shape[-1]))


def pyr_up(images: np.ndarray) -> np.ndarray:
    """Insert zeros between pixels, then blur with 4x the filter (cv2.pyrUp): twice the size."""
    return separable(images, _up_matrix(images.shape[-2]), _up_matrix(images.shape[-1]))


def laplacian_pyramid(images: np.ndarray, levels: int) -> list[np.ndarray]:
    """``levels`` arrays, full size first; the last is the low-pass residual, the others band-pass.

    ``collapse(laplacian_pyramid(x, k))`` gives back ``x`` up to float rounding.
    """
    pyramid = [np.asarray(images, dtype=np.float32)]
    for _ in range(1, levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] = pyramid[-2] - pyr_up(pyramid[-1])
    return pyramid


def collapse(pyramid: list[np.ndarray]) -> np.ndarray:
    """Invert :func:`laplacian_pyramid`."""
    image = pyramid[-1]
    for band in reversed(pyramid[:-1]):
        image = band + pyr_up(image)
    return image
