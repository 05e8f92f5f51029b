"""Grow a run from a trained smaller one (`artgan train --size 128 --grow-from runs/x64`).

FastGAN layers are named by the resolution they work at (``g_up32``, ``g_sle4_64``,
``d_down16``, ...), so a 128 px network contains every layer of a 64 px one with the
same name; when the width is halved as the size doubles (the CLI's default for a
grown run) their shapes agree too.  Those layers start from the trained weights; the
new top block starts fresh and is faded in as in ProGAN: for ``fade_steps`` steps
the painter's output blends the small run's RGB head (upsampled) with the new one,
and D sees the reals' new detail faded in by the same alpha.  Train at 32, then 64,
then 128, each run starting where the last stopped.
"""

from __future__ import annotations

import re
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from . import fastgan
from .checkpoints import load_checkpoint, read_best
from .config import TrainConfig


class GrowError(Exception):
    """The source run cannot start this one; the message says why."""


def fade_layer(generator: keras.Model) -> fastgan.FadeIn | None:
    try:
        layer = generator.get_layer(fastgan.FADE)
    except ValueError:
        return None
    return layer if isinstance(layer, fastgan.FadeIn) else None


def fade_detail(images: tf.Tensor, alpha: tf.Tensor) -> tf.Tensor:
    """alpha * images + (1 - alpha) * the same at half resolution (area down, bilinear up)."""
    h, w = images.shape[1], images.shape[2]
    coarse = tf.image.resize(tf.image.resize(images, [h // 2, w // 2], method="area"), [h, w], method="bilinear")
    return alpha * images + (1.0 - alpha) * coarse


def check_source(source: TrainConfig, target: TrainConfig) -> None:
    if is_painter_file(target.grow_from) and not target.freeze_grown:
        raise GrowError(
            f"growing from the painter file {target.grow_from} needs --freeze-grown: export folded its batch-norm "
            f"statistics into the weights, so its layers are only exact while they stay frozen"
        )
    if source.arch != "fastgan":
        raise GrowError(f"{target.grow_from} is a {source.arch} run; only fastgan runs can be grown from")
    if source.skip_rgb:
        raise GrowError(
            f"{target.grow_from} was grown with --skip-rgb: its painting is the sum of two RGB heads, which one "
            f"more octave cannot reuse as a single head; grow from a run trained without --skip-rgb"
        )
    if source.size * 2 != target.size:
        raise GrowError(
            f"{target.grow_from} paints {source.size} px: it can start a {source.size * 2} px run, "
            f"not {target.size} px (grow one octave at a time: 32, then 64, then 128)"
        )
    if grown_blur_from(source, bool(target.blur_from)) != target.blur_from:
        raise GrowError(
            f"{target.grow_from} blurs its up blocks from {source.blur_from or 'no'} px: a run grown from it "
            f"blurs from {grown_blur_from(source, True)} px, not {target.blur_from}"
        )
    if source.second_conv != target.second_conv:
        raise GrowError(
            f"{target.grow_from} was trained {'with' if source.second_conv else 'without'} --second-conv: a run grown "
            f"from it reuses its blocks as they are (drop {'--no-second-conv' if source.second_conv else '--second-conv'})"
        )
    if source.noise_from and source.noise_from != target.noise_from:
        raise GrowError(
            f"{target.grow_from} injects noise from {source.noise_from} px: a run grown from it reuses those blocks "
            f"as they are, so it needs --noise-from {source.noise_from}, not {target.noise_from or 'none'}"
        )
    if source.latent_dim != target.latent_dim or list(source.class_names) != list(target.class_names):
        raise GrowError(
            f"{target.grow_from} has latent size {source.latent_dim} and classes {source.class_names or 'none'}; "
            f"this run needs the same ({target.latent_dim}, {target.class_names or 'none'})"
        )


def grown_blur_from(source: TrainConfig, blur: bool) -> int:
    """``blur_from`` of a run grown from ``source``: its blocks as they were trained, the new one blurred if asked.

    A source that blurs from R px keeps doing so (its layers were trained after a blur); an
    unblurred source gets the blur on the new top block only.
    """
    if source.blur_from and not blur:
        raise GrowError(
            "the --grow-from run was trained with blurred upsampling: its layers only "
            "fit a run that blurs the same blocks (drop --no-blur)"
        )
    if source.blur_from:
        return source.blur_from
    return source.size * 2 if blur else 0


def is_painter_file(source: Path | str) -> bool:
    return Path(source).suffix == ".onnx"


def load_source(run: Path) -> tuple[TrainConfig, dict[str, np.ndarray]]:
    """The source run's config and its best checkpoint (the latest when none was marked best); for an
    exported painter file, its networks read back from it and its critic (:mod:`.painter_import`)."""
    if is_painter_file(run):
        from .painter_import import PainterImportError, import_painter

        if not run.is_file():
            raise GrowError(f"--grow-from {run}: no such painter file")
        try:
            config, gan = import_painter(run)
        except PainterImportError as exc:
            raise GrowError(f"--grow-from {exc}") from None
        return config, gan.state()
    if not (run / "config.json").is_file():
        raise GrowError(f"--grow-from {run}: not an artgan run (no config.json)")
    config = TrainConfig.load(run / "config.json")
    best = read_best(run / "checkpoints")
    checkpoint = load_checkpoint(run / "checkpoints", best["step"] if best else None)
    if checkpoint is None:
        raise GrowError(f"--grow-from {run}: it has no readable checkpoint yet")
    return config, checkpoint.arrays


def copy_matching_layers(source: keras.Model, target: keras.Model, renames: dict[str, str] | None = None) -> list[str]:
    """Copy the weights of every target layer whose source twin (same name, same weight shapes) exists."""
    renames = renames or {}
    by_name = {layer.name: layer for layer in source.layers}
    copied = []
    for layer in target.layers:
        twin = by_name.get(renames.get(layer.name, layer.name))
        if twin is None or not layer.weights:
            continue
        if [tuple(w.shape) for w in twin.weights] != [tuple(w.shape) for w in layer.weights]:
            continue
        layer.set_weights(twin.get_weights())
        copied.append(layer.name)
    return copied


def grow_from(gan, run: Path) -> str:
    """Start ``gan`` (a fresh run) from the trained run in ``run``; returns what was reused, for the log."""
    from .loop import GAN  # the source run is built the same way

    source_config, arrays = load_source(run)
    check_source(source_config, gan.config)
    source = GAN(source_config)
    source.restore(arrays)
    # the small run's RGB head paints the faded-out image, or the coarse image under --skip-rgb's detail;
    # the new top block's own head always starts fresh
    renames = {fastgan.FADE_RGB: "image", fastgan.SKIP_RGB: "image", "image": ""}
    # frozen, the reused layers are the small painter as it was picked and measured: its EMA weights, in G as in
    # the EMA copy (the training step copies G's non-trainable variables into the EMA copy, so from raw-G layers
    # the painter's composition would silently become the raw generator's, hazier and off-colour)
    frozen = gan.config.freeze_grown
    copied_g = copy_matching_layers(source.ema_generator if frozen else source.generator, gan.generator, renames)
    copy_matching_layers(source.ema_generator, gan.ema_generator, renames)
    copied_d = copy_matching_layers(source.discriminator, gan.discriminator)
    for decoder, source_decoder in zip(gan.decoders, source.decoders):
        copy_matching_layers(source_decoder, decoder)
    weighted = [layer for layer in gan.generator.layers if layer.weights and layer.name != fastgan.FADE]
    fresh = [layer.name for layer in weighted if layer.name not in copied_g]
    return (
        f"grown from {run} (step {source.step}, {source_config.size} px): reused {len(copied_g)} of {len(weighted)} "
        f"generator layers and {len(copied_d)} discriminator layers; new: {', '.join(fresh) or 'none'}; "
        + ("the new block paints detail on the small run's upsampled image" if gan.config.skip_rgb
           else f"fading in over {gan.config.fade_steps} steps")
    )


def is_top_block(name: str, size: int) -> bool:
    """Whether a generator layer belongs to the new top block of a ``size`` px run (or is its RGB head)."""
    return name == "image" or name.startswith(f"g_up{size}_") or bool(re.fullmatch(rf"g_sle\d+_{size}_\w+", name))


def freeze_reused_layers(generator: keras.Model, size: int) -> list[str]:
    """--freeze-grown: every layer below the top block stops training (batch norm then uses its
    trained statistics), so the grown-from painter's composition cannot be unlearned while the
    new block and the discriminator's new layers learn; returns the frozen names."""
    frozen = []
    for layer in generator.layers:
        if layer.weights and layer.trainable_weights and not is_top_block(layer.name, size):
            layer.trainable = False
            frozen.append(layer.name)
    return frozen


def plain_generator(gan) -> keras.Model:
    """The EMA generator without its fade-in head once the fade is complete (what export writes)."""
    fade = fade_layer(gan.ema_generator)
    if fade is None or float(fade.alpha.numpy()) < 1.0:
        return gan.ema_generator
    config = gan.config  # a faded run is never a --skip-rgb run (TrainConfig refuses both), so no skip head
    plain = fastgan.build_generator(config.latent_dim, config.size, config.width, config.max_channels,
                                    len(config.class_names), blur_from=config.blur_from,
                                    second_conv=config.second_conv, noise_from=config.noise_from)
    copied = copy_matching_layers(gan.ema_generator, plain)
    missing = [layer.name for layer in plain.layers if layer.weights and layer.name not in copied]
    if missing:  # cannot happen for a generator built by build_generator; refuse rather than export noise
        raise GrowError(f"could not copy {', '.join(missing)} into the plain generator")
    return plain
