"""SIGKILL a training process (during a checkpoint write, and between writes); resume must work.

The subprocess is the real `artgan train` with np.savez wrapped so the test can
kill it at a known moment: after the new checkpoint's bytes are in the temporary
file but before the rename.
"""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import TINY, make_images

pytest.importorskip("tensorflow")

SCRIPT = """
import os, sys, time
from pathlib import Path
import numpy as np
pause_at = int(os.environ["PAUSE_AT"])
real_savez = np.savez
def savez(handle, **arrays):
    real_savez(handle, **arrays)
    if int(arrays["step"]) == pause_at:
        handle.flush()
        Path(os.environ["MARKER"]).write_text("in the middle of a checkpoint write")
        time.sleep(600)
np.savez = savez
from artgan.generator_cli.app import main
sys.argv = ["artgan"] + sys.argv[1:]
main()
"""
EVERY = 3


def start(tmp_path, run, pause_at: int) -> subprocess.Popen:
    data = make_images(tmp_path / "paintings", count=16)
    env = dict(os.environ, PAUSE_AT=str(pause_at), MARKER=str(tmp_path / "marker"), TF_CPP_MIN_LOG_LEVEL="3")
    command = [sys.executable, "-c", SCRIPT, "train", str(data), *TINY, "--steps", "100000",
               "--checkpoint-every", str(EVERY), "--sample-every", "1000", "--out", str(run)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def wait_for(condition, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"training exited early: {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("training did not get there in time")
        time.sleep(0.05)


def metric_steps(run) -> list[int]:
    with open(run / "metrics.csv", newline="") as handle:
        return [int(r["step"]) for r in csv.DictReader(handle)]


def checkpoint_steps(run) -> list[int]:
    from artgan.trainer.checkpoints import list_checkpoints

    return [s for s, _ in list_checkpoints(run / "checkpoints")]


def resume(cli, tmp_path, run, steps: int):
    result = cli("train", tmp_path / "paintings", "--out", run, "--resume", "--steps", steps)
    assert result.exit_code == 0, result.output
    assert metric_steps(run) == list(range(1, steps + 1))  # redone steps replace, never duplicate


def test_sigkill_during_a_checkpoint_write_loses_at_most_one_interval(tmp_path, cli):
    run = tmp_path / "run"
    process = start(tmp_path, run, pause_at=2 * EVERY)
    wait_for(lambda: (tmp_path / "marker").exists(), process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert checkpoint_steps(run) == [EVERY]  # the half-written one never became a checkpoint
    assert list((run / "checkpoints").glob(".ckpt-*.tmp"))  # it is only a temporary file
    lost = max(metric_steps(run)) - checkpoint_steps(run)[-1]
    assert 0 < lost <= EVERY
    resume(cli, tmp_path, run, 3 * EVERY)
    assert checkpoint_steps(run)[-1] == 3 * EVERY
    assert not list((run / "checkpoints").glob(".ckpt-*.tmp"))  # the stale temporary file is cleaned up


@pytest.mark.slow
def test_sigkill_between_checkpoints_loses_at_most_one_interval(tmp_path, cli):
    run = tmp_path / "run"
    process = start(tmp_path, run, pause_at=-1)
    wait_for(lambda: (run / "metrics.csv").exists() and len(metric_steps(run)) >= 2 * EVERY + 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done, saved = max(metric_steps(run)), checkpoint_steps(run)[-1]
    assert 0 <= done - saved <= EVERY
    resume(cli, tmp_path, run, saved + EVERY)
