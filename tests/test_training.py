"""The trainer's behaviour: resume, losses/regularisers, conditioning, rollback, collapse report.

Tiny 16 px networks and a handful of steps; each test traces one train step.
"""

import csv

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from artgan.trainer.config import TrainConfig  # noqa: E402
from artgan.trainer.loop import GAN, train  # noqa: E402
from artgan.trainer.synthetic import landscape  # noqa: E402


def tiny(**overrides) -> TrainConfig:
    settings = dict(
        data_dir="mem", size=16, width=8, latent_dim=16, batch_size=8, steps=6, sample_every=3,
        checkpoint_every=3, dataset_size=24, augment="on", augment_p=0.5,
    )
    settings.update(overrides)
    return TrainConfig(**settings)


@pytest.fixture(scope="module")
def images() -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.stack([landscape(rng, 16, 16) for _ in range(24)])


def losses(run) -> dict[int, tuple[float, float]]:
    with open(run / "metrics.csv", newline="") as handle:
        return {int(r["step"]): (float(r["d_loss"]), float(r["g_loss"])) for r in csv.DictReader(handle)}


def test_resume_repeats_the_uninterrupted_losses(tmp_path, images):
    """Dropout, DiffAugment, R1 and flips all random: a resumed run must still match step for step."""
    train(tiny(dropout=0.3), images, tmp_path / "straight")
    train(tiny(dropout=0.3, steps=3), images, tmp_path / "split")
    gan = train(tiny(dropout=0.3), images, tmp_path / "split", resume=True)
    assert gan.step == 6
    straight, split = losses(tmp_path / "straight"), losses(tmp_path / "split")
    assert sorted(split) == [1, 2, 3, 4, 5, 6]
    for step in (4, 5, 6):
        assert straight[step] == pytest.approx(split[step], abs=1e-5)
    assert len({straight[s] for s in straight}) == 6  # the losses really move from step to step
    for name in ("samples/step-00000006.png", "losses.png"):
        assert (tmp_path / "split" / name).is_file()
    assert list((tmp_path / "split" / "tensorboard").glob("events.out.tfevents.*"))


@pytest.mark.parametrize("arch, loss, regularizer", [("dcgan", "hinge", "spectral"), ("fastgan", "hinge", "r1"),
                                                     ("fastgan", "nonsat", "none")])
def test_losses_and_regularizers_train_both_networks(tmp_path, images, arch, loss, regularizer):
    config = tiny(arch=arch, loss=loss, regularizer=regularizer, steps=2, augment="off", augment_p=None)
    before = GAN(config).state()
    after = train(config, images, tmp_path / "run").state()
    for prefix in ("g/", "d/"):
        changed = [k for k in before if k.startswith(prefix) and not np.array_equal(before[k], after[k])]
        assert changed, f"{prefix} weights did not change with {loss}/{regularizer}"
    rows = losses(tmp_path / "run")
    assert all(np.isfinite(v).all() for v in rows.values())


@pytest.mark.slow  # the CLI + export test in test_train_cli.py covers this path by default
def test_conditional_gan_takes_labels_and_paints_per_class(tmp_path, images):
    labels = np.arange(len(images)) % 3
    data = type("Set", (), {"images": images, "labels": labels})()
    config = tiny(class_names=["a", "b", "c"], steps=3)
    gan = train(config, data, tmp_path / "run")
    assert [i.name for i in gan.generator.inputs] == ["z", "label"]
    assert [i.name for i in gan.discriminator.inputs] == ["image", "label"]
    z = np.repeat(np.random.default_rng(1).standard_normal((1, 16)).astype(np.float32), 3, axis=0)
    painted = gan.paint(z, np.array([0, 1, 2]))
    assert painted.shape == (3, 16, 16, 3)
    assert not np.allclose(painted[0], painted[1])  # same z, other class: another picture
    assert gan.critic(painted).shape == (3, 1)


def test_non_finite_losses_roll_back_and_halve_the_learning_rate(tmp_path, images, monkeypatch):
    original = GAN.build_train_step
    poisoned = {"done": False}

    def build(self):
        step_fn = original(self)

        def step(batch):
            values = step_fn(batch)
            if self.step == 4 and not poisoned["done"]:  # the 5th step explodes, once
                poisoned["done"] = True
                values = dict(values, d_loss=tf.constant(float("nan")))
            return values

        return step

    monkeypatch.setattr(GAN, "build_train_step", build)
    messages = []
    gan = train(tiny(), images, tmp_path / "run", notify=messages.append)
    assert gan.step == 6 and poisoned["done"]
    assert any("rolled back to the checkpoint of step 3" in m and "halved" in m for m in messages)
    assert gan.learning_rates() == pytest.approx((1e-4, 1e-4))
    assert sorted(losses(tmp_path / "run")) == [1, 2, 3, 4, 5, 6]


