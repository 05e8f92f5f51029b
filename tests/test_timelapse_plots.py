import csv

import numpy as np
import pytest
from artgan.trainer.plots import plot_losses
from artgan.trainer.timelapse import make_timelapse
from PIL import Image


def fake_run(tmp_path, steps=(10, 20, 30, 40, 50)):
    run = tmp_path / "run"
    (run / "samples").mkdir(parents=True)
    for i, step in enumerate(steps):
        Image.new("RGB", (34, 34), (i * 50, 0, 0)).save(run / "samples" / f"step-{step:08d}.png")
    return run


@pytest.mark.parametrize("suffix", [".gif", ".webp"])
def test_timelapse_animates_every_grid_in_step_order(tmp_path, cli, suffix):
    run = fake_run(tmp_path)
    result = cli("timelapse", run, "--out", tmp_path / f"learning{suffix}", "--fps", "10")
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / f"learning{suffix}") as anim:
        assert anim.n_frames == 5 and anim.size == (34, 48)  # grid + caption strip
        reds = []
        for i in range(anim.n_frames):
            anim.seek(i)
            reds.append(anim.convert("RGB").getpixel((17, 30))[0])
    assert reds == sorted(reds) and reds[0] < 20 < 180 < reds[-1]


def test_timelapse_thins_to_max_frames_keeping_the_last(tmp_path):
    run = fake_run(tmp_path, steps=range(1, 12))
    path, frames = make_timelapse(run, max_frames=4)
    assert path == run / "timelapse.gif" and frames == 4  # steps 1, 4, 7 and the newest, 11
    with Image.open(path) as anim:
        assert anim.n_frames == 4


def test_timelapse_without_samples_or_with_a_bad_suffix_is_a_clear_error(tmp_path, cli):
    (tmp_path / "empty").mkdir()
    result = cli("timelapse", tmp_path / "empty")
    assert result.exit_code == 1 and "has no sample grids" in result.output
    result = cli("timelapse", fake_run(tmp_path), "--out", tmp_path / "x.mp4")
    assert result.exit_code == 1 and "must end in .gif or .webp" in result.output
    assert not (tmp_path / "x.mp4").exists()


def test_loss_plot_draws_both_losses(tmp_path):
    metrics = tmp_path / "metrics.csv"
    with open(metrics, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["step", "d_loss", "g_loss"])
        for step in range(1, 51):
            writer.writerow([step, 1.4 - step / 100, 0.7 + step / 100])
    assert plot_losses(metrics, tmp_path / "losses.png")
    image = Image.open(tmp_path / "losses.png").convert("RGB")
    colours = {tuple(c) for c in np.asarray(image).reshape(-1, 3)}
    assert (200, 60, 40) in colours and (40, 90, 200) in colours
    assert not plot_losses(tmp_path / "missing.csv", tmp_path / "none.png")


def test_timelapse_needs_no_tensorflow(tmp_path):
    from test_without_tensorflow import run_blocked

    result = run_blocked("timelapse", fake_run(tmp_path), "--out", tmp_path / "t.webp", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "t.webp").is_file()
