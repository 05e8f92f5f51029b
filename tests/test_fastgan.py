"""The FastGAN-class networks: shapes at every size, skip-layer excitation, D's reconstructions, old runs."""

import json

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from artgan.trainer import fastgan  # noqa: E402
from artgan.trainer.config import TrainConfig, default_width  # noqa: E402
from artgan.trainer.loop import GAN, train  # noqa: E402

from conftest import landscapes_array  # noqa: E402


@pytest.mark.parametrize("size", [16, 64, 128, 256, 1024])
def test_every_size_builds_with_its_default_width(size):
    width = default_width(size, "fastgan")
    g = fastgan.build_generator(32, size, width, 256)
    critic, features = fastgan.build_discriminator(size, width, 256)
    assert tuple(g.output.shape) == (None, size, size, 3)
    assert tuple(critic.output.shape) == (None, 1)
    assert [tuple(f.shape[1:3]) for f in features.outputs[1:]] == ([(8, 8), (16, 16)] if size >= 32 else [(8, 8)])
    # skip-layer excitation from r to 16 r wherever both exist
    gates = sorted(layer.name for layer in g.layers if layer.name.endswith("_excite"))
    assert gates == sorted(f"g_sle{r}_{16 * r}_excite" for r in (4, 8, 16, 32, 64) if 16 * r <= size)
    if size <= 128:
        assert g.count_params() < 5_000_000 and critic.count_params() < 3_000_000  # trains on a CPU


def test_excitation_gates_the_high_resolution_channels_by_the_low_resolution_layout():
    g = fastgan.build_generator(16, 64, 4, 64)
    sle = g.get_layer("g_sle4_64_excite")
    gate_model = tf.keras.Model(g.inputs, sle.input[1])  # the [N, 1, 1, C] sigmoid gates
    z = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    gates = gate_model(z, training=False).numpy()
    assert gates.shape == (4, 1, 1, g.get_layer("g_up64_glu").output.shape[-1])
    assert np.all((gates > 0) & (gates < 1)) and not np.allclose(gates[0], gates[1])  # per image, per channel


def test_reconstruction_targets_are_the_whole_image_and_the_chosen_quadrant():
    real = tf.constant(np.arange(64 * 64 * 3, dtype=np.float32).reshape(1, 64, 64, 3))
    whole, part = fastgan.reconstruction_targets(real, tf.constant(3), 64)
    assert whole.shape == (1, 32, 32, 3) and part.shape == (1, 32, 32, 3)
    np.testing.assert_allclose(part.numpy(), real[:, 32:, 32:, :].numpy())  # bottom-right, already 32 px
    np.testing.assert_allclose(whole[0, 0, 0].numpy(), real[0, :2, :2].numpy().mean(axis=(0, 1)))  # area mean
    features = tf.reshape(tf.range(16 * 16, dtype=tf.float32), (1, 16, 16, 1))
    np.testing.assert_array_equal(fastgan.feature_quadrant(features, tf.constant(1)).numpy(), features[:, :8, 8:].numpy())


def test_training_updates_generator_discriminator_and_both_decoders(tmp_path):
    images = landscapes_array(16, size=32)
    config = TrainConfig(data_dir="x", size=32, width=4, latent_dim=16, batch_size=8, steps=3, eval_every=0,
                         sample_every=100, checkpoint_every=100, dataset_size=16, augment_p=0.5)
    initial = GAN(config)
    before = {name: [w.copy() for w in model.get_weights()] for name, model in
              [("g", initial.generator), ("d", initial.discriminator)] +
              [(d.name, d) for d in initial.decoders]}
    assert len(initial.decoders) == 2
    gan = train(config, images, tmp_path / "run")
    for name, model in [("g", gan.generator), ("d", gan.discriminator)] + [(d.name, d) for d in gan.decoders]:
        changed = [not np.array_equal(a, b) for a, b in zip(before[name], model.get_weights())]
        assert sum(changed) > len(changed) // 2, f"{name} barely trained"


