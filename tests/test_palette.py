"""The palette figure: colour histograms of two sets, beside the real-vs-real floor."""

import numpy as np

from artgan.evaluation.palette import colour_histogram, palette_distance, palette_with_floor


def _landscapes(count: int, seed: int) -> np.ndarray:
    """Blue skies over green fields, with noise: one palette."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 16, 16, 3), np.float64)
    images[:, :8] = [90, 140, 220]
    images[:, 8:] = [60, 150, 70]
    return np.clip(images + rng.normal(0, 20, images.shape), 0, 255).astype(np.uint8)


def test_the_histogram_counts_every_pixel_once():
    images = _landscapes(3, 0)
    histogram = colour_histogram(images)
    assert histogram.shape == (512,) and np.isclose(histogram.sum(), 1.0)
    assert palette_distance(images, images) == 0.0


def test_a_painter_in_the_set_s_colours_scores_near_the_floor_and_one_in_other_colours_far_from_it():
    real = _landscapes(40, 1)
    same = _landscapes(20, 2)
    grey = np.repeat(same.mean(axis=-1, keepdims=True), 3, axis=-1).astype(np.uint8)  # the same layout, no colour
    kept, lost = palette_with_floor(same, real), palette_with_floor(grey, real)
    assert kept["floor"] < 0.2 and kept["distance"] < kept["floor"] + 0.1
    assert lost["distance"] > 0.8
    assert lost["floor"] == kept["floor"]  # the floor depends on the reals alone
