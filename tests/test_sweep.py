"""`artgan sweep` end to end on SQLite: 4 tiny trials on 2 workers, one certain to be pruned."""

import csv

import numpy as np
import pytest
from PIL import Image
from sweep_helpers import load_study, run, sweep_command, trial_file

pytest.importorskip("optuna")
pytest.importorskip("tensorflow")


STEPS = 40  # rungs at 10, 20, 40: by step 20 a learning trial's SWD is below an untrained one's


def test_sqlite_sweep_with_two_workers_prunes_the_trial_that_cannot_learn(image_dir, tmp_path, cli):
    from optuna.trial import TrialState

    out = tmp_path / "sweep"
    # lr=0 cannot learn: queued last, it reaches each rung after trials that did learn
    result = run(sweep_command(
        image_dir, out, "--trials", "4", "--workers", "2", "--pruner", "halving", "--steps", str(STEPS), "--eval-every", "10", "--param", "lr=0,0.002,0.003,0.004",
        "--try", "lr=0.004", "--try", "lr=0.003", "--try", "lr=0.002", "--try", "lr=0",
    ))
    assert result.returncode == 0, result.stderr[-3000:]

    study = load_study(out)
    trials = study.get_trials()
    assert len(trials) == 4 and {t.number for t in trials} == {0, 1, 2, 3}
    dead = next(t for t in trials if t.params["lr"] == 0)
    assert dead.state == TrialState.PRUNED
    assert all(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)
    assert study.best_trial.state == TrialState.COMPLETE and study.best_trial.params["lr"] > 0

    for t in trials:  # each trial is an ordinary run folder whose record agrees with the study
        folder = out / f"trial-{t.number:04d}"
        record = trial_file(folder)
        assert record["state"] == t.state.name.lower() and record["params"] == t.params
        assert (folder / "config.json").is_file() and (folder / "checkpoints").is_dir()
        with open(folder / "metrics.csv", newline="") as handle:
            swd = {int(r["step"]): float(r["swd_x1e3"]) for r in csv.DictReader(handle) if r["swd_x1e3"]}
        assert swd == pytest.approx(t.intermediate_values, abs=1e-3)  # what the pruner saw is in the run folder
        if t.state == TrialState.PRUNED:
            assert record["step"] == max(t.intermediate_values) < STEPS
            assert f"at step {record['step']}" in record["reason"] and "halving" in record["reason"]
        else:
            assert record["step"] == STEPS and t.value == pytest.approx(min(swd.values()), abs=1e-3)
    assert trial_file(out / f"trial-{dead.number:04d}")["params"]["lr"] == 0

    status = cli("sweeps", out)
    assert status.exit_code == 0, status.output
    for t in trials:
        line = next(line for line in status.output.splitlines() if f"trial-{t.number:04d}" in line)
        assert t.state.name.lower() in line
    best = f"trial-{study.best_trial.number:04d}"
    assert f"best: {best}" in status.output
    pruned = [t for t in trials if t.state == TrialState.PRUNED]
    saved = sum(STEPS - max(t.intermediate_values) for t in pruned)
    assert f"pruned: {len(pruned)} trial(s), {saved} of {4 * STEPS} trial-steps not trained" in status.output
    plot = np.asarray(Image.open(out / "swd.png").convert("RGB"))
    assert plot.shape == (400, 720, 3) and len(np.unique(plot.reshape(-1, 3), axis=0)) > 4  # lines in colours

    exported = cli("sweep", out, "--export-best")
    assert exported.exit_code == 0, exported.output
    assert (out / "export" / "sweep-best.onnx").is_file() and best in exported.output


def test_a_sweep_folder_refuses_other_settings_and_an_unknown_study(image_dir, tmp_path, cli):
    out = tmp_path / "sweep"
    from artgan.sweeps.spec import SweepSpec

    SweepSpec(data_dir=str(image_dir), trials=2, steps=20, params=["lr=0.1,0.2"], base={"eval_every": 5}).save(out)
    result = cli("sweep", image_dir, "--out", out, "--param", "lr=0.1,0.3", "--steps", "20", "--eval-every", "5")
    assert result.exit_code == 1 and "already holds a sweep with other" in result.output
    result = cli("sweep", out, "--status")
    assert result.exit_code == 1 and "no study named 'artgan'" in result.output
