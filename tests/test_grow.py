"""--grow-from: a larger run starts from a trained smaller one and fades its new block in."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from conftest import SMALL_RUN as SMALL  # noqa: E402
from conftest import train_small_run  # noqa: E402


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    return train_small_run(tmp_path_factory.mktemp("grow"), 3)


def test_a_grown_run_reuses_every_small_layer_and_fades_the_new_block_in(cli, small_run, tmp_path):
    from artgan.trainer.export import export_run, load_trained
    from artgan.trainer.grow import fade_layer

    data, small = small_run
    grown = tmp_path / "x32"
    result = cli("train", data, "--size", "32", "--grow-from", small, "--batch-size", "8", "--steps", "4",
                 "--fade-steps", "2", "--sample-every", "100", "--eval-every", "0", "--out", grown)
    assert result.exit_code == 0, result.output
    assert "grown from" in result.output and "new: g_up32" in result.output.replace("\n", " ")

    small_config, small_gan = load_trained(small)
    config, gan = load_trained(grown)
    assert (config.width, config.latent_dim, config.grow_from) == (4, 16, str(small))  # width halved with the size
    assert float(fade_layer(gan.ema_generator).alpha.numpy()) == 1.0  # faded in after 2 of 4 steps
    # layers at 4..16 px exist in both; the small run's RGB head became the fade head
    assert gan.generator.get_layer("g_up8_conv").kernel.shape == small_gan.generator.get_layer("g_up8_conv").kernel.shape
    assert gan.generator.get_layer("g_fade_rgb").kernel.shape == small_gan.generator.get_layer("image").kernel.shape

    exported = export_run(grown, tmp_path / "x32.onnx")
    assert exported.painter_max_diff < 1e-3
    from artgan.models.runtime import load_model

    painter = load_model(exported.painter, device="cpu", expect_kind="painter")
    image = painter.session.run(None, {"z": np.zeros((1, 16), np.float32)})[0]
    assert image.shape == (1, 32, 32, 3)


def test_growth_starts_from_the_trained_weights(small_run, tmp_path):
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.export import load_trained
    from artgan.trainer.grow import grow_from
    from artgan.trainer.loop import GAN

    _, small = small_run
    _, small_gan = load_trained(small)
    gan = GAN(TrainConfig(data_dir="x", size=32, width=4, latent_dim=16, grow_from=str(small), fade_steps=10))
    message = grow_from(gan, small)
    for name in ("g_init", "g_up8_conv", "g_up16_bn"):
        for new, old in zip(gan.generator.get_layer(name).get_weights(), small_gan.generator.get_layer(name).get_weights()):
            np.testing.assert_array_equal(new, old)
    np.testing.assert_array_equal(gan.generator.get_layer("g_fade_rgb").get_weights()[0],
                                  small_gan.generator.get_layer("image").get_weights()[0])
    assert "reused" in message and "fading in over 10 steps" in message


def test_a_frozen_grown_run_trains_its_new_block_and_keeps_every_reused_layer(cli, small_run, tmp_path):
    from artgan.trainer.export import load_trained

    data, small = small_run
    grown = tmp_path / "x32"
    result = cli("train", data, "--size", "32", "--grow-from", small, "--freeze-grown", "--batch-size", "8",
                 "--steps", "3", "--fade-steps", "1", "--sample-every", "100", "--eval-every", "0", "--checkpoint-every", "1",
                 "--out", grown)
    assert result.exit_code == 0, result.output
    _, small_gan = load_trained(small)
    config, gan = load_trained(grown)
    assert config.freeze_grown
    assert small_gan.config.mode_seeking > 0 and config.mode_seeking == 0  # the frozen layout needs no diversity push
    reused = [layer for layer in small_gan.generator.layers if layer.weights and layer.name != "image"]
    assert len(reused) > 5
    for old in reused:  # the small painter's EMA weights and batch-norm statistics, in G and in its EMA copy
        picked = small_gan.ema_generator.get_layer(old.name).get_weights()
        for model in (gan.generator, gan.ema_generator):
            for new, before in zip(model.get_layer(old.name).get_weights(), picked):
                np.testing.assert_array_equal(new, before, err_msg=old.name)
    # the raw generator differs from its EMA, so the check above could tell which one the grown run took
    assert any(not np.array_equal(a, b) for old in reused
               for a, b in zip(old.get_weights(), small_gan.ema_generator.get_layer(old.name).get_weights()))
    # the new block and D learned between the first checkpoint and the last
    _, first = load_trained(grown, step=1)
    for name in ("g_up32_conv", "image"):
        assert not np.array_equal(first.generator.get_layer(name).get_weights()[0],
                                  gan.generator.get_layer(name).get_weights()[0]), name
    assert not np.array_equal(first.discriminator.get_layer("d_stem").get_weights()[0],
                              gan.discriminator.get_layer("d_stem").get_weights()[0])
    result = cli("train", data, "--size", "32", "--freeze-grown", "--steps", "2", "--out", tmp_path / "y")
    assert result.exit_code == 2 and "--freeze-grown needs --grow-from" in result.output


def test_a_run_grown_from_an_unblurred_one_blurs_its_new_block_only(cli, small_run, tmp_path):
    from artgan.trainer import fastgan
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.export import load_trained

    data, _ = small_run
    old = tmp_path / "old16"
    result = cli("train", data, "--size", "16", *SMALL, "--no-blur", "--steps", "2", "--out", old)
    assert result.exit_code == 0, result.output
    assert TrainConfig.load(old / "config.json").blur_from == 0
    result = cli("train", data, "--size", "32", "--grow-from", old, "--steps", "2", "--out", tmp_path / "x32")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "x32")
    assert config.blur_from == 32
    # its input (the unblurred 16 px block's output) is blurred too: that cancels the lattice nearest upsampling left
    assert [layer.name for layer in gan.generator.layers if isinstance(layer, fastgan.Blur)] == [
        "g_up32_preblur", "g_up32_blur"
    ]


def test_blur_from_leaves_the_layout_blocks_unblurred_and_a_grown_run_keeps_it(cli, small_run, tmp_path):
    from artgan.trainer import fastgan
    from artgan.trainer.export import load_trained

    data, _ = small_run
    result = cli("train", data, "--size", "16", *SMALL, "--blur-from", "16", "--steps", "2", "--out", tmp_path / "b16")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "b16")
    assert config.blur_from == 16
    assert [layer.name for layer in gan.generator.layers if isinstance(layer, fastgan.Blur)] == [
        "g_up16_preblur", "g_up16_blur"
    ]
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "b16", "--steps", "2", "--out", tmp_path / "x32")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "x32")
    assert config.blur_from == 16 and "g_up32_blur" in [layer.name for layer in gan.generator.layers]


def test_a_second_conv_run_exports_to_matching_onnx_and_its_grown_run_keeps_the_second_convs(cli, small_run, tmp_path):
    from artgan.trainer.export import export_run, load_trained

    data, small = small_run
    # unblurred, so that the second convs alone keep its painter file from being read back
    result = cli("train", data, "--size", "16", *SMALL, "--no-blur", "--second-conv", "--steps", "3", "--out", tmp_path / "d16")
    assert result.exit_code == 0, result.output
    exported = export_run(tmp_path / "d16", tmp_path / "d16.onnx")
    assert exported.painter_max_diff < 1e-3
    # its painter file cannot be read back (the second convs' folded batch norm is not undone): the run folder can
    result = cli("train", data, "--size", "32", "--grow-from", exported.painter, "--freeze-grown", "--steps", "2",
                 "--out", tmp_path / "f")
    assert result.exit_code == 1 and "--second-conv" in result.output and "run folder" in result.output
    assert not (tmp_path / "f").exists()
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "d16", "--steps", "2", "--out", tmp_path / "x32")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "x32")
    assert config.second_conv and {"g_up8_conv2", "g_up32_conv2"} <= {layer.name for layer in gan.generator.layers}
    # the small run has no second convs: its layers would not fit one that has them
    result = cli("train", data, "--size", "32", "--grow-from", small, "--second-conv", "--steps", "2", "--out", tmp_path / "e")
    assert result.exit_code == 1 and "without --second-conv" in result.output and "drop --second-conv" in result.output
    assert not (tmp_path / "e").exists()


def test_contradictory_blur_flags_are_refused_before_anything_is_written(cli, small_run, tmp_path):
    data, small = small_run
    result = cli("train", data, "--size", "16", "--no-blur", "--blur-from", "16", "--steps", "2", "--out", tmp_path / "a")
    assert result.exit_code == 2 and "contradict" in result.output
    result = cli("train", data, "--size", "16", "--blur-from", "32", "--steps", "2", "--out", tmp_path / "b")
    assert result.exit_code == 2 and "above --size 16" in result.output
    result = cli("train", data, "--size", "16", "--blur-from", "12", "--steps", "2", "--out", tmp_path / "c")
    assert result.exit_code == 2 and "power of two" in result.output
    # the small run blurs every block: a run grown from it must too
    result = cli("train", data, "--size", "32", "--grow-from", small, "--blur-from", "32", "--steps", "2", "--out", tmp_path / "d")
    assert result.exit_code == 2 and "blurs from 8 px" in result.output and "drop --blur-from" in result.output
    assert not any((tmp_path / name).exists() for name in "abcd")


def test_growing_from_the_wrong_run_says_why(cli, small_run, tmp_path):
    data, small = small_run
    result = cli("train", data, "--size", "64", "--grow-from", small, "--steps", "2", "--out", tmp_path / "a")
    assert result.exit_code == 1 and "grow one octave at a time" in result.output
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "nothing", "--steps", "2", "--out", tmp_path / "b")
    assert result.exit_code == 1 and "not an artgan run" in result.output
    result = cli("train", data, "--size", "32", "--arch", "dcgan", "--grow-from", small, "--steps", "2", "--out", tmp_path / "c")
    assert result.exit_code != 0 and "--grow-from needs --arch fastgan" in result.output
    result = cli("train", data, "--size", "32", "--grow-from", small, "--no-blur", "--steps", "2", "--out", tmp_path / "d")
    assert result.exit_code == 1 and "trained with blurred upsampling" in result.output and "drop --no-blur" in result.output
    assert not any((tmp_path / name).exists() for name in "abd")


def test_a_skip_rgb_run_starts_as_its_source_upsampled_and_learns_only_the_detail(cli, small_run, tmp_path):
    import tensorflow as tf

    from artgan.trainer.config import TrainConfig
    from artgan.trainer.export import export_run, load_trained
    from artgan.trainer.grow import grow_from
    from artgan.trainer.loop import GAN

    data, small = small_run
    small_config, small_gan = load_trained(small)
    gan = GAN(TrainConfig(data_dir="x", size=32, width=4, latent_dim=16, grow_from=str(small), skip_rgb=True,
                          blur_from=small_config.blur_from))
    message = grow_from(gan, small)
    assert "paints detail on the small run's upsampled image" in message
    np.testing.assert_array_equal(gan.generator.get_layer("g_skip_rgb").get_weights()[0],
                                  small_gan.generator.get_layer("image").get_weights()[0])
    z = tf.random.stateless_normal((4, 16), seed=(1, 2))
    before = small_gan.ema_generator(z, training=False).numpy().astype(np.float64)
    logits = np.arctanh(np.clip(before, -0.999999, 0.999999))  # the small painter's pre-tanh RGB
    expected = np.tanh(tf.image.resize(logits, (32, 32), method="bilinear").numpy())
    grown = gan.ema_generator(z, training=False).numpy()
    assert grown.shape == (4, 32, 32, 3)
    np.testing.assert_allclose(grown, expected, atol=2e-3)  # the detail head starts at zero

    out = tmp_path / "skip32"
    result = cli("train", data, "--size", "32", "--grow-from", small, "--skip-rgb", "--freeze-grown", "--batch-size", "8",
                 "--steps", "3", "--sample-every", "100", "--eval-every", "0", "--out", out)
    assert result.exit_code == 0, result.output
    config, trained = load_trained(out)
    assert config.skip_rgb and config.fade_steps == 0
    # frozen: the coarse head stays the small painter's (its EMA head, in G and the painter alike); the detail learned
    for model in (trained.generator, trained.ema_generator):
        np.testing.assert_array_equal(model.get_layer("g_skip_rgb").get_weights()[0],
                                      small_gan.ema_generator.get_layer("image").get_weights()[0])
    assert np.abs(trained.generator.get_layer("image").get_weights()[0]).max() > 0
    exported = export_run(out, tmp_path / "skip32.onnx")
    assert exported.painter_max_diff < 1e-3

    result = cli("train", data, "--size", "64", "--grow-from", out, "--steps", "2", "--out", tmp_path / "x64")
    assert result.exit_code == 1 and "was grown with --skip-rgb" in result.output
    result = cli("train", data, "--size", "32", "--skip-rgb", "--steps", "2", "--out", tmp_path / "a")
    assert result.exit_code == 2 and "--skip-rgb needs --grow-from" in result.output
    result = cli("train", data, "--size", "32", "--grow-from", small, "--skip-rgb", "--fade-steps", "2", "--steps", "2",
                 "--out", tmp_path / "b")
    assert result.exit_code == 2 and "drop --fade-steps" in result.output
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists() and not (tmp_path / "x64").exists()


def test_the_band_passed_detail_leaves_the_half_size_painting_to_the_small_run_and_cannot_alternate(tmp_path):
    import json

    import tensorflow as tf

    from artgan.trainer import fastgan
    from artgan.trainer.config import TrainConfig

    def detail_change(band: str) -> np.ndarray:
        """What a random detail head adds to the painting (in logits)."""
        tf.keras.utils.set_random_seed(3)
        g = fastgan.build_generator(16, 32, 4, 64, skip_rgb=True, skip_detail=band)
        z = tf.random.stateless_normal((8, 16), seed=(4, 5))
        start = np.arctanh(np.clip(g(z, training=False).numpy().astype(np.float64), -0.999999, 0.999999))
        head = g.get_layer("image")
        kernel, bias = head.get_weights()
        head.set_weights([np.random.default_rng(6).normal(0, 0.5, kernel.shape).astype(np.float32), bias])
        change = np.arctanh(np.clip(g(z, training=False).numpy().astype(np.float64), -0.999999, 0.999999)) - start
        assert np.abs(change).mean() > 1e-3
        return change

    def half_size_change(change: np.ndarray) -> float:
        """How much the same head changes the half-size painting (the small run's part)."""
        return float(np.abs(tf.nn.avg_pool2d(change, 2, 2, "VALID").numpy()).mean())

    def alternation_share(change: np.ndarray) -> float:
        """The share of the change's power in rows or columns alternating every pixel (the 2 px lattice)."""
        window = np.hanning(32)[:, None] * np.hanning(32)[None, :]  # no leakage from the wrapped-around edges
        power = np.abs(np.fft.fft2(change * window[None, :, :, None], axes=(1, 2))) ** 2
        nyquist = power[:, 16, :, :].sum() + power[:, :, 16, :].sum() - power[:, 16, 16, :].sum()
        return float(nyquist / power.sum())

    changes = {band: detail_change(band) for band in fastgan.SKIP_DETAILS}
    full, highpass, bandpass = (half_size_change(changes[band]) for band in ("full", "highpass", "bandpass"))
    assert highpass < 0.25 * full and bandpass < 0.25 * full, (full, highpass, bandpass)
    assert alternation_share(changes["highpass"]) > 0.01  # a high-passed head can paint the 2 px lattice ...
    assert alternation_share(changes["bandpass"]) < 1e-3 * alternation_share(changes["highpass"])  # ... not a band-passed one
    with pytest.raises(ValueError, match="bandpass, highpass or full"):
        TrainConfig(data_dir="x", size=32, grow_from="runs/x16", skip_rgb=True, skip_detail="lowpass")
    # runs made before --skip-detail existed added the full detail, and load that way
    config = TrainConfig(data_dir="x", size=32, grow_from="runs/x16", skip_rgb=True).to_dict()
    assert config["skip_detail"] == "bandpass"
    del config["skip_detail"]
    (tmp_path / "config.json").write_text(json.dumps(config))
    assert TrainConfig.load(tmp_path / "config.json").skip_detail == "full"


def test_a_noisy_run_grows_into_one_that_keeps_its_noise(cli, small_run, tmp_path):
    from artgan.trainer import fastgan
    from artgan.trainer.export import load_trained

    data, small = small_run
    result = cli("train", data, "--size", "16", *SMALL, "--noise-from", "16", "--steps", "2", "--out", tmp_path / "n16")
    assert result.exit_code == 0, result.output
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "n16", "--steps", "2", "--out", tmp_path / "x32")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "x32")
    assert config.noise_from == 16  # followed its source
    assert [layer.name for layer in gan.generator.layers if isinstance(layer, fastgan.NoiseInjection)] == [
        "g_up16_noise", "g_up32_noise"
    ]
    result = cli("train", data, "--size", "16", *SMALL, "--noise-from", "12", "--steps", "2", "--out", tmp_path / "bad")
    assert result.exit_code == 2 and "power of two" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "bad").exists()
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "n16", "--noise-from", "32", "--steps", "2",
                 "--out", tmp_path / "y32")
    assert result.exit_code == 1 and "--noise-from 16" in result.output
    assert not (tmp_path / "y32").exists()
    # a source without noise can grow a block that has it: the new block alone injects noise
    result = cli("train", data, "--size", "32", "--grow-from", small, "--noise-from", "32", "--steps", "2",
                 "--out", tmp_path / "z32")
    assert result.exit_code == 0, result.output
    _, gan = load_trained(tmp_path / "z32")
    assert [layer.name for layer in gan.generator.layers if isinstance(layer, fastgan.NoiseInjection)] == ["g_up32_noise"]


