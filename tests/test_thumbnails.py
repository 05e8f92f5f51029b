"""The training images' thumbnail index: written by the trainer, shipped by export, read by the picker."""

import numpy as np
import pytest
from artgan.scheduler.memorisation import ThumbnailIndex
from artgan.trainer.thumbnails import box_thumbnails, write_thumbnail_index
from PIL import Image


def test_box_thumbnails_match_pillows_box_resize_of_a_candidate():
    images = np.random.default_rng(0).integers(0, 256, (5, 64, 64, 3), dtype=np.uint8)
    ours = box_thumbnails(images, 16)
    pillow = np.stack([np.asarray(Image.fromarray(im).resize((16, 16), Image.Resampling.BOX)) for im in images])
    assert ours.shape == (5, 16, 16, 3) and ours.dtype == np.uint8
    assert np.abs(ours.astype(int) - pillow.astype(int)).max() <= 1


def test_small_images_are_kept_at_their_size_and_odd_factors_refused():
    images = np.zeros((2, 16, 16, 3), np.uint8)
    assert box_thumbnails(images, 32).shape == (2, 16, 16, 3)
    with pytest.raises(ValueError, match="multiple"):
        box_thumbnails(np.zeros((1, 48, 48, 3), np.uint8), 32)


def test_the_index_finds_a_training_image_and_its_mirror(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8)
    path = write_thumbnail_index(tmp_path / "run.thumbs.npz", images, [f"img{i}.png" for i in range(10)], size=16)
    index = ThumbnailIndex.load(path)
    upscaled = np.asarray(Image.fromarray(images[3]).resize((128, 128), Image.Resampling.NEAREST))
    match = index.nearest(upscaled[:, ::-1])
    assert match.name == "img3.png" and match.distance < 0.01
    fresh = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    assert index.nearest(fresh).distance > 0.1


def test_a_run_and_its_export_carry_the_index(trained_run, exported):
    pytest.importorskip("tensorflow")
    run_index = ThumbnailIndex.load(trained_run / "thumbs.npz")
    assert len(run_index.names) == 24 and run_index.names[0].endswith(".png")
    shipped = ThumbnailIndex.beside(exported.painter)
    assert shipped is not None and shipped.names == run_index.names
