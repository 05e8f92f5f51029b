"""`artgan train --deterministic`: TensorFlow's op determinism, recorded in config.json and kept on --resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import TINY, make_images

pytest.importorskip("tensorflow")

# op determinism is process-wide and cannot be undone: a fresh process, which reports whether it was on
SCRIPT = """
import sys
from tensorflow.python.framework import config as tf_config  # the public API can turn it on, not read it
from artgan.generator_cli.app import main
sys.argv = ["artgan"] + sys.argv[1:]
try:
    main()
except SystemExit as exit:
    code = exit.code or 0
print("determinism:", tf_config.is_op_determinism_enabled())
sys.exit(code)
"""


def train(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", SCRIPT, "train", *args], capture_output=True, text=True, env=env,
                          timeout=900)


def test_deterministic_turns_on_op_determinism_and_stays_on_for_resume(tmp_path):
    data = make_images(tmp_path / "paintings", count=16)
    run = tmp_path / "run"
    first = train(str(data), *TINY, "--steps", "2", "--checkpoint-every", "2", "--deterministic", "--out", str(run))
    assert first.returncode == 0, first.stderr[-2000:]
    assert "determinism: True" in first.stdout
    assert json.loads((run / "config.json").read_text())["deterministic"] is True
    again = train(str(data), "--out", str(run), "--resume", "--steps", "3")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "determinism: True" in again.stdout
