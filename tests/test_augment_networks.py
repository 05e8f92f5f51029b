import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from artgan.trainer.augment import PARAMS, adapt_probability, cutout, diff_augment, translation  # noqa: E402
from artgan.trainer.config import TrainConfig, default_width  # noqa: E402
from artgan.trainer.networks import build_discriminator, build_generator  # noqa: E402


def images(n=4, size=16):
    return tf.constant(np.random.default_rng(0).uniform(-1, 1, (n, size, size, 3)).astype(np.float32))


def test_probability_zero_is_identity_and_one_changes_every_image():
    x = images()
    params = tf.constant(np.random.default_rng(1).random((4, PARAMS)).astype(np.float32))
    assert np.array_equal(diff_augment(x, params, 0.0).numpy(), x.numpy())
    changed = diff_augment(x, params, 1.0).numpy()
    assert all(not np.allclose(changed[i], x.numpy()[i]) for i in range(4))
    assert np.array_equal(changed, diff_augment(x, params, 1.0).numpy())  # same params, same result


def test_translation_shifts_content_and_fills_with_zeros():
    x = images(1)
    shifted = translation(x, tf.constant([[1.0, 0.5]]))  # +2 rows (1/8 of 16), no column shift
    assert np.array_equal(shifted[0, 2:].numpy(), x[0, :-2].numpy())
    assert not shifted[0, :2].numpy().any()


def test_cutout_erases_a_quarter_of_the_area():
    erased = cutout(tf.ones((1, 16, 16, 3)), tf.constant([[0.5, 0.5]])).numpy()
    assert (erased[0, :, :, 0] == 0).sum() == 64 and erased[0, 8, 8, 0] == 0 and erased[0, 0, 0, 0] == 1


def test_augmentation_is_differentiable():
    x = images(2)
    params = tf.constant(np.full((2, PARAMS), 0.3, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(diff_augment(x, params, 1.0))
    assert tape.gradient(total, x) is not None


def test_adaptive_probability_moves_towards_the_target():
    assert float(adapt_probability(tf.constant(0.5), tf.constant(0.9), 0.6, 2000)) == pytest.approx(0.6)
    assert float(adapt_probability(tf.constant(0.5), tf.constant(0.1), 0.6, 2000)) == pytest.approx(0.4)
    assert float(adapt_probability(tf.constant(0.0), tf.constant(0.1), 0.6, 2000)) == 0.0


@pytest.mark.parametrize("size", [16, 64, 256, 1024])
def test_every_power_of_two_size_builds_with_practical_widths(size):
    width = default_width(size)
    g = build_generator(32, size, width, 256)
    d = build_discriminator(size, width, 256, 0.0, num_classes=3, spectral=True)
    assert tuple(g.output.shape) == (None, size, size, 3)
    assert tuple(d.output.shape) == (None, 1)
    assert g.count_params() < 3_000_000 and d.count_params() < 3_000_000  # CPU-practical


@pytest.mark.parametrize("bad", [8, 48, 2048])
def test_sizes_outside_16_to_1024_or_not_powers_of_two_are_refused(bad):
    with pytest.raises(ValueError, match="power of two from 16 to 1024"):
        TrainConfig(data_dir="x", size=bad)


def test_bad_choices_are_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="--loss must be one of nonsat, hinge"):
        TrainConfig(data_dir="x", loss="wasserstein")
    with pytest.raises(ValueError, match="--augment-p"):
        TrainConfig(data_dir="x", augment_p=1.5)


def test_fused_upsampling_equals_upsampling_then_convolution():
    fused = build_generator(8, 32, 8, 64)
    plain = build_generator(8, 32, 8, 64, fused_upsampling=False)
    plain.set_weights(fused.get_weights())  # same weights, same order
    z = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    np.testing.assert_allclose(fused(z, training=True).numpy(), plain(z, training=True).numpy(), atol=2e-5)
    np.testing.assert_allclose(fused(z, training=False).numpy(), plain(z, training=False).numpy(), atol=2e-5)


def test_fused_upsampling_gives_adam_the_same_moments_as_upsampling_then_convolution():
    # the fused kernel's gradient must be a plain dense tensor: Adam squares an IndexedSlices
    # gradient slice by slice, so a gather-built kernel once gave a second moment ~70 % off
    import keras
    import tensorflow as tf

    fused = build_generator(8, 32, 8, 64)
    plain = build_generator(8, 32, 8, 64, fused_upsampling=False)
    plain.set_weights(fused.get_weights())
    z = tf.constant(np.random.default_rng(1).standard_normal((4, 8)).astype(np.float32))
    moments = []
    for model in (fused, plain):
        optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(z, training=True) - 0.3))
        gradients = tape.gradient(loss, model.trainable_variables)
        assert not any(isinstance(g, tf.IndexedSlices) for g in gradients)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        moments.append([v.numpy() for v in optimizer.variables if "velocity" in v.path])
    for a, b in zip(*moments):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-12)
