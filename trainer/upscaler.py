"""Train a small learned x2/x4 upscaler (resize-convolution over a bicubic upscale) on a folder of images.

Sub-pixel (pixel-shuffle) networks give every one of the scale^2 output
phases its own filter, and what differs between them repeats every ``scale``
px: a grid (the ESPCN shipped before scored a median lattice peak of 43 on
paintings, bicubic 2).  Here nothing depends on the phase but a fixed smooth
interpolation: features are computed at low resolution, resized bilinearly,
and refined by convolutions at the output resolution, which are the same at
every pixel (Odena et al. 2016, "Deconvolution and checkerboard artifacts");
the network predicts the difference to a bicubic upscale, so it starts as
one (last layer zero-initialised) and can only add what it learned.

Pairs are (degraded low-resolution crop, original crop) of the user's own
images.  Half the low-resolution crops are clean bicubic reductions (what the
evaluation measures); the other half look like a painter's output: the
painter learned from Lanczos reductions and paints softer than its data, so
they are blurred, reduced with a random kernel and given faint noise (see
:func:`degrade`).  It is exported as an ONNX image-to-image model in the
common layout (NCHW float RGB in [0, 1], any size), which `artgan paint
--upscaler` and any other SR runner accept.  The images it holds out are
returned for the evaluation against the classical resamplers, which runs the
exported file the way painting does (painter.upscaling.evaluate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import keras
import numpy as np
import onnx
import tensorflow as tf
import tf2onnx
from artgan.models.atomic import write_bytes_atomic
from artgan.models.imaging import downscale
from keras import layers
from PIL import Image, ImageFilter

from .loop import TrainingError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
OPSET = 17
CLEAN_SHARE = 0.5  # of the pairs: plain bicubic reductions, the case the PSNR/SSIM evaluation measures
SOFTNESS_LR_PX = 0.5  # most Gaussian blur (sigma, in low-resolution px) before reducing: a painter's softness
NOISE_LEVELS = 3.0  # most Gaussian noise (sigma, in 0-255 levels) on the reduced crop: a painter's fine texture
KERNELS = (Image.Resampling.BICUBIC, Image.Resampling.LANCZOS, Image.Resampling.BILINEAR, Image.Resampling.BOX)


@dataclass
class UpscalerConfig:
    scale: int = 4
    steps: int = 4000
    batch_size: int = 32
    crop: int = 64  # high-resolution crop side in px
    width: int = 64
    lr: float = 1e-3
    holdout: float = 0.1  # share of the images kept out of training, for the evaluation
    seed: int = 0


@dataclass
class TrainedUpscaler:
    path: Path
    train_images: int
    heldout: list[np.ndarray]  # originals never seen in training, for the evaluation
    train_s: float
    skipped: list[tuple[Path, str]]


def _resize(scale: int, method: str, name: str) -> layers.Layer:
    """Resize by ``scale`` with a fixed kernel (half-pixel centres: exports as one ONNX Resize)."""
    return layers.Lambda(lambda t: tf.image.resize(t, tf.shape(t)[1:3] * scale, method=method), name=name)


def build_upscaler(scale: int, width: int) -> keras.Model:
    """lr [N, h, w, 3] in [0, 1] -> [N, h*scale, w*scale, 3]: bicubic upscale + a learned residual.

    Leaky ReLUs: with plain ReLUs the layer at output resolution died within the first Adam steps
    (its units all negative, so nothing reached the layers below) and the network stayed bicubic.
    """
    lr = keras.Input((None, None, 3), name="lr")
    x = layers.Conv2D(width, 5, padding="same", activation="leaky_relu")(lr)  # the costly part stays at low resolution
    x = layers.Conv2D(width // 2, 3, padding="same", activation="leaky_relu")(x)
    x = _resize(scale, "bilinear", "features_up")(x)
    x = layers.Conv2D(max(width // 4, 3), 3, padding="same", activation="leaky_relu")(x)  # same weights at every output px
    residual = layers.Conv2D(3, 3, padding="same", kernel_initializer="zeros", name="residual")(x)
    base = _resize(scale, "bicubic", "bicubic")(lr)
    hr = layers.Add(name="hr")([base, residual])
    return keras.Model(lr, hr, name=f"resize_conv_x{scale}")


def read_images(folder: Path) -> tuple[list[np.ndarray], list[tuple[Path, str]]]:
    """Every readable image under ``folder`` as uint8 RGB, and the (path, reason) of those skipped."""
    images, skipped = [], []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES):
        try:
            with Image.open(path) as picture:
                images.append(np.asarray(picture.convert("RGB")))
        except (OSError, SyntaxError, ValueError) as exc:
            skipped.append((path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    return images, skipped


def split(images: list[np.ndarray], holdout: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every k-th image is held out (deterministic, spread over the folder's order)."""
    if len(images) < 2 or holdout <= 0:
        return images, []
    every = max(2, round(1 / holdout))
    return [im for i, im in enumerate(images) if i % every], [im for i, im in enumerate(images) if not i % every]


