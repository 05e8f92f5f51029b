"""scripts/trim_painter_frame.py: measure a painter's frame, and trim it in a painter file whose run is gone."""

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow")

spec = importlib.util.spec_from_file_location(
    "trim_painter_frame", Path(__file__).resolve().parents[1] / "scripts" / "trim_painter_frame.py"
)
script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(script)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_measure_reports_the_edge_contrast_of_each_trim(exported):
    rows = script.measure(exported.painter, count=32)
    assert [px for px, _ in rows] == [0, 1, 2]  # up to size / 8 of the 16 px painter
    assert all(np.isfinite(score) and score > 0 for _, score in rows)
    assert len({round(score, 6) for _, score in rows}) == 3  # each trim paints something else


def test_trimming_a_painter_file_writes_a_checked_painter_and_refuses_a_second_trim(exported, tmp_path, capsys):
    from artgan.models.runtime import load_model
    from artgan.trainer.export import trimmed_reference

    out = tmp_path / "trimmed.onnx"
    assert script.main([str(exported.painter), "--px", "2", "--out", str(out)]) == 0
    original, trimmed = load_model(exported.painter, device="cpu"), load_model(out, device="cpu")
    assert (original.info.frame_trim, trimmed.info.frame_trim) == (0, 2)
    z = np.random.default_rng(7).standard_normal((3, 16)).astype(np.float32)
    np.testing.assert_allclose(trimmed.run(["image"], {"z": z})[0],
                               trimmed_reference(original.run(["image"], {"z": z})[0], 2), atol=1e-4)
    before = _digest(out)
    assert script.main([str(out), "--px", "1"]) == 1
    assert "already trims 2 px" in capsys.readouterr().err
    assert _digest(out) == before  # refused, and the file is as it was


def test_a_trim_too_large_leaves_the_painter_as_it_was(exported, tmp_path, capsys):
    copy = tmp_path / "p.onnx"
    copy.write_bytes(Path(exported.painter).read_bytes())
    before = _digest(copy)
    assert script.main([str(copy), "--px", "5"]) == 1
    assert "quarter" in capsys.readouterr().err
    assert _digest(copy) == before and [p.name for p in tmp_path.iterdir()] == ["p.onnx"]
