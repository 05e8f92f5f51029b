"""`artgan cache list|clear`: the prepared-data cache that `artgan train` fills (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .console import fail, out
from .help_text import PlainCommand, PlainGroup, epilog

app = typer.Typer(
    help="List or clear the prepared training images that `artgan train` caches (rebuilt when needed).",
    no_args_is_help=True,
    cls=PlainGroup,
)
CacheDirOption = typer.Option(
    None, "--cache-dir", help="The cache folder \\[default: $ARTGAN_CACHE_DIR, else the user cache folder's datasets/]."
)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


@app.command("list", cls=PlainCommand, epilog=epilog("cache list"))
def list_cache(cache_dir: Optional[Path] = CacheDirOption) -> None:
    """Show each cached data set: its fingerprint, source folder, images, size and space on disk."""
    from artgan.trainer.cache import default_cache_root, list_cached

    root = cache_dir or default_cache_root()
    entries = list_cached(root)
    if not entries:
        out.print(f"The cache is empty ({root}).", highlight=False)
        return
    for e in entries:
        out.print(f"{e.fingerprint}  {e.images} images at {e.size} px  {_size(e.bytes)}  from {escape(e.source)}",
                  highlight=False)
    out.print(f"{len(entries)} cached set(s), {_size(sum(e.bytes for e in entries))} in {root}", highlight=False)


@app.command("clear", cls=PlainCommand, epilog=epilog("cache clear"))
def clear_cache(
    fingerprints: Optional[list[str]] = typer.Argument(None, help="Only these entries (from `artgan cache list`)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Clear everything without asking."),
    cache_dir: Optional[Path] = CacheDirOption,
) -> None:
    """Delete cached data sets (all, or the ones named); training rebuilds them from the images when needed."""
    from artgan.trainer.cache import default_cache_root, list_cached, remove_cached

    root = cache_dir or default_cache_root()
    entries = list_cached(root)
    if fingerprints:
        known = {e.fingerprint: e for e in entries}
        unknown = [f for f in fingerprints if f not in known]
        if unknown:
            raise fail(f"no cached set {unknown[0]!r} in {root}; see `artgan cache list`.", code=2)
        entries = [known[f] for f in fingerprints]
    if not entries:
        out.print(f"Nothing to clear ({root} holds no cached sets).", highlight=False)
        return
    if not fingerprints and not yes and not typer.confirm(f"Delete all {len(entries)} cached set(s) in {root}?"):
        raise typer.Exit(1)
    freed = remove_cached(entries)
    out.print(f"Cleared {len(entries)} cached set(s), {_size(freed)} freed.", highlight=False)
