"""Training images/s: artgan's fused step vs a faithful reimplementation of the seed's Keras-2 loop.

    nice python benchmarks/bench_train_speed.py [--size 64] [--batch 32] [--steps 30] [--warmup 3]

Both train the same networks (trainer.networks, same width, same batch) on the
same procedural images.  The seed loop, per step: ``G.predict(z)``, then
``D.train_on_batch`` on reals (0.9 targets) and on fakes (0), then
``combined.train_on_batch(z, 1)`` where combined = D(G(z)).  In Keras 3 the
old trick (``D.trainable = False`` before compiling combined) would leave D
frozen for its own ``train_on_batch`` too, i.e. D never trains; here D is
made trainable for its two calls and frozen for the combined call, and the
script checks that D's weights change in the D calls and not in the combined
call.  The seed also kept the whole set in RAM as float; so does the baseline.

artgan is timed twice: with the same work as the seed (no augmentation, no
regulariser) and with its defaults (DiffAugment + R1), both including tf.data
input and the EMA update.  Warm-up steps (tracing) are excluded from both.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from artgan.trainer.config import TrainConfig  # noqa: E402
from artgan.trainer.loop import GAN  # noqa: E402
from artgan.trainer.networks import build_discriminator, build_generator  # noqa: E402
from artgan.trainer.pipeline import make_dataset  # noqa: E402
from artgan.trainer.synthetic import landscape  # noqa: E402


def images(count: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.stack([landscape(rng, size, size) for _ in range(count)])


def seed_loop(data: np.ndarray, cfg: TrainConfig, steps: int, warmup: int) -> dict:
    keras.utils.set_random_seed(0)
    G = build_generator(cfg.latent_dim, cfg.size, cfg.width, cfg.max_channels)
    D = build_discriminator(cfg.size, cfg.width, cfg.max_channels, cfg.dropout)
    D.compile(keras.optimizers.Adam(cfg.lr_d, beta_1=cfg.beta_1), keras.losses.BinaryCrossentropy(from_logits=True))
    D.trainable = False
    z_in = keras.Input((cfg.latent_dim,))
    combined = keras.Model(z_in, D(G(z_in)))
    combined.compile(keras.optimizers.Adam(cfg.lr_g, beta_1=cfg.beta_1), keras.losses.BinaryCrossentropy(from_logits=True))
    reals = data.astype(np.float32) / 127.5 - 1.0  # the seed's float set in RAM
    rng = np.random.default_rng(0)
    b = cfg.batch_size
    d_changed, d_frozen = [], []

    def step() -> None:
        z = rng.standard_normal((b, cfg.latent_dim)).astype(np.float32)
        real = reals[rng.integers(0, len(reals), b)]
        fake = G.predict(z, verbose=0)
        D.trainable = True
        before = D.get_weights()[0].copy()
        D.train_on_batch(real, np.full((b, 1), cfg.label_smoothing, np.float32))
        D.train_on_batch(fake, np.zeros((b, 1), np.float32))
        d_changed.append(not np.array_equal(before, D.get_weights()[0]))
        D.trainable = False
        before = D.get_weights()[0].copy()
        combined.train_on_batch(z, np.ones((b, 1), np.float32))
        d_frozen.append(np.array_equal(before, D.get_weights()[0]))

    for _ in range(warmup):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    elapsed = time.perf_counter() - started
    assert all(d_changed), "the baseline's D did not train"
    assert all(d_frozen), "the baseline's combined step changed D"
    return {"images_per_s": steps * b / elapsed, "steps_per_s": steps / elapsed}


def artgan_loop(data: np.ndarray, cfg: TrainConfig, steps: int, warmup: int) -> dict:
    gan = GAN(cfg)
    train_step = gan.build_train_step()
    batches = iter(make_dataset(data, None, cfg, 0))
    for _ in range(warmup):
        float(train_step(next(batches))["d_loss"])
    started = time.perf_counter()
    for _ in range(steps):
        float(train_step(next(batches))["d_loss"])  # a host sync per step, as the real loop does
    elapsed = time.perf_counter() - started
    return {"images_per_s": steps * cfg.batch_size / elapsed, "steps_per_s": steps / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--images", type=int, default=512)
    args = parser.parse_args()

    data = images(args.images, args.size)
    base = dict(data_dir="bench", size=args.size, width=args.width, batch_size=args.batch, steps=10**6,
                dataset_size=len(data))
    same_work = TrainConfig(**base, augment="off", regularizer="none")
    defaults = TrainConfig(**base)
    results = {"size": args.size, "batch": args.batch, "width": args.width, "steps": args.steps}
    results["seed_keras2_loop"] = seed_loop(data, same_work, args.steps, args.warmup)
    results["artgan_same_work"] = artgan_loop(data, same_work, args.steps, args.warmup)
    results["artgan_defaults"] = artgan_loop(data, defaults, args.steps, args.warmup)
    seed = results["seed_keras2_loop"]["images_per_s"]
    for name in ("seed_keras2_loop", "artgan_same_work", "artgan_defaults"):
        ips = results[name]["images_per_s"]
        results[name]["speedup_vs_seed"] = ips / seed
        print(f"{name:18s} {ips:8.1f} images/s  ({ips / seed:.2f}x the seed loop)")
    out = Path(__file__).parent / "results" / "train_speed.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
