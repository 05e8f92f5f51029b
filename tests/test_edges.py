"""The edge-contrast score separates a painted frame or edge column from a clean picture."""

import numpy as np
import pytest
from artgan.evaluation.edges import edge_contrast

from test_lattice import _landscape


def test_clean_pictures_score_near_one():
    pictures = np.stack([_landscape(64, seed=s) for s in range(6)])
    assert 0.6 < edge_contrast(pictures) < 1.5


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_a_bright_line_along_any_side_scores_far_above_a_clean_picture(side):
    pictures = np.stack([_landscape(64, seed=s) for s in range(6)]).astype(np.float64)
    clean = edge_contrast(pictures)
    index = {"left": (slice(None), slice(None), 1), "right": (slice(None), slice(None), -2),
             "top": (slice(None), 1), "bottom": (slice(None), -2)}[side]
    framed = pictures.copy()
    framed[index] = np.minimum(framed[index] + 60, 255)  # a bright line one pixel in, as the painters drew
    assert edge_contrast(framed) > clean + 0.5


def test_the_same_line_in_the_middle_is_not_an_edge():
    pictures = np.stack([_landscape(64, seed=s) for s in range(6)]).astype(np.float64)
    lined = pictures.copy()
    lined[:, :, 32] = np.minimum(lined[:, :, 32] + 60, 255)
    assert edge_contrast(lined) <= edge_contrast(pictures) * 1.05


def test_too_small_images_are_refused_with_the_minimum():
    with pytest.raises(ValueError, match="at least 12 px"):
        edge_contrast(np.zeros((2, 8, 8, 3)))
