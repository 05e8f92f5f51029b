"""`artgan post`: the painting of the day."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .console import err, fail, out, user_errors


def post(
    feed: Optional[Path] = typer.Option(None, "--feed", help="Feed folder [default: STATE/feed]."),
    state: Optional[Path] = typer.Option(None, "--state", help="History and staging folder [default: user data dir]."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Painter path or name [default: bundled]."),
    candidates: int = typer.Option(16, "--candidates", min=1, help="How many paintings to choose from."),
    day: Optional[str] = typer.Option(None, "--date", help="Post for this date (YYYY-MM-DD) [default: today]."),
) -> None:
    """Paint candidates, pick the best and post it as today's painting (at most once a day)."""
    import datetime as dt

    from artgan.models.runtime import load_model
    from artgan.models.store import critic_path_for, resolve_painter
    from artgan.scheduler.daily import post_today
    from artgan.scheduler.history import History
    from artgan.scheduler.publishers import FeedPublisher

    if day is not None:
        try:
            day = dt.date.fromisoformat(day).isoformat()
        except ValueError:
            raise fail(f"--date must look like 2026-05-17, not {day!r}", code=2) from None
    state_dir = state or _default_state_dir()
    with user_errors(RuntimeError):
        painter_path = resolve_painter(model)
        painter = load_model(painter_path, expect_kind="painter")
        critic_path = critic_path_for(painter_path)
        critic = load_model(critic_path, expect_kind="critic") if critic_path else None
        publisher = FeedPublisher(feed or state_dir / "feed")
        result = post_today(painter, critic, publisher, History(state_dir / "history.sqlite"), state_dir / "staging",
                            day=day, candidates=candidates)
    if result.already_posted:
        out.print(f"Already posted for {result.post.day} ({result.post.title}); nothing to do.")
    else:
        out.print(f"Posted \"{result.post.title}\" for {result.post.day} to {publisher.folder / 'index.html'}")
        if critic is None:
            err.print("[dim]No critic next to the painter: picked by colourfulness instead of critic score.[/]")


def _default_state_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("artgan", appauthor=False)


