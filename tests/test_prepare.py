"""The image that gets posted: JPEG, sRGB, 1080 px wide, within Instagram's size and aspect limits."""

from __future__ import annotations

import io

import numpy as np
import pytest
from artgan.scheduler.prepare import MAX_ASPECT, MIN_ASPECT, fit_aspect, post_image, to_jpeg
from PIL import Image, ImageCms


def noise(h, w, seed=0):
    return (np.random.default_rng(seed).random((h, w, 3)) * 255).astype(np.uint8)


def test_a_square_painting_becomes_a_1080px_srgb_jpeg():
    data = post_image(noise(32, 32))
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (1080, 1080)
        profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    assert len(data) <= 8 * 1024 * 1024
    assert post_image(noise(32, 32)) == data  # deterministic, byte for byte


@pytest.mark.parametrize("shape, aspect", [((64, 32), MIN_ASPECT), ((16, 64), MAX_ASPECT), ((40, 48), 48 / 40)])
def test_aspect_is_brought_into_instagrams_range(shape, aspect):
    with Image.open(io.BytesIO(post_image(noise(*shape)))) as image:
        assert image.width == 1080
        assert image.width / image.height == pytest.approx(aspect, abs=0.04)  # cropped in painter pixels
        assert MIN_ASPECT - 0.005 <= image.width / image.height <= MAX_ASPECT + 0.005


def test_fit_aspect_keeps_the_centre():
    picture = Image.fromarray(np.concatenate([noise(10, 8, 1), np.full((20, 8, 3), 7, np.uint8), noise(10, 8, 2)]))
    cropped = np.asarray(fit_aspect(picture))
    assert cropped.shape == (10, 8, 3) and (cropped == 7).all()


def test_jpeg_quality_drops_until_it_fits():
    picture = Image.fromarray(noise(256, 256))
    best = to_jpeg(picture)
    smaller = to_jpeg(picture, max_bytes=len(best) - 1)
    assert len(smaller) < len(best)
    with pytest.raises(ValueError, match="could not fit"):
        to_jpeg(picture, max_bytes=100)


def test_encoding_adds_little_block_lattice_to_a_smooth_painting():
    from artgan.evaluation.lattice import median_lattice_score
    from artgan.scheduler.prepare import upscale_to_width
    from conftest import landscapes_array

    upscaled = [upscale_to_width(image) for image in landscapes_array(10, 1, 64)]
    before = median_lattice_score([np.asarray(picture) for picture in upscaled])

    def posted(jpeg: bytes) -> np.ndarray:
        return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"))

    after = median_lattice_score([posted(to_jpeg(picture)) for picture in upscaled])
    at_95 = median_lattice_score([posted(to_jpeg(picture, max_bytes=len(to_jpeg(picture)) - 1)) for picture in upscaled])
    assert after - before < 0.5 and at_95 > after  # the next quality down leaves more of the 8 px blocks


def test_the_painters_learned_upscaler_makes_the_posted_image(tmp_path):
    import shutil

    from artgan.generator_cli.post_commands import build_setup
    from artgan.models.store import resolve_painter, user_models_dir
    from test_upscaling import sr_model

    user_models_dir().mkdir(parents=True)
    shutil.copyfile(resolve_painter(None), user_models_dir() / "pal.onnx")
    without = build_setup(None, tmp_path / "state", None, "pal", None, 4).painter
    assert without.upscaler is None
    sr_model(user_models_dir() / "pal.upscaler.onnx", blur=True)
    painter = build_setup(None, tmp_path / "state", None, "pal", None, 4).painter
    assert painter.upscaler is not None and painter.upscaler.scale == 2

    painting = noise(64, 64)
    plain, learned = Image.open(io.BytesIO(post_image(painting))), Image.open(io.BytesIO(post_image(painting, upscaler=painter.upscaler)))
    assert plain.size == learned.size == (1080, 1080)
    assert not np.array_equal(np.asarray(plain), np.asarray(learned))  # the blurring x2 model left its mark
