"""`artgan sweep` option checking that needs neither TensorFlow nor a study run."""

import pytest

pytest.importorskip("optuna")

from artgan.sweeps.space import SpaceError, config_overrides, parse_assignments, parse_param, parse_space  # noqa: E402
from artgan.sweeps.spec import SweepError, SweepSpec, merge_with_existing  # noqa: E402
from artgan.sweeps.study import storage_url, without_password  # noqa: E402


def test_ranges_and_choices_parse_to_optuna_distributions():
    lr = parse_param("lr=1e-4..1e-3:log")
    assert (lr.kind, lr.low, lr.high, lr.log) == ("float", 1e-4, 1e-3, True)
    width = parse_param("width=16,32,64")
    assert (width.kind, width.choices) == ("choice", (16, 32, 64))
    steps = parse_param("r1-every=1..8:int")
    assert (steps.name, steps.kind, steps.low, steps.high) == ("r1_every", "int", 1, 8)
    assert parse_param("loss=nonsat,hinge").choices == ("nonsat", "hinge")


def test_lr_sets_both_learning_rates_as_floats():
    assert config_overrides({"lr": 0, "width": 16}) == {"lr_g": 0.0, "lr_d": 0.0, "width": 16}
    assert isinstance(config_overrides({"lr": 0})["lr_g"], float)


@pytest.mark.parametrize(
    "text, message",
    [
        ("colour=1,2", "not a training setting"),
        ("lr", "NAME=LOW..HIGH"),
        ("lr=1e-3..1e-4", "LOW must be below HIGH"),
        ("lr=0..1e-3:log", "LOW > 0"),
        ("lr=1e-4..x", "is not a number"),
        ("size=48,64", "power of two"),
        ("width=4..8.5:int", "whole numbers"),
        ("lr=1e-4..1e-3:cubic", "unknown flag"),
        ("loss=nonsat,nonsat", "listed twice"),
        ("loss=nonsat,wasserstein", "--loss must be one of"),
    ],
)
def test_bad_params_are_refused_with_a_reason(text, message):
    with pytest.raises(SpaceError, match=message):
        parse_param(text)


def test_a_param_given_twice_is_refused():
    with pytest.raises(SpaceError, match="given twice"):
        parse_space(["lr=0.1,0.2", "lr=0.3,0.4"])


def test_tries_must_lie_in_the_space():
    space = parse_space(["lr=1e-4..1e-3:log", "width=8,16"])
    assert parse_assignments("lr=2e-4,width=16", space) == {"lr": 2e-4, "width": 16}
    with pytest.raises(SpaceError, match="from 0.0001 to 0.001"):
        parse_assignments("lr=0.5", space)
    with pytest.raises(SpaceError, match="one of 8, 16"):
        parse_assignments("width=32", space)
    with pytest.raises(SpaceError, match="not one of the swept"):
        parse_assignments("size=16", space)


def test_storage_urls_use_psycopg_and_drop_passwords(tmp_path):
    assert storage_url(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'study.db'}"
    assert storage_url(tmp_path, "postgresql://u:pw@db:5432/s") == "postgresql+psycopg://u:pw@db:5432/s"
    assert without_password("postgresql+psycopg://u:pw@db:5432/s") == "postgresql+psycopg://u@db:5432/s"


def _spec(**changes):
    settings = dict(data_dir="/data", trials=4, steps=20, params=["lr=0.1,0.2"], base={"eval_every": 5})
    return SweepSpec(**{**settings, **changes})


def test_a_sweep_folder_can_raise_trials_but_not_change_what_a_trial_is(tmp_path):
    _spec().save(tmp_path)
    assert merge_with_existing(tmp_path, _spec(trials=8)).trials == 8
    with pytest.raises(SweepError, match="other steps, params"):
        merge_with_existing(tmp_path, _spec(steps=40, params=["lr=0.1,0.3"]))


def test_a_sweep_needs_evaluations_to_compare_trials():
    with pytest.raises(SweepError, match="--eval-every must be at least 1"):
        _spec(base={"eval_every": 0})
    with pytest.raises(SweepError, match="--pruner must be one of"):
        _spec(pruner="median")


def test_cli_refuses_bad_input_without_a_traceback(cli, image_dir, tmp_path):
    result = cli("sweep", image_dir, "--param", "colour=1,2", "--out", tmp_path / "s")
    assert result.exit_code == 2 and "not a training setting" in result.output
    assert not (tmp_path / "s").exists()
    result = cli("sweep", image_dir, "--param", "lr=0.1,0.2", "--try", "lr=0.3", "--out", tmp_path / "s")
    assert result.exit_code == 2 and "lr must be one of 0.1, 0.2" in result.output
    result = cli("sweeps", tmp_path)
    assert result.exit_code == 1 and "is not a sweep folder" in result.output
    result = cli("sweep", tmp_path / "missing", "--param", "lr=0.1,0.2")
    assert result.exit_code == 2 and "is not a folder of images" in result.output


def test_workers_get_a_gpu_each_or_a_share_of_the_cores(monkeypatch):
    from artgan.sweeps.launch import worker_env

    for name in ("CUDA_VISIBLE_DEVICES", "TF_NUM_INTRAOP_THREADS", "OMP_NUM_THREADS", "TF_NUM_INTEROP_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert [worker_env(i, 3, ["0", "1"])["CUDA_VISIBLE_DEVICES"] for i in range(3)] == ["0", "1", "0"]
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    env = worker_env(1, 2, None)
    assert env["TF_NUM_INTRAOP_THREADS"] == "4" and "CUDA_VISIBLE_DEVICES" not in env
    assert "TF_NUM_INTRAOP_THREADS" not in worker_env(0, 1, None)  # one worker keeps every core


def test_a_trial_trains_with_the_cli_defaults_for_its_arch_unless_they_are_swept(tmp_path):
    pytest.importorskip("tensorflow")
    from artgan.sweeps.trial import TrialRunner
    from artgan.trainer.config import default_augment_p, default_mode_seeking

    from conftest import make_images

    data = make_images(tmp_path / "paintings")
    spec = SweepSpec(data_dir=str(data), trials=1, steps=2, params=[], base={"size": 16, "width": 8, "batch_size": 8, "eval_every": 1})
    runner = TrialRunner(tmp_path / "sweep", spec, log=lambda line: None)
    assert runner._config({})[0].mode_seeking == default_mode_seeking("fastgan", False) > 0
    assert runner._config({"arch": "dcgan"})[0].mode_seeking == 0
    assert runner._config({"mode_seeking": 0.7})[0].mode_seeking == 0.7
    # fastgan's fixed augmentation probability too, as `artgan train` gives it; dcgan's adaptive rule (None)
    assert runner._config({})[0].augment_p == default_augment_p("fastgan") == 0.5
    assert runner._config({"arch": "dcgan"})[0].augment_p is None
    assert runner._config({"augment_p": 0.2})[0].augment_p == 0.2
