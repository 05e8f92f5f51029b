"""The whole chain from the command line: train -> export -> paint -> post."""

import json
import sqlite3

import numpy as np
import pytest
from conftest import TINY
from PIL import Image

pytest.importorskip("tensorflow")


def test_train_export_paint_post_from_the_cli(cli, image_dir, tmp_path):
    run = tmp_path / "runs" / "mine"
    # dcgan: after 6 steps a fastgan painter still paints near-flat greys, which post rightly refuses
    result = cli("train", image_dir, *TINY, "--arch", "dcgan", "--steps", "6", "--sample-every", "3",
                 "--checkpoint-every", "3", "--out", run)
    assert result.exit_code == 0, result.output
    assert (run / "config.json").is_file()
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == ["best.json", "ckpt-00000003.npz", "ckpt-00000006.npz"]
    assert sorted(p.name for p in (run / "samples").iterdir()) == ["step-00000003.png", "step-00000006.png"]
    rows = (run / "metrics.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and len(rows) == 1 + 6
    assert Image.open(run / "samples" / "step-00000006.png").size[0] > 16 * 4  # a grid, not one image

    painter = tmp_path / "mine.onnx"
    result = cli("export", run, "--out", painter)
    assert result.exit_code == 0, result.output
    assert painter.is_file() and (tmp_path / "mine.critic.onnx").is_file()

    out = tmp_path / "paintings"
    result = cli("paint", "--n", "3", "--model", painter, "--seed", "1", "--upscale", "2", "--out", out)
    assert result.exit_code == 0, result.output
    files = [line for line in result.stdout.splitlines() if line.endswith(".png")]
    assert len(files) == 3
    for name in files:
        with Image.open(name) as image:
            assert image.size == (32, 32) and image.mode == "RGB"

    state = tmp_path / "state"
    result = cli("post", "--model", painter, "--state", state, "--candidates", "4", "--date", "2026-01-02")
    assert result.exit_code == 0, result.output
    feed = json.loads((state / "feed" / "feed.json").read_text())
    assert [p["id"] for p in feed["posts"]] == ["2026-01-02"]
    assert (state / "feed" / feed["posts"][0]["image"]).is_file()
    assert "2026-01-02" in (state / "feed" / "index.html").read_text()

    again = cli("post", "--model", painter, "--state", state, "--candidates", "4", "--date", "2026-01-02")
    assert again.exit_code == 0 and "Already posted" in again.stdout
    assert len(json.loads((state / "feed" / "feed.json").read_text())["posts"]) == 1
    with sqlite3.connect(state / "history.sqlite") as db:
        assert db.execute("SELECT day, status FROM posts").fetchall() == [("2026-01-02", "posted")]


def test_train_refuses_to_overwrite_an_existing_run(cli, run_copy, image_dir):
    before = sorted(p.name for p in (run_copy / "checkpoints").iterdir())
    result = cli("train", image_dir, *TINY, "--steps", "3", "--out", run_copy)
    assert result.exit_code == 1
    assert "--resume" in result.stderr
    assert sorted(p.name for p in (run_copy / "checkpoints").iterdir()) == before


def test_resume_continues_from_the_newest_checkpoint(cli, run_copy, image_dir):
    result = cli("train", image_dir, "--steps", "15", "--out", run_copy, "--resume")
    assert result.exit_code == 0, result.output
    steps = [int(line.split(",")[0]) for line in (run_copy / "metrics.csv").read_text().splitlines()[1:]]
    assert steps == list(range(1, 16))
    assert (run_copy / "checkpoints" / "ckpt-00000015.npz").is_file()


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: (d / "readme.txt").write_text("hi"), "no images in"),
        (lambda d: (d / "x.png").write_bytes(b"junk"), "could be read"),
    ],
)
def test_train_on_unusable_folders_fails_clearly(cli, tmp_path, setup, message):
    folder = tmp_path / "data"
    folder.mkdir()
    setup(folder)
    result = cli("train", folder, *TINY, "--steps", "2", "--out", tmp_path / "run")
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_train_reports_skipped_corrupt_files(cli, image_dir, tmp_path):
    (image_dir / "corrupt.jpg").write_bytes(b"\xff\xd8 broken")
    result = cli("train", image_dir, *TINY, "--steps", "1", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    assert "corrupt.jpg" in result.stderr and "Skipped 1" in result.stderr


def test_bad_size_is_a_usage_error(cli, image_dir, tmp_path):
    result = cli("train", image_dir, "--size", "48", "--out", tmp_path / "run")
    assert result.exit_code == 2 and "power of two" in result.stderr


def test_sample_grids_come_from_fixed_noise(trained_run):
    first = np.asarray(Image.open(trained_run / "samples" / "step-00000006.png"))
    second = np.asarray(Image.open(trained_run / "samples" / "step-00000012.png"))
    assert first.shape == second.shape and not np.array_equal(first, second)
