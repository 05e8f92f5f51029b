"""pick, history and schedule, like paint and post, must work where TensorFlow cannot be imported."""

from test_without_tensorflow import run_blocked


def test_pick_history_and_schedule_run_without_tensorflow(tmp_path):
    pick = run_blocked("pick", "--n", "3", "--top", "1", "--state", tmp_path / "s", cwd=tmp_path)
    assert pick.returncode == 0, pick.stderr
    assert "Best of 3" in pick.stdout
    history = run_blocked("history", "--state", tmp_path / "s", cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    schedule = run_blocked("schedule", "--help", cwd=tmp_path)
    assert schedule.returncode == 0 and "--jitter" in schedule.stdout
