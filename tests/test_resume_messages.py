"""A resume says where it starts; a damaged newest checkpoint is named, with the reason, never skipped in silence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


def arrays(step: int) -> dict[str, np.ndarray]:
    return {"step": np.array(step), "g/0000": np.full((2, 2), step, np.float32)}


def test_an_unreadable_checkpoint_is_reported_with_its_reason(tmp_path):
    from artgan.trainer.checkpoints import list_checkpoints, load_checkpoint, save_checkpoint

    for step in (10, 20):
        save_checkpoint(tmp_path, step, arrays(step), keep=5)
    newest = list_checkpoints(tmp_path)[-1][1]
    with open(newest, "r+b") as handle:
        handle.truncate(100)  # `truncate -s 100`
    reported: list[tuple[Path, str]] = []
    loaded = load_checkpoint(tmp_path, on_unreadable=lambda path, why: reported.append((path, why)))
    assert loaded.step == 10
    assert [path for path, _ in reported] == [newest]
    assert "100 bytes" in reported[0][1] and "zip" in reported[0][1].lower()


def test_resume_names_the_damaged_file_and_the_step_it_resumes_from(run_copy, trained_run, cli):
    pytest.importorskip("tensorflow")
    data = trained_run.parent.parent / "paintings"
    newest = run_copy / "checkpoints" / "ckpt-00000012.npz"
    with open(newest, "r+b") as handle:
        handle.truncate(100)
    result = cli("train", data, "--out", run_copy, "--resume", "--steps", "13")
    assert result.exit_code == 0, result.output
    assert f"{newest} is unreadable" in result.stderr and "100 bytes" in result.stderr
    assert f"Resumed from step 6 ({run_copy / 'checkpoints' / 'ckpt-00000006.npz'})" in result.stderr


def test_every_resume_says_where_it_starts(run_copy, trained_run, cli):
    pytest.importorskip("tensorflow")
    result = cli("train", trained_run.parent.parent / "paintings", "--out", run_copy, "--resume", "--steps", "13")
    assert result.exit_code == 0, result.output
    assert f"Resumed from step 12 ({run_copy / 'checkpoints' / 'ckpt-00000012.npz'})" in result.stderr
    assert "unreadable" not in result.stderr


def test_nothing_readable_to_resume_lists_why(run_copy, trained_run, cli):
    pytest.importorskip("tensorflow")
    for path in (run_copy / "checkpoints").glob("ckpt-*.npz"):
        path.write_bytes(b"not a checkpoint")
    result = cli("train", trained_run.parent.parent / "paintings", "--out", run_copy, "--resume", "--steps", "13")
    assert result.exit_code == 1
    assert "nothing to resume" in result.stderr and "ckpt-00000006.npz:" in result.stderr
    assert "Traceback" not in result.output
