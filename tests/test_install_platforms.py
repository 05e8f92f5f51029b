"""The base install resolves on every platform: onnxruntime-gpu only where CUDA wheels exist, onnxruntime elsewhere.

pip evaluates environment markers against the interpreter running it, even with
``--platform`` (pypa/pip#11664), so ``pip install --dry-run --platform ... .``
cannot test a marker for another machine.  Instead the markers in
pyproject.toml are evaluated here for each target (offline), and the
requirements they select are resolved by pip for that target's wheels
(``--dry-run --report``), which needs the package index: skipped, saying why,
when it cannot be reached.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PY = f"{sys.version_info.major}.{sys.version_info.minor}"


def environment(sys_platform: str, machine: str, system: str) -> dict[str, str]:
    return {
        "sys_platform": sys_platform, "platform_machine": machine, "platform_system": system,
        "os_name": "nt" if sys_platform == "win32" else "posix", "python_version": PY,
        "python_full_version": platform.python_version(), "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "platform_release": "", "platform_version": "", "extra": "",
    }


# target: (marker environment, pip --platform tags or None for marker-only, the ONNX Runtime it must get)
TARGETS = {
    "macOS arm64": (environment("darwin", "arm64", "Darwin"), ["macosx_14_0_arm64"], "onnxruntime"),
    "macOS x86_64": (environment("darwin", "x86_64", "Darwin"), None, "onnxruntime"),
    "Linux aarch64": (environment("linux", "aarch64", "Linux"),
                      ["manylinux_2_28_aarch64", "manylinux2014_aarch64", "linux_aarch64"], "onnxruntime"),
    "Linux x86_64": (environment("linux", "x86_64", "Linux"), None, "onnxruntime-gpu"),
    "Windows x64": (environment("win32", "AMD64", "Windows"), None, "onnxruntime-gpu"),
    "Windows ARM64": (environment("win32", "ARM64", "Windows"), None, "onnxruntime"),
}


def base_requirements(env: dict[str, str]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    return [r for r in requirements if r.marker is None or r.marker.evaluate(env)]


@pytest.mark.parametrize("target", list(TARGETS))
def test_each_platform_gets_one_onnx_runtime_that_exists_for_it(target):
    env, _, runtime = TARGETS[target]
    names = [r.name for r in base_requirements(env)]
    assert [n for n in names if n.startswith("onnxruntime")] == [runtime]


def without_marker(requirement: Requirement) -> str:
    """pip would evaluate the marker for this machine, not the target: it was evaluated above already."""
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


def _dry_run(requirements: list[Requirement], platforms: list[str], report: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed", "--report", str(report),
               "--only-binary=:all:", "--python-version", PY, *[f"--platform={p}" for p in platforms],
               *[without_marker(r) for r in requirements]]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("target", [t for t, (_, platforms, _) in TARGETS.items() if platforms])
def test_the_base_install_resolves_for(target, tmp_path):
    env, platforms, runtime = TARGETS[target]
    # can the index give this platform's onnxruntime at all? If not, the index is out of reach (or a partial mirror)
    probe = _dry_run([Requirement("onnxruntime")], platforms, tmp_path / "probe.json")
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.splitlines() if line.startswith("ERROR")] or probe.stderr.splitlines()[-1:]
        pytest.skip(f"the package index gives no onnxruntime wheel for {target} here (offline?): {' '.join(lines)[:300]}")
    result = _dry_run(base_requirements(env), platforms, tmp_path / "report.json")
    assert result.returncode == 0, f"the base install does not resolve for {target}:\n{result.stderr[-2000:]}"
    installed = {item["metadata"]["name"].lower() for item in json.loads((tmp_path / "report.json").read_text())["install"]}
    assert runtime in installed and "onnxruntime-gpu" not in installed
    assert {"typer", "rich", "pillow", "numpy"} <= installed
