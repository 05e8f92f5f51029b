"""Starting (or continuing, or joining) a sweep from one machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .launch import run_workers
from .spec import SweepError, SweepSpec, merge_with_existing
from .study import open_study, without_password
from .worker import retry_interrupted, run_worker


def start_sweep(
    folder: Path,
    spec: SweepSpec,
    storage: str = "",
    workers: int = 1,
    gpus: list[str] | None = None,
    tries: list[dict[str, Any]] | None = None,
    log: Callable[[str], None] = print,
) -> None:
    """Write sweep.json, create or join the study, queue ``tries`` on a new study, run the workers."""
    if workers < 1:
        raise SweepError(f"--workers must be at least 1, not {workers}")
    spec.storage = without_password(storage)
    spec = merge_with_existing(folder, spec)
    spec.save(folder)
    study = open_study(folder, spec, storage)
    if tries and not study.trials:  # only the machine that starts the study queues them
        for values in tries:
            study.enqueue_trial(values, skip_if_exists=True)
    # here, before any worker starts: two workers doing it at once could queue one trial twice
    if retry_interrupted(study, spec):
        log("queued the interrupted trials again: they resume from their last checkpoints")
    if workers == 1:  # in this process: killing it kills its worker, as on any other machine
        run_worker(folder, storage, log)
        return
    codes = run_workers(folder, workers, storage, gpus)
    failed = [i for i, code in enumerate(codes) if code not in (0, 130)]
    if 130 in codes:
        raise KeyboardInterrupt
    if failed:
        raise SweepError(f"worker(s) {', '.join(f'w{i}' for i in failed)} stopped with an error (see above)")


def export_best(folder: Path, spec: SweepSpec, storage: str = "", out: Path | None = None):
    """Export the best trial's best checkpoint as a painter (artgan.trainer.export)."""
    from artgan.trainer.checkpoints import best_step
    from artgan.trainer.export import export_run

    from .status import best_trial

    study = open_study(folder, spec, storage, create=False)
    best = best_trial(study)
    if best is None:
        raise SweepError("no trial has completed yet, so there is no best trial to export")
    run = folder / best.user_attrs["folder"]
    if not (run / "checkpoints").is_dir():
        host = best.user_attrs.get("host", "another machine")
        raise SweepError(f"the best trial, {run.name}, was trained on {host}: run --export-best there, "
                         f"or copy its folder to {run}")
    target = out or folder / "export" / f"{folder.name}-best.onnx"
    return best, export_run(run, target, best_step(run / "checkpoints"))
