"""`artgan train --workers`: two worker processes on 127.0.0.1 with MultiWorkerMirroredStrategy on the CPU."""

import csv
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import TINY, make_images
from postgres_server import free_port

pytest.importorskip("tensorflow")

EXACT = [*TINY, "--arch", "dcgan", "--dropout", "0", "--eval-every", "0", "--sample-every", "2", "--checkpoint-every", "2"]


def _train(data, out, *options):
    return [sys.executable, "-m", "artgan.generator_cli.app", "train", str(data), "--out", str(out), *EXACT, *options]


def _pair(data, chief_out, other_out, *options, timeout_s=300):
    """Worker 0 (the chief) and worker 1, which has its own --out, as on another machine."""
    workers = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    common = ["--workers", workers, "--worker-timeout", str(timeout_s), *options]
    return [subprocess.Popen(_train(data, out, *common, "--worker-index", str(i)), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True) for i, out in enumerate((chief_out, other_out))]


def _finish(processes, timeout=600):
    outputs = [p.communicate(timeout=timeout)[0] for p in processes]
    for process, output in zip(processes, outputs):
        assert process.returncode == 0, output[-3000:]
    return outputs


def _losses(run):
    with open(run / "metrics.csv", newline="") as handle:
        return {int(r["step"]): (float(r["d_loss"]), float(r["g_loss"])) for r in csv.DictReader(handle)}


def test_two_workers_match_one_process_with_the_same_global_batch_and_resume_from_the_chief(tmp_path):
    from artgan.trainer.checkpoints import load_checkpoint

    data = make_images(tmp_path / "paintings")
    one = subprocess.run(_train(data, tmp_path / "one", "--steps", "4"), capture_output=True, text=True, timeout=600)
    assert one.returncode == 0, one.stderr[-3000:]
    chief, other = tmp_path / "chief", tmp_path / "other"
    _finish(_pair(data, chief, other, "--steps", "2"))
    assert not other.exists()  # only the chief writes
    # the rerun: the chief reads its checkpoint (step 2), worker 1 has none and takes the chief's
    _finish(_pair(data, chief, other, "--steps", "4", "--resume"))
    assert not other.exists()

    single, split = _losses(tmp_path / "one"), _losses(chief)
    assert sorted(split) == [1, 2, 3, 4]
    # the same forward pass (per-replica batch statistics would be off by ~1e-3 here) and the same
    # updates, up to float rounding (summation order, BatchNorm's E[x^2]-E[x]^2 over replicas)
    for step in single:
        assert split[step] == pytest.approx(single[step], abs=1e-5), step
    a, b = load_checkpoint(tmp_path / "one" / "checkpoints"), load_checkpoint(chief / "checkpoints")
    assert a.step == b.step == 4
    for key in a.arrays:
        np.testing.assert_allclose(b.arrays[key], a.arrays[key], atol=1e-5, err_msg=key)  # Adam's moments too


def test_a_killed_worker_stops_the_other_with_a_message_and_the_rerun_resumes(tmp_path):
    from artgan.trainer.checkpoints import list_checkpoints

    data = make_images(tmp_path / "paintings")
    chief, other = tmp_path / "chief", tmp_path / "other"
    processes = _pair(data, chief, other, "--steps", "400")
    try:
        deadline = time.monotonic() + 600
        while not list_checkpoints(chief / "checkpoints") and time.monotonic() < deadline:
            assert processes[0].poll() is None, processes[0].communicate()[0][-3000:]
            time.sleep(0.2)
        processes[1].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        output = processes[0].communicate(timeout=300)[0]
        waited = time.monotonic() - killed
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert processes[0].returncode == 1, output[-3000:]
    assert "lost contact with the other workers" in output and "with --resume" in output
    assert "Traceback" not in output
    assert waited < 200  # TensorFlow's peer health check, well before the 300 s collective timeout
    reached = list_checkpoints(chief / "checkpoints")[-1][0]
    assert f"step {reached}" in output

    _finish(_pair(data, chief, other, "--steps", str(reached + 2), "--resume"))
    steps = sorted(_losses(chief))
    assert steps == list(range(1, reached + 3))  # the steps before the kill kept, two more trained once
    assert list_checkpoints(chief / "checkpoints")[-1][0] == reached + 2
