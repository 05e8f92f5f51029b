"""A loss plot PNG drawn with Pillow from metrics.csv (no matplotlib, no TensorFlow)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from artgan.models.atomic import atomic_write
from PIL import Image, ImageDraw

SERIES = {"d_loss": (200, 60, 40), "g_loss": (40, 90, 200)}
WIDTH, HEIGHT, MARGIN = 640, 320, 40


def read_metrics(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _smooth(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


def plot_losses(metrics: Path, target: Path) -> bool:
    """Draw D and G losses against the step (moving average); False if there is nothing to draw."""
    rows = read_metrics(metrics)
    steps = [int(r["step"]) for r in rows]
    series = {}
    for name in SERIES:
        values = [float(r[name]) for r in rows]
        if values and all(math.isfinite(v) for v in values):
            series[name] = _smooth(values, max(1, len(values) // 100))
    if len(steps) < 2 or not series:
        return False
    low = min(min(v) for v in series.values())
    high = max(max(v) for v in series.values())
    high = high if high > low else low + 1.0
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = MARGIN, WIDTH - 10, 10, HEIGHT - MARGIN // 2 - 10
    draw.rectangle([left, top, right, bottom], outline=(160, 160, 160))

    def xy(step: int, value: float) -> tuple[float, float]:
        x = left + (step - steps[0]) / max(steps[-1] - steps[0], 1) * (right - left)
        return x, bottom - (value - low) / (high - low) * (bottom - top)

    for label_y, value in ((top, high), (bottom - 10, low)):
        draw.text((2, label_y), f"{value:.2f}", fill=(90, 90, 90))
    draw.text((left, bottom + 4), f"step {steps[0]}", fill=(90, 90, 90))
    draw.text((right - 80, bottom + 4), f"step {steps[-1]}", fill=(90, 90, 90))
    for offset, (name, values) in enumerate(series.items()):
        draw.line([xy(s, v) for s, v in zip(steps, values)], fill=SERIES[name], width=2)
        draw.text((left + 10 + 80 * offset, top + 4), name, fill=SERIES[name])
    with atomic_write(target, "wb") as handle:
        image.save(handle, format="PNG")
    return True
