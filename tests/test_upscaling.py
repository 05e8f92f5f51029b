"""Learned upscalers: any NCHW [0,1] x2/x4 ONNX model, tiled with overlap; bicubic (or Lanczos) otherwise."""

import shutil

import numpy as np
import pytest
from artgan.painter.provenance import read_provenance
from artgan.painter.upscaling import load_upscaler, ssim, upscale_image
from artgan.models import ModelError, resolve_painter
from artgan.models.imaging import psnr
from artgan.models.store import list_models
from PIL import Image

onnx = pytest.importorskip("onnx")


def sr_model(path, scale=2, blur=True):
    """A Real-ESRGAN-shaped stand-in: 3x3 blur (so tiles need context) then nearest x`scale`."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, x = [], [], "input"
    if blur:
        inits.append(numpy_helper.from_array(np.full((3, 1, 3, 3), 1 / 9, np.float32), "w"))
        nodes.append(helper.make_node("Conv", ["input", "w"], ["blurred"], group=3, pads=[1, 1, 1, 1]))
        x = "blurred"
    inits.append(numpy_helper.from_array(np.array([1, 1, scale, scale], np.float32), "scales"))
    nodes.append(helper.make_node("Resize", [x, "", "scales"], ["output"], mode="nearest"))
    graph = helper.make_graph(
        nodes, "sr",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["n", 3, "h", "w"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["n", 3, "H", "W"])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # what every onnxruntime of the last years reads
    onnx.save(model, str(path))
    return path


def image(h=37, w=53, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_scale_is_read_from_the_model_and_tiles_with_overlap_match_one_pass(tmp_path):
    whole = load_upscaler(sr_model(tmp_path / "x2.onnx"), device="cpu", tile=1024)
    tiled = load_upscaler(tmp_path / "x2.onnx", device="cpu", tile=8, overlap=2)
    seams = load_upscaler(tmp_path / "x2.onnx", device="cpu", tile=8, overlap=0)
    assert whole.scale == 2 and load_upscaler(sr_model(tmp_path / "x4.onnx", 4), device="cpu").scale == 4
    picture = image()
    reference = whole.run(picture)
    assert reference.shape == (74, 106, 3)
    assert np.array_equal(tiled.run(picture), reference)
    assert not np.array_equal(seams.run(picture), reference)  # without context the tile borders show


def test_memory_is_bounded_by_the_tile(tmp_path):
    upscaler = load_upscaler(sr_model(tmp_path / "x2.onnx"), device="cpu", tile=16, overlap=4)
    seen = []
    real_run = upscaler.session.run

    class Recorder:
        def run(self, names, feeds):
            seen.append(next(iter(feeds.values())).shape)
            return real_run(names, feeds)

    upscaler.session = Recorder()
    upscaler.run(image(100, 70))
    assert len(seen) == 7 * 5 and max(max(s[2], s[3]) for s in seen) <= 16 + 2 * 4


def test_learned_passes_then_bicubic_for_the_rest(tmp_path):
    upscaler = load_upscaler(sr_model(tmp_path / "x2.onnx", blur=False), device="cpu")
    picture = image(8, 8)
    x4 = np.asarray(upscale_image(picture, 4, upscaler))
    assert np.array_equal(x4, picture.repeat(4, 0).repeat(4, 1))  # two nearest x2 passes, nothing left over
    assert upscale_image(picture, 3, upscaler).size == (24, 24)
    assert upscale_image(picture, size=50).size == (50, 50)
    assert upscale_image(image(8, 16), size=64).size == (64, 32)


def test_paint_with_an_upscaler_records_it_and_from_file_needs_it(cli, tmp_path):
    upscaler = sr_model(tmp_path / "mine.upscaler.onnx")
    result = cli("paint", "--n", "1", "--seed", "4", "--upscale", "4", "--upscaler", upscaler, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.stderr
    made = result.stdout.split()[0]
    provenance = read_provenance(tmp_path / "a" / made.split("/")[-1])
    assert provenance.upscaler == "mine" and len(provenance.upscaler_sha256) == 64
    missing = cli("paint", "--from-file", made, "--out", tmp_path / "b")
    assert missing.exit_code == 1 and "pass that file with --upscaler" in missing.stderr
    again = cli("paint", "--from-file", made, "--upscaler", upscaler, "--out", tmp_path / "b")
    assert again.exit_code == 0, again.stderr
    assert open(made, "rb").read() == open(again.stdout.split()[0], "rb").read()


def test_the_upscaler_beside_a_painter_is_used_and_is_not_listed_as_a_painter(cli, tmp_path, monkeypatch):
    from artgan.models.store import user_models_dir

    user_models_dir().mkdir(parents=True)
    shutil.copyfile(resolve_painter(None), user_models_dir() / "pal.onnx")
    sr_model(user_models_dir() / "pal.upscaler.onnx")
    assert [e.name for e in list_models() if e.origin == "user"] == ["pal"]
    result = cli("paint", "-m", "pal", "--n", "1", "--seed", "1", "--out", tmp_path)
    assert result.exit_code == 0 and "pal upscaler" in result.stderr
    assert read_provenance(next(tmp_path.glob("*.png"))).upscaler == "pal"
    plain = cli("paint", "-m", "pal", "--n", "1", "--seed", "2", "--upscaler", "lanczos", "--out", tmp_path)
    assert plain.exit_code == 0 and "Lanczos" in plain.stderr


def test_models_that_are_not_upscalers_are_refused(cli, tmp_path):
    result = cli("paint", "--n", "1", "--upscaler", resolve_painter(None), "--out", tmp_path / "o")
    assert result.exit_code == 1 and "not an image upscaler" in result.stderr
    result = cli("paint", "--n", "1", "--upscaler", tmp_path / "nope.onnx", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "upscaler file not found" in result.stderr
    odd = sr_model(tmp_path / "x3.onnx", scale=3)
    with pytest.raises(ModelError, match="not an x2/x4 upscaler"):
        load_upscaler(odd, device="cpu")
    assert not (tmp_path / "o").exists()


def test_psnr_and_ssim():
    a = image(64, 64)
    noisy = np.clip(a.astype(int) + np.random.default_rng(1).integers(-20, 21, a.shape), 0, 255).astype(np.uint8)
    assert psnr(a, a) == float("inf") and ssim(a, a) == pytest.approx(1.0)
    assert 20 < psnr(a, noisy) < 40 and ssim(a, noisy) < 0.99
    blurred = np.asarray(Image.fromarray(a).resize((32, 32)).resize((64, 64)))
    assert ssim(a, blurred) < ssim(a, a)


def test_the_classical_resampler_is_recorded_and_painted_again(cli, tmp_path):
    import json

    from artgan.painter.provenance import KEY
    from PIL.PngImagePlugin import PngInfo

    made = {}
    for how in ("bicubic", "lanczos"):
        result = cli("paint", "--n", "1", "--seed", "9", "--upscaler", how, "--out", tmp_path / how)
        assert result.exit_code == 0, result.stderr
        made[how] = result.stdout.split()[0]
        assert read_provenance(tmp_path / how / made[how].split("/")[-1]).resample == how
        again = cli("paint", "--from-file", made[how], "--out", tmp_path / f"{how}-again")
        assert again.exit_code == 0, again.stderr
        assert open(made[how], "rb").read() == open(again.stdout.split()[0], "rb").read()
    assert open(made["bicubic"], "rb").read() != open(made["lanczos"], "rb").read()
    default = cli("paint", "--n", "1", "--seed", "9", "--upscaler", "bicubic", "--out", tmp_path / "d")
    assert default.exit_code == 0 and "(bicubic)" in default.stderr

    # a file written before the resampler was recorded was made with Lanczos
    picture = Image.open(made["lanczos"])
    raw = json.loads(picture.text[KEY])
    del raw["resample"]
    legacy, info = tmp_path / "legacy.png", PngInfo()
    info.add_text(KEY, json.dumps(raw))
    picture.save(legacy, pnginfo=info)
    again = cli("paint", "--from-file", legacy, "--out", tmp_path / "legacy-again")
    assert again.exit_code == 0, again.stderr
    assert np.array_equal(np.asarray(Image.open(again.stdout.split()[0])), np.asarray(picture))
    raw["resample"] = "sinc"
    info = PngInfo()
    info.add_text(KEY, json.dumps(raw))
    picture.save(legacy, pnginfo=info)
    odd = cli("paint", "--from-file", legacy, "--out", tmp_path / "odd")
    assert odd.exit_code == 1 and "unknown resampler 'sinc'" in odd.stderr


def _smooth_paintings(count: int = 6, size: int = 128) -> list[np.ndarray]:
    """Float pixel values of soft colour fields, like a painter's sky before it is rounded to 8 bits."""
    rng = np.random.default_rng(0)
    f = np.fft.fftfreq(size)
    gauss = np.exp(-2 * (np.pi * 8) ** 2 * (f[:, None] ** 2 + f[None, :] ** 2))
    fields = []
    for _ in range(count):
        planes = np.stack([np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal((size, size))) * gauss)) for _ in range(3)], -1)
        fields.append(((planes - planes.min()) / np.ptp(planes) * 60 + 90).astype(np.float32))
    return fields


