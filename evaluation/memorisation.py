"""Memorisation: is each generated image a near copy of a training image?

Distances are RMS pixel differences (0..255 scale) between images average-pooled
to at most 32 px, which ignores pixel-level noise but keeps composition and
colour.  For every generated sample we take the distance to its nearest training
image; the yardstick is the typical (median) distance from a training image to
its nearest *other* training image.  A sample closer to the training set than
NEAR_COPY_RATIO times that yardstick counts as a near copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

POOLED_SIZE = 32
NEAR_COPY_RATIO = 0.5
MAX_QUERIES = 1000  # training images used to estimate the typical nearest-neighbour distance
CHUNK = 2048  # reference images per distance block: memory stays flat in the training-set size


def pooled_vectors(images: np.ndarray, size: int = POOLED_SIZE) -> np.ndarray:
    """Images [N, S, S, C] -> float32 vectors of their block averages at min(S, size) px."""
    n, s, _, c = images.shape
    factor = max(1, s // size)
    blocks = np.asarray(images, dtype=np.float32).reshape(n, s // factor, factor, s // factor, factor, c)
    return blocks.mean(axis=(2, 4)).reshape(n, -1)


def nearest(queries: np.ndarray, reference: np.ndarray, exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(index, RMS distance) of each query's nearest reference vector.

    With ``exclude_self`` query i is reference i and is skipped as its own neighbour.
    """
    centre = reference.mean(axis=0, dtype=np.float64).astype(np.float32)  # smaller norms, less float32 cancellation
    queries = queries - centre
    q_sq = np.sum(queries.astype(np.float64) ** 2, axis=1)
    best = np.full(len(queries), np.inf)
    best_index = np.zeros(len(queries), dtype=np.int64)
    for start in range(0, len(reference), CHUNK):
        block = reference[start : start + CHUNK] - centre
        d2 = q_sq[:, None] + np.sum(block.astype(np.float64) ** 2, axis=1)[None, :] - 2.0 * (queries @ block.T)
        if exclude_self:
            rows = np.arange(len(queries))
            own = rows[(rows >= start) & (rows < start + len(block))]
            d2[own, own - start] = np.inf
        index = np.argmin(d2, axis=1)
        value = d2[np.arange(len(queries)), index]
        better = value < best
        best[better], best_index[better] = value[better], index[better] + start
    return best_index, np.sqrt(np.maximum(best, 0.0) / queries.shape[1])


@dataclass
class Memorisation:
    nn_distance: np.ndarray  # per generated sample
    nn_index: np.ndarray  # index of that nearest training image
    train_nn_distance: float  # median nearest-other-training-image distance
    closest: list[dict] = field(default_factory=list)

    @property
    def ratios(self) -> np.ndarray:
        return self.nn_distance / max(self.train_nn_distance, 1e-12)

    @property
    def near_copy_share(self) -> float:
        return float(np.mean(self.ratios < NEAR_COPY_RATIO))

    def to_dict(self) -> dict:
        return {
            "median_nn_distance": float(np.median(self.nn_distance)),
            "train_median_nn_distance": self.train_nn_distance,
            "median_ratio": float(np.median(self.ratios)),
            "near_copy_share": self.near_copy_share,
            "near_copy_ratio": NEAR_COPY_RATIO,
            "closest": self.closest,
        }


def memorisation(generated: np.ndarray, training: np.ndarray, names: list[str] | None = None,
                 seed: int = 0, top: int = 5) -> Memorisation:
    """Nearest-training-image distances of ``generated`` against ``training`` (both uint8 [N, S, S, 3])."""
    if len(training) < 2:
        raise ValueError("memorisation needs at least 2 training images")
    reference = pooled_vectors(training)
    index, distance = nearest(pooled_vectors(generated), reference)
    rng = np.random.default_rng(seed)
    queries = np.sort(rng.choice(len(training), size=min(MAX_QUERIES, len(training)), replace=False))
    # queries first so that exclude_self can skip query i == reference i
    order = np.concatenate([queries, np.setdiff1d(np.arange(len(training)), queries)])
    _, train_distance = nearest(reference[queries], reference[order], exclude_self=True)
    result = Memorisation(distance, index, float(np.median(train_distance)))
    for sample in np.argsort(distance)[:top]:
        result.closest.append({
            "sample": int(sample),
            "training_image": names[index[sample]] if names else int(index[sample]),
            "distance": float(distance[sample]),
            "ratio": float(result.ratios[sample]),
        })
    return result
