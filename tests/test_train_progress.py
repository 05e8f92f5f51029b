"""Training progress: a bar whose essentials fit 80 columns in a terminal, plain flushed lines in a log."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from rich.console import Console

from artgan.generator_cli import train_progress
from artgan.generator_cli.train_progress import BarReporter, LineReporter, make_reporter


def log(step: int, quality=None):
    return SimpleNamespace(step=step, d_loss=1.2345, g_loss=0.6789, quality=quality)


def quality(step: int):
    return SimpleNamespace(step=step, swd=12.34, swd_floor=3.21, ms_ssim=0.123, ms_ssim_real=0.11, best=True,
                           mode_collapse=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(train_progress.time, "perf_counter", fake)
    monkeypatch.setattr(train_progress.time, "monotonic", fake)
    return fake


@pytest.mark.parametrize("width", [80, 120])
def test_the_bar_shows_step_total_speed_and_eta_whole(clock, width):
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    reporter = BarReporter(console, 20000, 32)
    reporter.update(14000, 20000, log(14000))
    clock.now += 10.0
    reporter.update(14010, 20000, log(14010))  # 1 step/s, 32 img/s: 5990 s left
    render = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    render.print(reporter.progress.make_tasks_table(reporter.progress.tasks))
    lines = [line for line in render.export_text().splitlines() if line.strip()]
    assert len(lines) == 1 and len(lines[0]) <= width
    line = lines[0]
    assert "14010/20000" in line and "32.0 img/s" in line and "ETA 1:39:50" in line and "…" not in line
    assert ("D 1.234 G 0.679" in line) == (width >= train_progress.NARROW)


def test_lines_for_a_log_every_interval_with_everything_in_them(clock):
    stream = io.StringIO()
    console = Console(file=stream, width=80, color_system=None)
    reporter = LineReporter(console, 100, 8, interval=30.0)
    reporter.update(1, 100, log(1))
    for step in range(2, 11):
        clock.now += 1.0  # one step a second
        reporter.update(step, 100, log(step))
    assert stream.getvalue().count("\n") == 1  # the first step, then nothing for 30 s
    clock.now += 30.0
    reporter.update(11, 100, log(11, quality(11)))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("step 1/100 ")
    last = lines[-1]
    assert last.startswith("step 11/100 (11%)") and "img/s" in last and "D 1.234 G 0.679" in last
    assert "SWD x1e3 12.3" in last and "ETA " in last
    reporter.update(100, 100, log(100))  # the last step always gets its line
    assert stream.getvalue().splitlines()[-1].startswith("step 100/100 (100%)")


def test_a_file_or_pipe_gets_lines_and_a_terminal_gets_the_bar(monkeypatch):
    piped = Console(file=io.StringIO())
    assert isinstance(make_reporter(piped, 10, 8, 30.0), LineReporter)
    monkeypatch.setattr(train_progress.sys.stdout, "isatty", lambda: True, raising=False)
    terminal = Console(file=io.StringIO(), force_terminal=True)
    assert isinstance(make_reporter(terminal, 10, 8, 30.0), BarReporter)


def test_train_writes_plain_progress_lines_when_not_a_terminal(cli, tmp_path):
    pytest.importorskip("tensorflow")
    from conftest import TINY, make_images

    data = make_images(tmp_path / "paintings", count=16)
    result = cli("train", data, *TINY, "--steps", "4", "--log-every", "0", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    steps = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("step ")]
    assert steps == ["1/4", "2/4", "3/4", "4/4"]
    assert "━" not in result.stderr  # no bar in a log


def test_the_evaluation_text_shows_streaks_beside_the_training_sets_when_measured():
    from artgan.generator_cli.train_progress import quality_text

    measured = SimpleNamespace(**vars(quality(5)), streaks=0.53, streaks_real=0.1)
    assert "streaks 0.53 (0.10)" in quality_text(measured)
    assert "streaks" not in quality_text(SimpleNamespace(**vars(quality(5)), streaks=None, streaks_real=None))
