import numpy as np
from artgan.trainer.checkpoints import (
    list_checkpoints,
    load_checkpoint,
    save_checkpoint,
)


def arrays(value):
    return {"step": np.array(value), "g/0000": np.full((3, 2), value, np.float32)}


def test_keeps_only_the_last_k(tmp_path):
    for step in (10, 20, 30, 40):
        save_checkpoint(tmp_path, step, arrays(step), keep=2)
    assert [s for s, _ in list_checkpoints(tmp_path)] == [30, 40]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_loads_newest_and_falls_back_when_it_is_damaged(tmp_path):
    for step in (10, 20):
        save_checkpoint(tmp_path, step, arrays(step), keep=5)
    assert load_checkpoint(tmp_path).step == 20
    newest = list_checkpoints(tmp_path)[-1][1]
    newest.write_bytes(newest.read_bytes()[:50])  # e.g. a disk that lost the tail of the file
    loaded = load_checkpoint(tmp_path)
    assert loaded.step == 10 and float(loaded.arrays["g/0000"][0, 0]) == 10


def test_a_crash_during_a_write_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    save_checkpoint(tmp_path, 10, arrays(10), keep=5)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    try:
        save_checkpoint(tmp_path, 20, arrays(20), keep=5)
    except KeyboardInterrupt:
        pass
    assert [s for s, _ in list_checkpoints(tmp_path)] == [10]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-00000010.npz"]


def test_empty_or_missing_folder_has_no_checkpoint(tmp_path):
    assert load_checkpoint(tmp_path / "none") is None
    assert load_checkpoint(tmp_path) is None
