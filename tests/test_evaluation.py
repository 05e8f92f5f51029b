"""artgan.evaluation against known answers: hand-computed pyramids and SSIMs, and sets whose ordering is certain."""

import numpy as np
import pytest
from artgan.evaluation import memorisation, ms_ssim, pyramid, swd
from artgan.evaluation.report import evaluate_sets, repeated_distance_to_floor, swd_with_floor
from conftest import landscapes_array as landscapes


def tinted(images: np.ndarray) -> np.ndarray:
    """A colour-shifted copy: half-way to grey, then warmer (red up, blue down), clipped to 0..255."""
    grey = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.clip(0.5 * images + 0.5 * grey[..., None] + np.array([30.0, 0.0, -30.0]), 0, 255)


def greyscale(images: np.ndarray) -> np.ndarray:
    grey = images.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return np.repeat(grey[..., None], 3, axis=-1)


# --- pyramid -------------------------------------------------------------------------------------


def impulse(row: int, col: int, size: int = 8) -> np.ndarray:
    image = np.zeros((1, 1, size, size), np.float32)  # planes [N, C, H, W]
    image[0, 0, row, col] = 1.0
    return image


def test_pyr_down_of_impulses_matches_hand_computed_mirrored_weights():
    # 1-D taps [1 4 6 4 1]/16.  An impulse at 0 reaches output 0 through the centre tap only (6/16)
    # and output 1 (input 2) through the outer tap (1/16).  An impulse at 1 reaches output 0 twice:
    # directly (4/16) and through the mirrored index -1 -> 1 (4/16), so 8/16.
    down = pyramid.pyr_down(impulse(0, 0))[0, 0]
    assert down.shape == (4, 4)
    assert down[0, 0] == pytest.approx(36 / 256)
    assert down[0, 1] == pytest.approx(6 / 256) and down[1, 1] == pytest.approx(1 / 256)
    assert down[0, 2] == 0
    assert pyramid.pyr_down(impulse(0, 1))[0, 0, 0, 0] == pytest.approx(6 * 8 / 256)
    # far from the borders the sum of the taps that land on even outputs is preserved
    assert pyramid.pyr_up(np.ones((1, 1, 4, 4), np.float32)) == pytest.approx(np.ones((1, 1, 8, 8)))


def reference_blur(images: np.ndarray, taps: np.ndarray) -> np.ndarray:
    """Straightforward pad-and-sum implementation (numpy 'reflect' == scipy 'mirror' == cv2 REFLECT_101)."""
    padded = np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2)), mode="reflect")
    h, w = images.shape[2:]
    out = np.zeros_like(images, dtype=np.float64)
    for i, ti in enumerate(taps):
        for j, tj in enumerate(taps):
            out += ti * tj * padded[:, :, i : i + h, j : j + w]
    return out


def test_pyramid_matches_a_plain_convolution_and_collapses_back():
    images = np.random.default_rng(0).uniform(0, 255, (2, 3, 16, 16)).astype(np.float32)
    assert pyramid.pyr_down(images) == pytest.approx(reference_blur(images, pyramid.BINOMIAL)[..., ::2, ::2], abs=1e-3)
    small = images[..., :8, :8]
    stuffed = np.zeros((2, 3, 16, 16))
    stuffed[..., ::2, ::2] = small
    assert pyramid.pyr_up(small) == pytest.approx(reference_blur(stuffed, 2 * pyramid.BINOMIAL), abs=1e-3)

    levels = pyramid.laplacian_pyramid(images, 3)
    assert [level.shape[-1] for level in levels] == [16, 8, 4]
    assert pyramid.collapse(levels) == pytest.approx(images, abs=1e-3)


def test_a_flat_image_has_empty_bands_and_a_flat_residual():
    levels = pyramid.laplacian_pyramid(np.full((1, 3, 32, 32), 77.0, np.float32), 3)
    assert np.abs(levels[0]).max() < 1e-4 and np.abs(levels[1]).max() < 1e-4
    assert levels[2] == pytest.approx(np.full((1, 3, 8, 8), 77.0))


