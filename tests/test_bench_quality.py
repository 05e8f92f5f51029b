"""How benchmarks/bench_quality.py splits a staged candidate's time (--stage-shares)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_quality.py"
spec = importlib.util.spec_from_file_location("bench_quality", SCRIPT)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def test_stages_split_the_time_evenly_by_default():
    assert bench.stage_ends(1200.0, 2, None) == [600.0, 1200.0]


def test_shares_set_each_stages_end():
    assert bench.stage_ends(1200.0, 2, [2.0, 1.0]) == [800.0, 1200.0]
    assert bench.stage_ends(900.0, 3, [1.0, 1.0, 1.0]) == [300.0, 600.0, 900.0]


def test_shares_must_match_the_stages():
    with pytest.raises(ValueError, match="3 shares for a candidate of 2 stages"):
        bench.stage_ends(1200.0, 2, [1.0, 1.0, 1.0])


@pytest.mark.parametrize("text", ["2,0", "two,one", "-1,2", ","])
def test_bad_shares_are_refused(text):
    with pytest.raises(ValueError, match="positive numbers"):
        bench.parse_shares(text)


def test_a_mismatch_is_refused_before_anything_trains(tmp_path):
    out = tmp_path / "race"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(tmp_path), "--size", "128", "--out", str(out),
         "--stage-shares", "2,1,1", "--candidate", "grown=--arch fastgan then --skip-rgb"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "3 shares for a candidate of 2 stages" in result.stderr
    assert not out.exists()
