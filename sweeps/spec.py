"""A sweep folder's ``sweep.json``: what every worker of the sweep trains, wherever it runs.

Rerunning `artgan sweep` on the same folder continues the study; it may raise ``--trials``
but not change what a trial is (the space, steps, base settings), since Optuna compares
trials with each other.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .space import Param, SpaceError, parse_space

SPEC_FILE = "sweep.json"
STUDY_FILE = "study.db"
PRUNERS = ("hyperband", "halving", "none")
# changing these would make trials incomparable; --trials, --workers and --storage may change
FIXED = ("data_dir", "steps", "params", "base", "pruner", "study_name", "seed")


class SweepError(Exception):
    """A sweep that cannot run as asked; the message says what to do."""


@dataclass
class SweepSpec:
    data_dir: str
    trials: int
    steps: int
    params: list[str]  # the --param strings, parsed again by every worker
    base: dict[str, Any] = field(default_factory=dict)  # TrainConfig settings shared by every trial
    pruner: str = "hyperband"
    study_name: str = "artgan"
    seed: int = 0  # TPE's seed
    storage: str = ""  # "" = the SQLite file in the sweep folder; else a URL without its password
    heartbeat_s: int = 60  # a trial whose worker is silent for 2x this is failed and retried
    max_retries: int = 3
    cache_dir: str = ""

    def __post_init__(self) -> None:
        if self.trials < 1 or self.steps < 1:
            raise SweepError(f"--trials and --steps must be at least 1, not {self.trials} and {self.steps}")
        if self.pruner not in PRUNERS:
            raise SweepError(f"--pruner must be one of {', '.join(PRUNERS)}, not {self.pruner!r}")
        if int(self.base.get("eval_every", 0)) < 1:
            raise SweepError("a sweep compares trials by their SWD: --eval-every must be at least 1")
        if self.heartbeat_s < 1:
            raise SweepError(f"--heartbeat must be at least 1 second, not {self.heartbeat_s}")
        try:
            parse_space(self.params)
        except SpaceError as exc:
            raise SweepError(str(exc)) from None

    @property
    def space(self) -> list[Param]:
        return parse_space(self.params)

    @property
    def grace_period_s(self) -> int:
        return 2 * self.heartbeat_s

    def save(self, folder: Path) -> None:
        from artgan.models.atomic import write_text_atomic

        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / SPEC_FILE, json.dumps(asdict(self), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: Path) -> "SweepSpec":
        path = folder / SPEC_FILE
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            raise SweepError(f"{folder} is not a sweep folder (it has no {SPEC_FILE}); start one with `artgan sweep DATA`") from None
        except (ValueError, TypeError) as exc:
            raise SweepError(f"{path} is unreadable ({exc}); it was written by another artgan version or edited") from None


def is_sweep_folder(folder: Path) -> bool:
    return (folder / SPEC_FILE).is_file()


def merge_with_existing(folder: Path, new: SweepSpec) -> SweepSpec:
    """The spec to run: the new one, unless the folder's sweep differs in what a trial is."""
    if not is_sweep_folder(folder):
        return new
    old = SweepSpec.load(folder)
    changed = [name for name in FIXED if getattr(old, name) != getattr(new, name)]
    if changed:
        raise SweepError(
            f"{folder} already holds a sweep with other {', '.join(changed)}; continue it with the same options "
            "(only --trials, --workers and --storage may change), or choose another folder with --out"
        )
    return new