# --- SWD -----------------------------------------------------------------------------------------


def test_swd_levels_follow_progan():
    assert swd.resolutions(64) == [64, 32, 16]
    assert swd.resolutions(16) == [16]
    assert swd.resolutions(8) == [8]  # too small for a pyramid: one level


def test_identical_descriptor_sets_are_at_distance_zero():
    descriptors = swd.pyramid_descriptors(landscapes(8, 1), seed=0)
    assert swd.sliced_wasserstein(descriptors[0], [descriptors[0]], np.random.default_rng(0)) == [0.0]


def test_swd_is_zero_for_identical_sets_and_larger_for_a_colour_shifted_copy():
    images = landscapes(64, 1)
    same = swd.swd(images, images)
    shifted = swd.swd(images, tinted(images))
    assert same.average == pytest.approx(0.0, abs=1e-6)
    assert shifted.average > 20 and all(value > 10 for value in shifted.levels.values())
    assert list(shifted.levels) == [32, 16] and shifted.images == 64


def test_swd_ignores_a_global_per_channel_offset_by_design():
    # ProGAN normalises each set per channel with its own mean and std: adding a constant is invisible.
    images = landscapes(16, 1).astype(np.float32)
    assert swd.swd(images, images + 40.0).average < 0.01  # float rounding only; real differences are > 10


@pytest.mark.parametrize("make_generated, far", [
    (lambda: landscapes(40, 4), False),
    (lambda: greyscale(landscapes(40, 4)), True),
    (lambda: np.repeat(landscapes(1, 4), 40, axis=0), True),
])
def test_floor_uses_disjoint_halves_and_only_other_distributions_stand_above_it(make_generated, far):
    result = swd_with_floor(make_generated(), landscapes(64, 3))
    assert result.generated.images == result.floor.images == 32
    assert (result.generated.average > 2 * result.floor.average) == far
    assert result.floor.average > 0  # two different halves are never identical


def test_repeated_distance_counts_every_generated_image_not_only_the_first_chunk():
    real = landscapes(64, 3)
    good, bad = landscapes(32, 4), greyscale(landscapes(96, 5))
    first_only = swd_with_floor(np.concatenate([good, bad]), real)  # looks at the first 32 alone
    repeated = repeated_distance_to_floor(np.concatenate([good, bad]), real, splits=3)
    assert repeated["chunks"] == 4 and repeated["images"] == 32 and repeated["splits"] == 3
    assert first_only.generated.average - first_only.floor.average < repeated["distance"] / 10
    assert repeated["distance"] == pytest.approx(repeated["swd"] - repeated["floor"], rel=1e-6)
    assert repeated_distance_to_floor(good, real, splits=3)["distance"] < repeated["distance"] / 2


def test_repeated_distance_of_the_real_distribution_is_near_zero_with_a_standard_error():
    real = landscapes(64, 3)
    same = repeated_distance_to_floor(landscapes(64, 6), real, splits=4)
    far = repeated_distance_to_floor(greyscale(landscapes(64, 6)), real, splits=4)
    assert 0 < same["stderr"] < far["distance"] / 4
    assert abs(same["distance"]) < far["distance"] / 4
    with pytest.raises(ValueError, match="at least 4"):
        repeated_distance_to_floor(landscapes(8, 1), real[:3])


# --- MS-SSIM -------------------------------------------------------------------------------------


def test_ssim_of_a_2x2_pair_matches_the_formula_by_hand():
    # Window = the whole 2x2 image, uniform weights.  x: mean 100, var 5000; y: mean 100, var 2500;
    # cov = ((-100)(-50) + (100)(50)) / 4 = 2500.  Equal means, so SSIM = (2 cov + C2) / (var_x + var_y + C2).
    x = np.array([0, 100, 200, 100], np.float32).reshape(1, 2, 2, 1)
    y = np.array([50, 50, 150, 150], np.float32).reshape(1, 2, 2, 1)
    c2 = (0.03 * 255) ** 2
    expected = (2 * 2500 + c2) / (5000 + 2500 + c2)
    ssim, cs = ms_ssim.ssim_terms(x.reshape(1, 1, 2, 2), y.reshape(1, 1, 2, 2))  # planes [N, C, H, W]
    assert ssim[0] == pytest.approx(expected, rel=1e-5) and cs[0] == pytest.approx(expected, rel=1e-5)
    assert ms_ssim.ms_ssim(x, y, weights=(1.0,))[0] == pytest.approx(expected, rel=1e-5)


