"""An animated GIF/WebP of a run's fixed-noise sample grids: the learning, frame by frame.

Pillow only (no TensorFlow), so `artgan timelapse` is quick.  Each frame is
captioned with its step; the last frame is held a little longer.
"""

from __future__ import annotations

import re
from pathlib import Path

from artgan.models.atomic import atomic_write
from PIL import Image, ImageDraw

FORMATS = {".gif": "GIF", ".webp": "WEBP"}
SAMPLE = re.compile(r"^step-(\d+)\.png$")
CAPTION_HEIGHT = 14


class TimelapseError(Exception):
    """Nothing to animate, or an unsupported output; worded for the user."""


def sample_grids(run_dir: Path) -> list[tuple[int, Path]]:
    folder = run_dir / "samples"
    if not folder.is_dir():
        return []
    return sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := SAMPLE.match(p.name)))


def _frame(path: Path, step: int) -> Image.Image:
    with Image.open(path) as grid:
        grid = grid.convert("RGB")
        frame = Image.new("RGB", (grid.width, grid.height + CAPTION_HEIGHT), "white")
        frame.paste(grid, (0, CAPTION_HEIGHT))
    ImageDraw.Draw(frame).text((2, 1), f"step {step}", fill=(0, 0, 0))
    return frame


def make_timelapse(run_dir: Path, out: Path | None = None, fps: float = 8.0, max_frames: int = 200) -> tuple[Path, int]:
    """Write the animation; return its path and frame count."""
    out = out or run_dir / "timelapse.gif"
    if out.suffix.lower() not in FORMATS:
        raise TimelapseError(f"--out must end in .gif or .webp, not {out.name}")
    if fps <= 0:
        raise TimelapseError(f"--fps must be above 0, not {fps}")
    grids = sample_grids(run_dir)
    if not grids:
        raise TimelapseError(f"{run_dir} has no sample grids (samples/step-*.png); train it first with `artgan train`.")
    stride = max(1, -(-len(grids) // max_frames))  # thin evenly, always keeping the last grid
    chosen = grids[::stride]
    chosen[-1] = grids[-1]  # always end on the newest grid
    frames = [_frame(path, step) for step, path in chosen]
    duration = int(1000 / fps)
    durations = [duration] * (len(frames) - 1) + [max(duration, 1500)]
    with atomic_write(out, "wb") as handle:
        frames[0].save(
            handle, format=FORMATS[out.suffix.lower()], save_all=True, append_images=frames[1:],
            duration=durations, loop=0,
        )
    return out, len(frames)
