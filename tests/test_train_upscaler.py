"""artgan train-upscaler: a tiny run end to end, and its input errors."""

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")


def test_trains_exports_and_evaluates_an_x4_upscaler(cli, tmp_path):
    from artgan.trainer.synthetic import write_landscapes

    image_dir = tmp_path / "land"
    write_landscapes(image_dir, 24, width=48, height=40)  # 32 px a side at least: the lattice score's minimum
    out = tmp_path / "land.upscaler.onnx"
    result = cli("train-upscaler", image_dir, "--out", out, "--steps", "3", "--crop", "16", "--width", "4",
                 "--batch-size", "4", "--holdout", "0.25")
    assert result.exit_code == 0, result.output
    assert "held-out 6 images" in result.stdout and "Lanczos" in result.stdout
    from artgan.painter.upscaling import load_upscaler

    upscaler = load_upscaler(out, device="cpu")
    assert upscaler.scale == 4
    assert upscaler.run(np.zeros((5, 7, 3), np.uint8)).shape == (20, 28, 3)
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["train_images"] == 18 and report["heldout_images"] == 6 and report["config"]["steps"] == 3
    scores = [f"{k}_{m}" for k in ("psnr", "ssim", "lattice") for m in ("learned", "bicubic", "lanczos")]
    assert all(np.isfinite(report[k]) for k in scores)
    from artgan.painter.upscaling import choose_default
    from artgan.models.runtime import file_sha256

    assert report["sha256"] == file_sha256(out) and report["default"] == choose_default(report)
    again = cli("train-upscaler", image_dir, "--out", out, "--steps", "1")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_bad_inputs_are_clear(cli, image_dir, tmp_path):
    result = cli("train-upscaler", tmp_path / "nope", "--out", tmp_path / "x.onnx")
    assert result.exit_code == 1 and "not a folder of images" in result.stderr
    result = cli("train-upscaler", image_dir, "--scale", "3", "--out", tmp_path / "x.onnx")
    assert result.exit_code == 1 and "--scale must be 2 or 4" in result.stderr
    result = cli("train-upscaler", image_dir, "--crop", "256", "--out", tmp_path / "x.onnx")
    assert result.exit_code == 1 and "smaller --crop" in result.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "broken.png").write_bytes(b"not a png")
    result = cli("train-upscaler", tmp_path / "empty", "--out", tmp_path / "x.onnx")
    assert result.exit_code == 1 and "no readable images" in result.stderr
    assert not (tmp_path / "x.onnx").exists()