def degrade(patch: np.ndarray, scale: int, rng: np.random.Generator) -> np.ndarray:
    """The low-resolution input for a uint8 high-resolution ``patch``.

    A painter's output is not a bicubic reduction: it learned from Lanczos
    reductions (trainer.data), paints softer than its data and adds a fine
    texture of its own.  So half the inputs are blurred (sigma up to
    SOFTNESS_LR_PX), reduced with a random kernel and given faint noise; the
    network then learns not to sharpen noise into structure.  No JPEG: paintings
    reach the upscaler straight from the painter, never through a JPEG.
    """
    if rng.random() < CLEAN_SHARE:
        return downscale(patch, scale)
    picture = Image.fromarray(patch)
    sigma = rng.uniform(0.0, SOFTNESS_LR_PX) * scale
    if sigma > 0.25:
        picture = picture.filter(ImageFilter.GaussianBlur(sigma))
    h, w = patch.shape[0] // scale, patch.shape[1] // scale
    small = np.asarray(picture.resize((w, h), KERNELS[rng.integers(len(KERNELS))]), np.float32)
    small = small + rng.standard_normal(small.shape).astype(np.float32) * rng.uniform(0.0, NOISE_LEVELS)
    return np.clip(np.rint(small), 0, 255).astype(np.uint8)


def crop_pairs(images: list[np.ndarray], count: int, crop: int, scale: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` random (low-res, high-res) uint8 crop pairs, half of them mirrored, the inputs degraded."""
    rng = np.random.default_rng(seed)
    usable = [im for im in images if min(im.shape[:2]) >= crop]
    if not usable:
        raise TrainingError(f"no image is at least {crop} px on its short side; use a smaller --crop.")
    hr = np.empty((count, crop, crop, 3), np.uint8)
    for k in range(count):
        image = usable[rng.integers(len(usable))]
        top, left = rng.integers(image.shape[0] - crop + 1), rng.integers(image.shape[1] - crop + 1)
        patch = image[top : top + crop, left : left + crop]
        hr[k] = patch[:, ::-1] if rng.random() < 0.5 else patch
    return np.stack([degrade(patch, scale, rng) for patch in hr]), hr


def to_onnx(model: keras.Model, scale: int) -> bytes:
    """NCHW float [0, 1] in (`image`), NCHW out (`upscaled`), dynamic size: the common SR layout."""
    spec = tf.TensorSpec([None, 3, None, None], tf.float32, name="image")

    @tf.function(input_signature=[spec])
    def forward(x):
        y = model(tf.transpose(x, [0, 2, 3, 1]), training=False)
        return {"upscaled": tf.transpose(y, [0, 3, 1, 2])}

    proto, _ = tf2onnx.convert.from_function(forward, input_signature=[spec], opset=OPSET)
    proto.producer_name = "artgan"
    proto.doc_string = f"artgan learned upscaler (resize-convolution x{scale}): NCHW float RGB in [0, 1], any size"
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def train_upscaler(
    folder: Path,
    out: Path,
    config: UpscalerConfig,
    progress: Callable[[int, int, float], None] | None = None,
) -> TrainedUpscaler:
    """Train on all but the held-out images and export to ``out`` (atomically)."""
    if config.scale not in (2, 4):
        raise TrainingError(f"--scale must be 2 or 4, not {config.scale}")
    if config.crop % config.scale or config.crop < 4 * config.scale:
        raise TrainingError(f"--crop must be a multiple of {config.scale} and at least {4 * config.scale}.")
    images, skipped = read_images(folder)
    if not images:
        raise TrainingError(f"no readable images in {folder} (jpg, png, webp, bmp, tiff).")
    train_set, heldout = split(images, config.holdout)
    keras.utils.set_random_seed(config.seed)
    model = build_upscaler(config.scale, config.width)
    optimizer = keras.optimizers.Adam(config.lr)  # constant: cosine decay scored lower at 4000 steps
    pool = min(config.steps * config.batch_size, 8192)  # pairs cut once (uint8: ~100 MB at 64 px), batches drawn from them
    lr_pool, hr_pool = crop_pairs(train_set, pool, config.crop, config.scale, config.seed)

    @tf.function
    def step(lr, hr):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(model(lr, training=True) - hr))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    rng = np.random.default_rng(config.seed + 1)
    started = time.perf_counter()
    for k in range(config.steps):
        pick = rng.integers(pool, size=config.batch_size)
        loss = float(step(lr_pool[pick].astype(np.float32) / 255.0, hr_pool[pick].astype(np.float32) / 255.0))
        if not np.isfinite(loss):
            raise TrainingError(f"the loss became NaN/Inf at step {k + 1}; try a lower --lr.")
        if progress:
            progress(k + 1, config.steps, loss)
    train_s = time.perf_counter() - started
    write_bytes_atomic(out, to_onnx(model, config.scale))
    return TrainedUpscaler(out, len(train_set), heldout, train_s, skipped)
