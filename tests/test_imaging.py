import numpy as np
import pytest
from artgan.models.imaging import make_grid, to_uint8


def test_edges_map_to_the_ends_of_the_pixel_range():
    out = to_uint8(np.array([-1.0, 0.0, 1.0], dtype=np.float32))
    assert out.dtype == np.uint8
    assert out.tolist() == [0, 128, 255]


def test_out_of_range_values_are_clipped_not_wrapped():
    out = to_uint8(np.array([-7.0, -1.0001, 1.0001, 42.0, np.inf, -np.inf]))
    assert out.tolist() == [0, 0, 255, 255, 255, 0]


def test_values_round_to_nearest_pixel():
    # -1 + 2 * 100.4 / 255 sits just below pixel 100.5: rounds to 100; just above rounds to 101
    lo = -1 + 100.4 / 127.5
    hi = -1 + 100.6 / 127.5
    assert to_uint8(np.array([lo, hi])).tolist() == [100, 101]


def test_nan_becomes_mid_grey():
    assert to_uint8(np.array([np.nan])).tolist() == [128]


def test_grid_places_each_image_in_reading_order():
    images = np.stack([np.full((2, 3, 3), v, np.uint8) for v in (10, 20, 30)])
    grid = make_grid(images, columns=2, pad=1, background=0)
    assert grid.shape == (1 + 2 * 3, 1 + 2 * 4, 3)
    assert grid[1, 1, 0] == 10 and grid[1, 5, 0] == 20 and grid[4, 1, 0] == 30
    assert grid[4, 5, 0] == 0  # the empty fourth cell stays background


def test_grid_refuses_an_empty_batch():
    with pytest.raises(ValueError):
        make_grid(np.zeros((0, 2, 2, 3), np.uint8))


def test_from_uint8_inverts_to_uint8_on_every_pixel_value():
    from artgan.models.imaging import from_uint8

    pixels = np.arange(256, dtype=np.uint8)
    floats = from_uint8(pixels)
    assert floats.dtype == np.float32 and floats[0] == -1.0 and floats[-1] == 1.0
    assert np.array_equal(to_uint8(floats), pixels)
