"""``--workers K`` on one machine: K worker processes sharing the sweep's storage.

On a GPU machine each worker can be given its own GPU (``CUDA_VISIBLE_DEVICES``); on the
CPU each gets an equal share of the cores, since K TensorFlow processes that each take
every core only slow one another down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

STORAGE_ENV = "ARTGAN_SWEEP_STORAGE"


def worker_env(index: int, workers: int, gpus: list[str] | None) -> dict[str, str]:
    env = dict(os.environ)
    if gpus:
        env["CUDA_VISIBLE_DEVICES"] = gpus[index % len(gpus)]
    elif workers > 1:
        threads = str(max(1, (os.cpu_count() or 1) // workers))
        for name in ("TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS"):
            env.setdefault(name, threads)
        env.setdefault("TF_NUM_INTEROP_THREADS", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_workers(sweep_dir: Path, workers: int, storage: str = "", gpus: list[str] | None = None) -> list[int]:
    """Start K workers and wait for them; returns their exit codes (Ctrl-C reaches them too)."""
    command = [sys.executable, "-m", "artgan.sweeps.worker", str(sweep_dir)]
    processes = []
    for i in range(workers):
        env = worker_env(i, workers, gpus)
        if storage:  # in the environment, not the command line: `ps` would show a password
            env[STORAGE_ENV] = storage
        processes.append(subprocess.Popen([*command, "--name", f"w{i}"], env=env))
    try:
        return [p.wait() for p in processes]
    except KeyboardInterrupt:
        return [p.wait() for p in processes]  # each saves its checkpoint on the same Ctrl-C
