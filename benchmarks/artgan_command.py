"""Which `artgan` the benchmarks and scripts run: the one installed beside the Python running them.

A venv's interpreter run without activating the venv (``.venv/bin/python benchmarks/...``) has no
`artgan` on PATH, or another install's; the executable beside ``sys.executable`` is the one that
belongs to the code being measured.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def find_artgan() -> str | None:
    """The `artgan` executable beside this Python, else the one on PATH, else None."""
    beside = Path(sys.executable).with_name("artgan")
    return str(beside) if beside.exists() else shutil.which("artgan")
