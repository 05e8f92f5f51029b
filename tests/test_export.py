import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from artgan.models.runtime import load_model  # noqa: E402
from artgan.trainer.config import TrainConfig  # noqa: E402
from artgan.trainer.export import load_trained  # noqa: E402


def test_onnx_painter_matches_keras_ema_generator(exported, trained_run):
    assert exported.painter_max_diff < 1e-4 and exported.critic_max_diff < 1e-4
    _, gan = load_trained(trained_run)
    z = np.random.default_rng(3).standard_normal((5, 16)).astype(np.float32)
    painter = load_model(exported.painter, device="cpu")
    onnx_out = painter.session.run(["image"], {"z": z})[0]
    keras_out = gan.ema_generator(z, training=False).numpy()
    assert onnx_out.shape == (5, 16, 16, 3)
    assert np.max(np.abs(onnx_out - keras_out)) < 1e-4
    assert onnx_out.min() >= -1 and onnx_out.max() <= 1


def test_batch_axis_is_dynamic(exported):
    painter = load_model(exported.painter, device="cpu")
    for n in (1, 7):
        z = np.zeros((n, 16), np.float32)
        assert painter.session.run(["image"], {"z": z})[0].shape[0] == n


def test_metadata_describes_the_run(exported, trained_run):
    config = TrainConfig.load(trained_run / "config.json")
    info = load_model(exported.painter, device="cpu").info
    assert (info.kind, info.latent_dim, info.resolution, info.steps) == ("painter", 16, 16, 12)
    assert info.dataset_name == config.dataset_name and info.dataset_size == 24
    assert info.created and info.training_config["batch_size"] == 8
    critic = load_model(exported.critic, device="cpu")
    assert critic.info.kind == "critic"
    scores = critic.session.run(["score"], {"image": np.zeros((3, 16, 16, 3), np.float32)})[0]
    assert scores.shape == (3,)


def test_export_of_an_older_step(trained_run, tmp_path):
    from artgan.trainer.export import export_run

    result = export_run(trained_run, tmp_path / "old.onnx", step=6)
    assert result.step == 6 and load_model(result.painter).info.steps == 6


def test_export_errors_are_clear(cli, tmp_path):
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "not an artgan run" in result.stderr
    (tmp_path / "config.json").write_text(json.dumps({"data_dir": "x", "size": 16}))
    result = cli("export", tmp_path)
    assert result.exit_code == 1 and "no readable checkpoint" in result.stderr
