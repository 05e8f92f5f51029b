"""The IDX decoding and class-folder layout of scripts/fetch_fashion_mnist.py (no download)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

spec = importlib.util.spec_from_file_location(
    "fetch_fashion_mnist", Path(__file__).resolve().parents[1] / "scripts" / "fetch_fashion_mnist.py"
)
fetch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch)


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_reads_idx_images_and_labels():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    assert np.array_equal(fetch.read_idx(idx(images)), images)
    assert fetch.read_idx(idx(np.array([7, 1]))).tolist() == [7, 1]


def test_rejects_damaged_idx():
    with pytest.raises(ValueError, match="IDX"):
        fetch.read_idx(b"\x89PNG....")
    with pytest.raises(ValueError, match="header says"):
        fetch.read_idx(idx(np.zeros((2, 3, 4)))[:-5])


def test_writes_capped_class_folders_that_train_reads_as_classes(tmp_path):
    from artgan.trainer.data import load_folder

    images = np.random.default_rng(0).integers(0, 255, (6, 28, 28), dtype=np.uint8)
    counts = fetch.write_classes(images, np.array([0, 0, 0, 9, 9, 1]), tmp_path, per_class=2)
    assert counts["t-shirt"] == 2 and counts["ankle-boot"] == 2 and counts["trouser"] == 1
    loaded = load_folder(tmp_path, 16, classes=True)
    assert loaded.class_names == ["ankle-boot", "t-shirt", "trouser"] and len(loaded) == 5
