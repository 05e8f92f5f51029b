"""SIGTERM or Ctrl-C mid-run, then --resume: every metrics.csv row equals the uninterrupted run's.

The subprocess is the real `artgan train`; each step is slowed a little (after
the networks' updates and before the loop's bookkeeping, so nothing numeric
changes) so that the signal lands mid-run, and at the worst moment: a
checkpoint saved right there would hold step N's weights under step N-1.
"""

from __future__ import annotations

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
import sys, time
import artgan.trainer.loop as loop
real_build = loop.GAN.build_train_step
def build(self):
    step = real_build(self)
    def slow_step(batch):  # the step's updates are done; its bookkeeping is not: a signal lands here
        values = step(batch)
        time.sleep(0.05)
        return values
    return slow_step
loop.GAN.build_train_step = build
from artgan.generator_cli.app import main
sys.argv = ["artgan"] + sys.argv[1:]
main()
"""
STEPS = 40
# columns that depend on the computation alone (wall time and speed do not)
COMPARED = ("step", "d_loss", "g_loss", "d_real", "d_fake", "swd_x1e3", "ms_ssim", "aug_p")


def command(data, run, *extra: str) -> list[str]:
    return [sys.executable, "-c", SCRIPT, "train", str(data), *TINY, "--steps", str(STEPS), "--checkpoint-every", "1000",
            "--sample-every", "1000", "--out", str(run), *extra]


def env() -> dict[str, str]:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def rows(run) -> list[tuple[str, ...]]:
    if not (run / "metrics.csv").exists():
        return []
    with open(run / "metrics.csv", newline="") as handle:
        return [tuple(r[k] for k in COMPARED) for r in csv.DictReader(handle)]


def run_to_the_end(data, run, *extra: str) -> subprocess.CompletedProcess:
    done = subprocess.run(command(data, run, *extra), env=env(), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return done


def interrupt(data, run, sig: int, after_rows: int) -> subprocess.CompletedProcess:
    process = subprocess.Popen(command(data, run), env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while len(rows(run)) < after_rows:
        assert process.poll() is None, f"training exited early: {process.stderr.read()}"
        assert time.monotonic() < deadline, "training did not get there in time"
        time.sleep(0.01)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_images(tmp_path_factory.mktemp("signal") / "paintings", count=16)


@pytest.fixture(scope="module")
def uninterrupted(data, tmp_path_factory):
    run = tmp_path_factory.mktemp("straight") / "run"
    run_to_the_end(data, run)
    return rows(run)


@pytest.mark.parametrize(
    ("sig", "code", "name"),
    [(signal.SIGTERM, 143, "SIGTERM"), pytest.param(signal.SIGINT, 130, "Ctrl-C", marks=pytest.mark.slow)],
    ids=["SIGTERM", "SIGINT"],
)
def test_resume_after_a_signal_repeats_the_uninterrupted_run(data, uninterrupted, tmp_path, sig, code, name):
    run = tmp_path / "run"
    stopped = interrupt(data, run, sig, after_rows=15)
    assert stopped.returncode == code, stopped.stderr
    assert "Traceback" not in stopped.stderr
    done = len(rows(run))
    assert 15 <= done < STEPS, "the signal should land mid-run"
    assert f"Stopped after step {done} ({name}" in stopped.stderr and "saved" in stopped.stderr
    resumed = run_to_the_end(data, run, "--resume")
    assert f"Resumed from step {done} (" in resumed.stderr
    assert len(uninterrupted) == STEPS
    assert rows(run) == uninterrupted  # every row, to the last digit written
