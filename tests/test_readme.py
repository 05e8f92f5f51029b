"""The README's examples that run on the bundled painter run here, in order, exactly as written.

Rule (so that new README sections opt in without editing this test): a fenced
```bash block whose fence line follows the comment
``<!-- readme-test: ... -->`` is run; its lines, one `artgan` command each
(``# comments`` allowed), run one after the other in one folder, each of which
must succeed.  Every bash block under the "## Painting" heading must be either
marked or need what only the user has (their images, or a painter of their own
given with ``-m``), so painting examples cannot silently drift from what works.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
MARKER = re.compile(r"^<!--\s*readme-test:.*-->\s*$")


def bash_blocks(text: str) -> list[dict]:
    """Every ```bash block: its section heading, its lines, and whether the marker precedes it."""
    lines, blocks, section, i = text.splitlines(), [], "", 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            section = line[3:].strip()
        if line.strip() == "```bash":
            end = lines.index("```", i + 1)
            marked = i > 0 and bool(MARKER.match(lines[i - 1].strip()))
            blocks.append({"section": section, "lines": lines[i + 1 : end], "marked": marked, "at": i + 1})
            i = end
        i += 1
    return blocks


def commands(block: dict) -> list[list[str]]:
    found = []
    for line in block["lines"]:
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "artgan", f"README line {block['at']}: a marked block runs artgan commands only: {line}"
            found.append(words[1:])
    return found


def needs_your_own(args: list[str]) -> bool:
    """A command that needs the user's images or a painter of their own, so it cannot run on the bundled one."""
    return args[0] in ("train", "train-upscaler", "export", "evaluate", "timelapse") or "-m" in args or "--model" in args


def test_the_rule_finds_the_painting_examples():
    blocks = bash_blocks(README.read_text())
    marked = [b for b in blocks if b["marked"]]
    assert {b["section"] for b in marked} >= {"Painting", "Painting of the day"}
    for block in blocks:
        if block["section"] == "Painting" and not block["marked"]:
            assert all(needs_your_own(c) for c in commands(block)), (
                f"README line {block['at']}: a Painting example that is neither tested nor for a painter of your own"
            )


def test_marked_readme_blocks_run_in_order_as_written(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ran = 0
    for block in (b for b in bash_blocks(README.read_text()) if b["marked"]):
        for args in commands(block):
            result = cli(*args)
            assert result.exit_code == 0, f"README line {block['at']}: artgan {' '.join(args)}\n{result.output}"
            ran += 1
    assert ran >= 6
    from PIL import Image

    first, again = Path("paintings/default-t0.7-s7-0003.png"), Path("again/default-t0.7-s7-0003.png")
    assert Image.open(first).tobytes() == Image.open(again).tobytes()  # "the same painting again, exactly"