def test_ms_ssim_of_flat_images_is_the_luminance_term_to_the_last_weight():
    a, b = np.full((1, 32, 32, 3), 60.0), np.full((1, 32, 32, 3), 180.0)
    c1 = (0.01 * 255) ** 2
    expected = ((2 * 60 * 180 + c1) / (60**2 + 180**2 + c1)) ** ms_ssim.WEIGHTS[-1]
    assert ms_ssim.ms_ssim(a, b)[0] == pytest.approx(expected, rel=1e-4)


def test_gaussian_window_matches_fspecial():
    taps = ms_ssim.gaussian_taps(11, 1.5)
    window = np.outer(taps, taps)
    x, y = np.mgrid[-5:6, -5:6]
    fspecial = np.exp(-(x**2 + y**2) / (2 * 1.5**2))
    assert window == pytest.approx(fspecial / fspecial.sum())
    assert ms_ssim.gaussian_taps(2, 1.0) == pytest.approx([0.5, 0.5])  # even windows are centred between pixels


def test_ms_ssim_is_one_for_identical_images_and_lower_for_different_ones():
    images = landscapes(4, 5)
    assert ms_ssim.ms_ssim(images, images) == pytest.approx(np.ones(4), abs=1e-5)
    different = ms_ssim.ms_ssim(images, landscapes(4, 6))
    assert np.all(different < 0.9) and np.all(different >= 0)


def test_ssim_and_ms_ssim_agree_with_tensorflow():
    """tf.image as an independent reference: single-scale SSIM on colour images, and MS-SSIM on grey
    images in 3 channels (TF averages channels after the product, msssim.py before; equal for grey)."""
    tf = pytest.importorskip("tensorflow")
    a, b = landscapes(4, 1).astype(np.float32), landscapes(4, 2).astype(np.float32)
    ours = ms_ssim.ssim_terms(np.moveaxis(a, -1, 1), np.moveaxis(b, -1, 1))[0]
    assert ours == pytest.approx(tf.image.ssim(a, b, max_val=255.0).numpy(), abs=1e-4)
    grey_a, grey_b = (np.repeat(landscapes(3, s, 176).mean(-1, keepdims=True), 3, -1) for s in (3, 4))  # TF needs 176 px
    assert ms_ssim.ms_ssim(grey_a, grey_b) == pytest.approx(
        tf.image.ssim_multiscale(grey_a.astype(np.float32), grey_b.astype(np.float32), max_val=255.0).numpy(), abs=1e-4
    )


def test_random_pairs_never_pair_an_image_with_itself():
    first, second = ms_ssim.random_pairs(3, 1000, np.random.default_rng(0))
    assert np.all(first != second) and set(first) == set(second) == {0, 1, 2}


def test_a_collapsed_set_has_ms_ssim_near_one_and_is_flagged():
    real = landscapes(40, 7)
    collapsed = np.repeat(landscapes(1, 8), 40, axis=0)
    result = ms_ssim.compare_diversity(collapsed, real, pairs=100)
    assert result.generated == pytest.approx(1.0, abs=1e-5)
    assert result.real < 0.6 and result.mode_collapse
    healthy = ms_ssim.compare_diversity(landscapes(40, 9), real, pairs=100)
    assert not healthy.mode_collapse


# --- memorisation --------------------------------------------------------------------------------


