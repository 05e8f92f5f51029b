"""GAN losses on raw logits, as per-example vectors (the caller averages, also across replicas).

- ``nonsat``: the DCGAN/CGAN loss: D is a logistic classifier with one-sided
  label smoothing (real targets ``smoothing``, fake targets 0) and G
  maximises log D(G(z)) (non-saturating).
- ``hinge``: D minimises relu(1 - real) + relu(1 + fake), G minimises -fake
  (SAGAN/BigGAN); label smoothing does not apply to it.
"""

from __future__ import annotations

import tensorflow as tf

SEEKING_EPS = 0.05  # bounds the mode-seeking penalty of a pair that paints alike (see mode_seeking_penalty)


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


def mode_seeking_penalty(fake: tf.Tensor, z: tf.Tensor, structure: bool = False) -> tf.Tensor:
    """Per-pair 1 / (mean|G(z1) - G(z2)| / mean|z1 - z2|) for the pairs (first half, second half) of the batch.

    MSGAN (Mao et al. 2019): G is penalised when two latents paint alike, relative to how far apart
    the latents are, which counters the few-shot GAN's drift towards one layout.  A batch of fewer
    than two images has no pairs and gives an empty vector.  MSGAN's epsilon (1e-5) lets the penalty
    and its gradient reach 1e5 and 1e10 on a pair that paints alike; ``SEEKING_EPS`` bounds them at 20
    and 400, which Adam's running averages survive.

    ``structure=True`` takes each painting's mean colour out before the gap, so that a pair with one
    layout in two colourings counts as alike: the pixel gap is most easily widened by painting one
    image dark and the other bright, which leaves the photos' palette.
    """
    if structure:
        fake = fake - tf.reduce_mean(fake, axis=[1, 2], keepdims=True)
    half = tf.shape(fake)[0] // 2
    image_gap = tf.reduce_mean(tf.abs(fake[:half] - fake[half : 2 * half]), axis=[1, 2, 3])
    z = tf.reshape(tf.cast(z, fake.dtype), [tf.shape(z)[0], -1])
    latent_gap = tf.reduce_mean(tf.abs(z[:half] - z[half : 2 * half]), axis=1)
    return 1.0 / (image_gap / latent_gap + SEEKING_EPS)


def r1_penalty(real_gradients: tf.Tensor) -> tf.Tensor:
    """Per-example squared norm of dD(real)/d(real); scaled by gamma/2 by the caller."""
    return tf.reduce_sum(tf.square(real_gradients), axis=[1, 2, 3])
