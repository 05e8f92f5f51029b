"""FastGAN-class networks (Liu et al. 2021, "Towards faster and stabilized GAN training for
high-fidelity few-shot image synthesis"), sized for a CPU as well as a GPU.

Generator: z -> 4x4 -> [nearest x2 + 3x3 conv (+ blur) + BN + GLU (+ 3x3 conv + BN + GLU at
8/32/128 px with ``second_conv``, FastGAN's UpBlockComp)] per octave, with
*skip-layer excitation* (SLE): the 4x4/8x8/16x16 features gate the channels of
the 64/128/256 px ones (pool to 4x4, 4x4 conv, swish, 1x1 conv, sigmoid, multiply).
SLE gives the high-resolution layers a short gradient path to the layout decided
at low resolution, which is what lets FastGAN learn from a few hundred images.
Every op exports to plain ONNX (Resize/Conv, AveragePool, Sigmoid, Mul, Split).

Discriminator: a strided conv, then residual down blocks (4x4 strided conv + 3x3
conv beside avg-pool + 1x1 conv, averaged) down to 8x8, patch logits averaged.
It has no batch norm (reals and fakes share one D pass, and R1 needs a per-image
gradient), and small *decoders* reconstruct the real image from its 8x8 features
and one quadrant of it from the 16x16 features: the self-supervision that keeps
a few-shot D from memorising.  The reconstruction loss is L1 on downscaled
images, so nothing has to be downloaded (FastGAN used LPIPS).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers

from .networks import UpsampleConv, _synchronized, latent_inputs

BASE = 4
DECODER_SIZE = 32  # reconstructions are compared at (at most) this size
SLE_STRIDE = 16  # SLE from resolution r to 16 r (4 -> 64, 8 -> 128, 16 -> 256, ...)


def channels(resolution: int, size: int, width: int, max_channels: int) -> int:
    """`width` channels at full size, doubling per halving, at most `max_channels`."""
    return min(max_channels, width * (size // resolution))


class GLU(layers.Layer):
    """Gated linear unit over channels: a * sigmoid(b) for the two halves (FastGAN's activation)."""

    def call(self, x):
        a, b = tf.split(x, 2, axis=-1)
        return a * tf.sigmoid(b)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)


class Blur(layers.Layer):
    """A fixed [1, 2, 1] x [1, 2, 1] / 16 low-pass on each channel, edges reflected.

    Placed after a nearest-upsampling 3x3 conv, it turns the block into bilinear upsampling
    then the conv (linear filters commute), so the 2x2 copies nearest upsampling makes never
    reach the painting: at 128 px those grew into block and grid textures.  lightweight-gan
    and StyleGAN blur at the same place.  Exports as one depthwise ONNX Conv.
    """

    def call(self, x):
        taps = tf.constant([1.0, 2.0, 1.0]) / 4.0
        kernel = tf.tile((taps[:, None] * taps[None, :])[:, :, None, None], [1, 1, x.shape[-1], 1])
        padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        return tf.nn.depthwise_conv2d(padded, tf.cast(kernel, x.dtype), [1, 1, 1, 1], "VALID")


NOISE_MAPS = 16  # noise images per injecting layer; each painting's noise is a mix of them chosen by its latent


class NoiseInjection(layers.Layer):
    """``x + strength * noise``: FastGAN's (and StyleGAN's) noise injection, a per-pixel source of fine random
    texture, so the top block need not draw texture out of upsampled layout features (which runs on in lines).

    The noise is a function of the latent, not a random draw: the unit-length mix, weighted by the latent's first
    :data:`NOISE_MAPS` entries, of as many fixed normal images (a non-trainable bank, checkpointed and exported
    with the weights).  Each pixel is then N(0, 1) and nearly independent between paintings, yet a latent always
    paints the same picture, in training's samples as in ONNX Runtime (a MatMul; no random op), and a latent walk
    changes its texture smoothly.  The per-channel strength starts at zero: a new layer changes nothing until
    training gives it weight.  Inputs: [features, latent].
    """

    def __init__(self, maps: int = NOISE_MAPS, **kwargs):
        super().__init__(**kwargs)
        self.maps = maps

    def build(self, input_shape) -> None:
        features, latent = input_shape
        self.mix_size = min(self.maps, latent[-1])
        height, width = features[1], features[2]
        self.bank = self.add_weight(name="bank", shape=(self.mix_size, height * width), trainable=False,
                                    initializer=keras.initializers.RandomNormal(stddev=1.0, seed=height))
        self.strength = self.add_weight(name="strength", shape=(features[-1],), initializer="zeros")

    def call(self, inputs):
        x, latent = inputs
        mix = tf.cast(latent[:, : self.mix_size], tf.float32)
        mix = mix * tf.math.rsqrt(tf.reduce_sum(mix * mix, axis=1, keepdims=True) + 1e-8)
        noise = tf.reshape(tf.matmul(mix, tf.cast(self.bank, tf.float32)), [-1, x.shape[1], x.shape[2], 1])
        return x + tf.cast(noise, x.dtype) * tf.cast(self.strength, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self) -> dict:
        return {**super().get_config(), "maps": self.maps}


