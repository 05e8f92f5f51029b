"""The bookkeeping of scripts/make_default_painter.py that goes into the model card."""

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location(
    "make_default_painter", Path(__file__).resolve().parents[1] / "scripts" / "make_default_painter.py"
)
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)

HEADER = "step,wall_s,d_loss,g_loss,d_real,d_fake,images_per_s,swd_x1e3,ms_ssim,aug_p\n"


def _metrics(tmp_path, rows):
    (tmp_path / "metrics.csv").write_text(HEADER + "".join(f"{s},{w},1,1,0.5,0.5,30,,,0\n" for s, w in rows))
    return tmp_path


def test_wall_time_of_one_run_is_its_last_clock(tmp_path):
    assert script.training_wall_s(_metrics(tmp_path, [(1, 2.0), (2, 3.5), (3, 5.0)])) == (3, 5.0)


def test_resumed_segments_are_added_up(tmp_path):
    # a resume restarts the clock at zero: 100 s, then 40 s more, then 7 s more
    rows = [(1, 50.0), (2, 100.0), (3, 20.0), (4, 40.0), (5, 7.0)]
    assert script.training_wall_s(_metrics(tmp_path, rows)) == (5, 147.0)


def test_training_command_is_the_documented_recipe(tmp_path):
    args = [str(a) for a in script.train_arguments(tmp_path / "data", tmp_path / "run", 6000)]
    assert args[:2] == ["train", str(tmp_path / "data")]
    pairs = dict(zip(args[2::2], args[3::2]))
    assert pairs["--arch"] == "fastgan" and pairs["--size"] == "128" and pairs["--steps"] == "6000"
    assert pairs["--crop"] == "random"
    small = [str(a) for a in script.small_arguments(tmp_path / "data", tmp_path / "run64", 3000)]
    assert "--no-blur" in small  # blurred 64 px runs painted swirls, and so did everything grown from them
    small.remove("--no-blur")
    small_pairs = dict(zip(small[2::2], small[3::2]))
    assert small_pairs["--arch"] == "fastgan" and small_pairs["--size"] == "64" and small_pairs["--steps"] == "3000"
    # --small-flags: more flags for the 64 px stage; a blur choice among them replaces --no-blur
    deep = [str(a) for a in script.small_arguments(tmp_path / "data", tmp_path / "run64", 3000, "--second-conv --blur-from 64")]
    assert "--second-conv" in deep and "--no-blur" not in deep
    assert deep[deep.index("--blur-from") + 1] == "64"
    assert "--no-blur" in [str(a) for a in script.small_arguments(tmp_path / "data", tmp_path / "run64", 3000, "--second-conv")]
    grow = [str(a) for a in script.grow_arguments(tmp_path / "data", tmp_path / "run", tmp_path / "run64", 1600)]
    assert dict(zip(grow[2::2], grow[3::2]))["--grow-from"] == str(tmp_path / "run64")
    assert "--freeze-grown" in grow  # the 64 px layers keep their weights: only the new block trains
    assert dict(zip(grow[2::2], grow[3::2]))["--lr"] == "0.0001"  # at 2e-4 the new block drew dark dashes
    assert "--skip-rgb" in grow and "--fade-steps" not in grow  # the default: the 64 px painting stays under the detail
    assert grow[grow.index("--noise-from") + 1] == "128"  # without noise the new block drew streaks
    fade = [str(a) for a in script.grow_arguments(tmp_path / "data", tmp_path / "run", tmp_path / "run64", 1600, "fade")]
    assert "--fade-steps" in fade and "--skip-rgb" not in fade
    # --grow-flags: more flags for the 128 px stage, after the recipe's own
    full = [str(a) for a in script.grow_arguments(tmp_path / "data", tmp_path / "run", tmp_path / "run64", 1600, "skip",
                                                  "--skip-detail full --augment-p 1")]
    assert full[full.index("--skip-detail") + 1] == "full" and full[full.index("--augment-p") + 1] == "1"
    assert "--skip-rgb" in full
    assert pairs["--augment"] == "on" and pairs["--out"] == str(tmp_path / "run")


def test_the_learned_upscaler_ships_only_when_it_wins_without_a_grid():
    chosen = {"default": "learned"}  # train-upscaler's report: it beat bicubic and Lanczos on held-out photos
    assert script.keep_learned_upscaler(chosen, lattice_learned=1.3, lattice_classical=1.2)[0]
    keep, why = script.keep_learned_upscaler(chosen, lattice_learned=40.0, lattice_classical=1.2)
    assert not keep and "lattice-peak" in why  # it won on photos, but paints a grid on paintings: bicubic it is
    keep, why = script.keep_learned_upscaler({"default": "bicubic"}, 1.0, 1.2)
    assert not keep and "PSNR and SSIM" in why


