"""DiffAugment (Zhao et al. 2020): differentiable colour, translation and cutout, applied to
every image D sees (real and fake), so D cannot memorise a small set and G still gets gradients.

Randomness comes in as ``params`` (uniform [0, 1) numbers, :data:`PARAMS` per image)
drawn by the input pipeline from (seed, step), so a resumed run augments exactly
as the uninterrupted one.  Each of the three operations is applied to an image
with probability ``p``: fixed, or adapted during training (ADA's heuristic,
see :func:`adapt_probability`).
"""

from __future__ import annotations

import tensorflow as tf

PARAMS = 10  # per image: gate+3 colour, gate+2 translation, gate+2 cutout, 1 spare
TRANSLATION = 1 / 8  # max shift, as a fraction of the side
CUTOUT = 1 / 2  # side of the erased square, as a fraction of the side
ADAPT_IMAGES = 20_000  # p can move from 0 to 1 within this many real images (ADA: 500k; CPU runs are short)


def _gate(mask: tf.Tensor, augmented: tf.Tensor, original: tf.Tensor) -> tf.Tensor:
    return tf.where(mask[:, None, None, None], augmented, original)


def colour(x: tf.Tensor, u: tf.Tensor) -> tf.Tensor:
    """Brightness +-0.5, saturation x[0, 2), contrast x[0.5, 1.5) (images in [-1, 1])."""
    x = x + (u[:, 0, None, None, None] - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (u[:, 1, None, None, None] * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (u[:, 2, None, None, None] + 0.5) + mean


def translation(x: tf.Tensor, u: tf.Tensor) -> tf.Tensor:
    """Shift by up to 1/8 of the side, filling with zeros (mid-grey)."""
    h, w = x.shape[1], x.shape[2]
    shift_y = tf.cast(tf.round((u[:, 0] * 2.0 - 1.0) * (h * TRANSLATION)), tf.int32)
    shift_x = tf.cast(tf.round((u[:, 1] * 2.0 - 1.0) * (w * TRANSLATION)), tf.int32)
    rows = tf.range(h)[None, :] - shift_y[:, None]  # [N, H] source row of each output row
    cols = tf.range(w)[None, :] - shift_x[:, None]
    inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]
    x = tf.gather(x, tf.clip_by_value(rows, 0, h - 1), axis=1, batch_dims=1)
    x = tf.gather(x, tf.clip_by_value(cols, 0, w - 1), axis=2, batch_dims=1)
    return x * tf.cast(inside, x.dtype)[..., None]


def cutout(x: tf.Tensor, u: tf.Tensor) -> tf.Tensor:
    """Zero a square of half the side at a random centre."""
    h, w = x.shape[1], x.shape[2]
    centre_y, centre_x = u[:, 0, None] * h, u[:, 1, None] * w
    rows = tf.abs(tf.range(h, dtype=u.dtype)[None, :] + 0.5 - centre_y) < h * CUTOUT / 2
    cols = tf.abs(tf.range(w, dtype=u.dtype)[None, :] + 0.5 - centre_x) < w * CUTOUT / 2
    erased = rows[:, :, None] & cols[:, None, :]
    return x * tf.cast(~erased, x.dtype)[..., None]


def diff_augment(x: tf.Tensor, params: tf.Tensor, p: tf.Tensor) -> tf.Tensor:
    """Colour, translation and cutout, each applied to an image with probability ``p``."""
    params = tf.cast(params, tf.float32)
    p = tf.cast(p, tf.float32)
    x = _gate(params[:, 0] < p, colour(x, params[:, 1:4]), x)
    x = _gate(params[:, 4] < p, translation(x, params[:, 5:7]), x)
    return _gate(params[:, 7] < p, cutout(x, params[:, 8:10]), x)


def adapt_probability(p: tf.Tensor, real_sign_mean: tf.Tensor, target: float, batch_size: int) -> tf.Tensor:
    """ADA: raise p while D is too sure about the reals (E[sign D(real)] > target), else lower it."""
    step = tf.sign(real_sign_mean - target) * (batch_size / ADAPT_IMAGES)
    return tf.clip_by_value(p + step, 0.0, 1.0)
