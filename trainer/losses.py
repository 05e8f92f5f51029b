"""GAN losses on raw logits, as per-example vectors (the caller averages, also across replicas).

- ``nonsat``: the DCGAN/CGAN loss: D is a logistic classifier with one-sided
  label smoothing (real targets ``smoothing``, fake targets 0) and G
  maximises log D(G(z)) (non-saturating).
- ``hinge``: D minimises relu(1 - real) + relu(1 + fake), G minimises -fake
  (SAGAN/BigGAN); label smoothing does not apply to it.
"""

from __future__ import annotations

import tensorflow as tf


def _bce(targets: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    return tf.reshape(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits), [-1])


def discriminator_loss(kind: str, real_logits: tf.Tensor, fake_logits: tf.Tensor, smoothing: float) -> tf.Tensor:
    if kind == "hinge":
        return tf.reshape(tf.nn.relu(1.0 - real_logits) + tf.nn.relu(1.0 + fake_logits), [-1])
    return _bce(tf.fill(tf.shape(real_logits), smoothing), real_logits) + _bce(tf.zeros_like(fake_logits), fake_logits)


def generator_loss(kind: str, fake_logits: tf.Tensor) -> tf.Tensor:
    if kind == "hinge":
        return -tf.reshape(fake_logits, [-1])
    return _bce(tf.ones_like(fake_logits), fake_logits)


def r1_penalty(real_gradients: tf.Tensor) -> tf.Tensor:
    """Per-example squared norm of dD(real)/d(real); scaled by gamma/2 by the caller."""
    return tf.reduce_sum(tf.square(real_gradients), axis=[1, 2, 3])
