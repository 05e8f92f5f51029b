"""artgan paint's options, provenance and latent walks, with the bundled painter (no TensorFlow)."""

import numpy as np
import pytest
from artgan.painter.painting import generate, latents, upscale
from artgan.painter.provenance import read_provenance
from artgan.painter.walks import slerp, walk_latents
from artgan.models import load_model, resolve_painter
from PIL import Image


def paint_paths(cli, *args):
    result = cli("paint", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return [line for line in result.stdout.splitlines() if line.strip()]


def pixels(path):
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp"])
def test_every_file_carries_provenance_and_from_file_repaints_it_exactly(cli, tmp_path, fmt):
    made = paint_paths(cli, "--n", "3", "--seed", "11", "--format", fmt, "--truncation", "0.6", "--quality", "80",
                       "--out", tmp_path / "a")
    provenance = read_provenance(tmp_path / "a" / made[2].split("/")[-1])
    painter = load_model(resolve_painter(None))
    assert (provenance.model, provenance.model_sha256) == ("default", painter.sha256)
    assert (provenance.seed, provenance.index, provenance.truncation, provenance.upscale) == (11, 2, 0.6, 4)
    again = paint_paths(cli, "--from-file", made[2], "--out", tmp_path / "b")
    assert len(again) == 1 and again[0].endswith(made[2].split("/")[-1])
    assert np.array_equal(pixels(made[2]), pixels(again[0]))
    if fmt != "png":  # lossy formats too: same encoder, same quality, same bytes
        assert open(made[2], "rb").read() == open(again[0], "rb").read()


def test_from_file_refuses_files_it_cannot_repaint(cli, tmp_path):
    plain = tmp_path / "plain.png"
    Image.new("RGB", (8, 8)).save(plain)
    result = cli("paint", "--from-file", plain, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "no artgan provenance" in result.stderr
    result = cli("paint", "--from-file", tmp_path / "missing.png", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "not found" in result.stderr
    made = paint_paths(cli, "--n", "1", "--seed", "1", "--out", tmp_path / "a")[0]
    result = cli("paint", "--from-file", made, "--model", resolve_painter(None).with_name("default.critic.onnx"),
                 "--out", tmp_path / "o")
    assert result.exit_code == 1 and "is a critic" in result.stderr
    assert not (tmp_path / "o").exists()


def test_from_file_with_a_different_painter_of_the_same_name_says_so(cli, tmp_path):
    pytest.importorskip("onnx")
    import onnx

    made = paint_paths(cli, "--n", "1", "--seed", "1", "--out", tmp_path / "a")[0]
    proto = onnx.load(str(resolve_painter(None)))
    proto.doc_string = "a retrained painter"  # another file, another hash
    changed = tmp_path / "default.onnx"
    onnx.save(proto, str(changed))
    result = cli("paint", "--from-file", made, "--model", changed, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "was painted by default" in result.stderr and "--model PATH" in result.stderr


def test_truncation_pulls_latents_towards_the_mean_and_changes_paintings():
    full, half = latents(3, range(4), 8), latents(3, range(4), 8, truncation=0.5)
    assert np.allclose(half, full * 0.5)
    model = load_model(resolve_painter(None), device="cpu")
    plain = dict(generate(model, 3, range(2)))
    truncated = dict(generate(model, 3, range(2), truncation=0.5))
    assert not np.array_equal(plain[0], truncated[0])
    with pytest.raises(ValueError, match="truncation"):
        list(generate(model, 3, range(1), truncation=0.0))


def test_grid_is_a_contact_sheet_of_all_paintings(cli, tmp_path):
    made = paint_paths(cli, "--n", "5", "--seed", "2", "--grid", "--out", tmp_path)
    assert len(made) == 6 and made[-1].endswith("-grid.png")
    resolution = load_model(resolve_painter(None)).info.resolution
    grid = pixels(made[-1])
    assert grid.shape == (2 * (resolution + 2) + 2, 3 * (resolution + 2) + 2, 3)  # 3 columns, 2 rows, 2 px gaps
    result = cli("paint", "--n", "5", "--seed", "2", "--grid", "--out", tmp_path)
    assert result.exit_code == 1 and "already exists" in result.stderr


def test_size_sets_the_long_side(cli, tmp_path):
    made = paint_paths(cli, "--n", "1", "--seed", "2", "--size", "100", "--out", tmp_path)
    assert pixels(made[0]).shape == (100, 100, 3)
    assert read_provenance(tmp_path / made[0].split("/")[-1]).size == 100


def test_bad_option_values_are_refused_before_painting(cli, tmp_path):
    for args in (["--format", "gif"], ["--format", "bmp"], ["--truncation", "0"], ["--truncation", "1.5"],
                 ["--quality", "0"], ["--walk", "1"], ["--device", "tpu"]):
        result = cli("paint", "--n", "1", *args, "--out", tmp_path / "o")
        assert result.exit_code == 2, args
    assert not (tmp_path / "o").exists()


def test_class_on_an_unconditional_painter_is_a_clear_error(cli, tmp_path):
    result = cli("paint", "--n", "1", "--class", "sea", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "needs a conditional painter" in result.stderr
    assert not (tmp_path / "o").exists()


def test_slerp_keeps_the_ends_and_the_norm_of_same_norm_points():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(16), rng.standard_normal(16)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    assert np.allclose(slerp(a, b, 0.0), a) and np.allclose(slerp(a, b, 1.0), b)
    assert np.isclose(np.linalg.norm(slerp(a, b, 0.5)), np.linalg.norm(a))
    assert np.allclose(slerp(a, a, 0.3), a)
    path = walk_latents(4, points=3, frames=5, latent_dim=16)
    anchors = latents(4, range(3), 16)
    assert path.shape == (15, 16) and np.allclose(path[0], anchors[0]) and np.allclose(path[5], anchors[1])


@pytest.mark.parametrize("fmt", ["gif", "webp"])
def test_walk_writes_an_animation_that_from_file_repaints(cli, tmp_path, fmt):
    made = paint_paths(cli, "--walk", "3", "--frames", "4", "--seed", "5", "--upscale", "2", "--format", fmt,
                       "--out", tmp_path / "a")
    assert len(made) == 1 and made[0].endswith(f"walk3x4.{fmt}")
    with Image.open(made[0]) as animation:
        assert animation.n_frames == 12 and animation.is_animated
        resolution = load_model(resolve_painter(None)).info.resolution
        assert animation.size == (resolution * 2, resolution * 2)
    provenance = read_provenance(tmp_path / "a" / made[0].split("/")[-1])
    assert provenance.walk == {"points": 3, "frames": 4, "fps": 12.0}
    again = paint_paths(cli, "--from-file", made[0], "--out", tmp_path / "b")
    assert open(made[0], "rb").read() == open(again[0], "rb").read()
    clash = cli("paint", "--from-file", made[0], "--out", tmp_path / "b")
    assert clash.exit_code == 1 and "already exists" in clash.stderr


def test_scheduler_api_keeps_its_positional_calls():
    model = load_model(resolve_painter(None), device="cpu")
    (index, image), = list(generate(model, 1, range(3, 4), 8))
    picture = upscale(image, 2)
    assert index == 3 and picture.size == (image.shape[1] * 2, image.shape[0] * 2)


def test_walks_grids_and_repainting_need_no_tensorflow(tmp_path):
    from test_without_tensorflow import run_blocked

    walk = run_blocked("paint", "--walk", "2", "--frames", "2", "--seed", "1", "--out", tmp_path / "w", cwd=tmp_path)
    assert walk.returncode == 0, walk.stderr
    made = run_blocked("paint", "--n", "2", "--grid", "--seed", "1", "--format", "webp", "--out", tmp_path / "a", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    again = run_blocked("paint", "--from-file", made.stdout.split()[1], "--out", tmp_path / "b", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "tensorflow" not in (walk.stderr + made.stderr + again.stderr).lower()
