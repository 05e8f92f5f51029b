"""Files artgan writes get the mode a plain open() would give under the umask (0644 under 022, 0600 under 077).

Atomic writes go through tempfile.mkstemp, which makes 0600 files; without
care every painting, feed file, model and checkpoint would be private, and a
web server running as another user could not serve the feed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

UMASKS = [0o022, 0o077]


@pytest.fixture(params=UMASKS, ids=["umask022", "umask077"])
def umask(request):
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_modes(paths: list[Path], umask: int) -> None:
    assert paths, "nothing was written"
    wanted = 0o666 & ~umask
    wrong = {str(p): oct(mode(p)) for p in paths if mode(p) != wanted}
    assert not wrong, f"expected {oct(wanted)} under umask {oct(umask)}: {wrong}"


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_atomic_writes_follow_the_umask_like_open_does(tmp_path, umask):
    from artgan.models.atomic import write_bytes_atomic, write_text_atomic

    write_bytes_atomic(tmp_path / "a.bin", b"x")
    write_text_atomic(tmp_path / "b.txt", "x", overwrite=False)
    with open(tmp_path / "plain.txt", "w") as handle:  # the reference
        handle.write("x")
    assert mode(tmp_path / "a.bin") == mode(tmp_path / "b.txt") == mode(tmp_path / "plain.txt") == 0o666 & ~umask


def test_paintings(cli, tmp_path, umask):
    result = cli("paint", "--n", "2", "--seed", "1", "--upscale", "1", "--grid", "--out", tmp_path / "p")
    assert result.exit_code == 0, result.output
    assert_modes(files_under(tmp_path / "p"), umask)


def test_feed_files(cli, tmp_path, umask):
    feed = tmp_path / "feed"
    result = cli("post", "--state", tmp_path / "state", "--feed", feed, "--n", "2", "--date", "2026-02-03")
    assert result.exit_code == 0, result.output
    written = files_under(feed)
    assert {p.name for p in written} >= {"index.html", "feed.json", "atom.xml", "2026-02-03.jpg"}
    assert_modes(written, umask)


def test_checkpoints(tmp_path, umask):
    from artgan.trainer.checkpoints import save_checkpoint, write_best

    save_checkpoint(tmp_path, 5, {"step": np.array(5), "w": np.zeros(3)}, keep=2)
    write_best(tmp_path, {"step": 5})
    assert_modes(files_under(tmp_path), umask)


def test_exported_models(trained_run, tmp_path, umask):
    from artgan.trainer.export import export_run

    result = export_run(trained_run, tmp_path / "tiny.onnx")
    assert_modes([result.painter, result.critic, *([result.thumbs] if result.thumbs else [])], umask)
