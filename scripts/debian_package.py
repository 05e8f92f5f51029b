"""Download a Debian package into a cache folder with `apt-get download` (shared by the fetch scripts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def fetch_package(package: str, cache: Path) -> Path:
    """The cached .deb of ``package``, downloading it first if needed; exits with a hint on failure."""
    cache.mkdir(parents=True, exist_ok=True)
    debs = sorted(cache.glob(f"{package}_*.deb"))
    if not debs:
        result = subprocess.run(["apt-get", "download", package], cwd=cache, capture_output=True, text=True)
        debs = sorted(cache.glob(f"{package}_*.deb"))
        if not debs:
            sys.exit(f"could not download {package}: {result.stderr.strip()}\n(try: apt-get update)")
    return debs[-1]
