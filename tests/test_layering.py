"""The package layers: the CLI is the top and nothing imports it; the painting engine is a library."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Every library package folder (everything the artgan distribution ships except the CLI itself).
LIBRARIES = ["models", "painter", "trainer", "evaluation", "scheduler", "studio"]


def imported_modules(path: Path) -> set[str]:
    """Absolute module names imported anywhere in the file (lazy imports inside functions too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(folders: list[str], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for name in imported_modules(path):
                if name == "artgan" or any(name == f or name.startswith(f + ".") for f in forbidden):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_the_library_folders_exist():
    # A renamed folder would otherwise make the checks below pass vacuously.
    assert all((ROOT / folder / "__init__.py").exists() for folder in LIBRARIES if folder != "studio")
    assert list((ROOT / "painter").rglob("*.py"))


def test_nothing_outside_the_cli_imports_the_cli():
    assert offenders(LIBRARIES, ("artgan.generator_cli",)) == []


def test_the_painting_engine_imports_only_what_is_below_it():
    above = ("artgan.generator_cli", "artgan.scheduler", "artgan.studio", "artgan.trainer")
    assert offenders(["painter"], above) == []


def test_the_checker_sees_lazy_imports(tmp_path):
    # The check must catch an import hidden inside a function, as the scheduler's once were.
    sample = tmp_path / "lazy.py"
    sample.write_text("def f():\n    from artgan.generator_cli.painting import generate\n")
    assert "artgan.generator_cli.painting" in imported_modules(sample)
