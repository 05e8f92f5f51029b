"""Perceptual hashes: how the scheduler tells "the same picture again" from "a new one".

pHash (Zauner 2010, the variant popularised by pHash.org and imagehash): grey
32x32 -> 2-D DCT -> the 8x8 lowest frequencies -> one bit per coefficient
above their median.  Small edits, rescaling and JPEG leave it within a few bits;
different paintings land ~32 bits apart.  Stored as 16 hex digits in the history.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image

HASH_SIZE = 8
SAMPLE_SIZE = 32


@lru_cache(maxsize=1)
def _dct_matrix(n: int = SAMPLE_SIZE) -> np.ndarray:
    """Orthonormal DCT-II as a matrix, so the 2-D transform is two matmuls (no scipy)."""
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    matrix = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2 / n)
    matrix[0] /= np.sqrt(2)
    return matrix


def phash(image: np.ndarray | Image.Image) -> str:
    picture = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image, dtype=np.uint8))
    grey = np.asarray(picture.convert("L").resize((SAMPLE_SIZE, SAMPLE_SIZE), Image.Resampling.LANCZOS), np.float64)
    dct = _dct_matrix() @ grey @ _dct_matrix().T
    low = dct[:HASH_SIZE, :HASH_SIZE].flatten()
    bits = low > np.median(low[1:])  # the DC term is the mean brightness: keep it out of the median
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def degenerate_reason(image: np.ndarray, min_contrast: float = 6.0, max_dominant: float = 0.85) -> str | None:
    """Why an image is not worth posting (flat, or almost one colour), or None when it is fine.

    Contrast is the standard deviation of the luma (0..255); the dominant share
    is the fraction of pixels in the most common colour after quantising each
    channel to 16 levels, which catches a flat field with a few specks.
    """
    rgb = np.asarray(image, dtype=np.float32)
    luma = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if luma.std() < min_contrast:
        return f"flat (luma contrast {luma.std():.1f} < {min_contrast:g})"
    quantised = (np.asarray(image, dtype=np.uint16) >> 4).reshape(-1, 3)
    codes = (quantised[:, 0] << 8) | (quantised[:, 1] << 4) | quantised[:, 2]
    dominant = np.bincount(codes).max() / len(codes)
    if dominant > max_dominant:
        return f"almost one colour ({dominant:.0%} of pixels)"
    return None
