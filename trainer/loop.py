"""The training loop: one fused tf.function step for D and G, EMA, samples, metrics, checkpoints.

Keras 3 note: the old Keras 2 recipe (compile D, set ``D.trainable = False``,
compile a combined model, ``train_on_batch``) silently never trains D in
Keras 3, so both networks are updated explicitly here, as in the keras-io
DCGAN example: G runs once, D runs once on reals and fakes together, and both
gradients come from that single forward pass.

Everything random in a step comes from the input pipeline as a function of
(seed, step), dropout's seed state is checkpointed, so ``--resume`` repeats the
uninterrupted run's losses.
"""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import keras
import numpy as np
import tensorflow as tf
from artgan.models.imaging import from_uint8, make_grid, to_uint8
from PIL import Image

from . import health
from .augment import PARAMS, adapt_probability, diff_augment
from .checkpoints import load_checkpoint, save_checkpoint
from .config import TrainConfig
from .distribute import broadcast_from_chief
from .losses import discriminator_loss, generator_loss, mode_seeking_penalty, r1_penalty
from . import fastgan, grow
from .networks import build_discriminator, build_generator
from .pipeline import batch_indices, make_dataset  # noqa: F401 - batch_indices is re-exported
from .plots import plot_losses
from .quality import QualityLog, QualityMonitor
from .stopping import StopRequest, TrainingStopped
from .thumbnails import write_thumbnail_index

# new columns go at the end: a resumed run's metrics.csv is rewritten under this header (_drop_metrics_after),
# its older rows left empty in them
METRIC_FIELDS = [
    "step", "wall_s", "d_loss", "g_loss", "d_real", "d_fake", "images_per_s", "swd_x1e3", "ms_ssim", "aug_p",
    "streaks",
]
SAMPLE_COUNT = 16
TENSORBOARD_EVERY = 10


class TrainingError(Exception):
    """Training cannot go on; the message says why and what to do."""


@dataclass
class StepLog:
    step: int
    d_loss: float
    g_loss: float
    d_real: float  # mean D(real) probability
    d_fake: float  # mean D(G(z)) probability
    aug_p: float = 0.0  # DiffAugment probability in use
    quality: QualityLog | None = None  # on evaluation steps only


class RunPaths:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "config.json"
        self.checkpoints = root / "checkpoints"
        self.samples = root / "samples"
        self.metrics = root / "metrics.csv"
        self.loss_plot = root / "losses.png"
        self.tensorboard = root / "tensorboard"
        self.thumbs = root / "thumbs.npz"  # the training images' thumbnail index (trainer.thumbnails)


def _policy(config: TrainConfig) -> str:
    return "mixed_float16" if config.precision == "mixed" else "float32"


