"""Shared terminal output and user-error handling for every artgan command."""

from __future__ import annotations

import contextlib
from typing import Iterator

import typer
from artgan.models.artifact import ModelError
from rich.console import Console
from rich.markup import escape

out = Console(soft_wrap=True)  # long paths stay whole: terminals wrap, scripts grep
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False)  # paths may hold [brackets]
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors(*extra: type[BaseException]) -> Iterator[None]:
    """Turn mistakes a user can fix into one clear line instead of a traceback."""
    try:
        yield
    except (ModelError, FileExistsError, *extra) as exc:
        raise fail(str(exc)) from None