def test_nearest_matches_brute_force_and_can_skip_itself():
    rng = np.random.default_rng(0)
    reference = rng.uniform(0, 255, (50, 12)).astype(np.float32)
    queries = rng.uniform(0, 255, (7, 12)).astype(np.float32)
    index, distance = memorisation.nearest(queries, reference)
    brute = np.sqrt(((queries[:, None] - reference[None]) ** 2).mean(axis=2))
    assert np.array_equal(index, brute.argmin(axis=1))
    assert distance == pytest.approx(brute.min(axis=1), rel=1e-4)
    self_index, _ = memorisation.nearest(reference[:5], reference, exclude_self=True)
    np.fill_diagonal(brute_self := np.sqrt(((reference[:5, None] - reference[None]) ** 2).mean(axis=2)), np.inf)
    assert np.array_equal(self_index, brute_self.argmin(axis=1))


def test_copies_of_training_images_are_flagged_and_new_images_are_not():
    training = landscapes(40, 10)
    names = [f"img{i}.png" for i in range(40)]
    copies = np.clip(training[:10].astype(int) + np.random.default_rng(0).integers(-3, 4, training[:10].shape), 0, 255)
    result = memorisation.memorisation(copies.astype(np.uint8), training, names)
    assert result.near_copy_share == 1.0
    assert result.closest[0]["training_image"] in names[:10]
    fresh = memorisation.memorisation(landscapes(20, 11), training, names)
    assert fresh.near_copy_share < 0.1
    assert 0.5 < float(np.median(fresh.ratios)) < 2.0


def test_pooling_averages_blocks():
    images = np.arange(2 * 64 * 64 * 3, dtype=np.float32).reshape(2, 64, 64, 3)
    pooled = memorisation.pooled_vectors(images).reshape(2, 32, 32, 3)
    assert pooled[0, 0, 0, 0] == pytest.approx(images[0, :2, :2, 0].mean())


# --- report --------------------------------------------------------------------------------------


def test_report_holds_every_figure():
    report = evaluate_sets(landscapes(20, 12), landscapes(30, 13), seed=1, pairs=50)
    assert set(report["swd_x1e3"]) >= {"levels", "average", "real_floor", "images"}
    assert report["swd_x1e3"]["images"] == 15  # min(generated, half of the real set)
    assert {"generated", "real", "mode_collapse"} <= set(report["ms_ssim"])
    assert 0 <= report["memorisation"]["near_copy_share"] <= 1


def test_report_refuses_mismatched_or_tiny_sets():
    with pytest.raises(ValueError, match="generated images are"):
        evaluate_sets(landscapes(4, 1, 32), landscapes(4, 1, 16))
    with pytest.raises(ValueError, match="at least 2"):
        evaluate_sets(landscapes(4, 1), landscapes(1, 2))


def test_report_measures_streaks_and_says_what_they_mean():
    from artgan.evaluation.report import summary_lines

    real = landscapes(20, 13, 64)
    streaky = real.astype(np.float64) + np.random.default_rng(0).normal(0, 10, (20, 64, 1, 1))  # each row offset
    report = evaluate_sets(np.clip(streaky, 0, 255).astype(np.uint8), real, seed=1, pairs=20)
    assert report["streaks"]["generated"] > report["streaks"]["real"] + 0.3
    assert any(line.startswith("Streaks: generated") for line in summary_lines(report))


def test_report_measures_colour_grain_and_says_what_it_means():
    from artgan.evaluation.report import summary_lines

    real = landscapes(20, 13, 64)
    speckled = real.astype(np.float64) + np.random.default_rng(0).normal(0, 8, real.shape)  # each channel its own
    report = evaluate_sets(np.clip(speckled, 0, 255).astype(np.uint8), real, seed=1, pairs=20)
    assert report["grain"]["generated"] > report["grain"]["real"] + 3
    assert any(line.startswith("Colour grain: generated") for line in summary_lines(report))


def test_too_small_a_painting_for_the_streak_score_gets_a_report_without_it():
    report = evaluate_sets(landscapes(6, 12, 16), landscapes(6, 13, 16), seed=1, pairs=5)
    assert "streaks" not in report
