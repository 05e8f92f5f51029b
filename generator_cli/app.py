"""The `artgan` command line: one Typer app; each command lives in a module of its own.

Painting and posting import no TensorFlow; `train` and `export` load the
trainer lazily, inside the command, and say how to install it when missing.
"""

from __future__ import annotations

import typer

from . import (
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
    help="Turn a folder of paintings into a painter: train a GAN, export it to ONNX, paint, post daily.",
    no_args_is_help=True,
    add_completion=False,
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


app.command()(train_commands.train)
app.command()(train_commands.export)
app.command()(timelapse_commands.timelapse)
app.command()(paint_commands.paint)
app.command()(paint_commands.models)
app.command()(post_commands.post)
app.command()(post_commands.pick)
app.command()(history_commands.history)
app.command()(schedule_commands.schedule)
app.command()(evaluate_commands.evaluate)
app.command("train-upscaler")(upscaler_commands.train_upscaler)
app.command()(studio_commands.studio)
app.command()(sweep_commands.sweep)
app.command()(sweep_commands.sweeps)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
