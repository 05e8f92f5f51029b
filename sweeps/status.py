"""What a sweep has done: one row per trial, the best trial, and SWD against step as a PNG.

Everything comes from the study (so it works from any machine that reaches the storage);
the curves of a retried trial join those of its earlier attempts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState
from PIL import Image, ImageDraw

from .trial import folder_name
from .worker import slots

PLOT_FILE = "swd.png"
WIDTH, HEIGHT, MARGIN = 720, 400, 48
COLOURS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


@dataclass
class TrialRow:
    folder: str
    number: int  # the first attempt's number
    state: str  # complete | pruned | failed | running | waiting
    params: dict[str, Any]
    best_swd: float | None
    step: int  # the last step with a reported SWD
    wall_s: float  # summed over attempts
    attempts: int
    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, SWD x1e3)


def trial_rows(study: optuna.Study) -> list[TrialRow]:
    rows = []
    for number, attempts in sorted(slots(study).items()):
        last = attempts[-1]
        curve: dict[int, float] = {}
        for attempt in attempts:
            curve.update(attempt.intermediate_values)
        wall = sum(float(a.user_attrs.get("wall_s") or _duration(a)) for a in attempts)
        rows.append(TrialRow(
            folder=last.user_attrs.get("folder", folder_name(number)), number=number, state=_state(last),
            params=dict(last.params), best_swd=min(curve.values()) if curve else None,
            step=max(curve) if curve else 0, wall_s=wall, attempts=len(attempts), curve=sorted(curve.items()),
        ))
    return rows


def _state(trial: optuna.trial.FrozenTrial) -> str:
    return {TrialState.COMPLETE: "complete", TrialState.PRUNED: "pruned", TrialState.FAIL: "failed",
            TrialState.RUNNING: "running", TrialState.WAITING: "waiting"}[trial.state]


def _duration(trial: optuna.trial.FrozenTrial) -> float:
    if trial.datetime_start is None:
        return 0.0
    end = trial.datetime_complete or trial.datetime_start
    return (end - trial.datetime_start).total_seconds()


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The completed trial with the lowest best SWD (pruned trials never count)."""
    try:
        return study.best_trial
    except ValueError:
        return None


def plot_curves(rows: list[TrialRow], target: Path) -> bool:
    """SWD x1e3 (log scale) against step, one line per trial; False when nothing was reported."""
    from artgan.models.atomic import atomic_write

    points = [(s, v) for row in rows for s, v in row.curve if v > 0 and math.isfinite(v)]
    if not points:
        return False
    max_step = max(s for s, _ in points)
    low, high = math.log10(min(v for _, v in points)), math.log10(max(v for _, v in points))
    high = high if high > low else low + 1.0
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    left, right, top, bottom = MARGIN + 10, WIDTH - 150, MARGIN // 2, HEIGHT - MARGIN

    def xy(step: int, value: float) -> tuple[float, float]:
        y = (math.log10(value) - low) / (high - low)
        return left + (right - left) * step / max(max_step, 1), bottom - (bottom - top) * y

    draw.rectangle([left, top, right, bottom], outline=(0, 0, 0))
    draw.text((left, bottom + 8), "0", fill="black")
    draw.text((right - 30, bottom + 8), f"step {max_step}", fill="black")
    draw.text((4, top), f"{10 ** high:.0f}", fill="black")
    draw.text((4, bottom - 10), f"{10 ** low:.0f}", fill="black")
    draw.text((left + 4, top + 4), "SWD x1e3 (log) against step", fill="black")
    for i, row in enumerate(rows):
        colour = COLOURS[i % len(COLOURS)]
        line = [xy(s, v) for s, v in row.curve if v > 0 and math.isfinite(v)]
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
        for x, y in line:
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=colour)
        if line and row.state == "pruned":  # a cross where the pruner stopped it
            x, y = line[-1]
            draw.line([x - 5, y - 5, x + 5, y + 5], fill=colour, width=2)
            draw.line([x - 5, y + 5, x + 5, y - 5], fill=colour, width=2)
        draw.text((right + 10, top + 16 * i), f"{row.folder} {row.state}", fill=colour)
    with atomic_write(target, "wb") as handle:
        image.save(handle, format="PNG")
    return True
