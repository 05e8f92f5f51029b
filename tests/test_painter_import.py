"""--grow-from PAINTER.onnx: an exported fastgan painter and its critic read back into trainable networks."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from conftest import SMALL_RUN as SMALL  # noqa: E402
from conftest import train_small_run  # noqa: E402


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """An unblurred 16 px fastgan run (trained a few steps, so batch norm has statistics), exported plain and compact."""
    from artgan.trainer.export import export_run

    root = tmp_path_factory.mktemp("import")
    data, run = train_small_run(root, 4, "--no-blur")
    plain = export_run(run, root / "plain" / "x16.onnx").painter
    compact = export_run(run, root / "compact" / "x16.onnx", compact=True).painter
    return data, run, plain, compact


def test_unfolding_the_phase_kernels_gives_back_the_3x3_kernel():
    from artgan.trainer.onnx_graph import _PHASE_TAPS
    from artgan.trainer.painter_import import unfold_phases

    kernel = np.random.default_rng(0).standard_normal((3, 3, 5, 7)).astype(np.float32)  # HWIO
    oihw = kernel.transpose(3, 2, 0, 1).astype(np.float64)
    phases = {(a, b): np.einsum("ty,ux,oiyx->oitu", _PHASE_TAPS[a], _PHASE_TAPS[b], oihw)
              for a in (0, 1) for b in (0, 1)}
    np.testing.assert_allclose(unfold_phases(phases), kernel, atol=1e-5)


@pytest.mark.parametrize("which", ["plain", "compact"])
def test_a_painter_file_reads_back_into_networks_that_paint_and_judge_as_the_run_did(exported, which):
    from pathlib import Path

    from artgan.trainer.export import load_trained
    from artgan.trainer.painter_import import import_painter

    _, run, plain, compact = exported
    config, gan = import_painter(Path(plain if which == "plain" else compact))
    run_config, trained = load_trained(run)
    assert (config.size, config.width, config.latent_dim, config.blur_from) == (16, 8, 16, 0)
    z = np.random.default_rng(1).standard_normal((6, 16)).astype(np.float32)
    tolerance = 1e-4 if which == "plain" else 1e-2
    expected = trained.paint(z)
    for generator in (gan.generator, gan.ema_generator):  # G and the painter both start as the exported painter
        np.testing.assert_allclose(generator(z, training=False).numpy(), expected, atol=tolerance)
    np.testing.assert_allclose(np.asarray(gan.discriminator(expected)), np.asarray(trained.discriminator(expected)),
                               atol=tolerance, rtol=tolerance)
    # layers export left whole come back as they were
    np.testing.assert_allclose(gan.ema_generator.get_layer("g_init").get_weights()[0],
                               trained.ema_generator.get_layer("g_init").get_weights()[0], atol=tolerance)


def test_a_misread_painter_is_refused_not_grown_from(exported, monkeypatch):
    from pathlib import Path

    from artgan.trainer import painter_import

    _, _, plain, _ = exported
    real = painter_import.unfold_phases
    monkeypatch.setattr(painter_import, "unfold_phases", lambda phases: real(phases)[::-1])  # a wrong tap order
    with pytest.raises(painter_import.PainterImportError, match="could not be read back exactly"):
        painter_import.import_painter(Path(plain))


def test_training_grows_from_a_painter_file_with_its_layers_frozen(cli, exported, tmp_path):
    from artgan.trainer.export import load_trained

    data, run, plain, _ = exported
    out = tmp_path / "x32"
    result = cli("train", data, "--size", "32", "--grow-from", plain, "--skip-rgb", "--freeze-grown", "--batch-size", "8",
                 "--steps", "2", "--sample-every", "100", "--eval-every", "0", "--out", out)
    assert result.exit_code == 0, result.output
    assert "grown from" in result.output and "(step 4, 16 px)" in result.output
    _, grown = load_trained(out)
    _, small = load_trained(run)
    z = np.random.default_rng(2).standard_normal((4, 16)).astype(np.float32)
    # the frozen 8 px block computes what the small painter's did (its batch norm folded, in inference mode)
    probe = lambda model: model.get_layer("g_up8_glu").output  # noqa: E731
    import keras

    features = lambda model: keras.Model(model.inputs, probe(model))(z, training=False).numpy()  # noqa: E731
    np.testing.assert_allclose(features(grown.ema_generator), features(small.ema_generator), atol=1e-4)


def test_growing_from_a_painter_file_says_what_it_needs(cli, exported, tmp_path):
    import shutil

    data, _, plain, _ = exported
    result = cli("train", data, "--size", "32", "--grow-from", plain, "--steps", "2", "--out", tmp_path / "a")
    assert result.exit_code == 1 and "needs --freeze-grown" in result.output
    alone = tmp_path / "alone" / "x16.onnx"
    alone.parent.mkdir()
    shutil.copyfile(plain, alone)
    result = cli("train", data, "--size", "32", "--grow-from", alone, "--freeze-grown", "--steps", "2", "--out", tmp_path / "b")
    assert result.exit_code == 1 and "has no critic beside it" in result.output
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "none.onnx", "--freeze-grown", "--steps", "2",
                 "--out", tmp_path / "c")
    assert result.exit_code == 1 and "no such painter file" in result.output
    assert not any((tmp_path / name).exists() for name in "abc")


def test_a_blurred_painter_file_points_to_its_run_folder(cli, exported, tmp_path):
    from artgan.trainer.export import export_run

    data = exported[0]
    run = tmp_path / "blurred"
    result = cli("train", data, "--size", "16", *SMALL, "--steps", "1", "--out", run)
    assert result.exit_code == 0, result.output
    painter = export_run(run, tmp_path / "blurred.onnx").painter
    result = cli("train", data, "--size", "32", "--grow-from", painter, "--freeze-grown", "--steps", "2", "--out", tmp_path / "a")
    assert result.exit_code == 1 and "grow from its run folder instead" in result.output


def test_a_painter_with_a_trimmed_frame_reads_back_as_the_untrimmed_network(exported, tmp_path):
    from artgan.trainer.export import export_run, load_trained
    from artgan.trainer.painter_import import import_painter

    _, run, _, _ = exported
    trimmed = export_run(run, tmp_path / "trimmed.onnx", trim_frame=2).painter
    _, gan = import_painter(trimmed)  # its own parity check compares after the same trim
    _, trained = load_trained(run)
    z = np.random.default_rng(5).standard_normal((4, 16)).astype(np.float32)
    np.testing.assert_allclose(gan.ema_generator(z, training=False).numpy(), trained.paint(z), atol=1e-4)


def test_a_global_critic_painter_file_points_to_its_run_folder():
    import json

    from artgan.trainer import painter_import
    from artgan.trainer.config import TrainConfig

    config = TrainConfig(data_dir="x", size=16, width=8, arch="fastgan", blur_from=0, global_critic=True)
    metadata = {"artgan.kind": "painter", "artgan.training_config": json.dumps(config.to_dict())}
    with pytest.raises(painter_import.PainterImportError, match="--global-critic; grow from its run folder instead"):
        painter_import.painter_config(metadata, "x16.onnx")
    plain = {**metadata, "artgan.training_config": json.dumps({**config.to_dict(), "global_critic": False})}
    assert painter_import.painter_config(plain, "x16.onnx").global_critic is False
