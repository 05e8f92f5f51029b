"""Streaming batches with tf.data: everything random in a step is a pure function of (seed, step).

Each element is one global batch: uint8 images gathered from the memory-mapped
cache (only those pages are touched, so memory does not grow with the set),
flipped, plus the step's latent vectors, DiffAugment parameters and labels.
The order is a fresh seeded permutation per epoch (a full shuffle), and
because nothing depends on how many steps ran before, a resumed run sees the
very same batches as an uninterrupted one.  tf.data prefetches the next
batches on a background thread while the current step trains.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .augment import PARAMS
from .config import TrainConfig

PREFETCH = 2


def batch_indices(step: int, batch_size: int, n: int, seed: int) -> np.ndarray:
    """Indices for one step: each epoch is a fresh seeded permutation, a pure function of the step."""
    positions = np.arange(step * batch_size, (step + 1) * batch_size)
    epochs, offsets = np.divmod(positions, n)
    out = np.empty(batch_size, dtype=np.int64)
    for epoch in np.unique(epochs):
        perm = np.random.default_rng([seed, int(epoch)]).permutation(n)
        mask = epochs == epoch
        out[mask] = perm[offsets[mask]]
    return out


def batch_for_step(step: int, images: np.ndarray, labels: np.ndarray, config: TrainConfig) -> dict[str, np.ndarray]:
    b = config.batch_size
    index = batch_indices(step, b, len(images), config.seed)
    order = np.argsort(index)  # read the memmap in file order, then put the batch back in step order
    batch = np.empty((b, *images.shape[1:]), np.uint8)
    batch[order] = images[index[order]]
    if config.flip:
        flip = np.random.default_rng([config.seed, step, 1]).random(b) < 0.5
        batch[flip] = batch[flip, :, ::-1]
    return {
        "image": batch,
        "label": labels[index].astype(np.int64),
        "z": np.random.default_rng([config.seed, step, 2]).standard_normal((b, config.latent_dim)).astype(np.float32),
        "aug": np.random.default_rng([config.seed, step, 3]).random((b, 2 * PARAMS)).astype(np.float32),
    }


def make_dataset(images: np.ndarray, labels: np.ndarray | None, config: TrainConfig, start_step: int) -> tf.data.Dataset:
    """Batches for steps start_step .. config.steps - 1, prefetched."""
    labels = np.zeros(len(images), np.int64) if labels is None else np.asarray(labels, np.int64)
    keys = ("image", "label", "z", "aug")
    dtypes = (tf.uint8, tf.int64, tf.float32, tf.float32)
    b, s = config.batch_size, images.shape[1]
    shapes = ([b, s, s, 3], [b], [b, config.latent_dim], [b, 2 * PARAMS])

    def load(step):
        batch = batch_for_step(int(step), images, labels, config)
        return tuple(batch[k] for k in keys)

    def to_dict(*tensors):
        for tensor, shape in zip(tensors, shapes):
            tensor.set_shape(shape)
        return dict(zip(keys, tensors))

    steps = tf.data.Dataset.range(start_step, config.steps)
    batches = steps.map(lambda step: tf.numpy_function(load, [step], dtypes, stateful=False))
    return batches.map(to_dict).prefetch(PREFETCH)