def test_export_noise_scale_scales_the_trained_noise_and_says_so_in_the_file(cli, small_run, tmp_path):
    from artgan.models.runtime import load_model
    from artgan.trainer import fastgan, grow
    from artgan.trainer.export import load_trained

    data, small = small_run
    run = tmp_path / "n16"  # a high rate, so that three steps give the noise a strength worth measuring
    result = cli("train", data, "--size", "16", *SMALL, "--noise-from", "16", "--lr", "0.01", "--steps", "3",
                 "--out", run)
    assert result.exit_code == 0, result.output
    z = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    paintings = {}
    for scale in ("1", "0.5", "0"):
        out = tmp_path / f"s{scale}.onnx"
        result = cli("export", run, "--noise-scale", scale, "--out", out)
        assert result.exit_code == 0, result.output
        model = load_model(out, device="cpu")
        assert model.info.noise_scale == float(scale)
        paintings[scale] = model.run(["image"], {"z": z})[0]
    _, gan = load_trained(run)
    generator = grow.plain_generator(gan)
    strengths = [np.abs(layer.strength.numpy()).max() for layer in generator.layers
                 if isinstance(layer, fastgan.NoiseInjection)]
    assert strengths and min(strengths) > 1e-3  # the run did learn some noise
    assert fastgan.scale_noise(generator, 0.5) == 1
    halved = generator(z, training=False).numpy()
    np.testing.assert_allclose(paintings["0.5"], halved, atol=1e-4)  # the file paints the halved generator
    assert np.abs(paintings["1"] - paintings["0.5"]).max() > 1e-3
    assert np.abs(paintings["0.5"] - paintings["0"]).max() > 1e-3

    # a run without noise has nothing to scale: refused, nothing written; a negative scale is a usage error
    result = cli("export", small, "--noise-scale", "0.5", "--out", tmp_path / "plain.onnx")
    assert result.exit_code == 1 and "--noise-from" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "plain.onnx").exists()
    result = cli("export", run, "--noise-scale", "-1", "--out", tmp_path / "neg.onnx")
    assert result.exit_code == 2 and not (tmp_path / "neg.onnx").exists()


def test_a_global_critic_run_grows_into_one_that_keeps_its_whole_map_head(cli, small_run, tmp_path):
    from artgan.trainer import fastgan
    from artgan.trainer.export import load_trained

    data, _ = small_run
    result = cli("train", data, "--size", "16", *SMALL, "--global-critic", "--steps", "2", "--out", tmp_path / "g16")
    assert result.exit_code == 0, result.output
    result = cli("train", data, "--size", "32", "--grow-from", tmp_path / "g16", "--skip-rgb", "--steps", "2",
                 "--out", tmp_path / "g32")
    assert result.exit_code == 0, result.output
    config, gan = load_trained(tmp_path / "g32")
    assert config.global_critic  # followed its source
    assert fastgan.GLOBAL_LOGIT in [layer.name for layer in gan.discriminator.layers]
    result = cli("train", data, "--size", "16", "--arch", "dcgan", "--global-critic", "--steps", "2",
                 "--out", tmp_path / "bad")
    assert result.exit_code == 2 and "--global-critic is for --arch fastgan" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "bad").exists()