def _report(swd, floor):
    return {"swd_x1e3": {"average": swd, "real_floor": {"average": floor}}}


def _lattice(painted, posted):
    return {"paint_default": {"lattice": painted}, "posted_jpeg": {"lattice": posted}}


def test_a_new_painter_replaces_the_shipped_one_only_when_closer_to_the_photos_and_free_of_grids():
    shipped = _report(49.1, 35.9)  # +13.2 above the floor
    assert script.shortfalls(_report(45.0, 35.9), shipped, _lattice(1.4, 1.6)) == []
    reasons = script.shortfalls(_report(76.3, 35.9), shipped, _lattice(1.4, 1.6))
    assert len(reasons) == 1 and "+40.4" in reasons[0] and "+13.2" in reasons[0]
    reasons = script.shortfalls(_report(45.0, 35.9), shipped, _lattice(2.3, 1.9))
    assert len(reasons) == 1 and "`artgan paint` output is 2.30" in reasons[0]
    assert len(script.shortfalls(_report(49.1, 35.9), shipped, _lattice(1.0, 2.0))) == 2  # a tie does not replace it


def test_a_streakier_painter_does_not_replace_the_shipped_one():
    shipped = {**_report(49.1, 35.9), "streaks": {"generated": 0.32, "real": 0.10}}
    closer = {**_report(45.0, 35.9), "streaks": {"generated": 0.25, "real": 0.10}}
    assert script.shortfalls(closer, shipped, _lattice(1.4, 1.6)) == []
    streakier = {**closer, "streaks": {"generated": 0.40, "real": 0.10}}
    reasons = script.shortfalls(streakier, shipped, _lattice(1.4, 1.6))
    assert len(reasons) == 1 and "0.40" in reasons[0] and "0.32" in reasons[0]
    # at the new painter's own size when given: there the 64 px figures do not decide
    native = ({"streaks": {"generated": 0.32, "real": 0.10}}, {"streaks": {"generated": 0.20, "real": 0.10}})
    assert script.shortfalls(streakier, shipped, _lattice(1.4, 1.6), native) == []
    assert script.shortfalls(closer, _report(49.1, 35.9), _lattice(1.4, 1.6)) == []  # an old report without the score
    # a shipped painter with fewer lines than the photos does not hold a new one to its own score, only to theirs
    clean = {**shipped, "streaks": {"generated": 0.06, "real": 0.10}}
    assert script.shortfalls({**closer, "streaks": {"generated": 0.09, "real": 0.10}}, clean, _lattice(1.4, 1.6)) == []
    reasons = script.shortfalls({**closer, "streaks": {"generated": 0.12, "real": 0.10}}, clean, _lattice(1.4, 1.6))
    assert len(reasons) == 1 and "0.12" in reasons[0] and "0.06" in reasons[0] and "0.10" in reasons[0]


def test_a_painter_speckled_with_colour_beyond_the_photos_does_not_replace_the_shipped_one():
    shipped = _report(49.1, 35.9)
    closer = {**_report(45.0, 35.9), "grain": {"generated": 4.9, "real": 4.8}}  # within GRAIN_LIMIT of the photos
    assert script.shortfalls(closer, shipped, _lattice(1.4, 1.6)) == []
    speckled = {**closer, "grain": {"generated": 6.1, "real": 4.8}}
    reasons = script.shortfalls(speckled, shipped, _lattice(1.4, 1.6))
    assert len(reasons) == 1 and "6.10" in reasons[0] and "4.80" in reasons[0] and "--noise-scale" in reasons[0]
    # at the new painter's own size when given
    native = ({}, {"grain": {"generated": 4.5, "real": 4.8}})
    assert script.shortfalls(speckled, shipped, _lattice(1.4, 1.6), native) == []
    native = ({}, {"grain": {"generated": 6.1, "real": 4.8}})
    assert len(script.shortfalls(closer, shipped, _lattice(1.4, 1.6), native)) == 1


def test_the_gate_decides_on_the_repeated_distance_when_both_reports_have_it():
    lucky_first_chunk = {**_report(45.0, 35.9), "swd_repeated": {"distance": 20.0, "stderr": 0.5}}
    shipped = {**_report(49.1, 35.9), "swd_repeated": {"distance": 18.0, "stderr": 0.5}}
    reasons = script.shortfalls(lucky_first_chunk, shipped, _lattice(1.4, 1.6))
    assert len(reasons) == 1 and "+20.0" in reasons[0] and "+18.0" in reasons[0]
    better = {**_report(52.0, 35.9), "swd_repeated": {"distance": 16.0, "stderr": 0.5}}
    assert script.shortfalls(better, shipped, _lattice(1.4, 1.6)) == []


