"""The training loop: a custom GradientTape step for D and G, EMA, samples, metrics, checkpoints.

Keras 3 note: the old Keras 2 recipe (compile D, set ``D.trainable = False``,
compile a combined model, ``train_on_batch``) silently never trains D in
Keras 3, so both networks are updated explicitly here, as in the keras-io
DCGAN example.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import keras
import numpy as np
import tensorflow as tf
from artgan.models.imaging import make_grid, to_uint8
from PIL import Image

from .checkpoints import list_checkpoints, load_checkpoint, save_checkpoint
from .config import TrainConfig
from .networks import build_discriminator, build_generator
from .quality import QualityLog, QualityMonitor

METRIC_FIELDS = ["step", "wall_s", "d_loss", "g_loss", "d_real", "d_fake", "images_per_s", "swd_x1e3", "ms_ssim"]
SAMPLE_COUNT = 16


class TrainingError(Exception):
    """Training cannot go on; the message says why and what to do."""


@dataclass
class StepLog:
    step: int
    d_loss: float
    g_loss: float
    d_real: float  # mean D(real) probability
    d_fake: float  # mean D(G(z)) probability
    quality: QualityLog | None = None  # on evaluation steps only


class RunPaths:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "config.json"
        self.checkpoints = root / "checkpoints"
        self.samples = root / "samples"
        self.metrics = root / "metrics.csv"


class GAN:
    """The networks, optimizers and EMA generator of one run, and their (de)serialisation."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        keras.utils.set_random_seed(config.seed)
        self.generator = build_generator(config.latent_dim, config.size, config.width, config.max_channels)
        self.ema_generator = build_generator(config.latent_dim, config.size, config.width, config.max_channels)
        self.ema_generator.set_weights(self.generator.get_weights())
        self.discriminator = build_discriminator(config.size, config.width, config.max_channels, config.dropout)
        self.g_optimizer = keras.optimizers.Adam(config.lr_g, beta_1=config.beta_1)
        self.d_optimizer = keras.optimizers.Adam(config.lr_d, beta_1=config.beta_1)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.noise = tf.random.Generator.from_seed(config.seed)
        self.step = 0

    def state(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {"step": np.array(self.step), "rng": self.noise.state.numpy()}
        for prefix, variables in self._groups().items():
            for index, variable in enumerate(variables):
                arrays[f"{prefix}/{index:04d}"] = np.asarray(variable.numpy())
        return arrays

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        for prefix, variables in self._groups().items():
            saved = sorted(k for k in arrays if k.startswith(prefix + "/"))
            if len(saved) != len(variables):
                raise TrainingError(
                    f"the checkpoint does not match this network ({prefix}: {len(saved)} arrays, "
                    f"{len(variables)} expected); was config.json changed?"
                )
            for key, variable in zip(saved, variables):
                variable.assign(arrays[key])
        self.noise.reset(arrays["rng"])
        self.step = int(arrays["step"])

    def _groups(self) -> dict[str, list]:
        return {
            "g": self.generator.weights,
            "ema": self.ema_generator.weights,
            "d": self.discriminator.weights,
            "g_opt": self.g_optimizer.variables,
            "d_opt": self.d_optimizer.variables,
        }

    def build_train_step(self) -> Callable[[tf.Tensor], dict[str, tf.Tensor]]:
        cfg = self.config
        G, D, G_ema = self.generator, self.discriminator, self.ema_generator
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        ema_pairs = list(zip(G_ema.trainable_variables, G.trainable_variables))
        copy_pairs = list(zip(G_ema.non_trainable_variables, G.non_trainable_variables))

        @tf.function
        def train_step(real_uint8: tf.Tensor) -> dict[str, tf.Tensor]:
            real = tf.cast(real_uint8, tf.float32) / 127.5 - 1.0
            batch = tf.shape(real)[0]
            z = self.noise.normal((batch, cfg.latent_dim))
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = G(z, training=True)
                real_logits = D(real, training=True)
                fake_logits = D(fake, training=True)
                d_loss = bce(tf.fill(tf.shape(real_logits), cfg.label_smoothing), real_logits) + bce(
                    tf.zeros_like(fake_logits), fake_logits
                )
                g_loss = bce(tf.ones_like(fake_logits), fake_logits)  # non-saturating
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables), D.trainable_variables))
            self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables), G.trainable_variables))
            for ema_var, var in ema_pairs:
                ema_var.assign(cfg.ema_decay * ema_var + (1.0 - cfg.ema_decay) * var)
            for ema_var, var in copy_pairs:
                ema_var.assign(var)
            return {
                "d_loss": d_loss,
                "g_loss": g_loss,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
            }

        return train_step


