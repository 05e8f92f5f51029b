"""The thumbnail index of a run's training images, so the scheduler can refuse near-copies.

Written once when a run starts (``RUN/thumbs.npz``) from the prepared uint8 set,
and copied beside the painter by ``artgan export`` as ``NAME.thumbs.npz``, the
format ``artgan.scheduler.memorisation`` reads: ``thumbs`` uint8 [N, T, T, 3]
and ``names`` str [N].  Box-averaging by an integer factor is what Pillow's BOX
resize does to a candidate, so both sides make the same thumbnails.  A few
hundred bytes per image: 20,000 images at T = 32 make about 60 MB.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from artgan.models.atomic import atomic_write

THUMB_SIZE = 32
CHUNK = 1024  # images box-averaged at a time, so a memory-mapped set is never read whole


def box_thumbnails(images: np.ndarray, size: int = THUMB_SIZE) -> np.ndarray:
    """uint8 [N, S, S, 3] -> uint8 [N, T, T, 3] with T = min(size, S), S a multiple of T."""
    n, s = images.shape[0], images.shape[1]
    t = min(size, s)
    if s % t:
        raise ValueError(f"image size {s} is not a multiple of the thumbnail size {t}")
    f = s // t
    out = np.empty((n, t, t, 3), np.uint8)
    for start in range(0, n, CHUNK):
        chunk = np.asarray(images[start : start + CHUNK], dtype=np.float32)
        means = chunk.reshape(len(chunk), t, f, t, f, 3).mean(axis=(2, 4))
        out[start : start + CHUNK] = np.rint(means).astype(np.uint8)
    return out


def write_thumbnail_index(path: Path, images: np.ndarray, names: Sequence[str], size: int = THUMB_SIZE) -> Path:
    """Write ``thumbs`` and ``names`` atomically (no pickle, so loading it is safe)."""
    thumbs = box_thumbnails(images, size)
    with atomic_write(path, "wb") as handle:
        np.savez_compressed(handle, thumbs=thumbs, names=np.asarray([str(n) for n in names], dtype=str))
    return path