def test_enlarging_the_unrounded_painting_adds_no_grid_of_its_rounding_steps():
    from artgan.evaluation.lattice import median_lattice_score
    from artgan.painter.upscaling import resize

    fields = _smooth_paintings()
    from_float = [resize(field, 512, 512) for field in fields]
    from_uint8 = [resize(np.rint(field).astype(np.uint8), 512, 512) for field in fields]
    assert from_float[0].dtype == np.uint8 and from_float[0].shape == (512, 512, 3)
    assert median_lattice_score(from_float) < 1.2 < median_lattice_score(from_uint8)
    assert resize(fields[0], 128, 128).dtype == np.uint8  # no resizing still rounds once


def test_paint_enlarges_the_painters_float_output(monkeypatch, tmp_path):
    from artgan.models.runtime import load_model
    from artgan.painter import painting, upscaling

    model = load_model(resolve_painter("default"), device="cpu", expect_kind="painter")
    seen: list[np.dtype] = []
    real_resize = upscaling.resize
    monkeypatch.setattr(upscaling, "resize", lambda image, *a, **k: seen.append(image.dtype) or real_resize(image, *a, **k))
    request = painting.PaintRequest(n=2, seed=1, out_dir=tmp_path, upscale=4)
    files = list(painting.paint_to_files(model, request))
    assert len(files) == 2 and seen == [np.float32, np.float32]
    assert Image.open(files[0]).size == (4 * model.info.resolution, 4 * model.info.resolution)
