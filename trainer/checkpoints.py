"""Checkpoints: every weight and optimizer slot, the step and the noise RNG, in one atomic file.

A checkpoint is ``checkpoints/ckpt-00001234.npz`` written through
:func:`artgan.models.atomic.atomic_write`, so a crash during a write leaves the
previous file intact.  Loading walks back from the newest file to the newest
one that reads cleanly.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from artgan.models.atomic import atomic_write

PATTERN = re.compile(r"^ckpt-(\d{8})\.npz$")


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
    for _, old in list_checkpoints(folder)[:-keep]:
        old.unlink(missing_ok=True)
    for stale in folder.glob(".ckpt-*.tmp"):  # left by a process killed mid-write; never a valid checkpoint
        stale.unlink(missing_ok=True)
    return path


def load_checkpoint(folder: Path, step: int | None = None) -> Checkpoint | None:
    """The checkpoint at ``step``, or the newest readable one; None if there is none."""
    candidates = list_checkpoints(folder)
    if step is not None:
        candidates = [(s, p) for s, p in candidates if s == step]
        if not candidates:
            raise FileNotFoundError(f"no checkpoint for step {step} in {folder}")
    for found_step, path in reversed(candidates):
        try:
            with np.load(path) as data:
                arrays = {key: data[key] for key in data.files}
            return Checkpoint(found_step, arrays, path)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError):
            continue  # unreadable (e.g. the disk lost it); fall back to an older one
    return None