def test_runs_from_before_arch_existed_load_as_dcgan(tmp_path):
    config = TrainConfig(data_dir="x", size=16, width=8)
    raw = config.to_dict()
    del raw["arch"], raw["recon_weight"]
    (tmp_path / "config.json").write_text(json.dumps(raw))
    loaded = TrainConfig.load(tmp_path / "config.json")
    assert loaded.arch == "dcgan"
    assert not any("excite" in layer.name for layer in GAN(loaded).generator.layers)


def test_runs_from_before_blur_existed_load_without_it_and_new_runs_blur(tmp_path):
    raw = TrainConfig(data_dir="x", size=32, width=4).to_dict()
    del raw["blur_from"]
    (tmp_path / "config.json").write_text(json.dumps(raw))
    old = GAN(TrainConfig.load(tmp_path / "config.json")).generator
    new = GAN(TrainConfig(data_dir="x", size=32, width=4)).generator
    assert not any(isinstance(layer, fastgan.Blur) for layer in old.layers)
    assert [layer.name for layer in new.layers if isinstance(layer, fastgan.Blur)] == [
        f"g_up{r}_blur" for r in (8, 16, 32)
    ]
    assert old.count_params() == new.count_params()  # the blur has no weights: old checkpoints still fit


def test_second_conv_deepens_the_alternate_octaves_and_old_runs_load_without_it(tmp_path):
    shallow = fastgan.build_generator(16, 64, 4, 64)
    deep = fastgan.build_generator(16, 64, 4, 64, second_conv=True)
    assert tuple(deep.output.shape) == (None, 64, 64, 3)
    assert sorted(layer.name for layer in deep.layers if layer.name.endswith("_conv2")) == ["g_up32_conv2", "g_up8_conv2"]
    assert not any(layer.name.endswith("_conv2") for layer in shallow.layers)
    assert deep.count_params() > shallow.count_params()
    raw = TrainConfig(data_dir="x", size=32, width=4, arch="fastgan", second_conv=True).to_dict()
    del raw["second_conv"]
    (tmp_path / "config.json").write_text(json.dumps(raw))
    assert TrainConfig.load(tmp_path / "config.json").second_conv is False


def test_blurred_upsampling_conv_is_bilinear_upsampling_then_the_conv():
    """Inside the image (the blur reflects at the border, bilinear clamps) the two are one operator."""
    from artgan.trainer.networks import UpsampleConv

    rng = np.random.default_rng(0)
    x = tf.constant(rng.standard_normal((2, 12, 12, 3)), tf.float32)
    conv = UpsampleConv(5)
    blurred = fastgan.Blur()(conv(x)).numpy()
    bilinear = tf.image.resize(x, [24, 24], method="bilinear")
    reference = tf.nn.conv2d(bilinear, conv.kernel, 1, "SAME").numpy()
    np.testing.assert_allclose(blurred[:, 3:-3, 3:-3], reference[:, 3:-3, 3:-3], atol=1e-5)
    # and it keeps a constant image constant up to the edges (normalised, reflected)
    ones = tf.ones((1, 8, 8, 2))
    np.testing.assert_allclose(fastgan.Blur()(ones).numpy(), ones.numpy(), atol=1e-6)


def test_blur_cancels_the_period_two_lattice_of_nearest_upsampling():
    """The pre-blur of a grown run's first blurred block: a 2 px checkerboard or stripe pattern is removed."""
    rows, cols = np.indices((16, 16))
    patterns = np.stack([(-1.0) ** (rows + cols), (-1.0) ** rows, (-1.0) ** cols], axis=-1)[None].astype(np.float32)
    smooth = np.sin(rows / 5.0)[None, :, :, None].astype(np.float32)
    out = fastgan.Blur()(tf.constant(patterns + smooth)).numpy()
    reference = fastgan.Blur()(tf.constant(np.repeat(smooth, 3, axis=-1))).numpy()
    np.testing.assert_allclose(out, reference, atol=1e-5)


