"""`artgan timelapse RUN`: the run's sample grids as an animated GIF/WebP (no TensorFlow)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .console import out, user_errors


def timelapse(
    run_dir: Path = typer.Argument(..., help="A run folder written by `artgan train`."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Animation file, .gif or .webp \\[default: RUN/timelapse.gif]."),
    fps: float = typer.Option(8.0, "--fps", help="Frames per second."),
    max_frames: int = typer.Option(200, "--max-frames", min=2, help="Thin the grids evenly to at most this many frames."),
) -> None:
    """Turn the fixed-noise sample grids of a run into an animation of the learning."""
    from artgan.trainer.timelapse import TimelapseError, make_timelapse

    with user_errors(TimelapseError):
        path, frames = make_timelapse(run_dir, out_path, fps, max_frames)
    out.print(f"{path} ({frames} frames)")
