"""Export a run's EMA generator (painter) and discriminator (critic) to self-describing ONNX.

tf2onnx's ``from_keras`` fails on Keras 3 models (KeyError 'keras_tensor_N'),
so each network is wrapped in a ``tf.function`` with an explicit input
signature and converted with ``from_function``; returning a dict names the
graph output.  The painter is converted from a copy whose ``UpSampling2D``
layers are nearest ``tf.image.resize`` and then cleaned by
:mod:`.onnx_graph` (native ``Resize``, NCHW trunk).  Every file is checked
against Keras inference before it is written, and written atomically; with
``fp16`` a half-precision pair is written beside the float32 one.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import keras
import numpy as np
import onnx
import tensorflow as tf
import tf2onnx
from artgan.models.artifact import build_metadata
from artgan.models.atomic import write_bytes_atomic
from artgan.models.runtime import load_model
from artgan.models.store import thumbnail_index_path

from . import fastgan, grow, onnx_graph
from .checkpoints import load_checkpoint
from .config import TrainConfig
from .loop import GAN, RunPaths, TrainingError
from .networks import UpsampleConv

OPSET = 17
PARITY_TOLERANCE = 1e-3  # max abs difference in [-1, 1] output units; float32 reorderings are ~1e-6
FP16_PAINTER_TOLERANCE = 5e-2  # half precision keeps ~3 significant digits through a dozen layers
FP16_CRITIC_TOLERANCE = 0.25  # critic logits are unbounded; only the ranking they give matters
COMPACT_PAINTER_TOLERANCE = 1e-2  # float16-stored weights, float32 arithmetic: ~2e-3 measured
COMPACT_CRITIC_TOLERANCE = 0.1
PARITY_BATCH = 8


@dataclass
class ExportResult:
    painter: Path
    critic: Path
    painter_max_diff: float
    critic_max_diff: float
    step: int
    fp16: tuple[Path, Path] | None = None
    fp16_max_diffs: tuple[float, float] | None = None
    painter_ops: dict[str, int] = field(default_factory=dict)
    thumbs: Path | None = None  # the training images' thumbnail index shipped beside the painter


def load_trained(run_dir: Path, step: int | None = None) -> tuple[TrainConfig, GAN]:
    paths = RunPaths(run_dir)
    if not paths.config.is_file():
        raise TrainingError(f"{run_dir} is not an artgan run (no config.json). Train one with `artgan train DIR`.")
    config = TrainConfig.load(paths.config)
    checkpoint = load_checkpoint(paths.checkpoints, step)
    if checkpoint is None:
        raise TrainingError(f"{run_dir} has no readable checkpoint yet; train it for a few steps first.")
    gan = GAN(config)
    gan.restore(checkpoint.arrays)
    return config, gan


class _ResizeThenConv(keras.layers.Layer):
    """The trainer's fused :class:`UpsampleConv` written out as nearest x2 resize + 3x3 'same' conv.

    Same function and the same kernel weight; in this form tf2onnx emits Resize + Conv, which
    :func:`onnx_graph.fold_upsampling_into_conv` turns into four phase convolutions that ONNX
    Runtime runs faster than the fused layer's pad/slice/concat graph.
    """

    def __init__(self, filters: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.filters = filters

    def build(self, input_shape) -> None:
        self.kernel = self.add_weight(name="kernel", shape=(3, 3, input_shape[-1], self.filters))

    def call(self, x):
        x = tf.image.resize(x, [x.shape[1] * 2, x.shape[2] * 2], method="nearest")
        return tf.nn.conv2d(x, tf.cast(self.kernel, x.dtype), 1, "SAME")

    def compute_output_shape(self, input_shape):
        n, h, w, _ = input_shape
        return (n, None if h is None else 2 * h, None if w is None else 2 * w, self.filters)


def upsampling_as_resize(model: keras.Model) -> keras.Model:
    """A copy of ``model`` (same weights) whose nearest x2 upsamplings are ``tf.image.resize``.

    tf2onnx turns that into one ONNX ``Resize`` instead of a Tile/Reshape chain; the trainer's
    fused UpsampleConv layers become resize + conv so that the graph clean-up can fold them.
    Models that cannot be cloned (subclassed ones) are returned unchanged.
    """

    def clone_layer(layer):
        if isinstance(layer, UpsampleConv):
            return _ResizeThenConv(layer.filters, name=layer.name)
        if (
            isinstance(layer, keras.layers.UpSampling2D)
            and layer.interpolation == "nearest"
            and layer.data_format == "channels_last"
        ):
            sy, sx = layer.size
            return keras.layers.Lambda(
                lambda x: tf.image.resize(x, [x.shape[1] * sy, x.shape[2] * sx], method="nearest"), name=layer.name
            )
        return layer.__class__.from_config(layer.get_config())

    if not any(isinstance(layer, (keras.layers.UpSampling2D, UpsampleConv)) for layer in model._flatten_layers()):
        return model
    try:
        clone = keras.models.clone_model(model, clone_function=clone_layer, recursive=True)
        clone.set_weights(model.get_weights())
    except Exception:  # noqa: BLE001 - the plain graph is slower but just as correct
        return model
    return clone


def _input_specs(model: keras.Model, names: Sequence[str]) -> list[tf.TensorSpec]:
    """TensorSpecs named by the artifact contract: `label` inputs are int64 [N], the rest float32."""
    specs = []
    for name, keras_input in zip(names, model.inputs):
        if name == "label":
            specs.append(tf.TensorSpec([None], tf.int64, name=name))
        else:
            specs.append(tf.TensorSpec([None, *keras_input.shape[1:]], tf.float32, name=name))
    return specs


def _convert(
    model: Callable[..., Any], input_names: Sequence[str], output_name: str, transform=None, specs_from: keras.Model | None = None
) -> onnx.ModelProto:
    """``model`` as ONNX; its input specs come from ``specs_from`` (default: ``model`` itself, a Keras model)."""
    specs = _input_specs(specs_from if specs_from is not None else model, input_names)

    @tf.function(input_signature=specs)
    def forward(*inputs):
        y = model(list(inputs) if len(inputs) > 1 else inputs[0], training=False)
        return {output_name: transform(y) if transform else y}

    proto, _ = tf2onnx.convert.from_function(forward, input_signature=specs, opset=OPSET)
    return proto


def _with_metadata(proto: onnx.ModelProto, metadata: dict[str, str], doc: str) -> bytes:
    del proto.metadata_props[:]
    for key, value in sorted(metadata.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.doc_string = doc
    proto.producer_name = "artgan"
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def _names(model: keras.Model, first: str) -> list[str]:
    """A one-input network takes `first`; a conditional one takes (`first`, `label`)."""
    if len(model.inputs) == 1:
        return [first]
    if len(model.inputs) == 2:
        return [first, "label"]
    raise TrainingError(f"cannot export {model.name}: it has {len(model.inputs)} inputs (1, or 2 with a label, expected)")


def _publish_checked(
    data: bytes, path: Path, kind: str, feeds: dict[str, np.ndarray], reference: Callable[[], np.ndarray], tolerance: float
) -> float:
    """Stage ``data`` beside ``path``, compare ONNX Runtime with Keras, then rename into place."""
    staged = path.with_name(f".{path.name}.staged")
    write_bytes_atomic(staged, data)
    try:
        loaded = load_model(staged, device="cpu", expect_kind=kind)
        got = loaded.session.run(None, feeds)[0]  # type: ignore[attr-defined]
        diff = float(np.max(np.abs(got.astype(np.float32) - reference())))
        if not diff <= tolerance:
            raise TrainingError(f"exported {kind} {path.name} disagrees with Keras by {diff:.2e} (> {tolerance}); not written.")
        staged.replace(path)
        return diff
    finally:
        staged.unlink(missing_ok=True)


def trimmed_reference(images: np.ndarray, pixels: int) -> np.ndarray:
    """What ``onnx_graph.trim_frame`` makes of NHWC paintings, computed by TensorFlow (the parity reference)."""
    if not pixels:
        return images
    size = images.shape[1]
    inner = images[:, pixels : size - pixels, pixels : size - pixels]
    return tf.image.resize(inner, [size, size], method="bicubic").numpy()


def fp16_path(path: Path) -> Path:
    """NAME.onnx -> NAME.fp16.onnx, NAME.critic.onnx -> NAME.fp16.critic.onnx (pairs stay pairs in the store)."""
    stem = path.name[: -len(".critic.onnx")] if path.name.endswith(".critic.onnx") else path.stem
    return path.with_name(stem + ".fp16" + path.name[len(stem):])


def export_networks(
    generator: keras.Model,
    discriminator: keras.Model,
    out: Path,
    metadata: dict[str, Any],
    fp16: bool = False,
    critic: Callable[[Any], Any] | None = None,
    compact: bool = False,
    trim_frame: int = 0,
    noise_scale: float = 1.0,
) -> ExportResult:
    """Convert, check and write painter + critic (and their fp16 variants); ``metadata`` goes to build_metadata.

    ``critic`` (images -> logits) replaces ``discriminator`` as the critic's function when given: a
    conditional run's D needs a label, and its critic averages D over the classes so that the exported
    critic takes images alone.  ``compact`` stores the float32 pair's weights as float16 (half the file,
    same arithmetic; see ``onnx_graph.half_weights``).  ``trim_frame`` px are cut off each side of the
    painting inside the painter's graph and the rest resized back (``onnx_graph.trim_frame``).
    ``noise_scale`` is only recorded here: the caller has already scaled ``generator``'s noise by it.
    """
    if out.suffix != ".onnx":
        raise TrainingError(f"--out must end in .onnx, not {out.name}")
    critic_out = out.with_name(out.name[: -len(".onnx")] + ".critic.onnx")
    class_names = list(metadata.get("class_names") or [])
    g_inputs = _names(generator, "z")
    d_inputs = ["image"] if critic is not None else _names(discriminator, "image")
    if ("label" in g_inputs) != bool(class_names):
        raise TrainingError("a conditional generator needs class names (and only a conditional one has them).")
    latent_dim, size = int(metadata["latent_dim"]), int(metadata["resolution"])

    painter = onnx_graph.optimise(_convert(upsampling_as_resize(generator), g_inputs, "image"))
    try:
        onnx_graph.trim_frame(painter, trim_frame)
    except ValueError as exc:
        raise TrainingError(f"--trim-frame {trim_frame}: {exc}") from None
    critic_fn = critic if critic is not None else discriminator
    critic_proto = _convert(
        critic_fn, d_inputs, "score", transform=lambda logits: tf.reshape(logits, [-1]), specs_from=discriminator
    )

    rng = np.random.default_rng(0)
    z = rng.standard_normal((PARITY_BATCH, latent_dim)).astype(np.float32)
    images = np.clip(rng.standard_normal((PARITY_BATCH, size, size, 3)).astype(np.float32) * 0.5, -1, 1)
    labels = np.arange(PARITY_BATCH, dtype=np.int64) % max(1, len(class_names))
    g_feeds = {"z": z, "label": labels} if "label" in g_inputs else {"z": z}
    d_feeds = {"image": images, "label": labels} if "label" in d_inputs else {"image": images}
    g_args = [z, labels] if "label" in g_inputs else z
    d_args = [images, labels] if "label" in d_inputs else images
    g_ref = trimmed_reference(generator(g_args, training=False).numpy(), trim_frame)
    d_ref = np.asarray(critic_fn(d_args, training=False)).reshape(-1)

    # (arithmetic, weight storage, painter path, critic path, painter, critic, painter bound, critic bound)
    if compact:
        variants = [(
            "float32", "float16", out, critic_out, onnx_graph.half_weights(onnx_graph.copy_model(painter)),
            onnx_graph.half_weights(onnx_graph.copy_model(critic_proto)), COMPACT_PAINTER_TOLERANCE, COMPACT_CRITIC_TOLERANCE,
        )]
    else:
        variants = [("float32", "float32", out, critic_out, painter, critic_proto, PARITY_TOLERANCE, PARITY_TOLERANCE)]
    if fp16:
        variants.append((
            "float16", "float16", fp16_path(out), fp16_path(critic_out), onnx_graph.to_fp16(painter),
            onnx_graph.to_fp16(critic_proto), FP16_PAINTER_TOLERANCE, FP16_CRITIC_TOLERANCE,
        ))
    diffs: list[tuple[float, float]] = []
    for precision, weights, painter_path, critic_path, g_proto, d_proto, g_tol, d_tol in variants:
        common = dict(metadata, precision=precision, weights=weights)
        g_bytes = _with_metadata(
            g_proto, build_metadata(kind="painter", frame_trim=trim_frame, noise_scale=noise_scale, **common),
            f"artgan painter ({precision})",
        )
        d_bytes = _with_metadata(d_proto, build_metadata(kind="critic", **common), f"artgan critic ({precision})")
        diffs.append((
            _publish_checked(g_bytes, painter_path, "painter", g_feeds, lambda: g_ref, g_tol),
            _publish_checked(d_bytes, critic_path, "critic", d_feeds, lambda: d_ref, d_tol),
        ))
    return ExportResult(
        out, critic_out, diffs[0][0], diffs[0][1], int(metadata.get("steps", 0)),
        fp16=(fp16_path(out), fp16_path(critic_out)) if fp16 else None,
        fp16_max_diffs=diffs[1] if fp16 else None,
        painter_ops=onnx_graph.op_counts(painter),
    )


def export_run(
    run_dir: Path,
    out: Path | None = None,
    step: int | None = None,
    credits: str = "",
    license: str = "",
    placeholder: bool = False,
    description: str = "",
    fp16: bool = False,
    compact: bool = False,
    trim_frame: int = 0,
    noise_scale: float = 1.0,
) -> ExportResult:
    """Write ``NAME.onnx`` (painter) and ``NAME.critic.onnx`` (critic); return paths and parity.

    ``noise_scale`` multiplies the painter's noise strengths (runs trained with ``--noise-from`` only)."""
    if not (math.isfinite(noise_scale) and noise_scale >= 0):
        raise TrainingError(f"--noise-scale must be a number >= 0, not {noise_scale}")
    config, gan = load_trained(run_dir, step)
    generator = grow.plain_generator(gan)
    if noise_scale != 1.0 and not fastgan.scale_noise(generator, noise_scale):
        raise TrainingError(
            f"--noise-scale: {run_dir} paints without noise (it was trained without --noise-from), so there is "
            "nothing to scale; leave the option out"
        )
    out = out or run_dir / "export" / f"{run_dir.name}.onnx"
    metadata = dict(
        latent_dim=config.latent_dim,
        resolution=config.size,
        class_names=list(getattr(config, "class_names", None) or []),
        steps=gan.step,
        dataset_name=config.dataset_name,
        dataset_size=config.dataset_size,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        training_config=config.to_dict(),
        credits=credits,
        license=license,
        placeholder=placeholder,
        description=description,
    )
    critic = gan.critic if config.conditional else None
    result = export_networks(
        generator, gan.discriminator, out, metadata, fp16=fp16, critic=critic, compact=compact,
        trim_frame=trim_frame, noise_scale=noise_scale,
    )
    result.step = gan.step
    run_thumbs = RunPaths(run_dir).thumbs
    if run_thumbs.is_file():  # lets `artgan post` refuse near-copies of training images
        result.thumbs = thumbnail_index_path(out)
        write_bytes_atomic(result.thumbs, run_thumbs.read_bytes())
    return result


