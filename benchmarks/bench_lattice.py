"""Lattice-peak score of what a painter really produces: `artgan paint` files and posted JPEGs.

    python benchmarks/bench_lattice.py [--model PATH|NAME] [--n 8] [--seed 3] [--posts 4]

Runs the commands a user runs, so the default upscaler choice, the tiling and the
posting path are all included: `artgan paint --n N --seed S` at its default size
(plus `--upscaler bicubic`, `--upscaler lanczos` and `--upscale 1` for reference) and `artgan post` for
--posts dates into a temporary feed (the 1080 px JPEGs that get published).  Prints
and returns the median score of each (1.0 = no periodic grid; photos score about 1).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from artgan_command import find_artgan  # noqa: E402
from results_file import write_results  # noqa: E402

from artgan.evaluation.lattice import median_lattice_score  # noqa: E402


def _artgan(*args: object) -> None:
    subprocess.run([find_artgan() or "artgan", *map(str, args)], check=True, stdout=subprocess.DEVNULL)


def _score(files: list[Path]) -> tuple[float, list[int]]:
    images = [np.asarray(Image.open(f).convert("RGB")) for f in files]
    return median_lattice_score(images), list(images[0].shape[:2])


def measure(model: str, n: int = 8, seed: int = 3, posts: int = 4) -> dict:
    results: dict = {"model": model, "n": n, "seed": seed}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, extra in (("paint_default", []), ("paint_bicubic", ["--upscaler", "bicubic"]),
                            ("paint_lanczos", ["--upscaler", "lanczos"]), ("native", ["--upscale", "1"])):
            out = root / name
            _artgan("paint", "--model", model, "--n", n, "--seed", seed, "--device", "cpu", "--out", out, *extra)
            score, shape = _score(sorted(out.glob("*.png")))
            results[name] = {"lattice": score, "size": shape}
        state = root / "state"
        for day in range(1, posts + 1):
            _artgan("post", "--model", model, "--state", state, "--feed", root / "feed", "-p", "feed",
                    "--n", 8, "--date", f"2026-01-{day:02d}")
        score, shape = _score(sorted((root / "feed" / "images").glob("*.jpg")))
        results["posted_jpeg"] = {"lattice": score, "size": shape, "posts": posts}
        shutil.rmtree(state, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--posts", type=int, default=4)
    parser.add_argument("--name", default="lattice", help="results file name")
    args = parser.parse_args()
    results = measure(args.model, args.n, args.seed, args.posts)
    print(json.dumps(results, indent=1))
    print(f"written {write_results(args.name, results)}")


if __name__ == "__main__":
    main()
