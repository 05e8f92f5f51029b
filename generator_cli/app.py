"""The `artgan` command line: one Typer app; each command lives in a module of its own.

Painting and posting import no TensorFlow; `train` and `export` load the
trainer lazily, inside the command, and say how to install it when missing.
"""

from __future__ import annotations

import typer

from .help_text import PlainCommand, PlainGroup, epilog

from . import (
    cache_commands,
    evaluate_commands,
    history_commands,
    paint_commands,
    post_commands,
    schedule_commands,
    studio_commands,
    sweep_commands,
    timelapse_commands,
    train_commands,
    upscaler_commands,
)

app = typer.Typer(
    name="artgan",
    cls=PlainGroup,
    help="Turn a folder of paintings into a painter: train a GAN, export it to ONNX, paint, post daily.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion for bash, zsh, fish, PowerShell
    pretty_exceptions_enable=False,
)



def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"artgan {version('artgan')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Turn a folder of paintings into a painter: train a GAN, export it to ONNX, paint, post daily."""


COMMANDS = {
    "train": train_commands.train,
    "export": train_commands.export,
    "timelapse": timelapse_commands.timelapse,
    "paint": paint_commands.paint,
    "models": paint_commands.models,
    "post": post_commands.post,
    "pick": post_commands.pick,
    "history": history_commands.history,
    "schedule": schedule_commands.schedule,
    "evaluate": evaluate_commands.evaluate,
    "train-upscaler": upscaler_commands.train_upscaler,
    "studio": studio_commands.studio,
    "sweep": sweep_commands.sweep,
    "sweeps": sweep_commands.sweeps,
}
for _name, _function in COMMANDS.items():
    app.command(_name, cls=PlainCommand, epilog=epilog(_name))(_function)
app.add_typer(cache_commands.app, name="cache", cls=PlainGroup, epilog=epilog("cache"))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
