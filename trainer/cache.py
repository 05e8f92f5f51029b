"""The prepared training set, decoded once and kept as a memory-mapped uint8 file.

``<cache root>/<fingerprint>/images.u8`` holds ``N x S x S x 3`` bytes and
``index.json`` the shape, labels, class names, files and what was skipped.
The fingerprint covers the file list (names, sizes, mtimes) and the
preparation settings, so a changed folder or setting builds a new cache and an
unchanged one is opened instantly.  Images are written one at a time while
decoding and read back through ``np.memmap``, so neither building nor training
holds the set in RAM.  Both files are written atomically, index last: a cache
without a matching index is simply rebuilt.  A build holds a file lock on its
entry, so trainings started together on one folder (sweep workers, the workers
of a multi-worker run) build it once and the others wait and open it.  No
TensorFlow here.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import platformdirs
from artgan.models.atomic import atomic_write, write_text_atomic

from .data import DataError, PrepareSettings, iter_prepared, no_usable_images, scan

INDEX_VERSION = 1


@dataclass
class CachedSet:
    images: np.ndarray  # read-only np.memmap, uint8 [N, S, S, 3]
    labels: np.ndarray  # int64 [N]; all zero without classes
    class_names: list[str]
    files: list[str]  # relative to the data folder
    skipped: list[tuple[str, str]]
    duplicates: list[tuple[str, str]]
    fingerprint: str
    path: Path
    reused: bool = False

    def __len__(self) -> int:
        return len(self.files)


def default_cache_root() -> Path:
    return Path(os.environ.get("ARTGAN_CACHE_DIR") or platformdirs.user_cache_dir("artgan")) / "datasets"


def open_or_build(
    folder: str | Path,
    settings: PrepareSettings,
    cache_root: Path | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> CachedSet:
    """The cached set for this folder and settings, building it first if needed."""
    folder = Path(folder)
    report = scan(folder, settings)
    target = (cache_root or default_cache_root()) / report.fingerprint
    cached = _open(target, report.fingerprint)
    if cached is not None:
        return cached
    from filelock import FileLock

    target.mkdir(parents=True, exist_ok=True)
    with FileLock(target / ".build.lock"):
        cached = _open(target, report.fingerprint)  # built by another process while this one waited
        if cached is not None:
            return cached
        return _build(folder, settings, report, target, on_progress)


def _build(folder: Path, settings: PrepareSettings, report, target: Path,
           on_progress: Callable[[int, int], None] | None) -> CachedSet:
    for stale in target.glob(".images.u8.*.tmp"):  # a build killed part-way (the lock says no one else is building)
        stale.unlink(missing_ok=True)
    s = settings.size
    files, labels = [], []
    with atomic_write(target / "images.u8", "wb") as handle:
        for item in iter_prepared(folder, settings, report, on_progress):
            handle.write(np.ascontiguousarray(item.image).tobytes())
            files.append(str(item.path.relative_to(folder)))
            labels.append(item.label)
    if not files:
        (target / "images.u8").unlink(missing_ok=True)
        raise no_usable_images(folder, report)
    index = {
        "version": INDEX_VERSION,
        "fingerprint": report.fingerprint,
        "shape": [len(files), s, s, 3],
        "files": files,
        "labels": labels,
        "class_names": report.class_names,
        "skipped": [[str(p.relative_to(folder)), why] for p, why in report.skipped],
        "duplicates": [[str(a.relative_to(folder)), str(b.relative_to(folder))] for a, b in report.duplicates],
        "settings": settings.key(),
        "source": str(folder.resolve()),
    }
    write_text_atomic(target / "index.json", json.dumps(index) + "\n")
    cached = _open(target, report.fingerprint)
    if cached is None:  # pragma: no cover - we just wrote it
        raise DataError(f"could not read back the data cache in {target}")
    cached.reused = False
    return cached


def _open(target: Path, fingerprint: str) -> CachedSet | None:
    try:
        index = json.loads((target / "index.json").read_text())
        shape = tuple(index["shape"])
        if index.get("version") != INDEX_VERSION or index["fingerprint"] != fingerprint:
            return None
        if (target / "images.u8").stat().st_size != int(np.prod(shape)):
            return None
        images = np.memmap(target / "images.u8", dtype=np.uint8, mode="r", shape=shape)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return CachedSet(
        images=images,
        labels=np.asarray(index["labels"], dtype=np.int64),
        class_names=list(index["class_names"]),
        files=list(index["files"]),
        skipped=[tuple(x) for x in index["skipped"]],
        duplicates=[tuple(x) for x in index["duplicates"]],
        fingerprint=fingerprint,
        path=target,
        reused=True,
    )


@dataclass
class CacheEntry:
    """One prepared set in the cache folder, as `artgan cache list` shows it."""

    fingerprint: str
    path: Path
    source: str  # the image folder it was prepared from
    images: int
    size: int  # px
    bytes: int  # on disk, every file of the entry


def list_cached(cache_root: Path | None = None) -> list[CacheEntry]:
    """Every entry of the cache folder, largest first; an entry without a readable index shows as '?'."""
    root = cache_root or default_cache_root()
    if not root.is_dir():
        return []
    entries = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        on_disk = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        try:
            index = json.loads((folder / "index.json").read_text())
            count, size, source = int(index["shape"][0]), int(index["shape"][1]), str(index.get("source", "?"))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            count, size, source = 0, 0, "? (incomplete: no readable index)"
        entries.append(CacheEntry(folder.name, folder, source, count, size, on_disk))
    return sorted(entries, key=lambda e: -e.bytes)


def remove_cached(entries: list[CacheEntry]) -> int:
    """Delete these entries; returns the bytes freed.  A run never needs its cache: it is rebuilt on demand."""
    import shutil

    freed = 0
    for entry in entries:
        shutil.rmtree(entry.path, ignore_errors=True)
        freed += entry.bytes
    return freed
