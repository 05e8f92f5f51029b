"""Shared by the sweep tests: a tiny sweep command and reading a study back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TINY_SWEEP = ["--size", "16", "--width", "8", "--latent-dim", "16", "--batch-size", "8", "--steps", "20",
              "--eval-every", "5", "--eval-samples", "12", "--heartbeat", "1",
              "--param", "arch=dcgan"]  # the small, fast networks


def sweep_command(data: Path, out: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "artgan.generator_cli.app", "sweep", str(data), "--out", str(out), *TINY_SWEEP, *options]


def run(command: list[str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def load_study(folder: Path, storage: str = ""):
    from artgan.sweeps.spec import SweepSpec
    from artgan.sweeps.study import open_study

    return open_study(folder, SweepSpec.load(folder), storage, create=False)


def trial_file(folder: Path) -> dict:
    return json.loads((folder / "trial.json").read_text())
