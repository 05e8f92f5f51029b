"""`artgan train-upscaler`: learn a super-resolution network from the user's own images (needs TensorFlow)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .console import err, fail, out, user_errors
from .train_commands import _need_training_extra


def train_upscaler(
    data_dir: Path = typer.Argument(..., help="Folder of images like the ones you will upscale (subfolders included)."),
    out_path: Optional[Path] = typer.Option(
        None, "--out", help="Upscaler file \\[default: runs/<folder>/export/<folder>.upscaler.onnx, beside its painter]."
    ),
    scale: int = typer.Option(4, "--scale", help="2 or 4."),
    steps: int = typer.Option(4000, "--steps", min=1, help="Training steps (4000 at batch 32: 3-5 min on 2 CPU cores)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    crop: int = typer.Option(64, "--crop", min=8, help="High-resolution training crop in px."),
    width: int = typer.Option(64, "--width", min=2, help="Channels of the first layer."),
    lr: float = typer.Option(1e-3, "--lr", min=0.0),
    holdout: float = typer.Option(0.1, "--holdout", min=0.0, max=0.5, help="Share of images kept for the evaluation."),
    seed: int = typer.Option(0, "--seed"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing upscaler file."),
) -> None:
    """Train a learned x4 (or x2) upscaler on your images and export it to ONNX for `artgan paint`."""
    if not data_dir.is_dir():
        raise fail(f"{data_dir} is not a folder of images.")
    name = data_dir.resolve().name
    target = out_path or Path("runs") / name / "export" / f"{name}.upscaler.onnx"
    if target.suffix != ".onnx":
        raise fail(f"--out must end in .onnx, not {target.name}", code=2)
    if target.exists() and not overwrite:
        raise fail(f"{target} already exists. Use another --out, or --overwrite.")
    _need_training_extra("train-upscaler")
    from artgan.painter.upscaling import evaluate, load_upscaler
    from artgan.models.atomic import write_text_atomic
    from artgan.trainer.loop import TrainingError
    from artgan.trainer.upscaler import UpscalerConfig
    from artgan.trainer.upscaler import train_upscaler as run
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    config = UpscalerConfig(scale, steps, batch_size, crop, width, lr, holdout, seed)
    with user_errors(TrainingError), Progress(
        TextColumn("[bold]upscaler"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        TextColumn("{task.fields[loss]}"), console=err,
    ) as progress:
        task = progress.add_task("train", total=steps, loss="")
        trained = run(
            data_dir, target, config,
            progress=lambda k, total, loss: progress.update(task, completed=k, loss=f"L1 {loss:.4f}"),
        )
    for path, reason in trained.skipped[:10]:
        err.print(f"  [yellow]skipped[/] {escape(str(path))}: {escape(reason)}", highlight=False)
    out.print(f"upscaler: {target} (x{scale}, {trained.train_images} training images, {trained.train_s:.0f} s)")
    from artgan.models.runtime import file_sha256

    report = {"config": dataclasses.asdict(config), "path": str(target), "sha256": file_sha256(target),
              "train_images": trained.train_images, "heldout_images": len(trained.heldout), "train_s": trained.train_s}
    if trained.heldout:
        with user_errors():
            scores = evaluate(load_upscaler(target, device="cpu"), trained.heldout)
        report.update(scores)
        out.print(
            f"held-out {len(trained.heldout)} images, x{scale}: PSNR {scores['psnr_learned']:.2f} dB "
            f"(bicubic {scores['psnr_bicubic']:.2f}, Lanczos {scores['psnr_lanczos']:.2f}), "
            f"SSIM {scores['ssim_learned']:.4f} (bicubic {scores['ssim_bicubic']:.4f}, Lanczos {scores['ssim_lanczos']:.4f}), "
            f"lattice peaks {scores['lattice_learned']:.2f} (bicubic {scores['lattice_bicubic']:.2f}, "
            f"Lanczos {scores['lattice_lanczos']:.2f}), {scores['output_megapixels_per_s']:.2f} output MP/s"
        )
        if scores["default"] != "learned":
            out.print(
                f"[yellow]It does not beat bicubic and Lanczos on PSNR and SSIM without adding a grid, so `artgan paint` "
                f"keeps using bicubic beside its painter[/] (it is used only when given with --upscaler {escape(str(target))})."
            )
    write_text_atomic(target.with_suffix(".json"), json.dumps(report, indent=2) + "\n")