class GAN:
    """The networks, optimizers and EMA generator of one run, and their (de)serialisation."""

    def __init__(self, config: TrainConfig, strategy: tf.distribute.Strategy | None = None) -> None:
        self.config = config
        self.strategy = strategy or tf.distribute.get_strategy()
        keras.utils.set_random_seed(config.seed)
        num_classes = len(config.class_names)
        previous_policy = keras.config.dtype_policy()
        keras.config.set_dtype_policy(_policy(config))
        try:
            with self.strategy.scope():
                self._build_networks(num_classes)
                self.g_optimizer = self._optimizer(config.lr_g)
                self.d_optimizer = self._optimizer(config.lr_d)
                self.g_optimizer.build(self.generator.trainable_variables)
                self.d_optimizer.build(self.d_trainable_variables)
                start_p = config.augment_p if config.augment_p is not None else 0.0
                self.augment_p = tf.Variable(start_p, dtype=tf.float32, trainable=False, name="augment_p")
        finally:
            keras.config.set_dtype_policy(previous_policy)
        self.step = 0

    def _build_networks(self, num_classes: int) -> None:
        """G, its EMA copy and D for ``config.arch``; a FastGAN D also gets its reconstruction decoders."""
        config = self.config
        self.decoders: list[keras.Model] = []  # fastgan: whole image from 8x8, a quadrant from 16x16
        self.d_features: keras.Model | None = None  # fastgan: D with [logit, 8x8, (16x16)] outputs
        if config.arch == "fastgan":
            build_g = lambda: fastgan.build_generator(  # noqa: E731
                config.latent_dim, config.size, config.width, config.max_channels, num_classes,
                fade=bool(config.grow_from and config.fade_steps), blur_from=config.blur_from,
                skip_rgb=config.skip_rgb, skip_detail=config.skip_detail, second_conv=config.second_conv,
                noise_from=config.noise_from,
            )
            self.discriminator, self.d_features = fastgan.build_discriminator(
                config.size, config.width, config.max_channels, num_classes, global_logit=config.global_critic
            )
            if config.recon_weight > 0:
                out = fastgan.decoder_size(config.size)
                self.decoders = [
                    fastgan.build_decoder(f.shape[-1], out, config.width, f"d_decoder{f.shape[1] * (1 if i == 0 else 2)}")
                    for i, f in enumerate(self.d_features.outputs[1:])
                ]
        else:
            build_g = lambda: build_generator(  # noqa: E731
                config.latent_dim, config.size, config.width, config.max_channels, num_classes
            )
            self.discriminator = build_discriminator(
                config.size, config.width, config.max_channels, config.dropout, num_classes,
                spectral=config.regularizer == "spectral",
            )
        self.generator = build_g()
        self.ema_generator = build_g()
        if config.freeze_grown:  # before the optimizers see the variables; the EMA copy pairs the same ones
            from .grow import freeze_reused_layers

            for generator in (self.generator, self.ema_generator):
                freeze_reused_layers(generator, config.size)
        self.ema_generator.set_weights(self.generator.get_weights())

    @property
    def d_trainable_variables(self) -> list:
        return self.discriminator.trainable_variables + [v for d in self.decoders for v in d.trainable_variables]

    def _optimizer(self, lr: float) -> keras.optimizers.Optimizer:
        adam = keras.optimizers.Adam(lr, beta_1=self.config.beta_1)
        return keras.optimizers.LossScaleOptimizer(adam) if self.config.precision == "mixed" else adam

    @property
    def augmenting(self) -> bool:
        return self.config.augment_enabled()

    def state(self) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {"step": np.array(self.step)}
        for prefix, variables in self._groups().items():
            for index, variable in enumerate(variables):
                arrays[f"{prefix}/{index:04d}"] = np.asarray(variable.numpy())
        return arrays

    def restore(self, arrays: dict[str, np.ndarray]) -> None:
        for prefix, variables in self._groups().items():
            saved = sorted(k for k in arrays if k.startswith(prefix + "/"))
            if not saved and prefix in ("rng", "aug"):
                continue  # checkpoints from before these were saved
            if len(saved) != len(variables):
                raise TrainingError(
                    f"the checkpoint does not match this network ({prefix}: {len(saved)} arrays, "
                    f"{len(variables)} expected); was config.json changed?"
                )
            for key, variable in zip(saved, variables):
                variable.assign(arrays[key])
        self.step = int(arrays["step"])

    def _groups(self) -> dict[str, list]:
        return {
            "g": self.generator.weights,
            "ema": self.ema_generator.weights,
            "d": self.discriminator.weights + [w for d in self.decoders for w in d.weights],
            "g_opt": self.g_optimizer.variables,
            "d_opt": self.d_optimizer.variables,
            # dropout's seed generators: the only random state not derived from (seed, step)
            "rng": [layer.seed_generator.state for layer in self.discriminator.layers if hasattr(layer, "seed_generator")],
            "aug": [self.augment_p],
        }

    def learning_rates(self) -> tuple[float, float]:
        return float(np.asarray(self.g_optimizer.learning_rate)), float(np.asarray(self.d_optimizer.learning_rate))

    def scale_learning_rates(self, factor: float) -> None:
        for optimizer in (self.g_optimizer, self.d_optimizer):
            optimizer.learning_rate = float(np.asarray(optimizer.learning_rate)) * factor

    def paint(self, z: np.ndarray, labels: np.ndarray | None = None) -> np.ndarray:
        """EMA generator output in [-1, 1] for fixed inputs (samples, export parity)."""
        inputs = [z, labels] if self.config.conditional else z
        return self.ema_generator(inputs, training=False).numpy()

    def critic(self, images: Any, training: bool = False) -> tf.Tensor:
        """D's logits for images alone: for a conditional D, averaged over every class."""
        if not self.config.conditional:
            return self.discriminator(images, training=training)
        n, classes = tf.shape(images)[0], len(self.config.class_names)
        tiled = tf.repeat(images, classes, axis=0)
        labels = tf.tile(tf.range(classes, dtype=tf.int64), [n])
        logits = self.discriminator([tiled, labels], training=training)
        return tf.reduce_mean(tf.reshape(logits, [n, classes]), axis=1, keepdims=True)

    def build_train_step(self) -> Callable[[dict[str, tf.Tensor]], dict[str, tf.Tensor]]:
        cfg, strategy = self.config, self.strategy
        G, D, G_ema = self.generator, self.discriminator, self.ema_generator
        D_features, reconstructing = self.d_features, bool(self.decoders)
        fade = grow.fade_layer(G)
        d_variables = self.d_trainable_variables
        replicas = strategy.num_replicas_in_sync
        per_replica = cfg.batch_size // replicas
        conditional, augmenting, mixed = cfg.conditional, self.augmenting, cfg.precision == "mixed"
        use_r1 = cfg.regularizer == "r1" and cfg.r1_gamma > 0
        pairs = replicas * (per_replica // 2)
        seeking_modes, structure_gap = cfg.mode_seeking > 0 and pairs > 0, cfg.mode_seeking_gap == "structure"
        ema_pairs = list(zip(G_ema.trainable_variables, G.trainable_variables))
        copy_pairs = list(zip(G_ema.non_trainable_variables, G.non_trainable_variables))

        def replica_step(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            if replicas > 1:  # every replica gets the global batch and takes its own slice
                i = tf.distribute.get_replica_context().replica_id_in_sync_group
                batch = {k: v[i * per_replica : (i + 1) * per_replica] for k, v in batch.items()}
            real = tf.cast(batch["image"], tf.float32) / 127.5 - 1.0
            if fade is not None:  # a grown run: D sees reals with their new detail faded in, as G paints them
                real = grow.fade_detail(real, tf.cast(fade.alpha, tf.float32))
            labels = batch["label"]
            n = tf.shape(real)[0]
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = G([batch["z"], labels] if conditional else batch["z"], training=True)
                fake = tf.cast(fake, tf.float32)
                if augmenting:
                    real_seen = diff_augment(real, batch["aug"][:, :PARAMS], self.augment_p)
                    fake_seen = diff_augment(fake, batch["aug"][:, PARAMS:], self.augment_p)
                else:
                    real_seen, fake_seen = real, fake
                both = tf.concat([real_seen, fake_seen], axis=0)  # one D pass over reals and fakes
                with tf.GradientTape(watch_accessed_variables=False) as r1_tape:
                    r1_tape.watch(both)
                    d_inputs = [both, tf.concat([labels, labels], 0)] if conditional else both
                    if reconstructing:
                        logits, *features = D_features(d_inputs, training=True)
                    else:
                        logits = D(d_inputs, training=True)
                    logits = tf.cast(logits, tf.float32)
                    real_logits, fake_logits = logits[:n], logits[n:]
                    real_total = tf.reduce_sum(real_logits)  # inside the tape: R1 differentiates it
                d_per_image = discriminator_loss(cfg.loss, real_logits, fake_logits, cfg.label_smoothing)
                if reconstructing:  # FastGAN's self-supervision: decode the reals from D's features
                    quadrant = tf.cast(self.d_optimizer.iterations % 4, tf.int32)  # a pure function of the step
                    whole, part = fastgan.reconstruction_targets(real_seen, quadrant, cfg.size)
                    coded = [features[0][:n]] + [fastgan.feature_quadrant(f[:n], quadrant) for f in features[1:]]
                    for decoder, code, target in zip(self.decoders, coded, (whole, part)):
                        decoded = tf.cast(decoder(code, training=True), tf.float32)
                        d_per_image += cfg.recon_weight * tf.reduce_mean(tf.abs(decoded - target), axis=[1, 2, 3])
                if use_r1:  # lazy (StyleGAN2): every r1_every-th D step, weighted by r1_every

                    def penalty() -> tf.Tensor:
                        gradients = r1_tape.gradient(real_total, both)[:n]
                        return 0.5 * cfg.r1_gamma * cfg.r1_every * r1_penalty(gradients)

                    due = tf.equal(self.d_optimizer.iterations % cfg.r1_every, 0)
                    if cfg.xla:  # XLA rejects the double backward inside a cond: compute, then mask
                        d_per_image += tf.cast(due, tf.float32) * penalty()
                    else:
                        d_per_image += tf.cond(due, penalty, lambda: tf.zeros_like(d_per_image))
                # sums over the global batch: replicas' gradients are summed, so this is the global mean
                d_loss = tf.reduce_sum(d_per_image) / cfg.batch_size
                g_loss = tf.reduce_sum(generator_loss(cfg.loss, fake_logits)) / cfg.batch_size
                if seeking_modes:  # summed per replica over its pairs; divided by the global pair count
                    seeking = mode_seeking_penalty(fake, batch["z"], structure_gap)
                    g_loss += cfg.mode_seeking * tf.reduce_sum(seeking) / pairs
                d_scaled = self.d_optimizer.scale_loss(d_loss) if mixed else d_loss
                g_scaled = self.g_optimizer.scale_loss(g_loss) if mixed else g_loss
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_scaled, d_variables), d_variables))
            self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_scaled, G.trainable_variables), G.trainable_variables))
            return {
                "d_loss": d_loss,
                "g_loss": g_loss,
                "d_real": tf.reduce_sum(tf.sigmoid(real_logits)) / cfg.batch_size,
                "d_fake": tf.reduce_sum(tf.sigmoid(fake_logits)) / cfg.batch_size,
                "real_sign": tf.reduce_sum(tf.sign(real_logits)) / cfg.batch_size,
            }

        def train_step(batch: dict[str, tf.Tensor]) -> dict[str, tf.Tensor]:
            if fade is not None:  # a pure function of the step, so resume fades exactly as before
                progress = tf.cast(self.g_optimizer.iterations + 1, tf.float32) / cfg.fade_steps
                fade.alpha.assign(tf.minimum(1.0, progress))
            per_replica_values = strategy.run(replica_step, args=(batch,))
            values = {k: strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None) for k, v in per_replica_values.items()}
            # warm-up (as tf.train.ExponentialMovingAverage with num_updates): early samples are not
            # dominated by the random initial weights; the optimizer's step count is checkpointed
            updates = tf.cast(self.g_optimizer.iterations, tf.float32)
            decay = tf.minimum(cfg.ema_decay, (1.0 + updates) / (10.0 + updates))
            for ema_var, var in ema_pairs:
                ema_var.assign(decay * ema_var + (1.0 - decay) * var)
            for ema_var, var in copy_pairs:
                ema_var.assign(var)
            if augmenting and cfg.augment_p is None:
                self.augment_p.assign(adapt_probability(self.augment_p, values["real_sign"], cfg.augment_target, cfg.batch_size))
            values["aug_p"] = tf.identity(self.augment_p)
            del values["real_sign"]
            return values

        return tf.function(train_step, jit_compile=cfg.xla or None)


