"""The streak score separates texture drawn in lines from natural texture."""

import numpy as np
import pytest
from artgan.evaluation.streaks import streak_coherence, streak_score

from test_lattice import _landscape


def _clean(n: int = 6) -> np.ndarray:
    return np.stack([_landscape(128, seed=s) for s in range(n)]).astype(np.float64)


def _row_streaks(size: int, seed: int) -> np.ndarray:
    """Thin bands, each row's brightness offset held along most of the row, as the painters drew them."""
    rng = np.random.default_rng(seed)
    offsets = rng.normal(0, 8, (size, 1)) * np.ones((1, size))
    fade = np.clip(rng.normal(1, 0.3, (size, 1)), 0, None)  # rows differ in strength, as painted ones do
    return (offsets * fade)[..., None]


def test_clean_pictures_score_low():
    assert streak_score(_clean()) < 0.2


def test_horizontal_streaks_raise_the_horizontal_score_and_not_the_vertical():
    clean = _clean()
    streaky = clean + np.stack([_row_streaks(128, s) for s in range(len(clean))])
    before, after = streak_coherence(clean), streak_coherence(streaky)
    assert after["horizontal"] > before["horizontal"] + 0.3
    assert after["vertical"] < before["vertical"] + 0.05
    assert after["score"] == after["horizontal"]


def test_vertical_streaks_are_caught_too():
    clean = _clean()
    streaky = clean + np.stack([np.swapaxes(_row_streaks(128, s), 0, 1) for s in range(len(clean))])
    assert streak_coherence(streaky)["vertical"] > streak_coherence(clean)["vertical"] + 0.3


def test_uncorrelated_noise_is_not_a_streak():
    clean = _clean()
    noisy = clean + np.random.default_rng(1).normal(0, 8, clean.shape[:3])[..., None]
    assert streak_score(noisy) < streak_score(clean) + 0.05


def test_the_score_does_not_depend_on_the_units():
    clean = _clean()
    assert streak_score(clean / 255.0) == pytest.approx(streak_score(clean))


def test_too_small_images_are_refused_with_the_minimum():
    with pytest.raises(ValueError, match="at least 32 px"):
        streak_score(np.zeros((2, 16, 16, 3)))