def scale_noise(model: keras.Model, scale: float) -> int:
    """Multiply every :class:`NoiseInjection` strength in ``model`` by ``scale``; return how many layers.

    For export (``artgan export --noise-scale``): a painter trained with noise can be given less of it after
    training, trading the fine texture that brings it closer to the photos for fewer coloured specks."""
    layers_with_noise = [layer for layer in model.layers if isinstance(layer, NoiseInjection)]
    for layer in layers_with_noise:
        layer.strength.assign(layer.strength * scale)
    return len(layers_with_noise)


def _up_block(x, filters: int, name: str, blur: bool = False, second_conv: bool = False, latent=None):
    """``latent``: inject noise (:class:`NoiseInjection`) after the upsampling conv, before its batch norm."""
    x = UpsampleConv(2 * filters, name=f"{name}_conv")(x)
    if blur:
        x = Blur(name=f"{name}_blur")(x)
    if latent is not None:
        x = NoiseInjection(name=f"{name}_noise")([x, latent])
    x = layers.BatchNormalization(name=f"{name}_bn", synchronized=_synchronized())(x)
    x = GLU(name=f"{name}_glu")(x)
    if second_conv:  # FastGAN's UpBlockComp: one more 3x3 conv + BN + GLU at the same resolution
        x = layers.Conv2D(2 * filters, 3, padding="same", name=f"{name}_conv2")(x)
        x = layers.BatchNormalization(name=f"{name}_bn2", synchronized=_synchronized())(x)
        x = GLU(name=f"{name}_glu2")(x)
    return x


def has_second_conv(resolution: int) -> bool:
    """The blocks that get a second conv with ``second_conv``: 8, 32, 128, 512 px, alternating as in
    FastGAN, so the layout octaves get twice the depth for about a third more of G's multiply-adds."""
    return resolution.bit_length() % 2 == 0  # 8 = 0b1000, 32, 128, ...


def _excite(small, big, name: str):
    """Skip-layer excitation: channel gates for `big` computed from the global layout in `small`."""
    pool = small.shape[1] // BASE
    s = layers.AveragePooling2D(pool, name=f"{name}_pool")(small) if pool > 1 else small
    s = layers.Conv2D(big.shape[-1], BASE, padding="valid", name=f"{name}_conv4")(s)
    s = layers.Activation("swish", name=f"{name}_swish")(s)
    s = layers.Conv2D(big.shape[-1], 1, activation="sigmoid", name=f"{name}_gate")(s)
    return layers.Multiply(name=f"{name}_excite")([big, s])


