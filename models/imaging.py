"""Pixels from model outputs.  Shared by training samples and painting.

Painters output float images in [-1, 1] (the artifact contract), so turning
them into pixels belongs with the artifact format rather than to either side.
"""

from __future__ import annotations

import math

import numpy as np


def to_pixels(images: np.ndarray) -> np.ndarray:
    """Map [-1, 1] floats to float32 pixel values in [0, 255], clipped and not yet rounded.

    NaN (a broken model) becomes mid-grey rather than an undefined cast.
    """
    images = np.nan_to_num(np.asarray(images, dtype=np.float32), nan=0.0)
    return (np.clip(images, -1.0, 1.0) + 1.0) * np.float32(127.5)


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Map [-1, 1] floats to [0, 255] uint8: clip first, then round to nearest."""
    return round_pixels(to_pixels(images))


def round_pixels(pixels: np.ndarray) -> np.ndarray:
    """Float pixel values (or uint8, returned as they are) to uint8, rounded to nearest."""
    if pixels.dtype == np.uint8:
        return pixels
    return np.rint(np.clip(pixels, 0, 255)).astype(np.uint8)


def from_uint8(images: np.ndarray) -> np.ndarray:
    """[0, 255] pixels to the [-1, 1] float32 the networks take (the inverse of :func:`to_uint8`)."""
    return np.asarray(images, dtype=np.float32) / 127.5 - 1.0


def make_grid(images: np.ndarray, columns: int | None = None, pad: int = 2, background: int = 255) -> np.ndarray:
    """Tile uint8 images [N, H, W, C] into one contact-sheet image."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError("make_grid needs a non-empty batch [N, H, W, C]")
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    grid = np.full((rows * (h + pad) + pad, columns * (w + pad) + pad, c), background, dtype=images.dtype)
    for index, image in enumerate(images):
        r, col = divmod(index, columns)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[top : top + h, left : left + w] = image
    return grid


def psnr(reference: np.ndarray, test: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB of two uint8 images (higher is closer)."""
    mse = float(np.mean((reference.astype(np.float64) - test.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * math.log10(255.0**2 / mse)


def downscale(image: np.ndarray, scale: int) -> np.ndarray:
    """Bicubic (anti-aliased) reduction by an integer factor: the degradation learned upscalers undo."""
    from PIL import Image

    h, w = image.shape[0] // scale, image.shape[1] // scale
    return np.asarray(Image.fromarray(image).resize((w, h), Image.Resampling.BICUBIC))
