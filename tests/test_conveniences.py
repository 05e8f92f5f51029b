"""What a new user expects of a command-line tool: completion, `python -m artgan`, examples in --help,
readable metavars, whole paths in `artgan models`, a batch-size warning, and `artgan cache`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from artgan.generator_cli.app import COMMANDS, app


def help_text(*args: str, width: int = 80) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=width, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.output


def test_shell_completion_can_be_installed_and_shown(monkeypatch):
    import shellingham

    assert "--install-completion" in help_text() and "--show-completion" in help_text()
    # Typer finds the shell by walking up the process tree (shellingham), so the test says which
    # one it is: under CI or nohup the parent may be sh or dash, which Typer does not support
    monkeypatch.setattr(shellingham, "detect_shell", lambda *args, **kwargs: ("bash", "/bin/bash"))
    result = CliRunner().invoke(app, ["--show-completion"], prog_name="artgan")
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "complete" in result.output and "artgan" in result.output.lower()


def test_python_dash_m_artgan_runs_the_cli(tmp_path):
    result = subprocess.run([sys.executable, "-m", "artgan", "--version"], capture_output=True, text=True, cwd=tmp_path,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("artgan ")


@pytest.mark.parametrize("command", [*COMMANDS, "cache", "cache list", "cache clear"])
def test_every_command_help_has_examples_and_plain_metavars(command):
    text = help_text(*command.split())
    assert "Examples:" in text
    assert f"artgan {command}" in text.split("Examples:")[1]
    assert "<bool>" not in text and "<str>" not in text and "<int" not in text and "<path>" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_models_shows_paths_whole_at_80_columns(tmp_path):
    from artgan.models.store import list_models

    result = CliRunner().invoke(app, ["models"], terminal_width=80, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    for entry in list_models():
        assert str(entry.path) in result.output.replace("\n", "") and str(entry.path) in result.output


def test_cache_lists_and_clears_the_prepared_data(cli, tmp_path, monkeypatch):
    from artgan.trainer.cache import open_or_build
    from artgan.trainer.data import PrepareSettings
    from conftest import make_images

    root = tmp_path / "cache"
    monkeypatch.setenv("ARTGAN_CACHE_DIR", str(root))
    empty = cli("cache", "list")
    assert empty.exit_code == 0 and "empty" in empty.stdout
    built = [open_or_build(make_images(tmp_path / f"set{i}", count=4, seed=i), PrepareSettings(16, "centre", False, False, 0))
             for i in range(2)]
    listed = cli("cache", "list")
    assert listed.exit_code == 0
    for entry in built:
        assert entry.fingerprint in listed.stdout and "4 images at 16 px" in listed.stdout
    assert "2 cached set(s)" in listed.stdout
    one = cli("cache", "clear", built[0].fingerprint)
    assert one.exit_code == 0 and not built[0].path.exists() and built[1].path.exists()
    unknown = cli("cache", "clear", "feedfacefeedface")
    assert unknown.exit_code == 2 and "no cached set" in unknown.stderr
    asked = CliRunner().invoke(app, ["cache", "clear"], input="n\n")
    assert asked.exit_code == 1 and built[1].path.exists()  # said no
    cleared = cli("cache", "clear", "--yes")
    assert cleared.exit_code == 0 and not built[1].path.exists() and "Cleared 1" in cleared.stdout


def test_a_batch_larger_than_the_data_set_is_warned_about(cli, tmp_path):
    pytest.importorskip("tensorflow")
    from conftest import TINY, make_images

    data = make_images(tmp_path / "paintings", count=5)
    result = cli("train", data, *TINY, "--steps", "1", "--eval-every", "0", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "--batch-size 8 is more than the 5 images" in result.stderr
