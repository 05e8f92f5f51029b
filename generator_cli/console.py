"""Shared terminal output and user-error handling for every artgan command."""

from __future__ import annotations

import contextlib
from pathlib import Path
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


def require_out_folder(path: Path, option: str = "--out") -> None:
    """An existing non-folder given as an output folder is a user error, not an errno."""
    if path.exists() and not path.is_dir():
        raise fail(f"{option} must be a folder; {path} is a file. Give a folder name (it is created if missing).", code=2)
    for parent in path.parents:  # mkdir would fail with "Not a directory" on a file above it
        if parent.exists():
            if not parent.is_dir():
                raise fail(f"{option} {path}: {parent} is a file, not a folder.", code=2)
            break


@contextlib.contextmanager
def user_errors(*extra: type[BaseException]) -> Iterator[None]:
    """Turn mistakes a user can fix into one clear line instead of a traceback."""
    try:
        yield
    except (ModelError, FileExistsError, *extra) as exc:
        raise fail(str(exc)) from None


