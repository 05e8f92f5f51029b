"""Quality during training: evaluations in metrics.csv, the best checkpoint, pruning and --checkpoint."""

import csv
import json

import numpy as np
import pytest
from artgan.trainer.checkpoints import (
    BEST_FILE,
    choose_checkpoint,
    list_checkpoints,
    read_best,
    save_checkpoint,
    write_best,
)
from artgan.trainer.config import TrainConfig
from conftest import TINY


def arrays(value):
    return {"step": np.array(value), "g/0000": np.full((2,), value, np.float32)}


def test_pruning_never_deletes_the_best_checkpoint(tmp_path):
    save_checkpoint(tmp_path, 10, arrays(10), keep=2)
    write_best(tmp_path, {"step": 10, "swd_x1e3": 5.0})
    for step in (20, 30, 40):
        save_checkpoint(tmp_path, step, arrays(step), keep=2)
    assert [s for s, _ in list_checkpoints(tmp_path)] == [10, 30, 40]
    write_best(tmp_path, {"step": 40, "swd_x1e3": 4.0})  # a new best: the old one may go now
    save_checkpoint(tmp_path, 50, arrays(50), keep=2)
    assert [s for s, _ in list_checkpoints(tmp_path)] == [40, 50]


def test_choose_checkpoint_resolves_best_latest_and_steps(tmp_path):
    assert choose_checkpoint(tmp_path, "latest") == (None, None)
    assert choose_checkpoint(tmp_path, "120") == (120, None)
    step, note = choose_checkpoint(tmp_path, "best")
    assert step is None and "no quality evaluation" in note
    save_checkpoint(tmp_path, 6, arrays(6), keep=3)
    write_best(tmp_path, {"step": 6})
    assert choose_checkpoint(tmp_path, "best") == (6, None)
    write_best(tmp_path, {"step": 99})
    step, note = choose_checkpoint(tmp_path, "BEST")
    assert step is None and "step 99" in note and "missing" in note
    with pytest.raises(ValueError, match="best, latest or a step number"):
        choose_checkpoint(tmp_path, "newest")


def test_an_unreadable_best_record_counts_as_none(tmp_path):
    (tmp_path / BEST_FILE).write_text("{ half a rec")
    assert read_best(tmp_path) is None
    assert choose_checkpoint(tmp_path, "best")[0] is None


def test_eval_settings_are_validated():
    with pytest.raises(ValueError, match="eval-every"):
        TrainConfig(data_dir="x", eval_every=-1)
    with pytest.raises(ValueError, match="eval-samples"):
        TrainConfig(data_dir="x", eval_samples=1)


