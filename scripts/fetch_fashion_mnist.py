"""Fetch Fashion-MNIST from Debian's dataset-fashion-mnist and write it as class subfolders of PNGs.

    python scripts/fetch_fashion_mnist.py data/fashion-mnist [--per-class 600] [--split train]

Downloads the package with `apt-get download` (run `apt-get update` first on a
fresh machine), unpacks it with `dpkg-deb -x`, decodes the gzipped IDX files
and writes ``OUT/<class>/<index>.png`` (28x28 grayscale), the layout
`artgan train OUT --classes auto` reads as a class-conditional set.  The data
is MIT-licensed (Expat; Zalando SE).  Nothing is vendored in the repository;
the download is cached in --cache.
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_package import fetch_package  # noqa: E402

PACKAGE = "dataset-fashion-mnist"
DATA = "usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(data: bytes) -> np.ndarray:
    """An IDX array (the MNIST file format): magic 0 0 type ndim, big-endian dims, then data."""
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != 0x08:
        raise ValueError("not an unsigned-byte IDX file")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"IDX file holds {body.size} values, its header says {dims}")
    return body.reshape(dims)


def write_classes(images: np.ndarray, labels: np.ndarray, out: Path, per_class: int) -> dict[str, int]:
    counts = dict.fromkeys(CLASSES, 0)
    for index, (image, label) in enumerate(zip(images, labels)):
        name = CLASSES[int(label)]
        if counts[name] >= per_class:
            continue
        (out / name).mkdir(parents=True, exist_ok=True)
        Image.fromarray(image, "L").save(out / name / f"{index:05d}.png")
        counts[name] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--per-class", type=int, default=600, help="images per class (at most 6000 train, 1000 test)")
    parser.add_argument("--split", choices=("train", "t10k"), default="train")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "artgan" / "debs")
    args = parser.parse_args()

    deb = fetch_package(PACKAGE, args.cache)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True)
        folder = Path(tmp) / DATA
        images = read_idx(gzip.decompress((folder / f"{args.split}-images-idx3-ubyte.gz").read_bytes()))
        labels = read_idx(gzip.decompress((folder / f"{args.split}-labels-idx1-ubyte.gz").read_bytes()))
    counts = write_classes(images, labels, args.out, args.per_class)
    print(f"{sum(counts.values())} images in {len(counts)} class folders under {args.out} (MIT licence, Zalando SE)")


if __name__ == "__main__":
    main()
