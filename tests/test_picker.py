"""Scoring and vetting candidates: critic or fallback score, flat images, near-copies, repeats."""

from __future__ import annotations

import io

import numpy as np
import pytest
from artgan.painter.painting import generate
from artgan.models import load_model, resolve_painter
from artgan.models.store import critic_path_for
from artgan.scheduler.fingerprints import degenerate_reason, hamming, phash
from artgan.scheduler.memorisation import ThumbnailIndex, ThumbnailIndexError, thumbnail_index_path
from artgan.scheduler.picker import PickRules, colourfulness, score_candidates
from PIL import Image


@pytest.fixture(scope="module")
def painted():
    model = load_model(resolve_painter(None), device="cpu")
    return np.stack([image for _, image in generate(model, 11, range(8))])


@pytest.fixture(scope="module")
def critic():
    return load_model(critic_path_for(resolve_painter(None)), device="cpu")


SIZE = load_model(resolve_painter(None), device="cpu").info.resolution  # what the bundled critic takes


def noise(seed: int, size: int = SIZE) -> np.ndarray:
    return (np.random.default_rng(seed).random((size, size, 3)) * 255).astype(np.uint8)


def test_critic_scores_rank_the_candidates(painted, critic):
    picked = score_candidates(list(range(8)), painted, critic, None, [])
    ranked = picked.ranked
    assert picked.score_name == "critic" and len(ranked) == 8
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(c.score == c.critic for c in ranked)
    assert any("thumbnail index" in note for note in picked.notes)


def test_without_a_critic_colourfulness_decides_and_says_so(painted):
    picked = score_candidates(list(range(8)), painted, None, None, [])
    assert picked.score_name == "colourfulness"
    assert any("no critic" in note for note in picked.notes)
    assert picked.ranked[0].score == max(colourfulness(image) for image in painted)


def test_colourfulness_prefers_colour_over_grey():
    grey = np.repeat(noise(1)[..., :1], 3, axis=2)
    assert colourfulness(noise(1)) > colourfulness(grey) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "image, reason",
    [
        (np.full((SIZE, SIZE, 3), 120, np.uint8), "flat"),
        (np.where(np.random.default_rng(0).random((SIZE, SIZE, 1)) < 0.05, 255, 0).astype(np.uint8).repeat(3, 2), "one colour"),
    ],
)
def test_degenerate_images_are_rejected(image, reason, critic):
    assert reason in degenerate_reason(image)
    picked = score_candidates([0, 1], np.stack([image, noise(2)]), critic, None, [])
    assert reason in picked.candidates[0].rejected and [c.index for c in picked.ranked] == [1]


def test_normal_paintings_are_not_degenerate(painted):
    assert all(degenerate_reason(image) is None for image in painted)


def test_near_copies_of_training_images_are_rejected(painted, tmp_path):
    training = np.stack([painted[2][:, ::-1], noise(5), noise(6)])  # a mirrored copy: training used flips
    training[0] = np.clip(training[0].astype(int) + 3, 0, 255)  # and a slight change
    path = tmp_path / "tiny.thumbs.npz"
    np.savez(path, thumbs=np.stack([np.asarray(Image.fromarray(t).resize((16, 16), Image.Resampling.BOX)) for t in training]),
             names=np.array(["sun.jpg", "a.jpg", "b.jpg"]))
    assert thumbnail_index_path(tmp_path / "tiny.onnx") == path
    index = ThumbnailIndex.beside(tmp_path / "tiny.onnx")
    picked = score_candidates(list(range(8)), painted, None, index, [])
    assert "near-copy of training image sun.jpg" in picked.candidates[2].rejected
    assert [c.index for c in picked.candidates if c.rejected] == [2]
    assert not any("thumbnail index" in note for note in picked.notes)
    assert ThumbnailIndex.beside(tmp_path / "other.onnx") is None


@pytest.mark.parametrize(
    "content, message",
    [(b"garbage", "not a usable thumbnail index"), ("wrong-shape", r"must be uint8 \[N, T, T, 3\]"), ("no-thumbs", "not a usable")],
)
def test_unusable_thumbnail_indexes_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "m.thumbs.npz"
    if content == "wrong-shape":
        np.savez(path, thumbs=np.zeros((2, 16, 8, 3), np.uint8))
    elif content == "no-thumbs":
        np.savez(path, other=np.zeros(3))
    else:
        path.write_bytes(content)
    with pytest.raises(ThumbnailIndexError, match=message):
        ThumbnailIndex.load(path)


def test_repeats_of_earlier_posts_are_rejected(painted):
    earlier = [phash(painted[4])]
    picked = score_candidates(list(range(8)), painted, None, None, earlier, PickRules(novelty_bits=10))
    assert "too close to an earlier post (0 bits apart)" == picked.candidates[4].rejected
    assert 4 not in [c.index for c in picked.ranked]


def test_phash_survives_jpeg_and_resizing_but_tells_paintings_apart(painted):
    big = Image.fromarray(painted[0]).resize((1080, 1080), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", quality=60)
    assert hamming(phash(painted[0]), phash(Image.open(buffer))) <= 4
    distances = [hamming(phash(painted[0]), phash(other)) for other in painted[1:]]
    assert min(distances) > 10


def test_ties_keep_painting_order():
    image = noise(9)
    picked = score_candidates([5, 3], np.stack([image, image]), None, None, [])
    assert [c.index for c in picked.ranked] == [5, 3]
