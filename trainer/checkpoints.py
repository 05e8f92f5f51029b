"""Checkpoints: every weight and optimizer slot, the step and the noise RNG, in one atomic file.

A checkpoint is ``checkpoints/ckpt-00001234.npz`` written through
:func:`artgan.models.atomic.atomic_write`, so a crash during a write leaves the
previous file intact.  Loading walks back from the newest file to the newest
one that reads cleanly.

``checkpoints/best.json`` names the checkpoint with the best quality figure so
far (written by :mod:`.quality`); keep-last-K pruning never deletes it.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from artgan.models.atomic import atomic_write, write_text_atomic

PATTERN = re.compile(r"^ckpt-(\d{8})\.npz$")
BEST_FILE = "best.json"


@dataclass
class Checkpoint:
    step: int
    arrays: dict[str, np.ndarray]
    path: Path


def checkpoint_path(folder: Path, step: int) -> Path:
    return folder / f"ckpt-{step:08d}.npz"


def list_checkpoints(folder: Path) -> list[tuple[int, Path]]:
    """(step, path) of every checkpoint file, oldest first."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := PATTERN.match(p.name))]
    return sorted(found)


def save_checkpoint(folder: Path, step: int, arrays: dict[str, np.ndarray], keep: int) -> Path:
    path = checkpoint_path(folder, step)
    with atomic_write(path, "wb") as handle:
        np.savez(handle, **arrays)
    best = best_step(folder)
    for old_step, old in list_checkpoints(folder)[:-keep]:
        if old_step != best:  # the best checkpoint outlives keep-last-K
            old.unlink(missing_ok=True)
    for stale in folder.glob(".ckpt-*.tmp"):  # left by a process killed mid-write; never a valid checkpoint
        stale.unlink(missing_ok=True)
    return path


def load_checkpoint(
    folder: Path, step: int | None = None, on_unreadable: Callable[[Path, str], None] | None = None
) -> Checkpoint | None:
    """The checkpoint at ``step``, or the newest readable one; None if there is none.

    Each file that cannot be read is passed to ``on_unreadable`` with the reason
    before an older one is tried, so a fallback is never silent."""
    candidates = list_checkpoints(folder)
    if step is not None:
        candidates = [(s, p) for s, p in candidates if s == step]
        if not candidates:
            raise FileNotFoundError(f"no checkpoint for step {step} in {folder}")
    for found_step, path in reversed(candidates):
        try:
            with np.load(path) as data:
                arrays = {key: data[key] for key in data.files}
            if "step" not in arrays:
                raise ValueError("it holds no step number")
            return Checkpoint(found_step, arrays, path)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
            if on_unreadable is not None:  # e.g. the disk lost it; fall back to an older one
                on_unreadable(path, unreadable_reason(path, exc))
    return None


def unreadable_reason(path: Path, exc: BaseException) -> str:
    """Why a checkpoint could not be read, in words (a size of a few bytes means a cut-off write)."""
    try:
        size = f"{path.stat().st_size} bytes"
    except OSError:
        size = "size unknown"
    detail = str(exc).strip() or type(exc).__name__
    return f"{detail}; {size}, damaged or cut off"


def read_best(folder: Path) -> dict | None:
    """The best-checkpoint record ({"step": ..., figures...}), or None when there is none or it is unreadable."""
    try:
        record = json.loads((folder / BEST_FILE).read_text())
        return record if isinstance(record, dict) and isinstance(record.get("step"), int) else None
    except (OSError, ValueError):
        return None


def best_step(folder: Path) -> int | None:
    record = read_best(folder)
    return record["step"] if record else None


def write_best(folder: Path, record: dict) -> None:
    """Record the best checkpoint; its file must already exist (it is written first, so a crash never dangles)."""
    write_text_atomic(folder / BEST_FILE, json.dumps(record, indent=2, sort_keys=True) + "\n")


def forget_best(folder: Path) -> None:
    (folder / BEST_FILE).unlink(missing_ok=True)


def choose_checkpoint(folder: Path, choice: str) -> tuple[int | None, str | None]:
    """Resolve ``best``, ``latest`` or a step number to (step or None for the newest, a note for the user or None)."""
    choice = choice.strip().lower()
    if choice == "latest":
        return None, None
    if choice.isdigit():
        return int(choice), None
    if choice != "best":
        raise ValueError(f"--checkpoint must be best, latest or a step number, not {choice!r}")
    step = best_step(folder)
    if step is None:
        return None, "no quality evaluation in this run yet (see --eval-every): using the latest checkpoint"
    if not checkpoint_path(folder, step).is_file():
        return None, f"the best checkpoint (step {step}) is missing: using the latest checkpoint"
    return step, None
