"""Import TensorFlow without its start-up log wall on the user's terminal.

TensorFlow 2.21 prints C++ INFO lines (oneDNN, "could not find cuda drivers")
before its log level is read, so TF_CPP_MIN_LOG_LEVEL alone cannot silence
them; stderr is redirected at the file-descriptor level for the import only.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # e.g. pytest capturing: nothing to silence
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def import_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with _stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices()  # initialises CUDA (or fails to) while still silenced
    return tf
