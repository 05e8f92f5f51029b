"""Peak memory (RSS) of `artgan paint` at 512 px output, for growing n: it must not grow with n.

    python benchmarks/bench_paint_rss.py [--n 10 100 1000] [--size 512] [--format jpg] [--model PATH]

Each n runs in a fresh process (the artgan CLI, in-process, so the figure is
the painter's own peak RSS from getrusage, not a wrapper's).  jpg is the
default format because zlib at PNG's best compression dominates the wall time
of 1,000 large files and says nothing about memory.
Writes benchmarks/results/paint_rss.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_file import write_results

CHILD = """
import resource, sys
from artgan.generator_cli.app import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    print("MAXRSS_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--format", default="jpg")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    results = []
    for n in args.n:
        with tempfile.TemporaryDirectory() as out:
            command = [sys.executable, "-c", CHILD, "paint", "--n", str(n), "--seed", "1", "--size", str(args.size),
                       "--format", args.format, "--out", out]
            if args.model:
                command += ["--model", args.model]
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            wall = time.perf_counter() - started
            written = len(list(Path(out).iterdir()))
        rss_mb = int(next(line.split()[1] for line in done.stderr.splitlines() if line.startswith("MAXRSS_KB"))) / 1024
        results.append({"n": n, "size": args.size, "files": written, "peak_rss_mb": rss_mb, "wall_s": wall})
        print(f"artgan paint --n {n} --size {args.size}: peak RSS {rss_mb:.0f} MB, {written} files, "
              f"{wall:.1f} s ({n / wall:.1f} paintings/s)")
    write_results("paint_rss", results)


if __name__ == "__main__":
    main()
