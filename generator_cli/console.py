"""Shared terminal output and user-error handling for every artgan command."""

from __future__ import annotations

import contextlib
from typing import Iterator

import typer
from rich.console import Console

from artgan.models.artifact import ModelError

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextlib.contextmanager
def user_errors(*extra: type[BaseException]) -> Iterator[None]:
    """Turn mistakes a user can fix into one clear line instead of a traceback."""
    try:
        yield
    except (ModelError, FileExistsError, *extra) as exc:
        raise fail(str(exc)) from None


