
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


def test_exif_orientation_cmyk_and_16_bit_are_converted(tmp_path):
    tall = Image.new("RGB", (20, 40), (0, 0, 0))
    tall.paste((255, 0, 0), (0, 0, 20, 20))  # red top half
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the red half ends up on the right
    tall.save(tmp_path / "rotated.jpg", exif=exif.tobytes(), quality=95)
    Image.new("CMYK", (20, 20), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg", quality=95)
    Image.fromarray(np.full((20, 20), 65535, np.uint16)).save(tmp_path / "deep.png")
    result = load_folder(tmp_path, 16, crop="random")  # random window across the rotated 40x20
    by_name = {p.name: img for p, img in zip(result.files, result.images)}
    rotated = load_folder(tmp_path, 16).images[[p.name for p in result.files].index("rotated.jpg")]
    assert rotated[8, 15, 0] > 200 and rotated[8, 0, 0] < 60  # right side red, left side black
    assert by_name["cmyk.jpg"][8, 8, 0] > 200 and by_name["cmyk.jpg"][8, 8, 1] < 60  # CMYK red is RGB red
    assert by_name["deep.png"][8, 8].tolist() == [255, 255, 255]  # 16-bit white is 8-bit white


def test_random_crop_is_seeded_and_differs_from_centre(tmp_path):
    stripes = np.zeros((20, 200, 3), np.uint8)
    stripes[:, :, 0] = np.arange(200)
    Image.fromarray(stripes).save(tmp_path / "wide.png")
    centre = load_folder(tmp_path, 16).images[0]
    first = load_folder(tmp_path, 16, crop="random", seed=1).images[0]
    assert np.array_equal(first, load_folder(tmp_path, 16, crop="random", seed=1).images[0])
    others = [load_folder(tmp_path, 16, crop="random", seed=s).images[0] for s in range(2, 6)]
    assert any(not np.array_equal(o, centre) for o in others)
    assert load_folder(tmp_path, 16, crop="random", seed=1).fingerprint != load_folder(tmp_path, 16).fingerprint


def test_decompression_bombs_are_skipped(tmp_path, monkeypatch):
    Image.new("RGB", (40, 40)).save(tmp_path / "ok.png")
    Image.new("RGB", (400, 400)).save(tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 40 * 2)
    result = load_folder(tmp_path, 16)
    assert [p.name for p in result.files] == ["ok.png"]
    assert result.skipped[0][0].name == "bomb.png" and "decompression bomb" in result.skipped[0][1]


def test_near_duplicates_are_dropped_only_when_asked(tmp_path):
    from artgan.trainer.synthetic import landscape

    rng = np.random.default_rng(0)
    base = landscape(rng, 40, 40)
    Image.fromarray(base).save(tmp_path / "a.png")
    Image.fromarray(base).resize((48, 48)).save(tmp_path / "b_resized.png")
    Image.fromarray(base).save(tmp_path / "c_recompressed.jpg", quality=70)
    Image.fromarray(landscape(rng, 40, 40)).save(tmp_path / "d_other.png")
    assert len(load_folder(tmp_path, 16)) == 4
    result = load_folder(tmp_path, 16, dedupe=True)
    assert sorted(p.name for p in result.files) == ["a.png", "d_other.png"]
    assert sorted((a.name, b.name) for a, b in result.duplicates) == [
        ("b_resized.png", "a.png"), ("c_recompressed.jpg", "a.png")
    ]


def test_subfolders_become_classes(tmp_path):
    for name, colour in (("cats", (255, 0, 0)), ("dogs", (0, 255, 0))):
        (tmp_path / name / "deeper").mkdir(parents=True)
        Image.new("RGB", (20, 20), colour).save(tmp_path / name / "one.png")
        Image.new("RGB", (20, 20), colour).save(tmp_path / name / "deeper" / "two.png")
    Image.new("RGB", (20, 20)).save(tmp_path / "loose.png")
    result = load_folder(tmp_path, 16, classes=True)
    assert result.class_names == ["cats", "dogs"]
    assert sorted(zip([p.parent.name for p in result.files], result.labels.tolist())) == [
        ("cats", 0), ("deeper", 0), ("deeper", 1), ("dogs", 1)
    ]
    assert [(p.name, "class subfolder" in why) for p, why in result.skipped] == [("loose.png", True)]


def test_classes_need_two_subfolders(tmp_path):
    (tmp_path / "only").mkdir()
    Image.new("RGB", (20, 20)).save(tmp_path / "only" / "a.png")
    with pytest.raises(DataError, match="at least two subfolders"):
        load_folder(tmp_path, 16, classes=True)


def test_unknown_crop_is_a_clear_error(tmp_path):
    Image.new("RGB", (20, 20)).save(tmp_path / "a.png")
    with pytest.raises(DataError, match="--crop must be one of"):
        load_folder(tmp_path, 16, crop="middle")
