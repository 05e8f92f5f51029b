"""The `artgan` command line.

Painting and posting import no TensorFlow; `train` and `export` load the
trainer lazily, inside the command, and say how to install it when missing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console

from artgan.models.artifact import ModelError

app = typer.Typer(
    name="artgan",
    help="Turn a folder of paintings into a painter: train a GAN, export it to ONNX, paint, post daily.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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


def _need_training_extra(command: str) -> None:
    if importlib.util.find_spec("tensorflow") is None or importlib.util.find_spec("tf2onnx") is None:
        raise fail(
            f"`artgan {command}` needs the training extra (TensorFlow, tf2onnx), which is not installed.\n"
            "Install it with:  pip install 'artgan[train]'   (from a checkout: pip install '.[train]')"
        )
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()


@app.command()
def train(
    data_dir: Path = typer.Argument(..., help="Folder of images (jpg, png, webp, ...; subfolders included)."),
    size: int = typer.Option(64, "--size", help="Image size in pixels: a power of two (16, 32, 64, 128, ...)."),
    steps: int = typer.Option(10_000, "--steps", min=1, help="Total training steps."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Run folder [default: runs/<folder name>]."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out from its newest checkpoint."),
    latent_dim: int = typer.Option(128, "--latent-dim", min=1),
    width: int = typer.Option(32, "--width", min=1, help="Channels at full resolution (x2 per halving)."),
    lr: float = typer.Option(2e-4, "--lr", min=0.0, help="Adam learning rate for both networks."),
    seed: int = typer.Option(0, "--seed"),
    sample_every: int = typer.Option(500, "--sample-every", min=1, help="Write a fixed-noise sample grid every N steps."),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", min=1),
) -> None:
    """Train a GAN on a folder of images; writes checkpoints, sample grids and metrics to the run folder."""
    _need_training_extra("train")
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.data import DataError, load_folder

    run_dir = out_dir or Path("runs") / data_dir.resolve().name
    with user_errors(DataError):
        if resume:
            if not (run_dir / "config.json").is_file():
                raise fail(f"nothing to resume in {run_dir}: it has no config.json. Drop --resume to start a new run.")
            config = TrainConfig.load(run_dir / "config.json")
            if steps != config.steps:
                config.steps = steps
        else:
            if (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir()):
                raise fail(
                    f"{run_dir} already holds a training run. Continue it with --resume, "
                    "or choose another folder with --out."
                )
            try:
                config = TrainConfig(
                    data_dir=str(data_dir), size=size, steps=steps, batch_size=batch_size, latent_dim=latent_dim,
                    width=width, lr_g=lr, lr_d=lr, seed=seed, sample_every=sample_every,
                    checkpoint_every=checkpoint_every, dataset_name=data_dir.resolve().name,
                )
            except ValueError as exc:
                raise fail(str(exc), code=2) from None
        err.print(f"Reading images from {data_dir} at {config.size} px ...")
        dataset = load_folder(data_dir, config.size)
        for path, reason in dataset.skipped[:10]:
            err.print(f"  [yellow]skipped[/] {path}: {reason}", highlight=False)
        if dataset.skipped:
            err.print(f"[yellow]Skipped {len(dataset.skipped)} unreadable file(s)[/]; training on {len(dataset)} images.")
        if resume and config.data_fingerprint and config.data_fingerprint != dataset.fingerprint:
            err.print("[yellow]Note:[/] the image folder changed since this run started; resuming on the new contents.")
        config.dataset_size, config.data_fingerprint = len(dataset), dataset.fingerprint

    _run_training(config, dataset.images, run_dir, resume)


def _run_training(config, images, run_dir: Path, resume: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from artgan.trainer.loop import TrainingError, train as run_train

    columns = [
        TextColumn("[bold]training"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), TextColumn("{task.fields[losses]}"),
    ]
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("train", total=config.steps, rate="", losses="")
        started, first_step = time.perf_counter(), None

        def report(step: int, total: int, log) -> None:
            nonlocal first_step
            first_step = first_step if first_step is not None else step - 1
            per_s = (step - first_step) / max(time.perf_counter() - started, 1e-9)
            progress.update(
                task, completed=step,
                rate=f"{per_s:.2f} steps/s {per_s * config.batch_size:.0f} img/s",
                losses=f"D {log.d_loss:.3f} G {log.g_loss:.3f}",
            )

        try:
            run_train(config, images, run_dir, resume=resume, progress=report)
        except TrainingError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            progress.stop()
            err.print(f"Interrupted: checkpoint saved in {run_dir / 'checkpoints'}. Continue with --resume.")
            raise typer.Exit(130) from None
    out.print(f"Run written to {run_dir}. Next: artgan export {run_dir}")


@app.command()
def export(
    run_dir: Path = typer.Argument(..., help="A run folder written by `artgan train`."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Painter file [default: RUN/export/<run>.onnx]."),
    step: Optional[int] = typer.Option(None, "--step", help="Export this checkpoint step [default: newest]."),
    credits: str = typer.Option("", "--credits", help="Credit line stored in the model (artist, data source)."),
    license: str = typer.Option("", "--license", help="Licence of the model/data, stored in the model."),
) -> None:
    """Export a trained run to ONNX: the painter (EMA generator) and its critic (discriminator)."""
    _need_training_extra("export")
    from artgan.trainer.export import export_run
    from artgan.trainer.loop import TrainingError

    with user_errors(TrainingError, FileNotFoundError):
        result = export_run(run_dir, out_path, step, credits=credits, license=license)
    out.print(f"painter: {result.painter} (step {result.step}, max |ONNX - Keras| = {result.painter_max_diff:.1e})")
    out.print(f"critic:  {result.critic} (max |ONNX - Keras| = {result.critic_max_diff:.1e})")


@app.command()
def paint(
    n: int = typer.Option(10, "--n", min=1, help="How many paintings."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m",
        help="Painter: a .onnx path or a model name from `artgan models`. Default: the bundled painter "
        "(for now a small PLACEHOLDER trained on generated shapes, not on paintings).",
    ),
    seed: Optional[int] = typer.Option(None, "--seed", help="Same seed, same paintings [default: random, printed]."),
    out_dir: Path = typer.Option(Path("paintings"), "--out", help="Folder for the files."),
    upscale_factor: int = typer.Option(4, "--upscale", min=1, max=16, help="Lanczos upscaling factor (1 = none)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    fmt: str = typer.Option("png", "--format", help="png, jpg or webp."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files of the same name."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
) -> None:
    """Paint new images with an exported painter (ONNX Runtime; no TensorFlow needed)."""
    from artgan.generator_cli.painting import FORMATS, PaintRequest, paint_to_files
    from artgan.models.runtime import load_model
    from artgan.models.store import resolve_painter

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", code=2)
    if device not in ("auto", "cpu", "cuda"):
        raise fail(f"--device must be auto, cpu or cuda, not {device!r}", code=2)
    seed = secrets.randbelow(2**31) if seed is None else seed
    with user_errors():
        loaded = load_model(resolve_painter(model), device=device, expect_kind="painter")  # type: ignore[arg-type]
        request = PaintRequest(n, seed, out_dir, upscale_factor, batch_size, fmt, overwrite)
        for path in paint_to_files(loaded, request):
            print(path, flush=True)  # plain paths on stdout, one per line, for scripts
    if loaded.info.placeholder:
        err.print("[dim]Painted with the placeholder painter; train your own with `artgan train`.[/]")
    err.print(f"[dim]{n} painting(s), seed {seed}, {loaded.info.resolution * upscale_factor} px, {loaded.provider}.[/]")


@app.command()
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


@app.command()
def models() -> None:
    """List the bundled and user painters."""
    from rich.table import Table

    from artgan.models.runtime import load_model
    from artgan.models.store import list_models, user_models_dir

    table = Table("name", "origin", "size", "steps", "data", "critic", "path")
    for entry in list_models():
        try:
            info = load_model(entry.path, device="cpu").info
            size, steps = f"{info.resolution}px", str(info.steps)
            data = info.dataset_name + (" (placeholder)" if info.placeholder else "")
        except ModelError as exc:
            size, steps, data = "-", "-", f"[red]unusable: {exc}[/]"
        table.add_row(entry.name, entry.origin, size, steps, data, "yes" if entry.critic else "no", str(entry.path))
    out.print(table)
    out.print(f"User models go in {user_models_dir()}", highlight=False)


def _default_state_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("artgan", appauthor=False)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
