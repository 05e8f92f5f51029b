"""Export a run's EMA generator (painter) and discriminator (critic) to self-describing ONNX.

tf2onnx's ``from_keras`` fails on Keras 3 models (KeyError 'keras_tensor_N'),
so each network is wrapped in a ``tf.function`` with an explicit input
signature and converted with ``from_function``; returning a dict names the
graph output.  Every export is checked against Keras inference before it is
written, and written atomically.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import tensorflow as tf
import tf2onnx
from artgan.models.artifact import build_metadata
from artgan.models.atomic import write_bytes_atomic
from artgan.models.runtime import load_model

from .checkpoints import load_checkpoint
from .config import TrainConfig
from .loop import GAN, RunPaths, TrainingError

OPSET = 17
PARITY_TOLERANCE = 1e-3  # max abs difference in [-1, 1] output units; float32 reorderings are ~1e-6


@dataclass
class ExportResult:
    painter: Path
    critic: Path
    painter_max_diff: float
    critic_max_diff: float
    step: int


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


def _convert(model, input_spec: tf.TensorSpec | list[tf.TensorSpec], output_name: str, transform=None) -> onnx.ModelProto:
    specs = input_spec if isinstance(input_spec, list) else [input_spec]

    @tf.function(input_signature=specs)
    def forward(*x):
        y = model(list(x) if len(x) > 1 else x[0], training=False)
        return {output_name: transform(y) if transform else y}

    proto, _ = tf2onnx.convert.from_function(forward, input_signature=forward.input_signature, opset=OPSET)
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


def export_run(
    run_dir: Path,
    out: Path | None = None,
    step: int | None = None,
    credits: str = "",
    license: str = "",
    placeholder: bool = False,
    description: str = "",
) -> ExportResult:
    """Write ``NAME.onnx`` (painter) and ``NAME.critic.onnx`` (critic); return paths and parity."""
    config, gan = load_trained(run_dir, step)
    out = out or run_dir / "export" / f"{run_dir.name}.onnx"
    if out.suffix != ".onnx":
        raise TrainingError(f"--out must end in .onnx, not {out.name}")
    critic_out = out.with_name(out.name[: -len(".onnx")] + ".critic.onnx")
    common = dict(
        latent_dim=config.latent_dim,
        resolution=config.size,
        steps=gan.step,
        dataset_name=config.dataset_name,
        dataset_size=config.dataset_size,
        created=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        training_config=config.to_dict(),
        credits=credits,
        license=license,
        class_names=config.class_names,
        placeholder=placeholder,
        description=description,
    )

    painter_inputs = [tf.TensorSpec([None, config.latent_dim], tf.float32, name="z")]
    if config.conditional:
        painter_inputs.append(tf.TensorSpec([None], tf.int64, name="label"))
    painter = _convert(gan.ema_generator, painter_inputs, "image")
    critic = _convert(
        gan.critic,  # a conditional D is averaged over the classes: the critic sees images only
        tf.TensorSpec([None, config.size, config.size, 3], tf.float32, name="image"),
        "score",
        transform=lambda logits: tf.reshape(logits, [-1]),
    )
    painter_bytes = _with_metadata(painter, build_metadata(kind="painter", **common), "artgan painter")
    critic_bytes = _with_metadata(critic, build_metadata(kind="critic", **common), "artgan critic")

    # Parity: write to temporary names, check with ONNX Runtime against Keras, then publish.
    rng = np.random.default_rng(0)
    z = rng.standard_normal((8, config.latent_dim)).astype(np.float32)
    labels = (np.arange(8) % max(1, len(config.class_names))).astype(np.int64)
    painter_feed = {"z": z, "label": labels} if config.conditional else {"z": z}
    images = np.clip(rng.standard_normal((8, config.size, config.size, 3)).astype(np.float32) * 0.5, -1, 1)
    diffs = []
    for data, path, kind, feed_name, reference in (
        (painter_bytes, out, "painter", "z", lambda: gan.paint(z, labels)),
        (critic_bytes, critic_out, "critic", "image", lambda: gan.critic(images, training=False).numpy().reshape(-1)),
    ):
        staged = path.with_name(f".{path.name}.staged")
        write_bytes_atomic(staged, data)
        try:
            loaded = load_model(staged, device="cpu", expect_kind=kind)
            got = loaded.session.run(None, painter_feed if kind == "painter" else {feed_name: images})[0]
            diff = float(np.max(np.abs(got - reference())))
            if not diff <= PARITY_TOLERANCE:
                raise TrainingError(f"exported {kind} disagrees with Keras by {diff:.2e} (> {PARITY_TOLERANCE}); not written.")
            diffs.append(diff)
            staged.replace(path)
        finally:
            staged.unlink(missing_ok=True)
    return ExportResult(out, critic_out, diffs[0], diffs[1], gan.step)
