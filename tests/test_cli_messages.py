"""Messages a new user meets on wrong paths: what is wrong, in one line, and nothing misleading before it."""

from __future__ import annotations

import json

import pytest


def test_export_of_a_missing_path_says_not_found_and_no_note(cli, tmp_path):
    result = cli("export", tmp_path / "missing")
    assert result.exit_code == 1
    assert "not found" in result.stderr and "config.json" not in result.stderr
    assert "Note" not in result.output


def test_export_of_a_folder_that_is_not_a_run_has_no_note_before_the_error(cli, tmp_path):
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "not an artgan run" in result.stderr
    assert "Note" not in result.output
    (tmp_path / "config.json").write_text(json.dumps({"data_dir": "x", "size": 16}))
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "no readable checkpoint" in result.stderr
    assert "Note" not in result.output


def test_export_of_a_file_says_it_is_not_a_folder(cli, tmp_path):
    (tmp_path / "x.onnx").write_bytes(b"x")
    result = cli("export", tmp_path / "x.onnx")
    assert result.exit_code == 1 and "not a run folder" in result.stderr


@pytest.mark.parametrize(
    ("command", "option"),
    [(["paint", "--n", "1", "--seed", "1"], "--out"), (["pick", "--n", "2"], "--out"), (["post", "--n", "2"], "--feed")],
)
def test_an_output_folder_that_is_a_file_is_refused_clearly(cli, tmp_path, command, option):
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me")
    state = [] if command[0] == "paint" else ["--state", tmp_path / "state"]
    result = cli(*command, *state, option, existing)
    assert result.exit_code == 2, result.output
    assert f"{option} must be a folder" in result.stderr and "Errno" not in result.output
    assert existing.read_text() == "keep me"