def batch_indices(step: int, batch_size: int, n: int, seed: int) -> np.ndarray:
    """Indices for one step: each epoch is a fresh seeded permutation, a pure function of the step.

    Being a function of the step alone makes resuming continue the exact same data order.
    """
    positions = np.arange(step * batch_size, (step + 1) * batch_size)
    epochs, offsets = np.divmod(positions, n)
    out = np.empty(batch_size, dtype=np.int64)
    for epoch in np.unique(epochs):
        perm = np.random.default_rng([seed, int(epoch)]).permutation(n)
        mask = epochs == epoch
        out[mask] = perm[offsets[mask]]
    return out


def fixed_noise(config: TrainConfig) -> np.ndarray:
    return np.random.default_rng(config.seed + 1).standard_normal((SAMPLE_COUNT, config.latent_dim)).astype(np.float32)


def write_sample_grid(gan: GAN, noise: np.ndarray, path: Path) -> None:
    from artgan.models.atomic import atomic_write

    images = to_uint8(gan.ema_generator(noise, training=False).numpy())
    with atomic_write(path, "wb") as handle:
        Image.fromarray(make_grid(images)).save(handle, format="PNG")


def train(
    config: TrainConfig,
    images: np.ndarray,
    run_dir: Path,
    resume: bool = False,
    progress: Callable[[int, int, StepLog | None], None] | None = None,
) -> GAN:
    """Train until ``config.steps`` total steps, resuming from the newest checkpoint when asked."""
    paths = RunPaths(run_dir)
    gan = GAN(config)
    if resume:
        checkpoint = load_checkpoint(paths.checkpoints)
        if checkpoint is None:
            raise TrainingError(f"nothing to resume: no readable checkpoint in {paths.checkpoints}")
        gan.restore(checkpoint.arrays)
    else:
        paths.root.mkdir(parents=True, exist_ok=True)
        config.save(paths.config)
        _truncate_metrics(paths.metrics)
    _drop_metrics_after(paths.metrics, gan.step)

    train_step = gan.build_train_step()
    quality = QualityMonitor(config, images, paths.checkpoints, gan.step)
    noise = fixed_noise(config)
    n = len(images)
    start_step, started = gan.step, time.perf_counter()
    last_log: StepLog | None = None
    try:
        while gan.step < config.steps:
            batch = images[batch_indices(gan.step, config.batch_size, n, config.seed)]
            if config.flip:
                # seeded by the step, like the data order, so a resumed run flips the same images
                flip = np.random.default_rng([config.seed, gan.step, 1]).random(len(batch)) < 0.5
                batch[flip] = batch[flip, :, ::-1]
            values = {k: float(v) for k, v in train_step(batch).items()}
            gan.step += 1
            if not all(np.isfinite(v) for v in values.values()):
                last = list_checkpoints(paths.checkpoints)
                hint = f"the last good checkpoint is step {last[-1][0]}" if last else "no checkpoint was written yet"
                raise TrainingError(
                    f"losses became NaN/Inf at step {gan.step} ({hint}); try a lower learning rate "
                    "(--lr) and resume with --resume."
                )
            last_log = StepLog(gan.step, **values)
            elapsed = time.perf_counter() - started
            if gan.step % config.sample_every == 0 or gan.step == config.steps:
                write_sample_grid(gan, noise, paths.samples / f"step-{gan.step:08d}.png")
            if gan.step % config.checkpoint_every == 0 or gan.step == config.steps:
                save_checkpoint(paths.checkpoints, gan.step, gan.state(), config.keep_checkpoints)
            last_log.quality = quality.after_step(gan)  # after checkpointing: a new best needs its checkpoint
            _append_metrics(
                paths.metrics, last_log, elapsed, (gan.step - start_step) * config.batch_size / max(elapsed, 1e-9)
            )
            if progress:
                progress(gan.step, config.steps, last_log)
    except KeyboardInterrupt:
        save_checkpoint(paths.checkpoints, gan.step, gan.state(), config.keep_checkpoints)
        raise
    return gan


def _truncate_metrics(path: Path) -> None:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerow(METRIC_FIELDS)


def _drop_metrics_after(path: Path, step: int) -> None:
    """On resume, forget metric rows newer than the checkpoint: those steps will be redone."""
    if not path.exists():
        _truncate_metrics(path)
        return
    with open(path, newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("step", "").isdigit() and int(row["step"]) <= step]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, METRIC_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def _append_metrics(path: Path, log: StepLog, wall_s: float, images_per_s: float) -> None:
    quality = [f"{log.quality.swd:.3f}", f"{log.quality.ms_ssim:.4f}"] if log.quality else ["", ""]
    with open(path, "a", newline="") as handle:
        csv.writer(handle).writerow(
            [log.step, f"{wall_s:.3f}", f"{log.d_loss:.5f}", f"{log.g_loss:.5f}", f"{log.d_real:.4f}", f"{log.d_fake:.4f}", f"{images_per_s:.1f}", *quality]
        )
