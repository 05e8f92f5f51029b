"""Training progress that stays readable where training runs: a terminal, or a log file.

In a terminal: one bar whose step/total, img/s and ETA always fit in 80
columns (the losses come last and are the only part left out when narrow).
Anywhere else (nohup, cron, CI, ``| tee``): a plain line, flushed, every
``interval`` seconds and at the first and last step, so a log shows how a run
goes while it goes.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

NARROW = 100  # below this width the bar leaves the losses out


def format_eta(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds == float("inf"):
        return "-:--:--"
    return str(dt.timedelta(seconds=int(round(seconds))))


class Rate:
    """Steps/s and img/s since the first step this process reported (so neither tracing the step
    function nor the steps a resumed run skipped count); None until there are two points."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self.first: tuple[int, float] | None = None

    def update(self, step: int) -> tuple[float, float] | None:
        now = time.perf_counter()
        if self.first is None:
            self.first = (step, now)
            return None
        first_step, started = self.first
        if step <= first_step or now <= started:
            return None
        steps_per_s = (step - first_step) / (now - started)
        return steps_per_s, steps_per_s * self.batch_size


def eta_and_rate(rate: tuple[float, float] | None, step: int, total: int) -> tuple[str, str]:
    if rate is None:
        return format_eta(None), "... img/s"
    steps_per_s, images_per_s = rate
    return format_eta((total - step) / steps_per_s), f"{images_per_s:.1f} img/s"


def quality_text(quality: Any) -> str:
    text = f"SWD x1e3 {quality.swd:.1f} (floor {quality.swd_floor:.1f}), MS-SSIM {quality.ms_ssim:.3f}"
    if getattr(quality, "streaks", None) is not None:  # lines in the fine texture; the training set's beside it
        text += f", streaks {quality.streaks:.2f} ({quality.streaks_real:.2f})"
    if quality.best:
        text += " (best so far)"
    if quality.mode_collapse:
        text += f"; mode collapse? the training set's MS-SSIM is {quality.ms_ssim_real:.3f}"
    return text


class Reporter(Protocol):
    def __enter__(self) -> "Reporter": ...
    def __exit__(self, *exc: object) -> None: ...
    def update(self, step: int, total: int, log: Any) -> None: ...
    def message(self, text: str, style: str = "") -> None: ...


class _Losses(ProgressColumn):
    """The losses, only when the terminal is wide enough for them after the essentials."""

    def __init__(self, console: Console) -> None:
        super().__init__()
        self.console = console

    def render(self, task: Task) -> Text:
        return Text(task.fields["losses"] if self.console.width >= NARROW else "", no_wrap=True)


class BarReporter:
    def __init__(self, console: Console, total: int, batch_size: int) -> None:
        self.console, self.rate = console, Rate(batch_size)
        columns = [
            TextColumn("[bold]training"),
            BarColumn(bar_width=None),  # takes what is left: the text columns are never cut
            TextColumn("{task.completed}/{task.total}"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA {task.fields[eta]}"),
            _Losses(console),
        ]
        self.progress = Progress(*columns, console=console, transient=False, expand=True)
        self.task = self.progress.add_task("train", total=total, rate="... img/s", eta=format_eta(None), losses="")

    def __enter__(self) -> "BarReporter":
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, step: int, total: int, log: Any) -> None:
        eta, rate = eta_and_rate(self.rate.update(step), step, total)
        self.progress.update(
            self.task, completed=step, total=total, rate=rate, eta=eta, losses=f"D {log.d_loss:.3f} G {log.g_loss:.3f}"
        )
        if log.quality:
            self.message(f"step {log.quality.step}: {quality_text(log.quality)}")

    def message(self, text: str, style: str = "") -> None:
        self.progress.console.print(f"[{style}]{escape(text)}[/]" if style else escape(text), highlight=False)


class LineReporter:
    """Plain flushed lines for logs: step/total, img/s, losses, quality when measured, ETA."""

    def __init__(self, console: Console, total: int, batch_size: int, interval: float) -> None:
        self.console, self.total, self.interval = console, total, interval
        self.rate = Rate(batch_size)
        self.last_print: float | None = None
        self.pending_quality: str | None = None

    def __enter__(self) -> "LineReporter":
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def update(self, step: int, total: int, log: Any) -> None:
        eta, rate = eta_and_rate(self.rate.update(step), step, total)
        if log.quality:
            self.pending_quality = quality_text(log.quality)
        now = time.monotonic()
        due = self.last_print is None or now - self.last_print >= self.interval or step >= total or log.quality
        if not due:
            return
        self.last_print = now
        parts = [f"step {step}/{total} ({100 * step / max(total, 1):.0f}%)", rate, f"D {log.d_loss:.3f} G {log.g_loss:.3f}"]
        if self.pending_quality:
            parts.append(self.pending_quality)
            self.pending_quality = None
        parts.append(f"ETA {eta}")
        self.message(" | ".join(parts))

    def message(self, text: str, style: str = "") -> None:
        self.console.print(text, markup=False, highlight=False, soft_wrap=True)
        self.console.file.flush()


def is_interactive(console: Console) -> bool:
    """A live bar only when both the progress stream and stdout are terminals (not nohup, cron, CI, | tee)."""
    return console.is_terminal and sys.stdout.isatty()


def make_reporter(console: Console, total: int, batch_size: int, interval: float) -> Reporter:
    if is_interactive(console):
        return BarReporter(console, total, batch_size)
    return LineReporter(console, total, batch_size, interval)
