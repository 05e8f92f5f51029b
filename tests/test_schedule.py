"""`artgan schedule`: the daily loop on the `schedule` library, with an injected clock."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from artgan.scheduler.loop import DailyLoop, parse_at, parse_duration


class World:
    """A fake clock and a record of what was posted when."""

    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        self.now, self.end = start, end
        self.posted: dict[str, dt.datetime] = {}
        self.attempts: list[dt.datetime] = []
        self.fail_first = 0

    def post_day(self, day: str) -> bool:
        self.attempts.append(self.now)
        if self.fail_first:
            self.fail_first -= 1
            raise RuntimeError("publisher down")
        self.posted.setdefault(day, self.now)
        return True

    def wait(self, seconds: float) -> bool:
        self.now += dt.timedelta(seconds=seconds)
        return self.now >= self.end

    def loop(self, **options) -> DailyLoop:
        return DailyLoop(self.post_day, lambda day: day in self.posted, parse_at("09:00"), clock=lambda: self.now,
                         wait=self.wait, **options)


def test_posts_once_a_day_at_the_set_time():
    world = World(dt.datetime(2026, 5, 1, 6, 0), dt.datetime(2026, 5, 4, 6, 0))
    world.loop().run()
    assert sorted(world.posted) == ["2026-05-01", "2026-05-02", "2026-05-03"]
    assert all(t.time() >= dt.time(9, 0) and t - t.replace(hour=9, minute=0, second=0) < dt.timedelta(minutes=1)
               for t in world.posted.values())


def test_catches_up_at_start_when_the_time_has_passed():
    world = World(dt.datetime(2026, 5, 1, 14, 30), dt.datetime(2026, 5, 1, 15, 0))
    world.loop().run()
    assert world.posted == {"2026-05-01": dt.datetime(2026, 5, 1, 14, 30)}


def test_does_not_post_before_the_time():
    world = World(dt.datetime(2026, 5, 1, 6, 0), dt.datetime(2026, 5, 1, 8, 59))
    world.loop().run()
    assert world.posted == {}


def test_jitter_is_fixed_per_date_and_within_range():
    loop = World(dt.datetime(2026, 5, 1), dt.datetime(2026, 5, 1)).loop(jitter=dt.timedelta(minutes=15))
    dues = [loop.due(dt.date(2026, 5, 1) + dt.timedelta(days=i)) for i in range(30)]
    offsets = {d - d.replace(hour=9, minute=0, second=0) for d in dues}
    assert all(dt.timedelta(0) <= o < dt.timedelta(minutes=15) for o in offsets) and len(offsets) > 20
    assert loop.due(dt.date(2026, 5, 1)) == dues[0]
    world = World(dt.datetime(2026, 5, 1, 6, 0), dt.datetime(2026, 5, 3, 6, 0))
    world.loop(jitter=dt.timedelta(minutes=15)).run()
    for day, at in world.posted.items():
        assert dt.timedelta(0) <= at - loop.due(dt.date.fromisoformat(day)) < dt.timedelta(minutes=1)


def test_a_failed_post_is_retried_by_the_next_check():
    world = World(dt.datetime(2026, 5, 1, 8, 0), dt.datetime(2026, 5, 1, 12, 0))
    world.fail_first = 2
    world.loop(retry=dt.timedelta(minutes=30)).run()
    assert len(world.attempts) == 3 and "2026-05-01" in world.posted
    assert world.attempts[2] - world.attempts[0] <= dt.timedelta(hours=1, minutes=1)


def test_stop_ends_the_loop():
    world = World(dt.datetime(2026, 5, 1, 6, 0), dt.datetime(2027, 1, 1))
    loop = world.loop()
    original = world.wait

    def wait_then_stop(seconds: float) -> bool:
        if world.now > dt.datetime(2026, 5, 2, 10, 0):
            loop.stop()
        return original(seconds) or loop.stop_requested.is_set()

    loop.wait = wait_then_stop
    loop.run()
    assert sorted(world.posted) == ["2026-05-01", "2026-05-02"]


@pytest.mark.parametrize("text", ["9am", "25:00", "09:60", ""])
def test_bad_times(text):
    with pytest.raises(ValueError, match="09:00"):
        parse_at(text)


@pytest.mark.parametrize("text, expected", [("15m", 900), ("1h30m", 5400), ("90s", 90), ("0", 0)])
def test_durations(text, expected):
    assert parse_duration(text).total_seconds() == expected


@pytest.mark.parametrize("args, message", [(["--at", "9am"], "--at must be"), (["--jitter", "soon"], "durations look like"),
                                           (["--jitter", "13h"], "shorter than 12 hours")])
def test_bad_schedule_options_are_usage_errors(cli, tmp_path, args, message):
    result = cli("schedule", "--state", tmp_path, *args)
    assert result.exit_code == 2 and message in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_command_catches_up_and_stops_cleanly_on_a_signal(tmp_path, sig):
    state = tmp_path / "state"
    past = (dt.datetime.now() - dt.timedelta(minutes=1)).strftime("%H:%M")
    if dt.datetime.now().strftime("%H:%M") < "00:02":
        pytest.skip("too close to midnight for a 'time has passed today' test")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "artgan.generator_cli.app", "schedule", "--at", past, "--state", str(state), "--n", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (state / "feed" / "feed.json").exists():
        time.sleep(0.2)
    time.sleep(0.5)
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Stopped." in err and "Traceback" not in err
    assert "Posted" in out
