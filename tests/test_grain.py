"""The colour-grain score counts pixel-fine colour speckle, not light-and-dark texture or smooth colour."""

import numpy as np
import pytest
from artgan.evaluation.grain import colour_grain

from test_lattice import _landscape


def _tinted(n: int = 4) -> np.ndarray:
    """Landscapes with a smooth colour cast (bluer towards the top), as photos' skies have."""
    pictures = np.stack([_landscape(128, seed=s) for s in range(n)]).astype(np.float64)
    rows = np.linspace(1.0, 0.0, 128)[None, :, None]
    pictures[..., 2] += 40 * rows
    pictures[..., 0] -= 20 * rows
    return pictures


def test_colour_speckle_raises_the_score():
    clean = _tinted()
    speckle = np.random.default_rng(1).normal(0, 6, clean.shape)  # each channel its own noise: coloured specks
    assert colour_grain(clean + speckle) > colour_grain(clean) + 3


def test_grey_texture_of_any_strength_leaves_it_unchanged():
    clean = _tinted()
    grey_noise = np.random.default_rng(1).normal(0, 20, clean.shape[:3])[..., None]  # the same in R, G and B
    assert colour_grain(clean + grey_noise) == pytest.approx(colour_grain(clean), abs=1e-6)


def test_smooth_colour_scores_near_zero():
    rows, cols = np.mgrid[0:1:64j, 0:1:64j]
    smooth = np.stack([120 + 60 * rows, 140 + 30 * cols, 200 - 50 * rows], axis=-1)[None]
    assert colour_grain(smooth) < 0.5  # only the mirrored borders bend a ramp; a speckled sky scores ~5


def test_the_score_is_in_the_images_units():
    speckled = _tinted() + np.random.default_rng(2).normal(0, 6, _tinted().shape)
    assert colour_grain(speckled / 255.0) == pytest.approx(colour_grain(speckled) / 255.0)


@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (2, 32, 32), (2, 32, 32, 1)])
def test_what_is_not_a_set_of_rgb_images_is_refused(shape):
    with pytest.raises(ValueError, match="RGB images"):
        colour_grain(np.zeros(shape))