class FadeIn(layers.Layer):
    """alpha * new + (1 - alpha) * old, with alpha a non-trainable weight the training step ramps to 1.

    Used while a grown run (``--grow-from``) fades its new top block in, as ProGAN did: it is
    checkpointed with the generator, so a resumed run fades exactly as the uninterrupted one.
    """

    def build(self, input_shape) -> None:
        self.alpha = self.add_weight(name="alpha", shape=(), initializer="zeros", trainable=False)

    def call(self, inputs):
        old, new = inputs
        alpha = tf.cast(self.alpha, new.dtype)
        return alpha * new + (1.0 - alpha) * tf.cast(old, new.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[1]


FADE_RGB, FADE = "g_fade_rgb", "g_fade"  # the grown-from run's RGB head at half size, and the blend
SKIP_RGB = "g_skip_rgb"  # --skip-rgb: the grown-from run's RGB head (pre-tanh), kept under the new detail


SKIP_DETAILS = ("bandpass", "highpass", "full")  # --skip-detail choices, the default first


def _skip_image(coarse_features, fine_features, band: str = "full"):
    """tanh(bilinear x2 of the half-size RGB logits + the top block's detail), as StyleGAN2's skip
    generator sums its RGB outputs.  The detail head starts at zero, so a grown run first paints
    exactly what its source painted, upsampled, and only has to learn what 2x the pixels add.

    ``band`` limits what the detail may add.  ``highpass`` takes the detail's own half-size version
    out of it (a Laplacian-pyramid band): with ``full`` detail the head repainted the source's
    composition and colours within 3000 steps.  ``bandpass`` also blurs that band ([1, 2, 1]: zero
    at the Nyquist frequency): a high-passed head learned rows alternating every pixel (the 2 px
    lattice peak 2.7 at 128 px, 4.3 after the x4 upscale), which the bilinear coarse image can
    never have, so nothing in the painting can now alternate pixel by pixel."""
    coarse = layers.Conv2D(3, 3, padding="same", dtype="float32", name=SKIP_RGB)(coarse_features)
    coarse = layers.UpSampling2D(interpolation="bilinear", dtype="float32", name="g_skip_up")(coarse)
    detail = layers.Conv2D(3, 3, padding="same", kernel_initializer="zeros", dtype="float32", name="image")(fine_features)
    if band not in SKIP_DETAILS:
        raise ValueError(f"the detail band must be one of {', '.join(SKIP_DETAILS)}, not {band!r}")
    if band in ("highpass", "bandpass"):
        low = layers.AveragePooling2D(2, dtype="float32", name="g_skip_detail_down")(detail)
        low = layers.UpSampling2D(interpolation="bilinear", dtype="float32", name="g_skip_detail_up")(low)
        detail = layers.Subtract(dtype="float32", name="g_skip_highpass")([detail, low])
    if band == "bandpass":
        detail = Blur(dtype="float32", name="g_skip_detail_blur")(detail)
    summed = layers.Add(dtype="float32", name="g_skip_sum")([coarse, detail])
    return layers.Activation("tanh", dtype="float32", name="g_skip_tanh")(summed)


def build_generator(
    latent_dim: int, size: int, width: int, max_channels: int, num_classes: int = 0, fade: bool = False,
    blur_from: int = 0, skip_rgb: bool = False, skip_detail: str = "full", second_conv: bool = False,
    noise_from: int = 0,
) -> keras.Model:
    """z [N, latent] (+ label int64 [N]) -> image [N, size, size, 3] in [-1, 1].

    The up blocks at ``blur_from`` px and above blur after their conv (:class:`Blur`; 0 = none;
    new runs blur every block, a run grown from an unblurred one only its new block).

    ``second_conv=True`` gives the blocks :func:`has_second_conv` picks a second conv + BN + GLU.

    The up blocks at ``noise_from`` px and above inject noise (:class:`NoiseInjection`; 0 = none).

    ``fade=True`` adds the half-size RGB head of a grown-from run, upsampled and blended
    with the new full-size output by a :class:`FadeIn` layer.  ``skip_rgb=True`` keeps that head for
    good and adds the top block's output to it as detail (:func:`_skip_image`).
    """
    inputs, x = latent_inputs(latent_dim, num_classes)
    ch = channels(BASE, size, width, max_channels)
    x = layers.Dense(BASE * BASE * 2 * ch, use_bias=False, name="g_init")(x)
    x = layers.Reshape((BASE, BASE, 2 * ch))(x)
    x = layers.BatchNormalization(name="g_init_bn", synchronized=_synchronized())(x)
    x = GLU(name="g_init_glu")(x)
    features = {BASE: x}
    resolution = BASE
    while resolution < size:
        resolution *= 2
        if blur_from > BASE * 2 and resolution == blur_from:
            # the first blurred block of a run grown from an unblurred one: its input carries nearest
            # upsampling's period-2 lattice, which [1, 2, 1] cancels exactly (and the next octave
            # would turn into a visible 4 px grid)
            x = Blur(name=f"g_up{resolution}_preblur")(x)
        x = _up_block(x, channels(resolution, size, width, max_channels), f"g_up{resolution}",
                      blur=bool(blur_from) and resolution >= blur_from,
                      second_conv=second_conv and has_second_conv(resolution),
                      latent=inputs[0] if noise_from and resolution >= noise_from else None)
        source = resolution // SLE_STRIDE
        if source in features:
            x = _excite(features[source], x, f"g_sle{source}_{resolution}")
        features[resolution] = x
    if skip_rgb:
        image = _skip_image(features[size // 2], x, skip_detail)
    else:
        image = layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32", name="image")(x)
    if fade:
        old = layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32", name=FADE_RGB)(features[size // 2])
        old = layers.UpSampling2D(interpolation="bilinear", dtype="float32")(old)
        image = FadeIn(dtype="float32", name=FADE)([old, image])
    return keras.Model(inputs if num_classes else inputs[0], image, name="generator")


def _down_block(x, filters: int, name: str):
    """Residual down block: (4x4 s2 conv, 3x3 conv) averaged with (avg-pool, 1x1 conv)."""
    main = layers.Conv2D(filters, 4, strides=2, padding="same", name=f"{name}_conv4")(x)
    main = layers.LeakyReLU(0.2)(main)
    main = layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv3")(main)
    main = layers.LeakyReLU(0.2)(main)
    direct = layers.AveragePooling2D(2, name=f"{name}_pool")(x)
    direct = layers.Conv2D(filters, 1, name=f"{name}_skip")(direct)
    direct = layers.LeakyReLU(0.2)(direct)
    return layers.Average(name=f"{name}_mean")([main, direct])


GLOBAL_LOGIT = "d_global"  # --global-critic's whole-map head


def build_discriminator(
    size: int, width: int, max_channels: int, num_classes: int = 0, global_logit: bool = False
) -> tuple[keras.Model, keras.Model]:
    """(critic, feature model) sharing every layer.

    critic: image [N, S, S, 3] (+ label) -> logit [N, 1] (higher = more like the training set);
    feature model: the same inputs -> [logit, 8x8 features, 16x16 features or None-less list].

    ``global_logit=True`` adds one 8x8 'valid' conv over the whole final map (a dense layer on it,
    written as a Conv for ONNX) to the averaged patch logits: the patch logits judge each region
    alike wherever it sits, so only a whole-map head can ask for sky above ground.
    """
    image = keras.Input((size, size, 3), name="image")
    resolution = size // 2
    x = layers.Conv2D(channels(resolution, size, width, max_channels), 4, strides=2, padding="same", name="d_stem")(image)
    x = layers.LeakyReLU(0.2)(x)
    features = {resolution: x}
    while resolution > 8:
        resolution //= 2
        x = _down_block(x, channels(resolution, size, width, max_channels), f"d_down{resolution}")
        features[resolution] = x
    h = layers.Conv2D(x.shape[-1], 1, name="d_head")(x)
    h = layers.LeakyReLU(0.2)(h)
    patches = layers.Conv2D(1, 4, padding="valid", dtype="float32", name="d_patches")(h)  # [N, r-3, r-3, 1]
    logit = layers.GlobalAveragePooling2D(dtype="float32", name="logit")(patches)
    if global_logit:
        whole = layers.Conv2D(1, h.shape[1], padding="valid", dtype="float32", name=GLOBAL_LOGIT)(h)  # [N, 1, 1, 1]
        whole = layers.Flatten(dtype="float32", name="d_global_flat")(whole)
        logit = layers.Add(dtype="float32", name="d_patch_plus_global")([logit, whole])
    pooled = layers.GlobalAveragePooling2D(dtype="float32")(x)
    inputs = image
    if num_classes:
        label = keras.Input((), dtype="int64", name="label")
        inputs = [image, label]
        embedded = layers.Embedding(num_classes, pooled.shape[-1], dtype="float32")(label)
        projection = layers.Dot(axes=1, dtype="float32")([embedded, pooled])
        logit = layers.Add(dtype="float32", name="projected_logit")([logit, projection])
    critic = keras.Model(inputs, logit, name="discriminator")
    outputs = [logit, features[min(features)]] + ([features[16]] if 16 in features and min(features) < 16 else [])
    return critic, keras.Model(inputs, outputs, name="discriminator_features")


def build_decoder(channels_in: int, out_size: int, width: int, name: str) -> keras.Model:
    """8x8xC features -> [N, out_size, out_size, 3] in [-1, 1] (D's self-supervised reconstruction)."""
    features = keras.Input((8, 8, channels_in))
    x, resolution = features, 8
    filters = max(width, 16) * (out_size // 8)
    while resolution < out_size:
        resolution *= 2
        filters = max(8, filters // 2)
        x = _up_block(x, filters, f"{name}_up{resolution}")
    image = layers.Conv2D(3, 3, padding="same", activation="tanh", dtype="float32", name=f"{name}_rgb")(x)
    return keras.Model(features, image, name=name)


def decoder_size(size: int) -> int:
    return min(DECODER_SIZE, size)


def reconstruction_targets(real: tf.Tensor, quadrant: tf.Tensor, size: int) -> tuple[tf.Tensor, tf.Tensor]:
    """The whole real image, and its `quadrant` (0..3, row-major), both at the decoders' size."""
    out = decoder_size(size)
    whole = tf.image.resize(real, [out, out], method="area") if size > out else real
    half = size // 2
    row, col = (quadrant // 2) * half, (quadrant % 2) * half
    part = tf.ensure_shape(real[:, row : row + half, col : col + half, :], [None, half, half, real.shape[-1]])
    method = "area" if half >= out else "bilinear"
    return whole, tf.image.resize(part, [out, out], method=method)


def feature_quadrant(features: tf.Tensor, quadrant: tf.Tensor) -> tf.Tensor:
    """The `quadrant` (0..3, row-major) of a 16x16 feature map: 8x8."""
    row, col = (quadrant // 2) * 8, (quadrant % 2) * 8
    return tf.ensure_shape(features[:, row : row + 8, col : col + 8, :], [None, 8, 8, features.shape[-1]])