def test_non_finite_losses_stop_with_a_clear_message_when_asked(tmp_path, images, monkeypatch):
    from artgan.trainer.loop import TrainingError

    original = GAN.build_train_step

    def build(self):
        step_fn = original(self)
        return lambda batch: dict(step_fn(batch), g_loss=tf.constant(float("inf")))

    monkeypatch.setattr(GAN, "build_train_step", build)
    with pytest.raises(TrainingError, match="NaN/Inf at step 1 .*no checkpoint was written yet.*--lr"):
        train(tiny(on_nan="stop", steps=2), images, tmp_path / "run")


def test_collapse_is_reported(tmp_path, images):
    messages = []
    train(tiny(steps=3, collapse_threshold=1e9), images, tmp_path / "run", notify=messages.append)
    assert [m for m in messages if "mode collapse at step 3" in m and "near-identical" in m]


def test_collapse_ratio_tells_identical_samples_from_varied_ones(images):
    from artgan.trainer.health import collapse_ratio

    varied = images[:8].astype(np.float32)
    assert collapse_ratio(np.repeat(varied[:1], 8, axis=0), varied) == 0.0
    assert collapse_ratio(varied[::-1], varied) == pytest.approx(1.0)
    assert collapse_ratio(varied[:1] + np.random.default_rng(0).normal(0, 1, (8, 16, 16, 3)), varied) < 0.05


def test_mode_seeking_penalises_pairs_that_paint_alike():
    from artgan.trainer.losses import SEEKING_EPS, mode_seeking_penalty

    rng = np.random.default_rng(3)
    z = tf.constant(rng.standard_normal((4, 16)), tf.float32)
    varied = tf.constant(rng.uniform(-1, 1, (4, 8, 8, 3)), tf.float32)
    alike = tf.concat([varied[:2], varied[:2] + 0.01], axis=0)
    assert mode_seeking_penalty(alike, z).shape == (2,)
    assert np.all(mode_seeking_penalty(alike, z).numpy() > 4 * mode_seeking_penalty(varied, z).numpy())
    assert np.all(mode_seeking_penalty(tf.concat([varied[:2], varied[:2]], 0), z).numpy() == pytest.approx(1 / SEEKING_EPS))
    assert mode_seeking_penalty(varied[:1], z[:1]).shape == (0,)  # one image has no pair
    # the structure gap takes each painting's mean colour out: a recoloured copy paints alike
    recoloured = tf.concat([varied[:2], varied[:2] * 0.5 + 0.3], axis=0)
    assert np.all(mode_seeking_penalty(recoloured, z).numpy() < 5)
    centred = tf.concat([varied[:2], varied[:2] + 0.4], axis=0)
    assert np.all(mode_seeking_penalty(centred, z, structure=True).numpy() == pytest.approx(1 / SEEKING_EPS))
    assert np.all(mode_seeking_penalty(varied, z, structure=True).numpy() < 5)
    # descending the penalty pushes the two paintings of a pair apart
    images = tf.Variable(alike)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(mode_seeking_penalty(images, z))
    images.assign_sub(0.01 * tape.gradient(loss, images))
    gap = lambda x: float(tf.reduce_mean(tf.abs(x[:2] - x[2:])))  # noqa: E731
    assert gap(images) > gap(alike)


def test_mode_seeking_adds_its_weighted_term_to_the_generator_loss_only(tmp_path, images):
    first = {}
    for weight in (0.0, 1.0, 2.0):
        train(tiny(arch="fastgan", steps=1, mode_seeking=weight), images, tmp_path / f"w{weight}")
        first[weight] = losses(tmp_path / f"w{weight}")[1]
    assert first[1.0][0] == pytest.approx(first[0.0][0], abs=1e-6)  # D's loss is untouched
    added = first[1.0][1] - first[0.0][1]
    assert added > 0.5  # a penalty of at least 1/(gap ratio + eps) per pair
    assert first[2.0][1] - first[0.0][1] == pytest.approx(2 * added, rel=1e-4)
    with pytest.raises(ValueError, match="mode-seeking"):
        tiny(mode_seeking=-1.0)
    with pytest.raises(ValueError, match="mode-seeking-gap"):
        tiny(mode_seeking_gap="colour")