def metric_rows(run):
    with open(run / "metrics.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_shared_run_was_evaluated_at_its_last_step(trained_run):
    rows = metric_rows(trained_run)
    evaluated = [int(r["step"]) for r in rows if r["swd_x1e3"]]
    assert evaluated == [12]  # --eval-every defaults to 1000: only the final step
    assert float(rows[-1]["swd_x1e3"]) > 0 and 0 < float(rows[-1]["ms_ssim"]) <= 1
    best = read_best(trained_run / "checkpoints")
    assert best["step"] == 12 and best["swd_x1e3"] == pytest.approx(float(rows[-1]["swd_x1e3"]), abs=1e-3)
    assert best["swd_floor_x1e3"] > 0 and 0 < best["ms_ssim_real"] <= 1


def test_a_best_step_between_checkpoint_steps_gets_its_own_checkpoint(cli, image_dir, tmp_path):
    pytest.importorskip("tensorflow")
    run = tmp_path / "run"
    result = cli("train", image_dir, *TINY, "--steps", "6", "--checkpoint-every", "6", "--sample-every", "6",
                 "--eval-every", "2", "--eval-samples", "8", "--out", run)
    assert result.exit_code == 0, result.output
    rows = metric_rows(run)
    assert [int(r["step"]) for r in rows if r["swd_x1e3"]] == [2, 4, 6]
    swds = {int(r["step"]): float(r["swd_x1e3"]) for r in rows if r["swd_x1e3"]}
    best = read_best(run / "checkpoints")
    assert best["step"] == min(swds, key=swds.get) and best["images"] == 8
    kept = {s for s, _ in list_checkpoints(run / "checkpoints")}
    assert {best["step"], 6} <= kept <= {2, 4, 6}  # a best step got its checkpoint although --checkpoint-every is 6
    assert "SWD x1e3" in result.stderr  # the evaluations reach the log (its line format: tests/test_train_progress.py)


def test_eval_every_zero_switches_evaluation_off(cli, image_dir, tmp_path):
    pytest.importorskip("tensorflow")
    run = tmp_path / "run"
    result = cli("train", image_dir, *TINY, "--steps", "2", "--eval-every", "0", "--out", run)
    assert result.exit_code == 0, result.output
    assert not any(r["swd_x1e3"] for r in metric_rows(run))
    assert not (run / "checkpoints" / BEST_FILE).exists()


def test_resuming_before_the_best_step_forgets_it(cli, run_copy, image_dir):
    pytest.importorskip("tensorflow")
    (run_copy / "checkpoints" / "ckpt-00000012.npz").unlink()  # newest lost: resume from step 6
    write_best(run_copy / "checkpoints", {"step": 12, "swd_x1e3": 0.001})
    result = cli("train", image_dir, "--steps", "8", "--out", run_copy, "--resume")
    assert result.exit_code == 0, result.output
    assert read_best(run_copy / "checkpoints")["step"] == 8  # re-evaluated from scratch, not held to step 12


def test_export_takes_the_best_checkpoint_by_default(cli, run_copy, tmp_path):
    pytest.importorskip("tensorflow")
    write_best(run_copy / "checkpoints", {"step": 6, "swd_x1e3": 1.0})
    result = cli("export", run_copy, "--out", tmp_path / "best.onnx")
    assert result.exit_code == 0, result.output
    assert "(step 6," in result.stdout
    result = cli("export", run_copy, "--checkpoint", "latest", "--out", tmp_path / "latest.onnx")
    assert result.exit_code == 0 and "(step 12," in result.stdout


def test_export_without_an_evaluation_falls_back_to_latest_with_a_note(cli, run_copy, tmp_path):
    pytest.importorskip("tensorflow")
    (run_copy / "checkpoints" / BEST_FILE).unlink()
    result = cli("export", run_copy, "--out", tmp_path / "p.onnx")
    assert result.exit_code == 0, result.output
    assert "(step 12," in result.stdout and "no quality evaluation" in result.stderr


def test_export_rejects_a_bad_checkpoint_choice(cli, tmp_path):
    result = cli("export", tmp_path, "--checkpoint", "newest")
    assert result.exit_code == 2 and "best, latest or a step number" in result.stderr


class FakeGAN:
    """Just what QualityMonitor uses: a step, an EMA generator and state(); no TensorFlow."""

    def __init__(self, pictures: np.ndarray) -> None:
        self.step, self.pictures = 0, pictures

    def ema_generator(self, z, training=False):
        return self.pictures[: len(z)].astype(np.float32) / 127.5 - 1.0

    def state(self):
        return arrays(self.step)


def test_monitor_keeps_the_lowest_swd_and_checkpoints_it(tmp_path):
    from artgan.trainer.quality import QualityMonitor
    from conftest import landscapes_array

    real = landscapes_array(64, seed=1)
    config = TrainConfig(data_dir="x", size=32, latent_dim=4, steps=6, eval_every=2, eval_samples=16)
    monitor = QualityMonitor(config, real, tmp_path, start_step=0)
    gan = FakeGAN(np.repeat(real[:1], 16, axis=0))  # collapsed onto one picture
    logs = []
    for step, pictures in ((1, None), (2, None), (4, landscapes_array(16, seed=2)), (6, None)):
        gan.step = step
        if pictures is not None:
            gan.pictures = pictures  # a healthy generator from step 4 on
        if step == 6:
            gan.pictures = np.repeat(real[:1], 16, axis=0)  # collapses again
        logs.append(monitor.after_step(gan))
    assert logs[0] is None  # not an evaluation step
    collapsed, healthy, again = logs[1:]
    assert collapsed.mode_collapse and again.mode_collapse and not healthy.mode_collapse
    assert healthy.swd < collapsed.swd and (collapsed.best, healthy.best, again.best) == (True, True, False)
    assert again.swd == pytest.approx(collapsed.swd)  # same generator, same figure: fixed latents and seeds
    assert read_best(tmp_path)["step"] == 4
    assert [s for s, _ in list_checkpoints(tmp_path)] == [2, 4]  # written by the monitor: no checkpoint step here
    assert healthy.streaks_real == collapsed.streaks_real and read_best(tmp_path)["streaks"] == healthy.streaks


def test_monitor_measures_streaks_a_streaky_generator_scores_above_the_training_set(tmp_path):
    from artgan.trainer.quality import QualityMonitor
    from conftest import landscapes_array

    real = landscapes_array(64, seed=1, size=32)
    config = TrainConfig(data_dir="x", size=32, latent_dim=4, steps=2, eval_every=2, eval_samples=16)
    rows = np.random.default_rng(0).normal(0, 12, (16, 32, 1, 1))  # each row of each painting offset along it
    gan = FakeGAN(np.clip(landscapes_array(16, seed=2, size=32) + rows, 0, 255).astype(np.uint8))
    gan.step = 2
    log = QualityMonitor(config, real, tmp_path, start_step=0).after_step(gan)
    assert log.streaks > log.streaks_real + 0.2
    small = TrainConfig(data_dir="x", size=16, latent_dim=4, steps=2, eval_every=2, eval_samples=16)
    gan16 = FakeGAN(landscapes_array(16, seed=2, size=16))
    gan16.step = 2
    assert QualityMonitor(small, landscapes_array(64, seed=1, size=16), tmp_path / "s", 0).after_step(gan16).streaks is None


def test_evaluation_rows_carry_the_streak_score_in_metrics_csv(tmp_path):
    from artgan.trainer.loop import StepLog, _append_metrics, _truncate_metrics
    from artgan.trainer.quality import QualityLog

    path = tmp_path / "metrics.csv"
    _truncate_metrics(path)
    _append_metrics(path, StepLog(1, 1.0, 1.0, 0.5, 0.5), 1.0, 30.0)
    quality = QualityLog(step=2, swd=40.0, swd_floor=30.0, ms_ssim=0.2, ms_ssim_real=0.15, best=True,
                         streaks=0.4321, streaks_real=0.1)
    _append_metrics(path, StepLog(2, 1.0, 1.0, 0.5, 0.5, quality=quality), 2.0, 30.0)
    rows = metric_rows(tmp_path)
    assert [row["streaks"] for row in rows] == ["", "0.4321"]
    assert rows[1]["swd_x1e3"] == "40.000" and rows[1]["aug_p"] == "0.0000"  # every column where its header says


def test_a_run_whose_metrics_predate_the_streaks_column_resumes_into_the_new_header(cli, run_copy, image_dir):
    pytest.importorskip("tensorflow")
    path = run_copy / "metrics.csv"
    old = metric_rows(run_copy)
    fields = [name for name in old[0] if name != "streaks"]
    with open(path, "w", newline="") as handle:  # the file as runs wrote it before the column existed
        writer = csv.DictWriter(handle, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(old)
    result = cli("train", image_dir, "--steps", "14", "--out", run_copy, "--resume")
    assert result.exit_code == 0, result.output
    rows = metric_rows(run_copy)
    assert list(rows[0]) == fields + ["streaks"]
    assert [(r["step"], r["d_loss"]) for r in rows[: len(old)]] == [(r["step"], r["d_loss"]) for r in old]
    assert [int(r["step"]) for r in rows] == list(range(1, 15))
    assert all(r["streaks"] == "" for r in rows)  # 16 px paintings are too small for the score
