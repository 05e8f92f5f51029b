"""artgan train-upscaler: a tiny run end to end, and its input errors."""

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")


def test_trains_exports_and_evaluates_an_x4_upscaler(cli, image_dir, tmp_path):
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
    assert all(np.isfinite(report[k]) for k in ("psnr_learned", "psnr_lanczos", "ssim_learned", "ssim_lanczos"))
    again = cli("train-upscaler", image_dir, "--out", out, "--steps", "1")
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_skip_connection_makes_the_untrained_network_a_nearest_upscale():
    from artgan.trainer.upscaler import build_espcn

    model = build_espcn(4, 8)
    x = np.random.default_rng(0).random((1, 5, 6, 3)).astype(np.float32)
    assert np.allclose(model(x).numpy()[0], x[0].repeat(4, 0).repeat(4, 1))


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
