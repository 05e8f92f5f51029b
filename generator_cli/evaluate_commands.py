"""`artgan evaluate`: SWD, MS-SSIM diversity and memorisation of a painter or a run, against real images.

An exported painter is run with ONNX Runtime (no TensorFlow); a run folder is
evaluated from its checkpoint through the trainer, loaded lazily.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.markup import escape

from .console import err, fail, out, user_errors


def evaluate(
    target: str = typer.Argument(
        ..., metavar="MODEL_OR_RUN",
        help="An exported painter (.onnx path or name from `artgan models`) or a run folder from `artgan train`.",
    ),
    data: Optional[Path] = typer.Option(
        None, "--data", help="Folder of real (training) images (default: the folder the model was trained on, if it is still there).",
    ),
    n: int = typer.Option(1000, "--n", min=2, help="How many images to generate."),
    seed: int = typer.Option(0, "--seed", help="Seed of the latents, patches, projections and pairs."),
    pairs: int = typer.Option(500, "--pairs", min=1, help="Random pairs for MS-SSIM diversity."),
    checkpoint: str = typer.Option("best", "--checkpoint", help="For a run folder: best, latest or a step number."),
    out_path: Optional[Path] = typer.Option(
        None, "--out", help="JSON report (default: RUN/evaluation/step-N.json for a run, NAME.evaluation.json here for a painter)."
    ),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda (painters only)."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON report on stdout instead of the table."),
) -> None:
    """Measure a painter's quality without any pretrained network: SWD, diversity and memorisation."""
    from artgan.evaluation.report import evaluate_sets, summary_lines
    from artgan.models.atomic import write_text_atomic
    from artgan.trainer.data import DataError, load_folder

    if device not in ("auto", "cpu", "cuda"):
        raise fail(f"--device must be auto, cpu or cuda, not {device!r}", code=2)
    run_dir = Path(target)
    with user_errors(DataError):
        if run_dir.is_dir():
            source = _from_run(run_dir, checkpoint, n, seed, batch_size)
        else:
            source = _from_painter(target, n, seed, batch_size, device)
        folder = _data_folder(data, source["recorded_data"])
        with err.status(f"Reading real images from {escape(str(folder))} at {source['resolution']} px ..."):
            real = load_folder(folder, source["resolution"])
        if real.skipped:
            err.print(f"[yellow]Skipped {len(real.skipped)} unreadable file(s)[/] in {escape(str(folder))}.")
        if len(real) < 2:
            raise fail(f"{folder} has {len(real)} usable image; evaluation needs at least 2 real images.")
        names = [str(path.relative_to(folder)) for path in real.files]
        with err.status(f"Evaluating {len(source['images'])} generated vs {len(real)} real images ..."):
            report = evaluate_sets(source["images"], real.images, names, seed=seed, pairs=pairs)
    report = {"model": source["label"], "checkpoint_step": source["step"], "data": str(folder), **report}
    path = out_path or source["default_out"]
    write_text_atomic(path, json.dumps(report, indent=2) + "\n")
    if as_json:
        print(json.dumps(report, indent=2))  # plain print: no console wrapping or markup for scripts
    else:
        _print(report, summary_lines(report))
    err.print(f"Report written to {escape(str(path))}")


def _from_painter(target: str, n: int, seed: int, batch_size: int, device: str) -> dict:
    from artgan.painter.painting import generate
    from artgan.models.runtime import load_model
    from artgan.models.store import resolve_painter

    painter = load_model(resolve_painter(target), device=device, expect_kind="painter")  # type: ignore[arg-type]
    with err.status(f"Painting {n} images with {escape(painter.name)} ..."):
        images = np.stack([image for _, image in generate(painter, seed, range(n), batch_size)])
    return {
        "images": images, "resolution": painter.info.resolution, "label": str(painter.path), "step": painter.info.steps,
        "recorded_data": painter.info.training_config.get("data_dir"),
        "default_out": Path(f"{painter.name}.evaluation.json"),
    }


def _from_run(run_dir: Path, checkpoint: str, n: int, seed: int, batch_size: int) -> dict:
    from .painting import latents
    from .train_commands import _need_training_extra, choose_checkpoint_or_fail

    step = choose_checkpoint_or_fail(run_dir, checkpoint)
    _need_training_extra("evaluate RUN")
    from artgan.trainer.export import load_trained
    from artgan.trainer.loop import TrainingError
    from artgan.trainer.quality import generate_images

    with user_errors(TrainingError, FileNotFoundError):
        config, gan = load_trained(run_dir, step)
    with err.status(f"Painting {n} images from step {gan.step} of {escape(str(run_dir))} ..."):
        # the same latents `artgan paint --seed` gives the exported painter
        images = generate_images(
            gan.ema_generator, latents(seed, range(n), config.latent_dim), batch_size, len(config.class_names)
        )
    return {
        "images": images, "resolution": config.size, "label": str(run_dir), "step": gan.step,
        "recorded_data": config.data_dir,
        "default_out": run_dir / "evaluation" / f"step-{gan.step:08d}.json",
    }


def _data_folder(data: Path | None, recorded: str | None) -> Path:
    if data is not None:
        return data
    if recorded and Path(recorded).is_dir():
        return Path(recorded)
    where = f" ({recorded} is not a folder here)" if recorded else ""
    raise fail(f"--data is needed: give the folder of real images to compare with{where}.", code=2)


def _print(report: dict, lines: list[str]) -> None:
    from rich.table import Table

    swd, div, mem = report["swd_x1e3"], report["ms_ssim"], report["memorisation"]
    table = Table("figure", "generated", "real", title=f"{report['model']} (step {report['checkpoint_step']})")
    table.add_row("SWD x1e3, average", f"{swd['average']:.2f}", f"{swd['real_floor']['average']:.2f} (floor)")
    for res, value in swd["levels"].items():
        table.add_row(f"  SWD x1e3, {res} px", f"{value:.2f}", f"{swd['real_floor']['levels'][res]:.2f}")
    table.add_row("MS-SSIM (lower = more diverse)", f"{div['generated']:.3f}", f"{div['real']:.3f}")
    table.add_row("nearest-image distance, median", f"{mem['median_nn_distance']:.1f}",
                  f"{mem['train_median_nn_distance']:.1f}")
    table.add_row("near copies", f"{100 * mem['near_copy_share']:.1f}%", "")
    out.print(table)
    for line in lines:
        out.print(f"[red]{escape(line)}[/]" if line.startswith("MODE COLLAPSE") else escape(line), highlight=False)
