"""paint and post must work where TensorFlow cannot be imported at all."""

import json
import subprocess
import sys

BLOCK = """
import sys
class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('tensorflow', 'keras', 'tf2onnx', 'tf_keras'):
            raise ImportError(f'{name} is blocked for this test')
sys.meta_path.insert(0, NoTensorFlow())
from artgan.generator_cli.app import main
sys.argv = ['artgan'] + sys.argv[1:]
main()
"""


def run_blocked(*args, cwd):
    return subprocess.run(
        [sys.executable, "-c", BLOCK, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_paint_and_post_run_without_tensorflow(tmp_path):
    paint = run_blocked("paint", "--n", "2", "--seed", "1", "--out", tmp_path / "out", cwd=tmp_path)
    assert paint.returncode == 0, paint.stderr
    assert len(list((tmp_path / "out").glob("*.png"))) == 2
    assert "tensorflow" not in paint.stderr.lower()

    post = run_blocked("post", "--state", tmp_path / "state", "--candidates", "3", cwd=tmp_path)
    assert post.returncode == 0, post.stderr
    assert len(json.loads((tmp_path / "state" / "feed" / "feed.json").read_text())["posts"]) == 1

    help_ = run_blocked("--help", cwd=tmp_path)
    assert help_.returncode == 0 and "paint" in help_.stdout


def test_train_without_the_extra_says_how_to_install_it(tmp_path):
    (tmp_path / "data").mkdir()
    result = run_blocked("train", tmp_path / "data", cwd=tmp_path)
    assert result.returncode == 1
    assert "pip install 'artgan[train]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_evaluate_a_painter_runs_without_tensorflow(tmp_path):
    from conftest import make_images

    data = make_images(tmp_path / "real", count=8, width=64, height=48)  # at least a quarter of the painter's 128 px
    result = run_blocked("evaluate", "default", "--data", data, "--n", "6", "--pairs", "5", "--out", tmp_path / "r.json",
                         cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text())["swd_x1e3"]["average"] > 0
