"""The cost of `artgan train --deterministic`: steps/s with and without TensorFlow's op determinism.

    nice python benchmarks/bench_deterministic.py [--size 32] [--batch 32] [--steps 40] [--rounds 2]

Op determinism is process-wide and cannot be turned off again, so every
measurement is a fresh process (this script re-runs itself with ``--child``),
alternating the two modes so that load from other processes falls on both
alike.  Each child trains the same configuration with the real loop
(``trainer.loop.train``; DiffAugment + R1, the defaults), times the steps after
the first (which traces the step function) and reports its final losses, so
the script also shows whether two deterministic runs agree to the bit.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def child(size: int, batch: int, steps: int, deterministic: bool) -> dict:
    import numpy as np
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.loop import train
    from artgan.trainer.synthetic import landscape

    rng = np.random.default_rng(0)
    images = np.stack([landscape(rng, size, size) for _ in range(256)])
    config = TrainConfig(
        data_dir="bench", size=size, steps=steps, batch_size=batch, latent_dim=64, width=16, sample_every=10**6,
        checkpoint_every=10**6, eval_every=0, dataset_size=len(images), deterministic=deterministic,
    )
    times: list[float] = []
    last = {}

    def progress(step, total, log):
        times.append(time.perf_counter())
        last.update(d=log.d_loss, g=log.g_loss)

    with tempfile.TemporaryDirectory() as folder:
        train(config, images, Path(folder) / "run", progress=progress)
    timed = times[-1] - times[0]  # every step but the first (tracing)
    return {"steps_per_s": (len(times) - 1) / timed, "d_loss": last["d"], "g_loss": last["g"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", choices=["on", "off"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.size, args.batch, args.steps, args.child == "on")))
        return
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(args.rounds):
        for mode in ("off", "on"):
            command = [sys.executable, __file__, "--child", mode, "--size", str(args.size), "--batch", str(args.batch),
                       "--steps", str(args.steps)]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            runs[mode].append(json.loads(out.strip().splitlines()[-1]))
    speed = {mode: statistics.median(r["steps_per_s"] for r in results) for mode, results in runs.items()}
    same = {mode: len({(r["d_loss"], r["g_loss"]) for r in results}) == 1 for mode, results in runs.items()}
    print(f"{args.size} px, batch {args.batch}, {args.steps} steps, {args.rounds} runs each (median):")
    for mode in ("off", "on"):
        print(f"  --deterministic {mode:3}: {speed[mode]:6.2f} steps/s ({speed[mode] * args.batch:.0f} img/s); "
              f"runs agree to the bit: {'yes' if same[mode] else 'no'}")
    print(f"  cost of determinism: {100 * (1 - speed['on'] / speed['off']):.0f}% fewer steps/s")
    sys.path.insert(0, str(Path(__file__).parent))
    from results_file import write_results

    write_results("bench_deterministic", {"args": vars(args), "runs": runs, "steps_per_s": speed, "agree": same})


if __name__ == "__main__":
    main()
