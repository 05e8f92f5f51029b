"""Write files so that a crash at any moment leaves the old file or the new one, never half of one.

Every artgan writer (checkpoints, exported models, paintings, the feed) goes
through here: write to a temporary file in the same folder, flush and fsync,
then rename over the target, then fsync the folder so the rename is durable.

``tempfile.mkstemp`` makes private (0600) files and the rename keeps that mode,
so the temporary file is given the mode a plain ``open()`` would have had under
the current umask (0644 under 022): a web server running as another user can
then read the feed, and exported models can be shared.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb", overwrite: bool = True) -> Iterator[IO]:
    """Yield a file handle whose content replaces ``path`` only if the block succeeds.

    With ``overwrite=False`` the final step refuses to replace an existing file
    (FileExistsError), which is how painting never clobbers earlier work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails with FileExistsError instead of replacing
            tmp.unlink()
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, overwrite: bool = True) -> None:
    with atomic_write(path, "wb", overwrite=overwrite) as handle:
        handle.write(data)


def write_text_atomic(path: str | os.PathLike[str], text: str, overwrite: bool = True) -> None:
    with atomic_write(path, "w", overwrite=overwrite) as handle:
        handle.write(text)


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux's /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once (no other thread writes files meanwhile)
    os.umask(mask)
    return mask


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
