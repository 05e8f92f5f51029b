"""The lattice-peak score separates a periodic grid from a clean picture."""

import numpy as np
import pytest
from artgan.evaluation.lattice import lattice_peak_score, median_lattice_score


def _landscape(size: int = 128, seed: int = 0) -> np.ndarray:
    """A smooth picture with a horizon and 1/f-ish texture: no periodic structure."""
    rng = np.random.default_rng(seed)
    spectrum = rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size))
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(size), np.fft.fftfreq(size)))
    texture = np.real(np.fft.ifft2(spectrum / np.maximum(f, 1 / size)))
    texture = 20 * texture / texture.std()
    y, x = np.mgrid[0:1:size * 1j, 0:1:size * 1j]
    horizon = 0.5 + 0.1 * x + 0.03 * np.sin(7 * x)  # a soft, slanted horizon
    grey = 160 - 80 / (1 + np.exp(-(y - horizon) * 40)) + texture
    return np.clip(np.repeat(grey[..., None], 3, axis=2), 0, 255).astype(np.uint8)


def test_clean_pictures_score_near_one():
    scores = [lattice_peak_score(_landscape(seed=s)) for s in range(4)]
    assert max(scores) < 2.0, scores


@pytest.mark.parametrize("period", [2, 4, 8])
def test_a_faint_grid_of_each_period_scores_far_above_a_clean_picture(period):
    clean = _landscape().astype(np.float64)
    rows, cols = np.indices(clean.shape[:2])
    grid = 6.0 * ((rows % period == 0) | (cols % period == 0))  # faint block edges, a few grey levels
    gridded = lattice_peak_score(clean + grid[..., None])
    assert gridded > 2.0 and gridded > 2 * lattice_peak_score(clean)


def test_median_over_a_set_and_a_clear_error_for_tiny_images():
    assert median_lattice_score([_landscape(seed=s) for s in range(3)]) < 2.0
    with pytest.raises(ValueError, match="at least"):
        lattice_peak_score(np.zeros((16, 16, 3), np.uint8))
