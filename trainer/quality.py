"""Quality figures during training, and the best checkpoint.

Every ``eval_every`` steps (and at the last step) the EMA generator paints a
fixed set of latents; their SWD against a fixed half of the training images
and their MS-SSIM diversity are computed with :mod:`artgan.evaluation`.  Real
descriptors, the real-vs-real floor and the real diversity are computed once;
patch positions and projection directions are seeded, so figures from
different steps (and across --resume) are directly comparable.  The step with
the lowest SWD is recorded in ``checkpoints/best.json`` after making sure its
checkpoint exists; pruning keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from artgan.evaluation.ms_ssim import COLLAPSE_MARGIN, diversity
from artgan.evaluation.streaks import MIN_SIDE, streak_score
from artgan.evaluation.swd import pyramid_descriptors, swd_from_descriptors
from artgan.models.imaging import to_uint8

from .checkpoints import checkpoint_path, forget_best, read_best, save_checkpoint, write_best
from .config import TrainConfig

PAIRS = 500  # MS-SSIM pairs per evaluation
SEED = 0  # patch positions, directions and pairs: the same at every evaluation


@dataclass
class QualityLog:
    step: int
    swd: float  # SWD x1e3, average over pyramid levels
    swd_floor: float  # the same between two halves of the real sample
    ms_ssim: float  # diversity of generated images (lower = more diverse)
    ms_ssim_real: float
    best: bool  # this step is the new best checkpoint
    streaks: float | None = None  # evaluation.streaks of the generated sample (None under 32 px)
    streaks_real: float | None = None

    @property
    def mode_collapse(self) -> bool:
        return self.ms_ssim - self.ms_ssim_real > COLLAPSE_MARGIN


def generate_images(generator, z: np.ndarray, batch_size: int = 64, class_count: int = 0) -> np.ndarray:
    """uint8 images [N, S, S, 3] from a Keras generator, in batches.

    A class-conditional generator (``class_count`` > 0) gets labels cycling through the classes.
    """

    def inputs(i: int):
        chunk = z[i : i + batch_size]
        if not class_count:
            return chunk
        return [chunk, (np.arange(i, i + len(chunk)) % class_count).astype(np.int64)]

    chunks = [np.asarray(generator(inputs(i), training=False)) for i in range(0, len(z), batch_size)]
    return to_uint8(np.concatenate(chunks))


class QualityMonitor:
    """Evaluates the EMA generator on a fixed sample every ``config.eval_every`` steps."""

    def __init__(self, config: TrainConfig, images: np.ndarray, checkpoints: Path, start_step: int) -> None:
        self.config, self.folder = config, checkpoints
        self.count = min(config.eval_samples, len(images) // 2)
        self.enabled = config.eval_every > 0 and self.count >= 2
        rng = np.random.default_rng([config.seed, 7])
        order = rng.permutation(len(images))
        self.real_a = images[np.sort(order[: self.count])]
        self.real_b = images[np.sort(order[self.count : 2 * self.count])]
        self.noise = rng.standard_normal((self.count, config.latent_dim)).astype(np.float32)
        self._reference: list[np.ndarray] | None = None
        self._floor = self._real_diversity = 0.0
        self._real_streaks: float | None = None
        best = read_best(checkpoints)
        if best and best["step"] > start_step:  # resumed before the best: that step will be trained again
            forget_best(checkpoints)

    def due(self, step: int) -> bool:
        return self.enabled and (step % self.config.eval_every == 0 or step == self.config.steps)

    def after_step(self, gan) -> QualityLog | None:
        """Evaluate when due; on a new best, make sure its checkpoint exists, then record it."""
        if not self.due(gan.step):
            return None
        if self._reference is None:
            self._reference = pyramid_descriptors(self.real_a, SEED)
            self._floor = self._swd([pyramid_descriptors(self.real_b, SEED)])
            self._real_diversity = diversity(self.real_a, PAIRS, SEED)
        generated = generate_images(gan.ema_generator, self.noise, class_count=len(self.config.class_names))
        swd = self._swd([pyramid_descriptors(generated, SEED)])
        best = read_best(self.folder)
        streaks = self._streaks(generated)
        log = QualityLog(gan.step, swd, self._floor, diversity(generated, PAIRS, SEED), self._real_diversity,
                         best=best is None or swd < best.get("swd_x1e3", np.inf),
                         streaks=streaks[0] if streaks else None, streaks_real=streaks[1] if streaks else None)
        if log.best:
            if not checkpoint_path(self.folder, gan.step).is_file():
                save_checkpoint(self.folder, gan.step, gan.state(), self.config.keep_checkpoints)
            write_best(self.folder, {
                "step": log.step, "swd_x1e3": log.swd, "swd_floor_x1e3": log.swd_floor, "ms_ssim": log.ms_ssim,
                "ms_ssim_real": log.ms_ssim_real, "mode_collapse": log.mode_collapse, "images": self.count,
                **({"streaks": log.streaks, "streaks_real": log.streaks_real} if streaks else {}),
            })
        return log

    def _streaks(self, generated: np.ndarray) -> tuple[float, float] | None:
        """(generated, real) streak scores, or None where the paintings are too small to hold a line."""
        if generated.shape[1] < MIN_SIDE:
            return None
        if self._real_streaks is None:
            self._real_streaks = streak_score(self.real_a)
        return streak_score(generated), self._real_streaks

    def _swd(self, others: list[list[np.ndarray]]) -> float:
        return swd_from_descriptors(self._reference, others, self.real_a.shape[1], SEED)[0].average