def test_an_unknown_arch_or_a_dcgan_only_option_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="--arch must be one of fastgan, dcgan"):
        TrainConfig(data_dir="x", arch="stylegan9")
    with pytest.raises(ValueError, match="spectral is for --arch dcgan"):
        TrainConfig(data_dir="x", regularizer="spectral")


def test_noise_injection_starts_silent_and_paints_each_latent_its_own_fixed_noise():
    from artgan.trainer.grow import copy_matching_layers

    plain = fastgan.build_generator(16, 32, 4, 64)
    noisy = fastgan.build_generator(16, 32, 4, 64, noise_from=32)
    layers_ = [layer for layer in noisy.layers if isinstance(layer, fastgan.NoiseInjection)]
    assert [layer.name for layer in layers_] == ["g_up32_noise"]  # only the blocks from --noise-from up
    assert not any(isinstance(layer, fastgan.NoiseInjection) for layer in plain.layers)
    copy_matching_layers(plain, noisy)
    z = np.random.default_rng(0).standard_normal((4, 16)).astype(np.float32)
    # a new layer's strength is zero: it changes nothing until training weights it (a grown run starts as its source)
    np.testing.assert_allclose(noisy(z, training=False).numpy(), plain(z, training=False).numpy(), atol=1e-6)

    noise = layers_[0]
    features = tf.zeros((4, 32, 32, noise.strength.shape[0]))
    noise.strength.assign(np.ones(noise.strength.shape, np.float32))
    maps = noise([features, tf.constant(z)]).numpy()[..., 0]
    np.testing.assert_array_equal(maps, noise([features, tf.constant(z)]).numpy()[..., 0])  # a latent's noise is fixed
    assert 0.8 < maps.std() < 1.2 and abs(maps.mean()) < 0.1  # about N(0, 1) per pixel
    between = np.corrcoef(maps.reshape(4, -1))[np.triu_indices(4, 1)]
    assert np.all(np.abs(between) < 0.6)  # and its own for each painting
    along = np.corrcoef(maps[:, :, :-1].ravel(), maps[:, :, 1:].ravel())[0, 1]
    assert abs(along) < 0.1  # per-pixel texture, no lines
    noise.strength.assign(np.full(noise.strength.shape, 0.5, np.float32))
    assert np.abs(noisy(z, training=False).numpy() - plain(z, training=False).numpy()).max() > 1e-3


def test_noise_from_is_checked_and_old_runs_load_without_noise(tmp_path):
    for bad, message in [(dict(noise_from=12), "power of two"), (dict(noise_from=64), "above --size 32"),
                         (dict(noise_from=32, arch="dcgan"), "--arch fastgan")]:
        with pytest.raises(ValueError, match=message):
            TrainConfig(**{"data_dir": "x", "size": 32, "arch": "fastgan", **bad})
    raw = TrainConfig(data_dir="x", size=32, width=4, arch="fastgan", noise_from=16).to_dict()
    del raw["noise_from"]
    (tmp_path / "config.json").write_text(json.dumps(raw))
    assert TrainConfig.load(tmp_path / "config.json").noise_from == 0


@pytest.mark.parametrize("compact", [False, True])
def test_a_noisy_generator_exports_to_plain_onnx_that_paints_the_same_noise(tmp_path, compact):
    import onnx

    from artgan.models.runtime import load_model
    from artgan.trainer.export import export_networks

    g = fastgan.build_generator(16, 32, 4, 64, noise_from=16)
    for layer in g.layers:
        if isinstance(layer, fastgan.NoiseInjection):
            layer.strength.assign(np.full(layer.strength.shape, 0.7, np.float32))
    d, _ = fastgan.build_discriminator(32, 4, 64)
    result = export_networks(g, d, tmp_path / "n.onnx", dict(latent_dim=16, resolution=32), compact=compact)
    assert result.painter_max_diff < (2e-3 if compact else 1e-4)
    ops = {node.op_type for node in onnx.load(tmp_path / "n.onnx").graph.node}
    assert not any(op.startswith("Random") for op in ops)  # the noise comes from the latent, not a random draw
    z = np.random.default_rng(5).standard_normal((3, 16)).astype(np.float32)
    session = load_model(tmp_path / "n.onnx", device="cpu").session
    first, again = session.run(None, {"z": z})[0], session.run(None, {"z": z})[0]
    np.testing.assert_array_equal(first, again)


