"""A sweep worker: takes the next trial of the study until the sweep has its trials.

Any number of workers, on one machine or many, run this loop against the same storage;
nothing but the storage coordinates them.  A trial whose worker died (no heartbeat for the
grace period) is failed by whichever worker looks next, and Optuna's RetryFailedTrialCallback
queues a retry that the next free worker takes (each queued trial goes to one worker only).
A worker with nothing left to start waits while trials run elsewhere, so that it can take
over a retry, and stops when every trial has ended.

``python -m artgan.sweeps.worker SWEEP_DIR [--storage URL] [--name NAME]`` is how
``--workers K`` starts its K processes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable

import optuna
from optuna.trial import TrialState

from .spec import SweepError, SweepSpec
from .study import open_study, retry_callback
from .trial import TrialRunner, root_number

ENDED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def slots(study: optuna.Study) -> dict[int, list[optuna.trial.FrozenTrial]]:
    """Trials grouped by their first attempt: one slot per requested trial, retries included."""
    grouped: dict[int, list[optuna.trial.FrozenTrial]] = {}
    for trial in study.get_trials(deepcopy=False):
        grouped.setdefault(root_number(trial), []).append(trial)
    return grouped


def retry_interrupted(study: optuna.Study, spec: SweepSpec) -> int:
    """Queue again the trials that a Ctrl-C stopped (Optuna marked them failed); returns how many."""
    queued = 0
    retry = retry_callback(spec)
    for attempts in slots(study).values():
        last = attempts[-1]
        if last.state == TrialState.FAIL and last.user_attrs.get("interrupted"):
            before = len(study.get_trials(deepcopy=False))
            retry(study, last)
            queued += len(study.get_trials(deepcopy=False)) > before
    return queued


def run_worker(sweep_dir: Path, storage: str = "", log: Callable[[str], None] = print) -> int:
    """Run trials until the sweep is done; returns how many this worker ran."""
    spec = SweepSpec.load(sweep_dir)
    study = open_study(sweep_dir, spec, storage)
    runner = TrialRunner(sweep_dir, spec, log)
    ran, waiting_said = 0, False
    while True:
        optuna.storages.fail_stale_trials(study)  # a dead worker's trial: failed, and a retry queued
        groups = slots(study)
        trials = [t for attempts in groups.values() for t in attempts]
        queued = any(t.state == TrialState.WAITING for t in trials)
        running = sum(t.state == TrialState.RUNNING for t in trials)
        if queued or len(groups) < spec.trials:
            # catch: a trial that fails (NaN losses, ...) is recorded as failed and the sweep goes on
            study.optimize(runner, n_trials=1, catch=(Exception,))
            ran += 1
            waiting_said = False
        elif running:
            if not waiting_said:
                log(f"waiting for {running} trial(s) running elsewhere (a trial whose worker dies is retried here)")
                waiting_said = True
            time.sleep(min(spec.heartbeat_s, 5))
        else:
            return ran


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m artgan.sweeps.worker", description="One worker of an artgan sweep.")
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--storage", default=os.environ.get("ARTGAN_SWEEP_STORAGE", ""))
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    prefix = f"[{args.name}] " if args.name else ""

    def log(message: str) -> None:
        print(prefix + message, flush=True)

    def terminate(signum, frame):  # like Ctrl-C: the trial saves a checkpoint and is retried on the next run
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()
    try:
        ran = run_worker(args.sweep_dir, args.storage, log)
    except SweepError as exc:
        print(f"{prefix}Error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        log("interrupted: the current trial saved a checkpoint and resumes when the sweep is run again")
        return 130
    log(f"done: ran {ran} trial(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
