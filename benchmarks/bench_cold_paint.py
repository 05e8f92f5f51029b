"""Cold-start wall time of `artgan paint` (a new process each time, as a user runs it).

    python benchmarks/bench_cold_paint.py [--n 1 10] [--repeats 5] [--artgan PATH]

Prints the median and min wall seconds per --n, the painter file size and the
size of the environment the `artgan` executable lives in.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from artgan_command import find_artgan  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script
from results_file import write_results  # noqa: E402


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--artgan", default=find_artgan() or "artgan", help="the artgan executable to time [default: the one beside "
                        "this Python, else the one on PATH]")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    results = {}
    for n in args.n:
        times = []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as out:
                command = [args.artgan, "paint", "--n", str(n), "--seed", "1", "--out", out]
                if args.model:
                    command += ["--model", args.model]
                started = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
        results[f"n={n}"] = {"median_s": statistics.median(times), "min_s": min(times), "runs": len(times)}
        print(f"artgan paint --n {n}: median {statistics.median(times):.2f} s, min {min(times):.2f} s ({len(times)} cold runs)")

    env = Path(args.artgan).resolve().parent.parent
    has_tf = subprocess.run([str(env / "bin" / "python"), "-c", "import tensorflow"], capture_output=True).returncode == 0
    probe = subprocess.run(
        [str(env / "bin" / "python"), "-c", "from artgan.models import resolve_painter; print(resolve_painter(None))"],
        capture_output=True, text=True,
    )
    painter = Path(args.model or probe.stdout.strip())
    results["painter_bytes"] = painter.stat().st_size if painter.is_file() else None
    results["env_bytes"] = dir_size(env)
    results["env_has_tensorflow"] = has_tf
    print(f"painter {painter}: {results['painter_bytes'] / 1e6:.2f} MB")
    print(f"environment {env}: {results['env_bytes'] / 1e6:.0f} MB (TensorFlow installed: {has_tf})")
    out = write_results("cold_paint", results)


if __name__ == "__main__":
    main()