def fixed_noise(config: TrainConfig) -> np.ndarray:
    return np.random.default_rng(config.seed + 1).standard_normal((SAMPLE_COUNT, config.latent_dim)).astype(np.float32)


def fixed_labels(config: TrainConfig) -> np.ndarray | None:
    """For a conditional run, the sample grid cycles through the classes (one per column)."""
    if not config.conditional:
        return None
    return (np.arange(SAMPLE_COUNT) % len(config.class_names)).astype(np.int64)


def write_sample_grid(gan: GAN, noise: np.ndarray, path: Path, labels: np.ndarray | None = None) -> np.ndarray:
    """Write the fixed-noise grid and return the samples ([-1, 1])."""
    from artgan.models.atomic import atomic_write

    samples = gan.paint(noise, labels)
    with atomic_write(path, "wb") as handle:
        Image.fromarray(make_grid(to_uint8(samples))).save(handle, format="PNG")
    return samples


def _images_and_labels(data: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Accept a uint8 array, or an ImageSet/CachedSet (anything with .images and .labels)."""
    if isinstance(data, np.ndarray):
        return data, None
    return data.images, getattr(data, "labels", None)


def train(
    config: TrainConfig,
    images_or_dataset: Any,
    run_dir: Path,
    resume: bool = False,
    progress: Callable[[int, int, StepLog | None], None] | None = None,
    notify: Callable[[str], None] | None = None,
    strategy: tf.distribute.Strategy | None = None,
    on_quality: Callable[[QualityLog], None] | None = None,
    info: Callable[[str], None] | None = None,
    stop: StopRequest | None = None,
) -> GAN:
    """Train until ``config.steps`` total steps, resuming from the newest checkpoint when asked.

    ``notify`` gets warnings, ``info`` plain news (which checkpoint a resume starts
    from).  ``on_quality`` sees every in-training evaluation once its metrics row is written; an
    exception it raises (a sweep pruning the run) stops training there, leaving the run folder as it
    is.  Ctrl-C/SIGTERM (or ``stop.request()``) end the run at the next step boundary with a
    checkpoint, raising :class:`TrainingStopped`."""
    images, labels = _images_and_labels(images_or_dataset)
    notify = notify or (lambda message: None)
    info = info or (lambda message: None)
    paths = RunPaths(run_dir)
    configure_determinism(config)
    gan = GAN(config, strategy)
    if resume:
        _resume(gan, paths, notify, info)
    else:
        if config.grow_from:
            notify(grow.grow_from(gan, Path(config.grow_from)))
        paths.root.mkdir(parents=True, exist_ok=True)
        config.save(paths.config)
        _truncate_metrics(paths.metrics)
    # several workers: the chief alone read the checkpoint; the others take its variables and step
    gan.step = broadcast_from_chief(gan.strategy, [v for group in gan._groups().values() for v in group], gan.step)
    _drop_metrics_after(paths.metrics, gan.step)
    if not paths.thumbs.is_file():  # also for runs started before the index existed
        names = getattr(images_or_dataset, "files", None) or [f"image {i}" for i in range(len(images))]
        write_thumbnail_index(paths.thumbs, images, names)

    train_step = gan.build_train_step()
    quality = QualityMonitor(config, images, paths.checkpoints, gan.step)
    noise, noise_labels = fixed_noise(config), fixed_labels(config)
    reals = images[np.sort(batch_indices(0, min(SAMPLE_COUNT, len(images)), len(images), config.seed + 1))]
    writer = tf.summary.create_file_writer(str(paths.tensorboard))
    start_step, started = gan.step, time.perf_counter()
    last_log: StepLog | None = None
    rollbacks = 0
    saved_step = gan.step if resume else None  # the step of the newest checkpoint on disk
    stop = stop or StopRequest()

    def checkpoint() -> None:
        nonlocal saved_step
        save_checkpoint(paths.checkpoints, gan.step, gan.state(), config.keep_checkpoints)
        saved_step = gan.step

    stop.install()
    try:
        while gan.step < config.steps:
            rolled_back = False
            for batch in make_dataset(images, labels, config, gan.step):
                if stop.requested:  # at a step boundary: everything of the last step is done and written
                    raise _stopped(gan, paths, stop, saved_step, checkpoint)
                values = {k: float(v) for k, v in train_step(batch).items()}
                gan.step += 1
                if not health.all_finite(values):
                    rollbacks += 1
                    _handle_non_finite(gan, paths, config, rollbacks, notify)
                    saved_step = gan.step  # back at a checkpoint that is on disk
                    rolled_back = True
                    break
                last_log = StepLog(gan.step, **values)
                elapsed = time.perf_counter() - started
                sampling = gan.step % config.sample_every == 0 or gan.step == config.steps
                with writer.as_default(step=gan.step):
                    if gan.step % TENSORBOARD_EVERY == 0 or gan.step == config.steps:
                        for name, value in values.items():
                            tf.summary.scalar(f"train/{name}", value)
                    if sampling:
                        samples = write_sample_grid(gan, noise, paths.samples / f"step-{gan.step:08d}.png", noise_labels)
                        ratio = health.collapse_ratio(samples, from_uint8(reals))
                        tf.summary.scalar("samples/diversity_ratio", ratio)
                        tf.summary.image("samples", make_grid(to_uint8(samples))[None], max_outputs=1)
                        if ratio < config.collapse_threshold:
                            notify(
                                f"possible mode collapse at step {gan.step}: the samples are near-identical "
                                f"(diversity {ratio:.3f} of the real images'). Try --augment on, --regularizer r1 "
                                "or a lower --lr, and resume from an earlier checkpoint."
                            )
                if gan.step % config.checkpoint_every == 0 or gan.step == config.steps:
                    checkpoint()
                last_log.quality = quality.after_step(gan)  # after checkpointing: a new best needs its checkpoint
                _append_metrics(
                    paths.metrics, last_log, elapsed, (gan.step - start_step) * config.batch_size / max(elapsed, 1e-9)
                )
                if sampling:
                    plot_losses(paths.metrics, paths.loss_plot)
                if progress:
                    progress(gan.step, config.steps, last_log)
                if on_quality and last_log.quality:
                    on_quality(last_log.quality)
            if not rolled_back:
                break
        if stop.requested:  # asked to stop during the very last step
            notify(f"{stop.signal_name} came during the last step; the run finished anyway.")
    except TrainingStopped:
        raise
    except KeyboardInterrupt:
        # a second signal, mid-step: the networks may hold half a step, so nothing is saved
        raise TrainingStopped(gan.step, _newest(paths), f"a second {stop.signal_name or 'interrupt'}", False, at_once=True) from None
    finally:
        stop.uninstall()
        writer.close()
    plot_losses(paths.metrics, paths.loss_plot)
    return gan


def _resume(gan: GAN, paths: RunPaths, notify: Callable[[str], None], info: Callable[[str], None]) -> None:
    """Restore the newest readable checkpoint, saying which files were unreadable and why."""
    skipped: list[str] = []

    def unreadable(path: Path, why: str) -> None:
        skipped.append(f"{path.name}: {why}")
        notify(f"checkpoint {path} is unreadable ({why}); trying the one before it.")

    checkpoint = load_checkpoint(paths.checkpoints, on_unreadable=unreadable)
    if checkpoint is None:
        detail = f" ({'; '.join(skipped)})" if skipped else ""
        raise TrainingError(f"nothing to resume: no readable checkpoint in {paths.checkpoints}{detail}")
    gan.restore(checkpoint.arrays)
    info(f"resumed from step {gan.step} ({checkpoint.path})")


def _newest(paths: RunPaths) -> Path | None:
    from .checkpoints import list_checkpoints

    found = list_checkpoints(paths.checkpoints)
    return found[-1][1] if found else None


def _stopped(gan: GAN, paths: RunPaths, stop: StopRequest, saved_step: int | None, checkpoint: Callable[[], None]):
    """Save the boundary checkpoint (unless this step's is already written) and describe the stop."""
    saved_now = saved_step != gan.step and gan.step > 0
    if saved_now:
        checkpoint()
    from .checkpoints import checkpoint_path

    path = checkpoint_path(paths.checkpoints, gan.step) if gan.step > 0 else None
    return TrainingStopped(gan.step, path, stop.signal_name or "stop requested", saved_now)


def configure_determinism(config: TrainConfig) -> None:
    """--deterministic: TensorFlow's deterministic kernels (same seed, same run, bit for bit; slower)."""
    if getattr(config, "deterministic", False):
        tf.config.experimental.enable_op_determinism()


def _handle_non_finite(gan: GAN, paths: RunPaths, config: TrainConfig, rollbacks: int, notify: Callable[[str], None]) -> None:
    """Roll back to the newest checkpoint with halved learning rates, or stop with a clear message."""
    bad_step = gan.step
    last = load_checkpoint(paths.checkpoints)
    if config.on_nan == "stop" or last is None or rollbacks > config.max_rollbacks:
        why = (
            "no checkpoint was written yet" if last is None
            else f"{rollbacks - 1} rollbacks did not help" if rollbacks > config.max_rollbacks
            else f"the last good checkpoint is step {last.step}"
        )
        raise TrainingError(
            f"losses became NaN/Inf at step {bad_step} ({why}); try a lower learning rate (--lr) "
            "and resume with --resume."
        )
    g_lr, d_lr = gan.learning_rates()
    gan.restore(last.arrays)
    gan.scale_learning_rates(0.5)
    new_g, new_d = gan.learning_rates()
    _drop_metrics_after(paths.metrics, gan.step)
    notify(
        f"losses became NaN/Inf at step {bad_step}: rolled back to the checkpoint of step {gan.step} "
        f"and halved the learning rates (G {g_lr:.2e} -> {new_g:.2e}, D {d_lr:.2e} -> {new_d:.2e})."
    )


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
        writer = csv.DictWriter(handle, METRIC_FIELDS, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _append_metrics(path: Path, log: StepLog, wall_s: float, images_per_s: float) -> None:
    quality = [f"{log.quality.swd:.3f}", f"{log.quality.ms_ssim:.4f}"] if log.quality else ["", ""]
    streaks = f"{log.quality.streaks:.4f}" if log.quality and log.quality.streaks is not None else ""
    with open(path, "a", newline="") as handle:
        csv.writer(handle).writerow(
            [log.step, f"{wall_s:.3f}", f"{log.d_loss:.6f}", f"{log.g_loss:.6f}", f"{log.d_real:.5f}",
             f"{log.d_fake:.5f}", f"{images_per_s:.1f}", *quality, f"{log.aug_p:.4f}", streaks]
        )
