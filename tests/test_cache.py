import os

import numpy as np
import pytest
from artgan.trainer.cache import open_or_build
from artgan.trainer.data import DataError, PrepareSettings, load_folder
from PIL import Image


def make(folder, count):
    folder.mkdir(exist_ok=True)
    for i in range(count):
        Image.new("RGB", (24, 20), (i * 20, 255 - i * 20, 7)).save(folder / f"{i:02d}.png")
    (folder / "broken.png").write_bytes(b"nope")


def test_cache_matches_load_folder_and_is_memory_mapped(tmp_path):
    make(tmp_path / "data", 5)
    cached = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert isinstance(cached.images, np.memmap) and not cached.images.flags.writeable
    in_memory = load_folder(tmp_path / "data", 16)
    assert np.array_equal(np.asarray(cached.images), in_memory.images)
    assert cached.fingerprint == in_memory.fingerprint and not cached.reused
    assert [name for name, _ in cached.skipped] == ["broken.png"]
    assert cached.labels.tolist() == [0] * 5


def test_cache_is_reused_and_rebuilt_when_folder_or_settings_change(tmp_path):
    make(tmp_path / "data", 3)
    first = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    again = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert again.reused and again.path == first.path
    assert open_or_build(tmp_path / "data", PrepareSettings(8), tmp_path / "cache").path != first.path
    Image.new("RGB", (20, 20)).save(tmp_path / "data" / "new.png")
    changed = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert not changed.reused and len(changed) == 4


def test_damaged_cache_is_rebuilt(tmp_path):
    make(tmp_path / "data", 3)
    first = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    with open(first.path / "images.u8", "r+b") as handle:
        handle.truncate(10)
    rebuilt = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert not rebuilt.reused and rebuilt.images.shape == (3, 16, 16, 3)
    assert not [p for p in os.listdir(first.path) if p.endswith(".tmp")]


def test_nothing_usable_leaves_no_cache(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.png").write_bytes(b"nope")
    with pytest.raises(DataError, match="none of the 1 image files"):
        open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert not list((tmp_path / "cache").rglob("images.u8"))


def test_a_build_killed_part_way_is_rebuilt_and_its_temporary_file_removed(tmp_path):
    make(tmp_path / "data", 3)
    first = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    (first.path / "index.json").unlink()  # as if killed before the index was written
    (first.path / ".images.u8.abc123.tmp").write_bytes(b"half an image")
    rebuilt = open_or_build(tmp_path / "data", PrepareSettings(16), tmp_path / "cache")
    assert not rebuilt.reused and len(rebuilt) == 3
    assert sorted(p.name for p in first.path.iterdir()) == [".build.lock", "images.u8", "index.json"]  # no .tmp


def _build_slowly(folder, cache, results):
    import time

    cached = open_or_build(folder, PrepareSettings(16), cache, on_progress=lambda done, total: time.sleep(0.05))
    results.put((cached.reused, np.asarray(cached.images).sum()))


def test_two_trainings_started_together_build_the_cache_once_and_both_open_it(tmp_path):
    # sweep workers and multi-worker runs on one machine start on the same folder at the same moment
    import multiprocessing

    make(tmp_path / "data", 12)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [context.Process(target=_build_slowly, args=(tmp_path / "data", tmp_path / "cache", results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    (reused_a, sum_a), (reused_b, sum_b) = results.get(timeout=5), results.get(timeout=5)
    assert sorted([reused_a, reused_b]) == [False, True]  # one built it, the other waited and opened it
    assert sum_a == sum_b == load_folder(tmp_path / "data", 16).images.sum()
    assert not list((tmp_path / "cache").rglob("*.tmp"))
