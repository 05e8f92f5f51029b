"""Two sweep workers sharing one study in a real PostgreSQL server; one is SIGKILLed mid-trial."""

import os
import signal
import subprocess
import time

import pytest
from postgres_server import Server, binaries
from sweep_helpers import load_study, sweep_command, trial_file

pytest.importorskip("optuna")
pytest.importorskip("psycopg")
pytest.importorskip("tensorflow")


@pytest.fixture
def postgres():
    bin_dir = binaries()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's initdb/pg_ctl are missing: .ci/run installs Debian's postgresql package")
        pytest.skip("PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)")
    server = Server(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_killed_worker_s_trial_is_retried_by_the_other_from_its_checkpoint(postgres, image_dir, tmp_path):
    from optuna.trial import TrialState

    out = tmp_path / "sweep"  # one folder for both, as on a shared file system: the retry resumes
    command = sweep_command(image_dir, out, "--trials", "3", "--storage", postgres.url, "--pruner", "none",
                            "--param", "lr=0.001..0.004:log", "--checkpoint-every", "5")
    logs = [open(tmp_path / f"worker{i}.log", "w") for i in range(2)]
    first = subprocess.Popen(command, stdout=logs[0], stderr=subprocess.STDOUT)
    _wait_for(lambda: (out / "trial-0000" / "trial.json").is_file(), 300, "the first worker's trial")
    second = subprocess.Popen(command, stdout=logs[1], stderr=subprocess.STDOUT)
    try:
        def second_trial_checkpointed():
            for folder in out.glob("trial-*"):
                record = trial_file(folder) if (folder / "trial.json").is_file() else {}
                if record.get("pid") == second.pid and list((folder / "checkpoints").glob("ckpt-*.npz")):
                    return folder
            return None

        victim = _wait_for(second_trial_checkpointed, 300, "a checkpoint of the second worker's trial")
        second.send_signal(signal.SIGKILL)
        second.wait(30)
        assert first.wait(600) == 0, (tmp_path / "worker0.log").read_text()[-3000:]
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
        for log in logs:
            log.close()

    study = load_study(out, postgres.url)
    trials = study.get_trials()
    finished = [t for t in trials if t.state == TrialState.COMPLETE]
    folders = [t.user_attrs["folder"] for t in finished]
    assert len(finished) == 3 and len(set(folders)) == 3  # N trials, none run twice
    failed = [t for t in trials if t.state == TrialState.FAIL]
    assert [t.user_attrs["folder"] for t in failed] == [victim.name]  # the killed one, failed by its heartbeat
    retry = next(t for t in finished if t.user_attrs["folder"] == victim.name)
    assert retry.system_attrs["failed_trial"] == failed[0].number and retry.params == failed[0].params
    record = trial_file(victim)
    assert record["state"] == "complete" and record["pid"] == first.pid and record["resumed_from"] >= 5
    assert record["attempt"] == retry.number and record["retry_of"] == failed[0].number
