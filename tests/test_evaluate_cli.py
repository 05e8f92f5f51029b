"""`artgan evaluate` from the command line: painters, runs, and every user mistake it must explain."""

import json

import pytest
from artgan.models import load_model, resolve_painter
from conftest import make_images


@pytest.fixture
def real_images(tmp_path):
    # the bundled painter paints 128 px: photos must be at least a quarter of that a side
    return make_images(tmp_path / "real", count=24, seed=3, width=64, height=48)


def test_evaluate_a_painter_prints_and_writes_the_report(cli, real_images, tmp_path):
    out = tmp_path / "report.json"
    result = cli("evaluate", "default", "--data", real_images, "--n", "16", "--pairs", "20", "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    resolution = load_model(resolve_painter(None), device="cpu").info.resolution
    assert report["resolution"] == resolution and report["generated_images"] == 16 and report["real_images"] == 24
    assert report["swd_x1e3"]["images"] == 12 and report["swd_x1e3"]["real_floor"]["images"] == 12
    assert {str(resolution), "16"} <= set(report["swd_x1e3"]["levels"])
    assert report["ms_ssim"]["pairs"] == 20 and isinstance(report["ms_ssim"]["mode_collapse"], bool)
    assert report["memorisation"]["closest"][0]["training_image"].endswith(".png")
    assert "SWD x1e3" in result.stdout and "real-vs-real floor" in result.stdout and "near copies" in result.stdout


def test_json_on_stdout_for_scripts(cli, real_images, tmp_path):
    result = cli("evaluate", "default", "--data", real_images, "--n", "6", "--pairs", "5", "--json",
                 "--out", tmp_path / "r.json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads((tmp_path / "r.json").read_text())


def test_the_same_seed_gives_the_same_figures(cli, real_images, tmp_path):
    for name in ("a.json", "b.json"):
        assert cli("evaluate", "default", "--data", real_images, "--n", "8", "--pairs", "10", "--seed", "4",
                   "--out", tmp_path / name).exit_code == 0
    first, second = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    first.pop("seconds"), second.pop("seconds")
    assert first == second


def test_evaluate_a_run_uses_its_best_checkpoint_and_recorded_data(cli, run_copy, tmp_path):
    pytest.importorskip("tensorflow")
    result = cli("evaluate", run_copy, "--n", "8", "--pairs", "10", "--checkpoint", "6")
    assert result.exit_code == 0, result.output
    report = json.loads((run_copy / "evaluation" / "step-00000006.json").read_text())
    assert report["checkpoint_step"] == 6 and report["resolution"] == 16 and report["real_images"] == 24
    (run_copy / "checkpoints" / "best.json").unlink()
    result = cli("evaluate", run_copy, "--n", "8", "--pairs", "10")
    assert result.exit_code == 0 and "no quality evaluation" in result.stderr
    assert (run_copy / "evaluation" / "step-00000012.json").is_file()


def test_evaluate_an_exported_painter_matches_its_run(cli, exported, trained_run, tmp_path):
    # the painter and its run paint the same latents for the same seed, so their reports agree
    args = ("--n", "8", "--pairs", "10", "--data", trained_run.parent.parent / "paintings")
    assert cli("evaluate", exported.painter, *args, "--out", tmp_path / "onnx.json").exit_code == 0
    assert cli("evaluate", trained_run, *args, "--checkpoint", "latest", "--out", tmp_path / "run.json").exit_code == 0
    onnx_report, run_report = (json.loads((tmp_path / n).read_text()) for n in ("onnx.json", "run.json"))
    assert onnx_report["swd_x1e3"]["average"] == pytest.approx(run_report["swd_x1e3"]["average"], rel=0.05)


def _painter_whose_data_moved(tmp_path):
    """The bundled painter, recording a training folder that is no longer there."""
    onnx = pytest.importorskip("onnx")
    proto = onnx.load(str(resolve_painter(None)))
    for entry in proto.metadata_props:
        if entry.key.endswith("training_config"):
            entry.value = json.dumps(dict(json.loads(entry.value), data_dir=str(tmp_path / "gone")))
    path = tmp_path / "moved" / "moved.onnx"
    path.parent.mkdir()
    onnx.save(proto, str(path))
    return path


@pytest.mark.parametrize(
    "args, code, message",
    [
        (("evaluate", "no-such-painter", "--data", "{real}"), 1, "no model named"),
        (("evaluate", "default", "--data", "{tmp}/missing"), 1, "image folder not found"),
        (("evaluate", "{moved}"), 2, "--data is needed"),
        (("evaluate", "default", "--data", "{one}"), 1, "at least 2 real images"),
        (("evaluate", "default", "--data", "{real}", "--device", "tpu"), 2, "--device must be"),
        (("evaluate", "{tmp}", "--data", "{real}", "--checkpoint", "newest"), 2, "best, latest or a step number"),
        (("evaluate", "default", "--data", "{real}", "--n", "1"), 2, "--n"),
    ],
)
def test_evaluate_mistakes_get_one_clear_line(cli, real_images, tmp_path, args, code, message):
    one = make_images(tmp_path / "one", count=1, width=64, height=48)
    paths = {"real": real_images, "tmp": tmp_path, "one": one, "moved": _painter_whose_data_moved(tmp_path)}
    result = cli(*(a.format(**paths) for a in args))
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.glob("*.json"))


def test_evaluate_a_folder_that_is_not_a_run(cli, real_images, tmp_path):
    pytest.importorskip("tensorflow")
    result = cli("evaluate", tmp_path / "real", "--checkpoint", "latest")
    assert result.exit_code == 1 and "not an artgan run" in result.stderr
