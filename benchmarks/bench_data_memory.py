"""Peak resident memory of data preparation + training vs data set size (1k, 5k, 20k images at 64 px).

    nice python benchmarks/bench_data_memory.py [--counts 1000 5000 20000] [--size 64] [--steps 20]

For each count, procedural PNGs are written to a temporary folder; then a fresh
process builds the memory-mapped uint8 cache and trains a few steps from it
(tf.data streaming), and reports its peak RSS after preparing and after
training.  For comparison the script prints what the seed's approach (the
whole set in RAM as float32; keragan used float64) would need for the images
alone.  Flat numbers across counts = memory does not grow with the data set.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from results_file import write_results

CHILD = r"""
import json, os, resource, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from pathlib import Path
from artgan.trainer.cache import open_or_build
from artgan.trainer.data import PrepareSettings
folder, cache, run, size, steps = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
data = open_or_build(folder, PrepareSettings(size), cache)
after_prepare = peak()
from artgan.trainer.config import TrainConfig
from artgan.trainer.loop import train
config = TrainConfig(data_dir=folder, size=size, width=16, batch_size=32, steps=steps, sample_every=steps, eval_every=0,
                     checkpoint_every=steps, dataset_size=len(data))
train(config, data, run)
print(json.dumps({"images": len(data), "cache_bytes": data.images.nbytes, "peak_rss_after_prepare": after_prepare,
                  "peak_rss_after_training": peak()}))
"""


def write_images(folder: Path, count: int, size: int) -> None:
    from artgan.trainer.synthetic import write_landscapes

    write_landscapes(folder, count, seed=count, width=size, height=size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()

    results = []
    for count in args.counts:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            write_images(tmp / "images", count, args.size)
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(tmp / "images"), str(tmp / "cache"), str(tmp / "run"),
                 str(args.size), str(args.steps)],
                capture_output=True, text=True, check=True,
            )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        row["seed_float32_bytes"] = count * args.size * args.size * 3 * 4
        results.append(row)
        mib = 2**20
        print(
            f"{count:6d} images: uint8 cache {row['cache_bytes'] / mib:7.1f} MiB (on disk, memory-mapped) | "
            f"peak RSS after preparing {row['peak_rss_after_prepare'] / mib:6.0f} MiB, after {args.steps} training "
            f"steps {row['peak_rss_after_training'] / mib:6.0f} MiB | the seed's float32 set alone: "
            f"{row['seed_float32_bytes'] / mib:7.1f} MiB"
        )
    out = write_results("data_memory", results)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
