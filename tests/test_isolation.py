"""Tests never touch the real home, and read-only commands (`pick`, `history`, `paint`) create no state."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from conftest import REAL_HOME, home_snapshot

DAY = "2026-02-03"


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder)


def test_every_user_folder_points_away_from_the_real_home(tmp_path):
    from platformdirs import user_cache_path, user_config_path, user_data_path

    assert Path.home().resolve() != REAL_HOME and Path(os.path.expanduser("~")).resolve() != REAL_HOME
    for folder in (user_cache_path("artgan"), user_config_path("artgan"), user_data_path("artgan")):
        assert not _inside(folder, REAL_HOME), folder


def test_session_fixtures_are_isolated_too(trained_run, isolated_session_home):
    """The shared trained run is built before any per-test fixture: its data cache must not be the user's."""
    cached = list((isolated_session_home / "cache" / "artgan" / "datasets").iterdir())
    assert cached, "the trained run's prepared images were cached somewhere else (the real ~/.cache?)"
    assert not _inside(trained_run, REAL_HOME)


def test_home_snapshot_sees_a_change(tmp_path):
    """The end-of-run check (conftest.pytest_sessionfinish) compares these snapshots; it must notice a write."""
    before = home_snapshot(tmp_path)
    (tmp_path / ".cache" / "artgan" / "datasets").mkdir(parents=True)
    (tmp_path / ".cache" / "artgan" / "datasets" / "x").write_bytes(b"1")
    assert home_snapshot(tmp_path) != before


def test_pick_creates_no_state_and_history_still_says_nothing_was_posted(cli, tmp_path):
    state = tmp_path / "state"
    result = cli("pick", "--n", "3", "--top", "1", "--state", state, "--date", DAY)
    assert result.exit_code == 0, result.output
    assert not state.exists()
    history = cli("history", "--state", state)
    assert history.exit_code == 0 and "No history yet" in history.stdout
    assert not state.exists()


def test_pick_and_history_with_default_state_write_nothing(cli):
    from platformdirs import user_data_path

    state = user_data_path("artgan", appauthor=False)
    assert cli("pick", "--n", "2", "--top", "1", "--date", DAY).exit_code == 0
    assert cli("history").exit_code == 0
    assert not state.exists()


def test_history_reads_without_changing_the_file(cli, tmp_path):
    state = tmp_path / "state"
    assert cli("post", "--state", state, "--n", "2", "--date", DAY).exit_code == 0
    gc.collect()  # the post's own connection checkpoints its WAL when it is closed
    before = {p.name: p.read_bytes() for p in state.iterdir() if p.is_file()}
    pick = cli("pick", "--n", "2", "--top", "1", "--state", state, "--date", "2026-02-04")
    table = cli("history", "--state", state)
    assert pick.exit_code == 0 and table.exit_code == 0 and DAY in table.stdout
    assert {p.name: p.read_bytes() for p in state.iterdir() if p.is_file()} == before


def test_history_of_an_empty_database_says_so(cli, tmp_path):
    from artgan.scheduler.history import History

    History(tmp_path / "history.sqlite").close()
    result = cli("history", "--state", tmp_path)
    assert result.exit_code == 0 and "No history yet" in result.stdout
