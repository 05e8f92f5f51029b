"""--workers / --worker-index / TF_CONFIG parsing, and the train command's refusals (no training)."""

import json

import pytest

pytest.importorskip("tensorflow")

from artgan.trainer.distribute import Cluster, DeviceError, cluster_from  # noqa: E402


def test_workers_option_makes_a_tf_config_with_worker_zero_as_chief():
    cluster = cluster_from("10.0.0.1:2222, 10.0.0.2:2222", 1, environ={})
    assert cluster == Cluster(["10.0.0.1:2222", "10.0.0.2:2222"], 1) and not cluster.chief
    config = json.loads(cluster.tf_config())
    assert config == {"cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]}, "task": {"type": "worker", "index": 1}}
    assert cluster_from("10.0.0.1:2222", 0, environ={}) is None  # one worker is an ordinary run
    assert cluster_from(None, None, environ={}) is None


def test_tf_config_from_the_environment_counts_a_chief_task_first():
    raw = json.dumps({"cluster": {"chief": ["a:1"], "worker": ["b:1", "c:1"]}, "task": {"type": "worker", "index": 1}})
    cluster = cluster_from(None, None, environ={"TF_CONFIG": raw})
    assert cluster.workers == ["a:1", "b:1", "c:1"] and cluster.index == 2
    chief = cluster_from(None, None, environ={"TF_CONFIG": raw.replace('"type": "worker"', '"type": "chief"').replace('"index": 1', '"index": 0')})
    assert chief.chief


@pytest.mark.parametrize(
    "workers, index, environ, message",
    [
        ("a:1,b", 0, {}, "has no port"),
        ("a:1,a:1", 0, {}, "the same host:port twice"),
        ("a:1,b:2", None, {}, "--worker-index must be given, from 0 to 1"),
        ("a:1,b:2", 2, {}, "from 0 to 1"),
        (None, 1, {}, "--worker-index needs --workers"),
        (None, None, {"TF_CONFIG": "{not json"}, "TF_CONFIG is not a TensorFlow cluster description"),
        (None, None, {"TF_CONFIG": json.dumps({"cluster": {"ps": ["a:1"]}, "task": {"type": "ps", "index": 0}})},
         "TF_CONFIG is not"),
    ],
)
def test_bad_cluster_descriptions_are_refused_with_a_reason(workers, index, environ, message):
    with pytest.raises(DeviceError, match=message):
        cluster_from(workers, index, environ=environ)


def test_train_refuses_bad_worker_options_without_a_traceback(cli, image_dir, tmp_path):
    result = cli("train", image_dir, "--workers", "127.0.0.1:1,127.0.0.1:2", "--out", tmp_path / "run")
    assert result.exit_code == 1 and "--worker-index must be given" in result.output
    result = cli("train", image_dir, "--workers", "127.0.0.1:1,127.0.0.1:2", "--worker-index", "0", "--devices", "2",
                 "--out", tmp_path / "run")
    assert result.exit_code == 2 and "--devices and --workers do not mix" in result.output
    assert not (tmp_path / "run").exists()
