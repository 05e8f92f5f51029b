"""Sweeps and multi-worker training on one machine: what --workers buys and what the pruner saves.

    nice python benchmarks/bench_sweep.py [--trials 8] [--steps 40] [--size 16] [--mw-steps 30]

1. The same 8-trial sweep (TPE, Hyperband pruner, procedural images) with ``artgan sweep
   --workers 1`` and ``--workers 2``: wall time of each, and the trial-steps the pruner did not
   train (sum over pruned trials of steps - step reached) out of trials x steps.
2. ``artgan train`` images/s with one process vs two MultiWorkerMirroredStrategy workers on
   127.0.0.1 with the same global batch, from the chief's metrics.csv (steps after the first
   ``--warmup`` excluded, so tracing is not timed).

On a 2-core machine two workers share the same cores, so neither part can show a speed-up
from more hardware; what they show is the overhead (or the gain from overlapping one trial's
start-up and evaluations with another's training).
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script

CLI = [sys.executable, "-m", "artgan.generator_cli.app"]


def make_data(folder: Path, count: int = 64) -> Path:
    from artgan.trainer.synthetic import write_landscapes

    write_landscapes(folder, count, seed=0, width=48, height=36)
    return folder


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def sweep(data: Path, out: Path, workers: int, args, env) -> dict:
    from artgan.sweeps.spec import SweepSpec
    from artgan.sweeps.status import trial_rows
    from artgan.sweeps.study import open_study

    command = [*CLI, "sweep", str(data), "--out", str(out), "--trials", str(args.trials), "--steps", str(args.steps),
               "--workers", str(workers), "--size", str(args.size), "--width", "8", "--latent-dim", "32",
               "--batch-size", "16", "--eval-every", str(max(1, args.steps // 8)), "--eval-samples", "32",
               "--param", "lr=1e-5..5e-3:log", "--param", "r1-gamma=0.01..1:log", "--seed", "1"]
    wall = timed(command, env)
    rows = trial_rows(open_study(out, SweepSpec.load(out), create=False))
    pruned = [r for r in rows if r.state == "pruned"]
    return {"workers": workers, "wall_s": round(wall, 1), "trials": len(rows), "pruned": len(pruned),
            "trial_steps_saved": sum(args.steps - r.step for r in pruned), "trial_steps_total": args.steps * len(rows),
            "best_swd_x1e3": round(min((r.best_swd for r in rows if r.state == "complete"), default=float("nan")), 1)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def images_per_s(run: Path, warmup: int, batch: int) -> float:
    with open(run / "metrics.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first, last = rows[warmup - 1], rows[-1]
    return (int(last["step"]) - int(first["step"])) * batch / (float(last["wall_s"]) - float(first["wall_s"]))


def multi_worker(data: Path, root: Path, args, env) -> dict:
    common = ["--size", str(args.size), "--width", "8", "--latent-dim", "32", "--batch-size", str(args.batch),
              "--steps", str(args.mw_steps), "--eval-every", "0", "--sample-every", str(args.mw_steps),
              "--checkpoint-every", str(args.mw_steps)]
    timed([*CLI, "train", str(data), "--out", str(root / "one"), *common], env)
    workers = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    processes = [
        subprocess.Popen([*CLI, "train", str(data), "--out", str(root / f"w{i}"), *common, "--workers", workers,
                          "--worker-index", str(i)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        for i in range(2)
    ]
    for process in processes:
        if process.wait():
            raise SystemExit(f"a worker failed:\n{process.stderr.read()[-3000:]}")
    one = images_per_s(root / "one", args.warmup, args.batch)
    two = images_per_s(root / "w0", args.warmup, args.batch)
    return {"global_batch": args.batch, "one_process_img_s": round(one, 1), "two_workers_img_s": round(two, 1),
            "scaling": round(two / one, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32, help="global batch of the multi-worker comparison")
    parser.add_argument("--mw-steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument("--skip-multi-worker", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "XDG_CACHE_HOME": str(root / "cache")}
        data = make_data(root / "data")
        results: dict = {"cpu_count": os.cpu_count()}
        if not args.skip_sweep:
            results["sweep"] = [sweep(data, root / f"sweep-{k}", k, args, env) for k in (1, 2)]
            for row in results["sweep"]:
                print(f"sweep --workers {row['workers']}: {row['wall_s']:.0f} s for {row['trials']} trials; pruned "
                      f"{row['pruned']} ({row['trial_steps_saved']} of {row['trial_steps_total']} trial-steps not "
                      f"trained); best SWD x1e3 {row['best_swd_x1e3']}")
        if not args.skip_multi_worker:
            mw = results["multi_worker"] = multi_worker(data, root, args, env)
            print(f"train, global batch {mw['global_batch']}: 1 process {mw['one_process_img_s']} img/s, "
                  f"2 workers {mw['two_workers_img_s']} img/s (x{mw['scaling']})")
    print(f"written to {write_results('bench_sweep', results)}")


if __name__ == "__main__":
    main()
