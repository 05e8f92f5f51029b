"""DCGAN generator and discriminator, sized for any power-of-two resolution."""

from __future__ import annotations

import keras
from keras import layers

BASE = 4  # the generator starts from a 4x4 feature map


def channels_at(resolution: int, size: int, width: int, max_channels: int) -> int:
    """Feature channels at a given resolution: `width` at full size, doubling per halving."""
    return min(max_channels, width * (size // resolution))


def build_generator(latent_dim: int, size: int, width: int, max_channels: int) -> keras.Model:
    """z [N, latent] -> image [N, size, size, 3] in [-1, 1]."""
    z = keras.Input((latent_dim,), name="z")
    ch = channels_at(BASE, size, width, max_channels)
    x = layers.Dense(BASE * BASE * ch, use_bias=False)(z)
    x = layers.Reshape((BASE, BASE, ch))(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    resolution = BASE
    while resolution < size:
        resolution *= 2
        x = layers.UpSampling2D(interpolation="nearest")(x)
        x = layers.Conv2D(channels_at(resolution, size, width, max_channels), 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
    image = layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32", name="image")(x)
    return keras.Model(z, image, name="generator")


def build_discriminator(size: int, width: int, max_channels: int, dropout: float) -> keras.Model:
    """image [N, size, size, 3] -> logit [N, 1] (higher = more like the training set)."""
    image = keras.Input((size, size, 3), name="image")
    x = image
    resolution = size
    while resolution > BASE:
        resolution //= 2
        x = layers.Conv2D(channels_at(resolution * 2, size, width, max_channels), 4, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(x)
    return keras.Model(image, logit, name="discriminator")
