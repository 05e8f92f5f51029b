"""Refusing near-copies of training images, when the model ships a thumbnail index.

A thumbnail index is ``NAME.thumbs.npz`` next to the painter ``NAME.onnx``:

- ``thumbs``: uint8 ``[N, T, T, 3]``, every training image centre-cropped and
  resized to T x T (T = 16..64; the trainer's own crop);
- ``names`` (optional): str ``[N]``, where each image came from, for the log.

A candidate is a near-copy when its T x T thumbnail (or its mirror image, since
training flips) is within ``max_distance`` root-mean-square distance (pixels
scaled to 0..1) of any training thumbnail.  Without the file the check is
skipped, and the picker says so in its log.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from artgan.models.store import thumbnail_index_path
from PIL import Image

DEFAULT_MAX_DISTANCE = 0.05  # about 13/255 per pixel: closer than any two distinct photos in practice


class ThumbnailIndexError(Exception):
    """A thumbnail index file that cannot be used, with a message meant for the user."""


@dataclass(frozen=True)
class Match:
    distance: float
    index: int
    name: str


class ThumbnailIndex:
    def __init__(self, thumbs: np.ndarray, names: list[str] | None = None, path: Path | None = None) -> None:
        if thumbs.ndim != 4 or thumbs.shape[1] != thumbs.shape[2] or thumbs.shape[3] != 3 or thumbs.dtype != np.uint8:
            raise ThumbnailIndexError(
                f"{path or 'thumbnail index'}: 'thumbs' must be uint8 [N, T, T, 3], not {thumbs.dtype} {thumbs.shape}"
            )
        self.size = thumbs.shape[1]
        self.flat = thumbs.reshape(len(thumbs), -1).astype(np.float32) / 255.0
        self.names = names or [str(i) for i in range(len(thumbs))]
        self.path = path

    @classmethod
    def load(cls, path: Path) -> "ThumbnailIndex":
        try:
            with np.load(path, allow_pickle=False) as data:
                names = [str(n) for n in data["names"]] if "names" in data.files else None
                return cls(np.asarray(data["thumbs"]), names, path)
        except (OSError, ValueError, KeyError) as exc:
            raise ThumbnailIndexError(f"{path} is not a usable thumbnail index ({exc}).") from None

    @classmethod
    def beside(cls, painter: Path) -> "ThumbnailIndex | None":
        path = thumbnail_index_path(painter)
        return cls.load(path) if path.is_file() else None

    def thumbnail(self, image: np.ndarray) -> np.ndarray:
        picture = Image.fromarray(np.asarray(image, dtype=np.uint8))
        return np.asarray(picture.resize((self.size, self.size), Image.Resampling.BOX), dtype=np.float32) / 255.0

    def nearest(self, image: np.ndarray) -> Match:
        thumb = self.thumbnail(image)
        best = Match(float("inf"), -1, "")
        for variant in (thumb, thumb[:, ::-1]):
            distances = np.sqrt(np.mean((self.flat - variant.reshape(1, -1)) ** 2, axis=1))
            i = int(np.argmin(distances))
            if distances[i] < best.distance:
                best = Match(float(distances[i]), i, self.names[i])
        return best
