"""`artgan schedule`: post once a day at a set time, in the foreground, with the `schedule` library.

Two jobs share one check, :meth:`DailyLoop.catch_up` ("is today's post missing
and its time passed? then post"): a daily job at today's time (``--at`` plus a
per-day jitter, derived from the date so restarts agree on it), and a
catch-up job every ``retry`` minutes, which also retries a post that failed.
The check also runs once at start, so a machine that was off at posting time
posts when it comes back.  SIGTERM/SIGINT only set a flag: a post in progress
finishes, then the loop returns.

The clock is injectable (``clock``/``wait``) so tests can run months in
milliseconds; the `schedule` library reads ``datetime.datetime.now()`` itself,
so :func:`library_clock` points it at the same clock for the duration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import threading
import types
from typing import Callable, Iterator

import schedule

log = logging.getLogger("artgan.scheduler.loop")
Clock = Callable[[], dt.datetime]


def parse_at(text: str) -> dt.time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise ValueError(f"--at must be a time of day like 09:00, not {text!r}")
    return dt.time(int(match[1]), int(match[2]))


def parse_duration(text: str) -> dt.timedelta:
    """'15m', '1h', '90s', '1h30m' or '0'."""
    text = text.strip().lower()
    if text in ("0", ""):
        return dt.timedelta(0)
    parts = re.findall(r"(\d+)\s*([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text):
        raise ValueError(f"durations look like 15m, 1h or 90s, not {text!r}")
    units = {"h": "hours", "m": "minutes", "s": "seconds"}
    return sum((dt.timedelta(**{units[u]: int(n)}) for n, u in parts), dt.timedelta(0))


class DailyLoop:
    def __init__(
        self,
        post_day: Callable[[str], bool],
        is_done: Callable[[str], bool],
        at: dt.time,
        jitter: dt.timedelta = dt.timedelta(0),
        retry: dt.timedelta = dt.timedelta(minutes=30),
        clock: Clock = dt.datetime.now,
        wait: Callable[[float], bool] | None = None,
    ) -> None:
        if jitter >= dt.timedelta(hours=12):
            raise ValueError("--jitter must be shorter than 12 hours")
        self.post_day, self.is_done = post_day, is_done
        self.at, self.jitter, self.retry = at, jitter, retry
        self.clock = clock
        self.stop_requested = threading.Event()
        self.wait = wait or self.stop_requested.wait

    def due(self, day: dt.date) -> dt.datetime:
        """When ``day``'s post is due: the set time plus a jitter that depends only on the date."""
        offset = 0.0
        if self.jitter:
            fraction = int.from_bytes(hashlib.sha256(day.isoformat().encode()).digest()[:8], "big") / 2**64
            offset = fraction * self.jitter.total_seconds()
        return dt.datetime.combine(day, self.at) + dt.timedelta(seconds=int(offset))

    def catch_up(self) -> None:
        """Post today's painting if it is due and missing; failures are logged and retried by the next check."""
        now = self.clock()
        day = now.date().isoformat()
        if now < self.due(now.date()) or self.is_done(day):
            return
        log.info("posting the painting of %s", day)
        try:
            if not self.post_day(day):
                log.warning("the post for %s is not complete; retrying within %s", day, self.retry)
        except Exception as exc:  # noqa: BLE001 - a daemon logs and retries instead of dying overnight
            log.error("posting for %s failed: %s; retrying within %s", day, exc, self.retry)

    def _plan_next(self, scheduler: schedule.Scheduler) -> None:
        now = self.clock()
        due = self.due(now.date())
        if due <= now:
            due = self.due(now.date() + dt.timedelta(days=1))

        def fire() -> type[schedule.CancelJob]:
            self.catch_up()
            self._plan_next(scheduler)  # tomorrow has its own jitter
            return schedule.CancelJob

        scheduler.every().day.at(due.strftime("%H:%M:%S")).do(fire).tag("daily")
        log.info("next post due at %s", due.isoformat(sep=" "))

    def run(self) -> None:
        """Run until :meth:`stop` (or a signal handler calling it)."""
        with library_clock(self.clock):
            scheduler = schedule.Scheduler()
            scheduler.every(max(1, int(self.retry.total_seconds()))).seconds.do(self.catch_up).tag("catch-up")
            self.catch_up()
            self._plan_next(scheduler)
            while not self.stop_requested.is_set():
                scheduler.run_pending()
                idle = scheduler.idle_seconds
                if self.wait(max(0.0, min(idle if idle is not None else 60.0, 60.0))):
                    break
            scheduler.clear()
        log.info("schedule stopped")

    def stop(self, *_: object) -> None:
        self.stop_requested.set()


@contextlib.contextmanager
def library_clock(clock: Clock) -> Iterator[None]:
    """Make the `schedule` library read ``clock`` instead of the system clock (no-op for the real clock)."""
    if clock is dt.datetime.now:
        yield
        return

    class ClockDatetime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            value = clock()
            return value if tz is None else value.astimezone(tz)

    original = schedule.datetime
    schedule.datetime = types.SimpleNamespace(  # type: ignore[assignment]
        datetime=ClockDatetime, timedelta=dt.timedelta, time=dt.time, date=dt.date, tzinfo=dt.tzinfo, timezone=dt.timezone
    )
    try:
        yield
    finally:
        schedule.datetime = original  # type: ignore[assignment]
