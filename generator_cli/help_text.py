"""What `artgan COMMAND --help` shows beyond the options: examples, and plain metavars.

Typer labels every value as ``<str>``, ``<int>``, ``<bool>`` (even for flags,
which take no value).  The app's command classes give flags no label and
values the usual command-line ones (TEXT, N, NUMBER, PATH; an argument its
own name), once for every command instead of on each option.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

EXAMPLES: dict[str, list[str]] = {
    "train": ["artgan train ./impressionism --size 64 --steps 20000",
              "artgan train ./impressionism --resume --steps 30000"],
    "export": ["artgan export runs/impressionism", "artgan export runs/impressionism --checkpoint latest --compact"],
    "timelapse": ["artgan timelapse runs/impressionism --out learning.webp"],
    "paint": ["artgan paint --n 16 --seed 7 --grid",
              "artgan paint --model runs/impressionism/export/impressionism.onnx --size 2048"],
    "models": ["artgan models"],
    "post": ["artgan post", "artgan post --feed /var/www/art -p feed"],
    "pick": ["artgan pick --n 64 --top 5 --out best/"],
    "history": ["artgan history", "artgan history --json"],
    "schedule": ["artgan schedule --at 09:00 --jitter 15m"],
    "evaluate": ["artgan evaluate runs/impressionism/export/impressionism.onnx --data ./impressionism",
                 "artgan evaluate runs/impressionism --checkpoint best"],
    "train-upscaler": ["artgan train-upscaler ./impressionism"],
    "cache": ["artgan cache list", "artgan cache clear --yes"],
    "studio": ["artgan studio", "artgan studio --model runs/impressionism/export/impressionism.onnx --port 8765"],
    "sweep": ["artgan sweep ./impressionism --trials 8 --param lr=1e-4..1e-3:log --param width=16,32 --steps 2000",
              "artgan sweep ./impressionism --status"],
    "sweeps": ["artgan sweeps runs/impressionism-sweep"],
    "cache list": ["artgan cache list", "artgan cache list --cache-dir /scratch/artgan-cache"],
    "cache clear": ["artgan cache clear --yes", "artgan cache clear 9d516e4d4ce25922"],
}


def epilog(command: str) -> str:
    """Examples as separate paragraphs (Typer's help joins single lines)."""
    return "\n\n".join(["Examples:", *EXAMPLES[command]])


LABELS = {"int": "N", "integer": "N", "float": "NUMBER", "path": "PATH", "file": "PATH", "directory": "PATH"}


def _label(param: Any, ctx: Any) -> str:
    """From the type Typer would show (``<int range>`` -> N); choices keep their list."""
    try:
        shown = str(param.display_type(ctx)).strip("<>")
    except AttributeError:  # a Typer on plain click: its type's name
        shown = getattr(getattr(param, "type", None), "name", "")
    if "|" in shown:
        return "[" + shown + "]"
    return LABELS.get(shown.replace(" range", ""), "TEXT")


def _plain(params: list[Any], ctx: Any) -> None:
    for param in params:
        if isinstance(param, TyperOption):
            if param.is_flag:
                param.metavar = ""  # a flag takes no value: no label at all
            elif param.metavar is None:
                param.metavar = _label(param, ctx)
        elif isinstance(param, TyperArgument):
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign] # the name says it


class PlainCommand(TyperCommand):
    """A command whose --help shows TEXT/N/PATH labels, none for flags."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _plain(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)


class PlainGroup(TyperGroup):
    def format_help(self, ctx: Any, formatter: Any) -> None:
        _plain(self.get_params(ctx), ctx)
        super().format_help(ctx, formatter)
