"""`artgan train` and `artgan export`: the only commands that need TensorFlow (loaded lazily)."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .console import err, fail, out, user_errors


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or blocked install counts as missing
        return False


def _need_training_extra(command: str) -> None:
    if not (_installed("tensorflow") and _installed("tf2onnx")):
        raise fail(
            f"`artgan {command}` needs the training extra (TensorFlow, tf2onnx), which is not installed.\n"
            "Install it with:  pip install 'artgan[train]'   (from a checkout: pip install '.[train]')"
        )
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()


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
    eval_every: int = typer.Option(
        1000, "--eval-every", min=0,
        help="Measure SWD and MS-SSIM diversity on a fixed sample every N steps and mark the best checkpoint (0 = never).",
    ),
    eval_samples: int = typer.Option(512, "--eval-samples", min=2, help="Images per quality evaluation."),
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
                    eval_every=eval_every, eval_samples=eval_samples,
                )
            except ValueError as exc:
                raise fail(str(exc), code=2) from None
        err.print(f"Reading images from {escape(str(data_dir))} at {config.size} px ...")
        dataset = load_folder(data_dir, config.size)
        for path, reason in dataset.skipped[:10]:
            err.print(f"  [yellow]skipped[/] {escape(str(path))}: {escape(reason)}", highlight=False)
        if dataset.skipped:
            err.print(f"[yellow]Skipped {len(dataset.skipped)} unreadable file(s)[/]; training on {len(dataset)} images.")
        if resume and config.data_fingerprint and config.data_fingerprint != dataset.fingerprint:
            err.print("[yellow]Note:[/] the image folder changed since this run started; resuming on the new contents.")
        config.dataset_size, config.data_fingerprint = len(dataset), dataset.fingerprint

    _run_training(config, dataset.images, run_dir, resume)


def _run_training(config, images, run_dir: Path, resume: bool) -> None:
    from artgan.trainer.loop import TrainingError
    from artgan.trainer.loop import train as run_train
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

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
            if log.quality:
                _report_quality(progress, log.quality)

        try:
            run_train(config, images, run_dir, resume=resume, progress=report)
        except TrainingError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            progress.stop()
            err.print(f"Interrupted: checkpoint saved in {run_dir / 'checkpoints'}. Continue with --resume.")
            raise typer.Exit(130) from None
    out.print(f"Run written to {run_dir}. Next: artgan export {run_dir}")


def _report_quality(progress, quality) -> None:
    """One line per evaluation above the progress bar (which is already full)."""
    figures = f"SWD x1e3 {quality.swd:.1f} (floor {quality.swd_floor:.1f}), MS-SSIM {quality.ms_ssim:.3f}"
    notes = (" [green]best[/]" if quality.best else "") + (
        f" [red]mode collapse: MS-SSIM of the training set is {quality.ms_ssim_real:.3f}[/]" if quality.mode_collapse else ""
    )
    progress.console.print(f"step {quality.step}: {figures}{notes}", highlight=False)


def export(
    run_dir: Path = typer.Argument(..., help="A run folder written by `artgan train`."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Painter file [default: RUN/export/<run>.onnx]."),
    checkpoint: str = typer.Option(
        "best", "--checkpoint",
        help="best (lowest SWD during training; the latest if never evaluated), latest, or a step number.",
    ),
    credits: str = typer.Option("", "--credits", help="Credit line stored in the model (artist, data source)."),
    license: str = typer.Option("", "--license", help="Licence of the model/data, stored in the model."),
    fp16: bool = typer.Option(False, "--fp16", help="Also write half-precision NAME.fp16.onnx (+ critic), for GPUs."),
) -> None:
    """Export a trained run to ONNX: the painter (EMA generator) and its critic (discriminator)."""
    step = choose_checkpoint_or_fail(run_dir, checkpoint)
    _need_training_extra("export")
    from artgan.trainer.export import export_run
    from artgan.trainer.loop import TrainingError

    with user_errors(TrainingError, FileNotFoundError):
        result = export_run(run_dir, out_path, step, credits=credits, license=license, fp16=fp16)
    out.print(f"painter: {result.painter} (step {result.step}, max |ONNX - Keras| = {result.painter_max_diff:.1e})")
    out.print(f"critic:  {result.critic} (max |ONNX - Keras| = {result.critic_max_diff:.1e})")
    if result.fp16 and result.fp16_max_diffs:
        for path, diff in zip(result.fp16, result.fp16_max_diffs):
            out.print(f"fp16:    {path} (max |ONNX - Keras| = {diff:.1e})")


def choose_checkpoint_or_fail(run_dir: Path, choice: str) -> int | None:
    """--checkpoint best|latest|STEP as a step (None = newest), saying when `best` falls back to the latest."""
    from artgan.trainer.checkpoints import choose_checkpoint

    try:
        step, note = choose_checkpoint(run_dir / "checkpoints", choice)
    except ValueError as exc:
        raise fail(str(exc), code=2) from None
    if note:
        err.print(f"[yellow]Note:[/] {escape(note)}.")
    return step