def trim_painter_file(painter: Path, out: Path, pixels: int) -> float:
    """Write ``out``: the exported ``painter`` with ``pixels`` trimmed off each side in its graph.

    For painters whose run folder is gone (the bundled one); a run is trimmed by ``artgan export
    --trim-frame``.  The result is checked against the original's paintings trimmed by TensorFlow
    before it is renamed into place; returns the largest difference."""
    source = load_model(painter, device="cpu", expect_kind="painter")
    if source.info.frame_trim:
        raise TrainingError(f"{painter} already trims {source.info.frame_trim} px of frame; trim its run again instead")
    proto = onnx.load(str(painter))
    metadata = {entry.key: entry.value for entry in proto.metadata_props}
    try:
        onnx_graph.trim_frame(proto, pixels)
    except ValueError as exc:
        raise TrainingError(f"cannot trim {painter}: {exc}") from None
    metadata["artgan.frame_trim"] = str(pixels)
    data = _with_metadata(proto, metadata, proto.doc_string)
    z = np.random.default_rng(0).standard_normal((PARITY_BATCH, source.info.latent_dim)).astype(np.float32)
    feeds = {"z": z}
    if source.info.conditional:
        feeds["label"] = np.arange(PARITY_BATCH, dtype=np.int64) % len(source.info.class_names)
    reference = trimmed_reference(source.run(["image"], feeds)[0], pixels)
    return _publish_checked(data, out, "painter", feeds, lambda: reference, PARITY_TOLERANCE)
