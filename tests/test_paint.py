"""Painting with the bundled painter: no TensorFlow needed for any of this."""

import re

import numpy as np
import pytest
from artgan.painter.painting import generate
from artgan.models import ModelError, load_model, resolve_painter
from PIL import Image


def painted(cli, tmp_path, *args):
    result = cli("paint", *args)
    assert result.exit_code == 0, result.output + result.stderr
    return [np.asarray(Image.open(line)) for line in result.stdout.splitlines() if line.strip()]


def test_default_painter_paints_upscaled_pngs(cli, tmp_path):
    images = painted(cli, tmp_path, "--n", "3", "--seed", "7", "--out", tmp_path / "a")
    resolution = load_model(resolve_painter(None)).info.resolution
    assert len(images) == 3
    assert all(img.shape == (resolution * 4, resolution * 4, 3) and img.dtype == np.uint8 for img in images)
    assert not np.array_equal(images[0], images[1])


def test_same_seed_same_paintings_other_seed_others(cli, tmp_path):
    first = painted(cli, tmp_path, "--n", "2", "--seed", "7", "--out", tmp_path / "a")
    again = painted(cli, tmp_path, "--n", "2", "--seed", "7", "--out", tmp_path / "b", "--batch-size", "1")
    other = painted(cli, tmp_path, "--n", "2", "--seed", "8", "--out", tmp_path / "c")
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    assert not np.array_equal(first[0], other[0])


def test_painting_i_does_not_depend_on_n_or_batch():
    model = load_model(resolve_painter(None), device="cpu")
    three = dict(generate(model, 5, range(3), batch_size=2))
    one = dict(generate(model, 5, range(2, 3), batch_size=8))
    assert np.array_equal(three[2], one[2])


def test_never_overwrites_without_asking(cli, tmp_path):
    painted(cli, tmp_path, "--n", "1", "--seed", "3", "--out", tmp_path)
    target = next(tmp_path.glob("*.png"))
    target.write_bytes(b"my own work")
    result = cli("paint", "--n", "1", "--seed", "3", "--out", tmp_path)
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert target.read_bytes() == b"my own work"
    painted(cli, tmp_path, "--n", "1", "--seed", "3", "--out", tmp_path, "--overwrite")
    assert target.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("n", ["0", "-3"])
def test_n_must_be_positive(cli, tmp_path, n):
    result = cli("paint", "--n", n, "--out", tmp_path)
    assert result.exit_code == 2
    assert not list(tmp_path.iterdir())


def test_missing_and_garbage_model_files(cli, tmp_path):
    result = cli("paint", "--model", tmp_path / "nope.onnx", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "not found" in result.stderr
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"\x00\x01 this is not onnx" * 10)
    result = cli("paint", "--model", garbage, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "not a readable ONNX model" in result.stderr
    assert "Traceback" not in result.stderr
    result = cli("paint", "--model", "no-such-name", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "no model named 'no-such-name'" in result.stderr
    assert not (tmp_path / "o").exists()


def _rewrite_metadata(tmp_path, change):
    onnx = pytest.importorskip("onnx")
    proto = onnx.load(str(resolve_painter(None)))
    props = {p.key: p.value for p in proto.metadata_props}
    change(props)
    del proto.metadata_props[:]
    for key, value in props.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    path = tmp_path / "edited.onnx"
    onnx.save(proto, str(path))
    return path


def test_onnx_without_artgan_metadata_is_refused(tmp_path):
    path = _rewrite_metadata(tmp_path, lambda p: p.clear())
    with pytest.raises(ModelError, match="not an artgan model"):
        load_model(path)


def test_a_frame_trim_the_painting_cannot_have_is_refused(tmp_path):
    for bad in ("-1", "1000", "two"):
        path = _rewrite_metadata(tmp_path, lambda p: p.update({"artgan.frame_trim": bad}))
        with pytest.raises(ModelError, match="frame_trim"):
            load_model(path)


def test_a_noise_scale_is_read_from_the_file_and_a_file_without_one_reads_as_unscaled(tmp_path):
    path = _rewrite_metadata(tmp_path, lambda p: p.update({"artgan.noise_scale": "0.5"}))
    assert load_model(path).info.noise_scale == 0.5
    path = _rewrite_metadata(tmp_path, lambda p: p.pop("artgan.noise_scale", None))  # exported before the option
    assert load_model(path).info.noise_scale == 1.0
    for bad in ("-1", "nan", "half"):
        path = _rewrite_metadata(tmp_path, lambda p: p.update({"artgan.noise_scale": bad}))
        with pytest.raises(ModelError, match="noise_scale"):
            load_model(path)


def test_metadata_that_disagrees_with_the_graph_is_refused(tmp_path):
    real = load_model(resolve_painter(None)).info.resolution
    path = _rewrite_metadata(tmp_path, lambda p: p.update({"artgan.resolution": str(real * 2)}))
    expected = rf"output 'image' has shape \[N, {real}, {real}, 3\] but its metadata says \[N, {real * 2}, {real * 2}, 3\]"
    with pytest.raises(ModelError, match=expected):
        load_model(path)
    path = _rewrite_metadata(tmp_path, lambda p: p.update({"artgan.latent_dim": "7"}))
    with pytest.raises(ModelError, match="input 'z'"):
        load_model(path)


def test_user_models_are_found_by_name(cli, tmp_path, monkeypatch):
    import shutil

    from artgan.models.store import user_models_dir

    user_models_dir().mkdir(parents=True)
    shutil.copyfile(resolve_painter(None), user_models_dir() / "mine.onnx")
    assert resolve_painter("mine") == user_models_dir() / "mine.onnx"
    listing = cli("models")
    assert listing.exit_code == 0 and "mine" in listing.stdout and "default" in listing.stdout


def test_cuda_asked_for_but_unavailable_is_a_clear_error(cli, tmp_path, monkeypatch):
    from artgan.models import runtime

    monkeypatch.setattr(runtime, "cuda_unavailable_reason", lambda: "no NVIDIA driver was found")
    result = cli("paint", "--n", "1", "--device", "cuda", "--out", tmp_path)
    assert result.exit_code == 1 and "CUDA cannot be used: no NVIDIA driver" in result.stderr
    assert runtime.providers_for("auto") == ["CPUExecutionProvider"]


def test_version_and_help(cli):
    from importlib.metadata import version

    assert cli("--version").stdout.strip() == f"artgan {version('artgan')}"
    help_text = re.sub(r"[\s│]+", " ", cli("paint", "--help").stdout)  # rich wraps lines inside its table
    assert "bundled painter" in help_text and "--seed" in help_text
    # the help names the bundled painter's own size (it said 64 px after a 128 px painter shipped)
    assert f"({load_model(resolve_painter(None)).info.resolution} px landscapes" in help_text
