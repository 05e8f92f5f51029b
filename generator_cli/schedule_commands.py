"""`artgan schedule`: post the painting of the day every day, in the foreground."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Optional

import typer

from .console import err, fail, user_errors
from .post_commands import (
    CandidatesOption, ConfigOption, FeedOption, ModelOption, PublisherOption, StateOption, VerboseOption, build_setup, post_day,
    setup_logging, user_error_types,
)


def schedule(
    at: str = typer.Option("09:00", "--at", help="Local time of day to post, HH:MM."),
    jitter: str = typer.Option("0", "--jitter", help="Post up to this much later each day, e.g. 15m (fixed per date)."),
    retry: str = typer.Option("30m", "--retry", help="How often to check again when a post is missing or failed."),
    config: Optional[Path] = ConfigOption,
    publisher: Optional[list[str]] = PublisherOption,
    feed: Optional[Path] = FeedOption,
    state: Optional[Path] = StateOption,
    model: Optional[str] = ModelOption,
    candidates: Optional[int] = CandidatesOption,
    verbose: bool = VerboseOption,
) -> None:
    """Post once a day at --at (catching up at start if today's post is due); stop with Ctrl-C or SIGTERM."""
    from artgan.scheduler.loop import DailyLoop, parse_at, parse_duration

    try:
        at_time, jitter_delta, retry_delta = parse_at(at), parse_duration(jitter), parse_duration(retry)
    except ValueError as exc:
        raise fail(str(exc), code=2) from None
    if retry_delta.total_seconds() < 1:
        raise fail("--retry must be at least 1s", code=2)
    with user_errors(*user_error_types()):
        setup = build_setup(config, state, feed, model, publisher, candidates)
        setup_logging(setup.state, verbose)

        def is_done(day: str) -> bool:
            rows = [setup.history.get(day, p.name) for p in setup.publishers]
            return all(row is not None and row.status == "posted" for row in rows)

        try:
            loop = DailyLoop(lambda day: post_day(setup, day), is_done, at_time, jitter_delta, retry_delta)
        except ValueError as exc:
            raise fail(str(exc), code=2) from None
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)
    err.print(f"Posting daily at {at_time:%H:%M}" + (f" (+ up to {jitter})" if jitter_delta else "")
              + f" to {', '.join(p.name for p in setup.publishers)}. Stop with Ctrl-C.")
    loop.run()
    err.print("Stopped.")
