"""One trial: an ordinary artgan run folder trained with the trial's settings, reporting its SWD.

A retried trial (its worker died) trains in the folder of the trial it retries and resumes
from that folder's newest checkpoint when there is one.  ``trial.json`` in the folder says
how the trial ended: complete, pruned (at which step, why) or failed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any, Callable

import optuna

from .space import config_overrides
from .spec import SweepSpec

TRIAL_FILE = "trial.json"


def root_number(trial: optuna.trial.FrozenTrial) -> int:
    """The number of the first attempt: its folder is the folder of every retry."""
    first = retried_number(trial)
    return first if first is not None else trial.number


def retried_number(trial: optuna.trial.FrozenTrial) -> int | None:
    """The first attempt's number when this trial is a retry (as the retry callback records it)."""
    first = trial.system_attrs.get("failed_trial")
    return int(first) if first is not None else None


def frozen(trial: optuna.Trial) -> optuna.trial.FrozenTrial:
    return next(t for t in trial.study.get_trials(deepcopy=False) if t.number == trial.number)


def folder_name(number: int) -> str:
    return f"trial-{number:04d}"


def write_trial_file(folder: Path, record: dict[str, Any]) -> None:
    from artgan.models.atomic import write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / TRIAL_FILE, json.dumps(record, indent=2, sort_keys=True) + "\n")


def read_trial_file(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / TRIAL_FILE).read_text())
    except (OSError, ValueError):
        return {}


class TrialRunner:
    """The Optuna objective: keeps prepared data sets across the trials of one worker process."""

    def __init__(self, sweep_dir: Path, spec: SweepSpec, log: Callable[[str], None] = print) -> None:
        self.sweep_dir, self.spec, self.log = sweep_dir, spec, log
        self._datasets: dict[tuple, Any] = {}

    def __call__(self, trial: optuna.Trial) -> float:
        from artgan.trainer.checkpoints import load_checkpoint, read_best
        from artgan.trainer.loop import train
        from artgan.trainer.stopping import TrainingStopped  # Ctrl-C/SIGTERM end a run at a step boundary

        retry_of = retried_number(frozen(trial))
        number = trial.number if retry_of is None else retry_of
        folder = self.sweep_dir / folder_name(number)
        values = {p.name: p.suggest(trial) for p in self.spec.space}
        trial.set_user_attr("folder", folder.name)
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("interrupted", False)
        config, dataset = self._config(values)
        last = load_checkpoint(folder / "checkpoints") if (folder / "config.json").is_file() else None
        resume = last is not None
        record = {"trial": number, "attempt": trial.number, "params": values, "state": "running",
                  "host": socket.gethostname(), "pid": os.getpid()}
        if retry_of is not None:
            record["retry_of"] = retry_of
        if last is not None:
            record["resumed_from"] = last.step
        write_trial_file(folder, record)
        how = "resuming from its last checkpoint" if resume else "from the start"
        self.log(f"{folder.name}: {_describe(values)} ({how}{', a retry' if retry_of is not None else ''})")
        started = time.time()
        reached = {"step": 0}

        def report(quality) -> None:
            reached["step"] = quality.step
            trial.report(quality.swd, quality.step)
            trial.set_user_attr("step", quality.step)
            # the last evaluation only scores a finished run: pruning it there would save nothing
            if quality.step < config.steps and trial.should_prune():
                reason = (f"SWD x1e3 {quality.swd:.1f} at step {quality.step} was behind the other trials "
                          f"at that step ({self.spec.pruner} pruner)")
                raise optuna.TrialPruned(reason)

        try:
            train(config, dataset, folder, resume=resume, on_quality=report)
        except optuna.TrialPruned as pruned:
            record.update(state="pruned", step=reached["step"], reason=str(pruned))
            self.log(f"{folder.name}: pruned at step {reached['step']}: {pruned}")
            raise
        except (KeyboardInterrupt, TrainingStopped):
            trial.set_user_attr("interrupted", True)  # retried when the sweep is run again
            record.update(state="interrupted", reason="interrupted (Ctrl-C or SIGTERM); rerun the sweep to resume it")
            raise
        except Exception as exc:
            record.update(state="failed", reason=f"{type(exc).__name__}: {exc}")
            self.log(f"{folder.name}: failed: {exc}")
            raise
        finally:
            record.setdefault("step", reached["step"])
            record["wall_s"] = round(time.time() - started, 1)
            best = read_best(folder / "checkpoints")
            if best:
                record["best_swd_x1e3"], record["best_step"] = best["swd_x1e3"], best["step"]
            if record["state"] == "running":
                record.update(state="complete", step=config.steps)
            write_trial_file(folder, record)
            trial.set_user_attr("wall_s", record["wall_s"])
            _free_graph_memory()
        if not best:
            raise RuntimeError(f"{folder.name} finished without a quality evaluation (is --eval-every above --steps?)")
        self.log(f"{folder.name}: complete, best SWD x1e3 {best['swd_x1e3']:.1f} at step {best['step']}")
        return float(best["swd_x1e3"])

    def _config(self, values: dict[str, Any]):
        from artgan.trainer.cache import open_or_build
        from artgan.trainer.config import TrainConfig, default_augment_p, default_mode_seeking
        from artgan.trainer.data import PrepareSettings

        data_dir = Path(self.spec.data_dir)
        settings = {**self.spec.base, **config_overrides(values)}
        if "mode_seeking" not in settings:  # `artgan train`'s default for the trial's arch, unless it is swept
            settings["mode_seeking"] = default_mode_seeking(settings.get("arch", TrainConfig.arch), bool(settings.get("freeze_grown")))
        if "augment_p" not in settings:  # likewise fastgan's fixed augmentation probability (adaptive never rose)
            settings["augment_p"] = default_augment_p(settings.get("arch", TrainConfig.arch))
        config = TrainConfig(data_dir=str(data_dir), steps=self.spec.steps, dataset_name=data_dir.name, **settings)
        key = (config.size, config.crop, config.dedupe, config.classes, config.seed)
        if key not in self._datasets:
            prepare = PrepareSettings(config.size, config.crop, config.dedupe, config.classes == "auto", config.seed)
            self._datasets[key] = open_or_build(data_dir, prepare, Path(self.spec.cache_dir) if self.spec.cache_dir else None)
        dataset = self._datasets[key]
        config.dataset_size, config.data_fingerprint = len(dataset), dataset.fingerprint
        config.class_names = list(dataset.class_names)
        return config, dataset


def _describe(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()) or "no parameters"


def _free_graph_memory() -> None:
    import keras

    keras.backend.clear_session()  # one worker trains many trials: drop the last one's graphs
