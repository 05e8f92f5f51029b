"""`artgan train` options end to end: several devices, precision, classes, and bad input."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import TINY, make_images
from PIL import Image

pytest.importorskip("tensorflow")


def test_two_logical_cpu_devices_give_the_same_result_shape_as_one(trained_run, tmp_path):
    """MirroredStrategy over the CPU split in two; needs a fresh process (before TF starts)."""
    data = make_images(tmp_path / "paintings")
    run = tmp_path / "run2"
    result = subprocess.run(
        [sys.executable, "-m", "artgan.generator_cli.app", "train", str(data), *TINY, "--steps", "2",
         "--sample-every", "2", "--checkpoint-every", "2", "--devices", "2", "--out", str(run)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    from artgan.trainer.checkpoints import load_checkpoint

    two, one = load_checkpoint(run / "checkpoints"), load_checkpoint(trained_run / "checkpoints")
    assert two.step == 2
    assert {k: v.shape for k, v in two.arrays.items()} == {k: v.shape for k, v in one.arrays.items()}
    assert all(np.isfinite(v).all() for v in two.arrays.values() if v.dtype.kind == "f")
    grid = np.asarray(Image.open(run / "samples" / "step-00000002.png"))
    assert grid.shape == np.asarray(Image.open(trained_run / "samples" / "step-00000006.png")).shape


def test_mixed_precision_trains_with_loss_scaling(tmp_path, cli):
    data = make_images(tmp_path / "paintings")
    result = cli("train", data, *TINY, "--steps", "2", "--precision", "mixed", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    from artgan.trainer.checkpoints import load_checkpoint

    arrays = load_checkpoint(tmp_path / "run" / "checkpoints").arrays
    assert any("dynamic_scale" in k or k.startswith("g_opt/") for k in arrays)
    assert all(np.isfinite(v).all() for v in arrays.values() if v.dtype.kind == "f")


def test_noise_injection_trains_in_mixed_precision_and_exports_with_parity(tmp_path, cli):
    from artgan.trainer.export import export_run

    data = make_images(tmp_path / "paintings")
    result = cli("train", data, *TINY, "--steps", "2", "--precision", "mixed", "--noise-from", "16", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output
    exported = export_run(tmp_path / "run", tmp_path / "noisy.onnx")
    assert exported.painter_max_diff < 1e-2  # float16 arithmetic in Keras, float32 in the file


@pytest.mark.slow
def test_xla_compiled_step_trains(tmp_path, cli):
    data = make_images(tmp_path / "paintings")
    result = cli("train", data, *TINY, "--steps", "2", "--xla", "--out", tmp_path / "run")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--classes", "folders"], "--classes must be one of none, auto"),
        (["--size", "48"], "power of two from 16 to 1024"),
        (["--augment-p", "often"], "--augment-p must be auto, adaptive or a probability"),
        (["--devices", "3"], "must be a multiple of --devices 3"),
        (["--classes", "auto"], "needs at least two subfolders"),
        (["--crop", "middle"], "--crop must be one of centre, random"),
    ],
)
def test_bad_training_options_get_one_clear_line(tmp_path, cli, args, message):
    data = make_images(tmp_path / "paintings", count=4)
    result = cli("train", data, *TINY, "--steps", "1", "--out", tmp_path / "run", *args)
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_class_subfolders_train_a_conditional_painter_with_a_label_input(tmp_path, cli):
    from artgan.models.runtime import load_model
    from artgan.trainer.export import export_run

    for name, seed in (("boats", 1), ("hills", 2)):
        make_images(tmp_path / "paintings" / name, count=8, seed=seed)
    run = tmp_path / "run"
    result = cli("train", tmp_path / "paintings", *TINY, "--steps", "2", "--classes", "auto", "--out", run)
    assert result.exit_code == 0, result.output
    assert "boats (8), hills (8)" in result.output
    exported = export_run(run, tmp_path / "cond.onnx")
    painter = load_model(exported.painter, device="cpu", expect_kind="painter")
    assert painter.info.class_names == ("boats", "hills")
    assert [i.name for i in painter.session.get_inputs()] == ["z", "label"]
    z = np.zeros((2, 16), np.float32)
    images = painter.session.run(None, {"z": z, "label": np.array([0, 1], np.int64)})[0]
    assert images.shape == (2, 16, 16, 3) and not np.allclose(images[0], images[1])
    critic = load_model(exported.critic, device="cpu", expect_kind="critic")
    assert critic.session.run(None, {"image": images})[0].shape == (2,)


def test_resuming_a_conditional_run_on_other_classes_is_refused(tmp_path, cli):
    from artgan.trainer.config import TrainConfig

    for name in ("cats", "dogs"):
        make_images(tmp_path / "paintings" / name, count=2)
    run = tmp_path / "run"
    run.mkdir()
    TrainConfig(data_dir=str(tmp_path / "paintings"), size=16, width=8, latent_dim=16, batch_size=8,
                classes="auto", class_names=["boats", "hills"]).save(run / "config.json")
    result = cli("train", tmp_path / "paintings", "--out", run, "--resume", "--steps", "4")
    assert result.exit_code == 1
    assert "class subfolders changed since this run started (boats, hills -> cats, dogs)" in " ".join(result.output.split())


def test_a_symlinked_folder_names_the_run_and_the_painter_as_the_user_typed_it(tmp_path, cli, monkeypatch):
    import json

    data = make_images(tmp_path / "store" / "scans-2026")
    (tmp_path / "impressionism").symlink_to(data)
    monkeypatch.chdir(tmp_path)
    result = cli("train", "impressionism", *TINY, "--steps", "1")
    assert result.exit_code == 0, result.output
    config = json.loads((tmp_path / "runs" / "impressionism" / "config.json").read_text())
    assert config["dataset_name"] == "impressionism"  # not the link's target, scans-2026
    assert config["arch"] == "fastgan" and config["mode_seeking"] > 0  # fastgan's default diversity term
