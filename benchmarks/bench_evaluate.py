"""Wall time of artgan's quality figures (artgan.evaluation, numpy only) on synthetic 64 px images.

    python benchmarks/bench_evaluate.py [--n 1000] [--size 64] [--repeats 1]

Times, for N generated vs N real images (procedural landscapes: nothing is downloaded):
each metric alone (SWD on N vs N, MS-SSIM diversity of both sets, memorisation) and the
whole report of `artgan evaluate` (whose SWD uses N/2 a side so that the real set also
yields the real-vs-real floor), plus the whole report with 2N real images (N a side), and one
in-training evaluation of the trainer's QualityMonitor (512 samples, real side cached; the
generator is replaced by a numpy stand-in, so this is the metric cost alone).
Prints wall and CPU seconds; writes benchmarks/results/evaluate.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from artgan.evaluation.memorisation import memorisation
from artgan.evaluation.ms_ssim import compare_diversity
from artgan.evaluation.report import DEFAULT_PAIRS, evaluate_sets
from artgan.evaluation.swd import swd
from artgan.trainer.synthetic import landscape
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def landscapes(count: int, seed: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([landscape(rng, size, size) for _ in range(count)])


def timed(function, repeats: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (all threads): on a shared machine the CPU time
    is the steadier figure, and bounds the wall time an idle machine would take."""
    walls, cpus = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
    return statistics.median(walls), statistics.median(cpus)


class StandInGAN:
    """What QualityMonitor uses of a GAN, without TensorFlow: the generator returns fixed pictures."""

    def __init__(self, pictures: np.ndarray) -> None:
        self.step, self.pictures = 0, pictures

    def ema_generator(self, z, training=False):
        return self.pictures[: len(z)].astype(np.float32) / 127.5 - 1.0

    def state(self) -> dict:
        return {"step": np.array(self.step)}


def in_training_evaluation(generated: np.ndarray, real: np.ndarray, size: int, folder: Path):
    """A callable running one due evaluation (after a first one that fills the caches)."""
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.quality import QualityMonitor

    config = TrainConfig(data_dir="bench", size=size, latent_dim=8, eval_every=1, eval_samples=512)
    monitor, gan = QualityMonitor(config, real, folder, start_step=0), StandInGAN(generated)
    gan.step = 1
    monitor.after_step(gan)  # the real side's descriptors, floor and diversity, computed once per run

    def evaluate_once() -> None:
        gan.step += 1
        monitor.after_step(gan)

    return evaluate_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    generated = landscapes(args.n, 1, args.size)
    real = landscapes(2 * args.n, 2, args.size)
    same_size = real[: args.n]
    cases = {
        f"swd {args.n} vs {args.n}": lambda: swd(generated, same_size),
        f"ms_ssim {DEFAULT_PAIRS} pairs x 2 sets": lambda: compare_diversity(generated, same_size, DEFAULT_PAIRS),
        f"memorisation {args.n} vs {args.n}": lambda: memorisation(generated, same_size),
        f"evaluate {args.n} vs {args.n} (SWD {args.n // 2} a side + floor)": lambda: evaluate_sets(generated, same_size),
        f"evaluate {args.n} vs {2 * args.n} (SWD {args.n} a side + floor)": lambda: evaluate_sets(generated, real),
    }
    checkpoints = tempfile.TemporaryDirectory(prefix="bench-quality-")
    cases["training: one evaluation of 512 samples"] = in_training_evaluation(
        generated, real, args.size, Path(checkpoints.name)
    )
    results = {"n": args.n, "size": args.size, "cpus": os.cpu_count(), "load_avg_1min": os.getloadavg()[0], "seconds": {}}
    for name, function in cases.items():
        wall, cpu = timed(function, args.repeats)
        results["seconds"][name] = {"wall": round(wall, 2), "cpu": round(cpu, 2)}
        print(f"{name}: {wall:.2f} s wall, {cpu:.2f} s CPU", flush=True)
    checkpoints.cleanup()
    results["load_avg_1min_after"] = os.getloadavg()[0]
    print(f"load average (1 min) before/after: {results['load_avg_1min']:.1f} / {results['load_avg_1min_after']:.1f} "
          f"on {results['cpus']} CPUs")
    write_results("evaluate", results)


if __name__ == "__main__":
    main()
