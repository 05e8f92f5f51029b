"""DCGAN generator and discriminator for any power-of-two resolution, optionally class-conditional.

Conditioning follows the CGAN idea with the modern form of each half: the
generator concatenates a learned label embedding to z; the discriminator is a
projection discriminator (logit = linear(h) + <embed(label), h>), which
conditions more stably than concatenating labels to images.  With
``spectral=True`` every weight layer of D is spectrally normalised.
Outputs are float32 even under a mixed-precision policy.
"""

from __future__ import annotations

import keras
from keras import layers

BASE = 4  # the generator starts from a 4x4 feature map
LABEL_EMBEDDING = 32


def channels_at(resolution: int, size: int, width: int, max_channels: int) -> int:
    """Feature channels at a given resolution: `width` at full size, doubling per halving."""
    return min(max_channels, width * (size // resolution))


def build_generator(latent_dim: int, size: int, width: int, max_channels: int, num_classes: int = 0) -> keras.Model:
    """z [N, latent] (+ label int64 [N]) -> image [N, size, size, 3] in [-1, 1]."""
    z = keras.Input((latent_dim,), name="z")
    inputs, x = [z], z
    if num_classes:
        label = keras.Input((), dtype="int64", name="label")
        inputs.append(label)
        x = layers.Concatenate()([z, layers.Embedding(num_classes, LABEL_EMBEDDING)(label)])
    ch = channels_at(BASE, size, width, max_channels)
    x = layers.Dense(BASE * BASE * ch, use_bias=False)(x)
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
    return keras.Model(inputs if num_classes else z, image, name="generator")


def build_discriminator(
    size: int, width: int, max_channels: int, dropout: float, num_classes: int = 0, spectral: bool = False
) -> keras.Model:
    """image [N, size, size, 3] (+ label int64 [N]) -> logit [N, 1] (higher = more like the training set)."""

    def weighted(layer: layers.Layer) -> layers.Layer:
        return layers.SpectralNormalization(layer) if spectral else layer

    image = keras.Input((size, size, 3), name="image")
    x = image
    resolution = size
    while resolution > BASE:
        resolution //= 2
        x = weighted(layers.Conv2D(channels_at(resolution * 2, size, width, max_channels), 4, strides=2, padding="same"))(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    features = layers.Activation("linear", dtype="float32")(layers.Flatten()(x))
    logit = weighted(layers.Dense(1, dtype="float32", name="logit"))(features)
    if not num_classes:
        return keras.Model(image, logit, name="discriminator")
    label = keras.Input((), dtype="int64", name="label")
    embedded = layers.Embedding(num_classes, features.shape[-1], dtype="float32")(label)
    projection = layers.Dot(axes=1, dtype="float32")([embedded, features])
    logit = layers.Add(dtype="float32", name="projected_logit")([logit, projection])
    return keras.Model([image, label], logit, name="discriminator")
