"""`artgan history`: what was posted, where, and how far each post got."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .console import out, user_errors
from .post_commands import StateOption, default_state_dir


def history(
    state: Optional[Path] = StateOption,
    limit: int = typer.Option(30, "--limit", min=1, help="Show the newest N rows."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as JSON (every column) instead of a table."),
) -> None:
    """List the posting history, newest first."""
    from artgan.scheduler.history import History, HistoryError
    from rich.table import Table

    path = (state or default_state_dir()) / "history.sqlite"
    if not path.is_file():
        out.print(f"No history yet ({path} does not exist): nothing has been posted.", highlight=False)
        return
    with user_errors(HistoryError):
        rows = History(path, read_only=True).all()[:limit]
    if not rows and not as_json:
        out.print(f"No history yet ({path} holds no posts): nothing has been posted.", highlight=False)
        return
    if as_json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return
    table = Table("day", "publisher", "status", "title", "score", "remote id", "problem")
    for row in rows:
        status = row.status + (" (chosen by hand)" if row.chosen_by == "hand" else "")
        table.add_row(row.day, row.publisher, status, escape(row.title or ""),
                      "" if row.score is None else f"{row.score:.3f}", row.remote_id or "", escape(row.error or ""))
    out.print(table)
