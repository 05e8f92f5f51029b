"""`artgan sweep` and `artgan sweeps`: option parsing and output only; the work is in artgan.sweeps."""

from __future__ import annotations

import math
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .console import err, fail, out, user_errors
from .train_commands import _installed, _need_training_extra

PARAM_HELP = (
    "NAME=SPEC, repeatable. SPEC: LOW..HIGH (floats), LOW..HIGH:log (log scale), LOW..HIGH:int (integers), "
    "or A,B,C (a choice; one value fixes the setting). NAME: an `artgan train` setting, e.g. "
    "lr=1e-4..1e-3:log, width=16,32,64, size=64,128, r1-gamma=0.01..10:log, augment=on,off, loss=nonsat,hinge."
)


def _need_sweep_extra() -> None:
    if not (_installed("optuna") and _installed("sqlalchemy")):
        raise fail(
            "`artgan sweep` needs the sweep extra (Optuna), which is not installed.\n"
            "Install it with:  pip install 'artgan[sweep]'   (from a checkout: pip install '.[train,sweep]')"
        )


def sweep(
    target: Path = typer.Argument(..., help="The image folder to sweep over; or a sweep folder, for --status or --export-best."),
    trials: int = typer.Option(8, "--trials", min=1, help="Trials in the study (all machines together)."),
    param: List[str] = typer.Option([], "--param", help=PARAM_HELP),
    tries: List[str] = typer.Option(
        [], "--try", help="NAME=V,NAME=V: a parameter set to run first (repeatable), e.g. --try lr=2e-4,width=32."
    ),
    steps: int = typer.Option(2000, "--steps", min=1, help="Training steps of every trial."),
    workers: int = typer.Option(1, "--workers", min=1, help="Trials run at once on this machine (one process each)."),
    gpus: Optional[str] = typer.Option(
        None, "--gpus", help="GPUs to share out, e.g. 0,1,2,3: worker i gets CUDA_VISIBLE_DEVICES=the i-th one (one worker per GPU unless --workers)."
    ),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Sweep folder \\[default: runs/<image folder>-sweep]."),
    storage: str = typer.Option(
        "", "--storage", envvar="ARTGAN_SWEEP_STORAGE",
        help="Optuna storage URL shared by several machines, e.g. postgresql://user@host/db \\[default: SQLite in the sweep folder].",
    ),
    study_name: str = typer.Option("artgan", "--study-name", help="Name of the study in the storage."),
    pruner: str = typer.Option("hyperband", "--pruner", help="hyperband, halving (successive halving) or none."),
    heartbeat: int = typer.Option(60, "--heartbeat", min=1, help="Seconds between heartbeats; silent for twice this = dead, retried."),
    status: bool = typer.Option(False, "--status", help="Show the trials and write SWD-against-step as swd.png; train nothing."),
    export_best: bool = typer.Option(False, "--export-best", help="Export the best trial's best checkpoint as a painter."),
    size: int = typer.Option(64, "--size", help="Image size of every trial (unless swept)."),
    width: Optional[int] = typer.Option(None, "--width", min=1, help="Channels at full resolution (unless swept)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    latent_dim: int = typer.Option(128, "--latent-dim", min=1),
    eval_every: Optional[int] = typer.Option(
        None, "--eval-every", min=1, help="Steps between SWD evaluations, the pruner's rungs \\[default: steps/10]."
    ),
    eval_samples: int = typer.Option(512, "--eval-samples", min=2),
    checkpoint_every: Optional[int] = typer.Option(
        None, "--checkpoint-every", min=1, help="\\[default: --eval-every]: a retried trial resumes from here."
    ),
    seed: int = typer.Option(0, "--seed", help="Training seed of every trial and TPE's seed."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Where prepared data sets are cached."),
) -> None:
    """Train many runs with settings chosen by Optuna (TPE), stopping early those that fall behind."""
    _need_sweep_extra()
    from artgan.sweeps.spec import SweepError, SweepSpec, is_sweep_folder
    from artgan.sweeps.space import SpaceError, parse_assignments

    folder = target if is_sweep_folder(target) else (out_dir or Path("runs") / f"{target.resolve().name}-sweep")
    if status or export_best:
        with user_errors(SweepError):
            spec = SweepSpec.load(folder)
        if export_best:
            _export_best(folder, spec, storage)
        if status:
            show_status(folder, spec, storage)
        return
    if is_sweep_folder(target):
        with user_errors(SweepError):
            spec = SweepSpec.load(folder)
        spec.trials = trials  # continuing: the folder's space and settings, perhaps more trials
        fixed: list = []
    else:
        if not target.is_dir():
            raise fail(f"{target} is not a folder of images", code=2)
        every = eval_every or max(1, steps // 10)
        from artgan.trainer.config import TrainConfig, default_width

        base = dict(size=size, width=width or default_width(size, TrainConfig.arch), batch_size=batch_size, latent_dim=latent_dim,
                    eval_every=every, eval_samples=eval_samples, checkpoint_every=checkpoint_every or every,
                    sample_every=checkpoint_every or every, seed=seed)
        try:
            spec = SweepSpec(data_dir=str(target.resolve()), trials=trials, steps=steps, params=list(param), base=base,
                             pruner=pruner, study_name=study_name, seed=seed, heartbeat_s=heartbeat,
                             cache_dir=str(cache_dir.resolve()) if cache_dir else "")
            fixed = [parse_assignments(t, spec.space) for t in tries]
        except (SweepError, SpaceError) as exc:
            raise fail(str(exc), code=2) from None
    _need_training_extra("sweep")
    from artgan.sweeps.run import start_sweep

    gpu_list = [g.strip() for g in gpus.split(",") if g.strip()] if gpus else None
    if gpu_list and workers == 1:
        workers = len(gpu_list)  # --gpus alone: one worker per GPU
    err.print(f"Sweep in {escape(str(folder))}: {spec.trials} trials of {spec.steps} steps, {workers} worker(s) here.")
    try:
        with user_errors(SweepError):
            start_sweep(folder, spec, storage, workers, gpu_list, fixed,
                        log=lambda message: err.print(escape(message), highlight=False))
    except KeyboardInterrupt:
        err.print("Interrupted: running trials saved checkpoints; rerun the same command to resume them.")
        raise typer.Exit(130) from None
    show_status(folder, spec, storage)


def sweeps(
    folder: Path = typer.Argument(..., help="A sweep folder written by `artgan sweep`."),
    storage: str = typer.Option("", "--storage", envvar="ARTGAN_SWEEP_STORAGE", help="The study's storage URL, if not SQLite."),
) -> None:
    """Show a sweep's trials and best trial, and write SWD-against-step as FOLDER/swd.png."""
    _need_sweep_extra()
    from artgan.sweeps.spec import SweepError, SweepSpec

    with user_errors(SweepError):
        spec = SweepSpec.load(folder)
    show_status(folder, spec, storage)


def show_status(folder: Path, spec, storage: str) -> None:
    from artgan.sweeps.spec import SweepError
    from artgan.sweeps.status import PLOT_FILE, best_trial, plot_curves, trial_rows
    from artgan.sweeps.study import open_study

    with user_errors(SweepError):
        study = open_study(folder, spec, storage, create=False)
    rows = trial_rows(study)
    table = Table(title=f"{spec.study_name}: {len(rows)} of {spec.trials} trials")
    for column in ("trial", "state", "params", "best SWD x1e3", "step", "wall", "attempts"):
        table.add_column(column)
    for row in rows:
        params = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.params.items())
        swd = f"{row.best_swd:.1f}" if row.best_swd is not None and math.isfinite(row.best_swd) else "-"
        table.add_row(row.folder, row.state, escape(params), swd, str(row.step), f"{row.wall_s:.0f} s", str(row.attempts))
    out.print(table)
    best = best_trial(study)
    if best is not None:
        out.print(f"best: {best.user_attrs.get('folder')} (SWD x1e3 {best.value:.1f}); "
                  f"export it with: artgan sweep {folder} --export-best")
    pruned = sum(r.state == "pruned" for r in rows)
    if pruned:
        saved = sum(spec.steps - r.step for r in rows if r.state == "pruned")
        out.print(f"pruned: {pruned} trial(s), {saved} of {spec.steps * len(rows)} trial-steps not trained")
    if plot_curves(rows, folder / PLOT_FILE):
        out.print(f"plot: {folder / PLOT_FILE}")


def _export_best(folder: Path, spec, storage: str) -> None:
    _need_training_extra("sweep --export-best")
    from artgan.sweeps.run import export_best
    from artgan.sweeps.spec import SweepError
    from artgan.trainer.loop import TrainingError

    with user_errors(SweepError, TrainingError, FileNotFoundError):
        best, result = export_best(folder, spec, storage)
    out.print(f"painter: {result.painter} ({best.user_attrs.get('folder')}, step {result.step}, SWD x1e3 {best.value:.1f})")