def test_the_global_critic_judges_where_things_are_and_trains_and_exports(tmp_path):
    import keras

    from artgan.trainer.export import export_networks

    keras.utils.set_random_seed(3)
    patch_only, _ = fastgan.build_discriminator(32, 4, 64)
    whole, features = fastgan.build_discriminator(32, 4, 64, global_logit=True)
    assert fastgan.GLOBAL_LOGIT not in [layer.name for layer in patch_only.layers]
    head = whole.get_layer(fastgan.GLOBAL_LOGIT)
    assert tuple(head.kernel.shape[:2]) == (8, 8)  # a weight per position of the final 8x8 map
    for layer in patch_only.layers:
        if layer.weights:
            whole.get_layer(layer.name).set_weights(layer.get_weights())
    sky_over_ground = np.concatenate([np.full((1, 16, 32, 3), 0.8), np.full((1, 16, 32, 3), -0.6)], axis=1)
    ground_over_sky = sky_over_ground[:, ::-1].copy()

    def final_map(image):  # what the head reads: the 8x8 features after d_head
        x = features(image)[1]
        return tf.nn.leaky_relu(whole.get_layer("d_head")(x), 0.2).numpy()[0]

    # weights that read the layout: the head separates the two far more than averaged patches can
    difference = final_map(sky_over_ground) - final_map(ground_over_sky)
    head.set_weights([0.01 * np.sign(difference)[..., None].astype(np.float32), np.zeros(1, np.float32)])
    patch_gap = float(patch_only(sky_over_ground)[0, 0] - patch_only(ground_over_sky)[0, 0])
    whole_gap = float(whole(sky_over_ground)[0, 0] - whole(ground_over_sky)[0, 0])
    np.testing.assert_allclose(whole_gap - patch_gap, 0.01 * np.abs(difference).sum(), rtol=1e-3)
    assert abs(whole_gap) > 3 * abs(patch_gap)
    # trained, its head learns; exported, the critic (Conv + Flatten + Add) matches Keras
    config = TrainConfig(data_dir="x", size=32, width=4, latent_dim=16, batch_size=8, steps=3, eval_every=0,
                         sample_every=100, checkpoint_every=100, dataset_size=16, augment_p=0.5, arch="fastgan",
                         global_critic=True)
    start = GAN(config).discriminator.get_layer(fastgan.GLOBAL_LOGIT).get_weights()[0].copy()
    gan = train(config, landscapes_array(16, size=32), tmp_path / "run")
    assert not np.array_equal(start, gan.discriminator.get_layer(fastgan.GLOBAL_LOGIT).get_weights()[0])
    result = export_networks(gan.ema_generator, gan.discriminator, tmp_path / "g.onnx",
                             dict(latent_dim=16, resolution=32))
    assert result.critic_max_diff < 1e-4


def test_global_critic_is_for_fastgan_and_old_runs_load_without_it(tmp_path):
    with pytest.raises(ValueError, match="--global-critic is for --arch fastgan"):
        TrainConfig(data_dir="x", size=32, arch="dcgan", global_critic=True)
    raw = TrainConfig(data_dir="x", size=32, width=4, arch="fastgan", global_critic=True).to_dict()
    del raw["global_critic"]
    (tmp_path / "config.json").write_text(json.dumps(raw))
    assert TrainConfig.load(tmp_path / "config.json").global_critic is False
