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
import tensorflow as tf
from keras import layers, ops

BASE = 4  # the generator starts from a 4x4 feature map
LABEL_EMBEDDING = 32


def channels_at(resolution: int, size: int, width: int, max_channels: int) -> int:
    """Feature channels at a given resolution: `width` at full size, doubling per halving."""
    return min(max_channels, width * (size // resolution))


class UpsampleConv(layers.Layer):
    """Nearest 2x upsampling then a 3x3 'same' convolution, computed without upsampling first.

    Each output pixel of the pair depends on a 2x2 neighbourhood of the small input,
    with one of four "phase" kernels that are sums of the 3x3 kernel's taps.  So one
    2x2 convolution with 4x the output channels on the small input, interleaved by
    depth_to_space, gives exactly UpSampling2D + Conv2D(3, padding="same") with the
    same 3x3 kernel and 2.25x fewer multiply-adds (the generator's main cost).
    """

    PHASES = ((0, 0), (0, 1), (1, 0), (1, 1))  # (row, column) offset; depth_to_space's channel order

    def __init__(self, filters: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filters = filters

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(
            name="kernel", shape=(3, 3, input_shape[-1], self.filters), initializer="glorot_uniform"
        )

    @staticmethod
    def _fold(k, axis: int, phase: int):
        """The 2 taps along ``axis`` that phase 0 (rows i-1, i) or 1 (rows i, i+1) sees."""
        # unstack, not gather: gather's gradient is IndexedSlices with repeated indices, and Adam
        # squares each slice before summing them, so its second moment came out wrong (by ~70 %)
        t0, t1, t2 = tf.unstack(k, 3, axis=axis)
        return tf.stack([t0, t1 + t2] if phase == 0 else [t0 + t1, t2], axis=axis)

    def call(self, x):
        k = ops.cast(self.kernel, self.compute_dtype)
        kernel = tf.concat([self._fold(self._fold(k, 0, a), 1, b) for a, b in self.PHASES], axis=-1)
        h, w = x.shape[1], x.shape[2]
        y = tf.nn.conv2d(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), kernel, 1, "VALID")  # [N, h+1, w+1, 4F]
        f = self.filters
        parts = [y[:, a : a + h, b : b + w, i * f : (i + 1) * f] for i, (a, b) in enumerate(self.PHASES)]
        return tf.nn.depth_to_space(tf.concat(parts, axis=-1), 2)

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        return (n, None if h is None else 2 * h, None if w is None else 2 * w, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters}


def _synchronized() -> bool:
    """Under --devices/--workers, batch statistics over the global batch: losses as with one device."""
    return tf.distribute.has_strategy()


def latent_inputs(latent_dim: int, num_classes: int = 0) -> tuple[list, "keras.KerasTensor"]:
    """A generator's inputs (z, plus label for a conditional one) and what it starts from: z, or z ++ embed(label)."""
    z = keras.Input((latent_dim,), name="z")
    if not num_classes:
        return [z], z
    label = keras.Input((), dtype="int64", name="label")
    return [z, label], layers.Concatenate()([z, layers.Embedding(num_classes, LABEL_EMBEDDING)(label)])


def build_generator(
    latent_dim: int, size: int, width: int, max_channels: int, num_classes: int = 0, fused_upsampling: bool = True
) -> keras.Model:
    """z [N, latent] (+ label int64 [N]) -> image [N, size, size, 3] in [-1, 1].

    ``fused_upsampling=False`` builds the same network from UpSampling2D + Conv2D
    (as the seed did); the weights are interchangeable.
    """
    inputs, x = latent_inputs(latent_dim, num_classes)
    ch = channels_at(BASE, size, width, max_channels)
    x = layers.Dense(BASE * BASE * ch, use_bias=False)(x)
    x = layers.Reshape((BASE, BASE, ch))(x)
    x = layers.BatchNormalization(synchronized=_synchronized())(x)
    x = layers.ReLU()(x)
    resolution = BASE
    while resolution < size:
        resolution *= 2
        channels = channels_at(resolution, size, width, max_channels)
        if fused_upsampling:
            x = UpsampleConv(channels)(x)
        else:
            x = layers.UpSampling2D(interpolation="nearest")(x)
            x = layers.Conv2D(channels, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(synchronized=_synchronized())(x)
        x = layers.ReLU()(x)
    image = layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32", name="image")(x)
    return keras.Model(inputs if num_classes else inputs[0], image, name="generator")


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
