
import numpy as np
import pytest
from artgan.trainer.data import DataError, load_folder
from PIL import Image


def test_reads_recursively_converts_and_crops(tmp_path):
    (tmp_path / "sub").mkdir()
    Image.new("RGB", (80, 40), (255, 0, 0)).save(tmp_path / "wide.jpg")
    Image.new("L", (30, 60), 100).save(tmp_path / "sub" / "tall_grey.png")
    Image.new("RGBA", (32, 32), (0, 0, 255, 0)).save(tmp_path / "sub" / "transparent.webp")
    result = load_folder(tmp_path, 16)
    assert result.images.shape == (3, 16, 16, 3) and result.images.dtype == np.uint8
    by_name = {p.name: img for p, img in zip(result.files, result.images)}
    assert by_name["tall_grey.png"][8, 8].tolist() == [100, 100, 100]
    assert by_name["transparent.webp"][8, 8].tolist() == [255, 255, 255]  # composited on white
    assert abs(int(by_name["wide.jpg"][8, 8, 0]) - 255) < 3


def test_corrupt_files_among_good_ones_are_skipped_and_counted(tmp_path):
    for i in range(3):
        Image.new("RGB", (20, 20), (i * 50, 0, 0)).save(tmp_path / f"good{i}.png")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (tmp_path / "truncated.png").write_bytes((tmp_path / "good0.png").read_bytes()[:40])
    Image.new("RGB", (3, 3)).save(tmp_path / "icon.png")
    result = load_folder(tmp_path, 16)
    assert len(result) == 3
    assert sorted(p.name for p, _ in result.skipped) == ["broken.jpg", "icon.png", "truncated.png"]
    assert all(reason for _, reason in result.skipped)


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("no images here")
    with pytest.raises(DataError, match="no images in"):
        load_folder(tmp_path, 16)


def test_folder_with_no_readable_image_is_a_clear_error(tmp_path):
    (tmp_path / "a.png").write_bytes(b"not a png")
    (tmp_path / "b.jpg").write_bytes(b"")
    with pytest.raises(DataError, match="none of the 2 image files"):
        load_folder(tmp_path, 16)


def test_missing_folder_and_file_instead_of_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_folder(tmp_path / "nope", 16)
    Image.new("RGB", (20, 20)).save(tmp_path / "one.png")
    with pytest.raises(DataError, match="not a folder"):
        load_folder(tmp_path / "one.png", 16)


def test_fingerprint_changes_with_content_and_settings(tmp_path):
    Image.new("RGB", (20, 20)).save(tmp_path / "a.png")
    first = load_folder(tmp_path, 16).fingerprint
    assert load_folder(tmp_path, 16).fingerprint == first
    assert load_folder(tmp_path, 8).fingerprint != first
    Image.new("RGB", (20, 20), (9, 9, 9)).save(tmp_path / "b.png")
    assert load_folder(tmp_path, 16).fingerprint != first
