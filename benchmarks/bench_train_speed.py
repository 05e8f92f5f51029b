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

The seed's generator upsamples with UpSampling2D then convolves; artgan's
computes the identical function with the same weights as one sub-pixel
convolution (networks.UpsampleConv).  The seed loop is also timed with that
layer, to separate the loop's share of the speed-up from the layer's.

artgan is timed twice: with the same work as the seed (no augmentation, no
regulariser) and with its defaults (DiffAugment + R1), both including tf.data
input and the EMA update.  Warm-up steps (tracing) are excluded, and the three
loops are timed in interleaved rounds so that load from other processes on a
shared machine falls on all of them alike.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from artgan.trainer.config import TrainConfig  # noqa: E402
from artgan.trainer.loop import GAN  # noqa: E402
from artgan.trainer.networks import build_discriminator, build_generator  # noqa: E402
from artgan.trainer.pipeline import make_dataset  # noqa: E402
from artgan.trainer.synthetic import landscape  # noqa: E402
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def images(count: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.stack([landscape(rng, size, size) for _ in range(count)])


def seed_loop(data: np.ndarray, cfg: TrainConfig, fused_upsampling: bool = False) -> Callable[[], None]:
    """One step of the seed's loop per call (built and compiled once)."""
    keras.utils.set_random_seed(0)
    G = build_generator(cfg.latent_dim, cfg.size, cfg.width, cfg.max_channels, fused_upsampling=fused_upsampling)
    D = build_discriminator(cfg.size, cfg.width, cfg.max_channels, cfg.dropout)
    D.compile(keras.optimizers.Adam(cfg.lr_d, beta_1=cfg.beta_1), keras.losses.BinaryCrossentropy(from_logits=True))
    D.trainable = False
    z_in = keras.Input((cfg.latent_dim,))
    combined = keras.Model(z_in, D(G(z_in)))
    combined.compile(keras.optimizers.Adam(cfg.lr_g, beta_1=cfg.beta_1), keras.losses.BinaryCrossentropy(from_logits=True))
    reals = data.astype(np.float32) / 127.5 - 1.0  # the seed's float set in RAM
    rng = np.random.default_rng(0)
    b = cfg.batch_size

    checks = {"left": 2}  # the first calls (warm-up) check that D trains, and only in its own calls

    def step() -> None:
        check = checks["left"] > 0
        checks["left"] -= 1
        z = rng.standard_normal((b, cfg.latent_dim)).astype(np.float32)
        real = reals[rng.integers(0, len(reals), b)]
        fake = G.predict(z, verbose=0)
        D.trainable = True
        before = D.get_weights()[0].copy() if check else None
        D.train_on_batch(real, np.full((b, 1), cfg.label_smoothing, np.float32))
        D.train_on_batch(fake, np.zeros((b, 1), np.float32))
        if check:
            assert not np.array_equal(before, D.get_weights()[0]), "the baseline's D did not train"
        D.trainable = False
        before = D.get_weights()[0].copy() if check else None
        combined.train_on_batch(z, np.ones((b, 1), np.float32))
        if check:
            assert np.array_equal(before, D.get_weights()[0]), "the baseline's combined step changed D"

    return step


def artgan_loop(data: np.ndarray, cfg: TrainConfig) -> Callable[[], None]:
    gan = GAN(cfg)
    train_step = gan.build_train_step()
    batches = iter(make_dataset(data, None, cfg, 0))

    def step() -> None:
        float(train_step(next(batches))["d_loss"])  # a host sync per step, as the real loop does

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps per loop (at least 2)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--xla", action="store_true", help="also time the XLA-compiled step")
    parser.add_argument("--images", type=int, default=512)
    args = parser.parse_args()

    data = images(args.images, args.size)
    base = dict(data_dir="bench", size=args.size, width=args.width, batch_size=args.batch, steps=10**6,
                dataset_size=len(data))
    same_work = TrainConfig(**base, augment="off", regularizer="none")
    defaults = TrainConfig(**base)
    loops = {
        "seed_keras2_loop": seed_loop(data, same_work),
        "seed_loop_fused_layers": seed_loop(data, same_work, fused_upsampling=True),
        "artgan_same_work": artgan_loop(data, same_work),
        "artgan_defaults": artgan_loop(data, defaults),
    }
    if args.xla:
        loops["artgan_same_work_xla"] = artgan_loop(data, TrainConfig(**base, augment="off", regularizer="none", xla=True))
    for step in loops.values():  # tracing and compilation are not what we measure
        for _ in range(max(2, args.warmup)):
            step()
    # Interleaved rounds: the machine is shared, so load drifts; each round times every loop.
    seconds = dict.fromkeys(loops, 0.0)
    per_round = max(1, args.steps // args.rounds)
    for _ in range(args.rounds):
        for name, step in loops.items():
            started = time.perf_counter()
            for _ in range(per_round):
                step()
            seconds[name] += time.perf_counter() - started
    steps = per_round * args.rounds
    results = {"size": args.size, "batch": args.batch, "width": args.width, "steps": steps, "rounds": args.rounds}
    seed = steps * args.batch / seconds["seed_keras2_loop"]
    for name in loops:
        ips = steps * args.batch / seconds[name]
        results[name] = {"images_per_s": ips, "steps_per_s": steps / seconds[name], "speedup_vs_seed": ips / seed}
        print(f"{name:18s} {ips:8.1f} images/s  ({ips / seed:.2f}x the seed loop)")
    out = write_results("train_speed", results)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