def test_contradicting_flags_and_a_bad_noise_scale_are_refused_before_anything_runs(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, spec.origin, "--no-ship", "--ship-anyway", "--run", str(tmp_path / "run")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "contradict each other" in result.stderr
    for bad in ("-0.5", "nan", "inf"):
        result = subprocess.run([sys.executable, spec.origin, "--noise-scale", bad, "--run", str(tmp_path / "run")],
                                capture_output=True, text=True)
        assert result.returncode == 2 and "--noise-scale must be a number >= 0" in result.stderr
    assert not (tmp_path / "run").exists()


def test_the_grow_recipe_trains_the_64_px_stage_unless_a_painter_file_is_given(tmp_path):
    import argparse

    import pytest

    def stages(small_run):
        args = argparse.Namespace(recipe="grow", data=tmp_path / "data", run=tmp_path / "run", small_run=small_run,
                                  steps=2400, small_steps=4000, grow_head="skip", small_flags="", grow_flags="")
        return [(run, [str(a) for a in arguments], steps) for run, arguments, steps in script.training_stages(args)]

    trained = stages(None)
    assert [(run.name, steps) for run, _, steps in trained] == [("run-64", 4000), ("run", 2400)]
    painter = tmp_path / "shipped" / "default.onnx"
    with pytest.raises(SystemExit, match="no such painter file"):
        stages(painter)
    painter.parent.mkdir()
    painter.write_bytes(b"onnx")
    [(run, arguments, steps)] = stages(painter)  # the painter file is the 64 px stage: only the growth trains
    assert run == tmp_path / "run" and steps == 2400
    assert dict(zip(arguments[2::2], arguments[3::2]))["--grow-from"] == str(painter)


def test_the_card_of_a_painter_grown_from_a_painter_file_names_it_and_compares_at_both_sizes(tmp_path):
    import json
    import shutil
    from dataclasses import asdict

    from artgan.trainer.config import TrainConfig

    import onnx
    from onnx import TensorProto, helper

    root = Path(__file__).resolve().parents[1]
    docs = root / "docs" / "default-painter"
    source = tmp_path / "small.onnx"  # a 64 px painter file: what the card reads of it is its metadata
    graph = helper.make_graph([helper.make_node("Identity", ["z"], ["image"])], "painter",
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1])])
    model = helper.make_model(graph)
    small_config = asdict(TrainConfig(data_dir="data", size=64, width=16, blur_from=0))
    onnx.helper.set_model_props(model, {"artgan.training_config": json.dumps(small_config), "artgan.steps": "4000"})
    onnx.save(model, str(source))
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    config = TrainConfig(data_dir="data", size=128, width=8, steps=2400, batch_size=16, grow_from=str(source),
                         skip_rgb=True, freeze_grown=True, eval_every=400, seed=7)
    (run / "config.json").write_text(json.dumps(asdict(config)))
    (run / "checkpoints" / "best.json").write_text(json.dumps({"step": 2000}))
    _metrics(run, [(1200, 600.0), (2400, 1200.0)])
    stage = tmp_path / "stage"
    stage.mkdir()
    shutil.copyfile(root / "models" / "default.onnx", stage / "default.onnx")
    evaluation = json.loads((docs / "fastgan64.evaluation.json").read_text())
    lattice = json.loads((docs / "fastgan64.lattice.json").read_text())

    def compared(distance):
        return {**evaluation, "swd_repeated": {"distance": distance, "stderr": 1.5, "chunks": 11, "images": 90, "splits": 5}}

    upscaler = {"default": "bicubic", "heldout_images": 19, **{f"{m}_{k}": 1.0 for m in ("psnr", "ssim", "lattice")
                                                               for k in ("learned", "bicubic", "lanczos")}}
    card = script.model_card(stage, run, evaluation, compared(14.0), evaluation, compared(16.7), upscaler,
                             (False, "it does not win"), lattice, lattice, ["artgan train ..."],
                             at_size=(compared(30.5), compared(21.25)), checkpoint="1200")
    assert "| grown from | the painter file `small.onnx`" in card and "a 64 px fastgan painter, width 16, step 4000" in card
    assert "| picked | step 1200 of 2400 (`--checkpoint 1200`)" in card and "training's own pick, step 2000" in card
    assert "on top of the 64 px painter's own training" in card and "| wall time | 20 min" in card
    assert "+16.7 ± 1.5 | +14.0 ± 1.5 |" in card  # the gate's row at 64 px
    assert "at 128 px, the same latents and splits (the previous painter upscaled, Lanczos) | +30.5 ± 1.5 | +21.2 ± 1.5 |" in card
