"""Learned x4 upscaler vs Lanczos: PSNR/SSIM on held-out images of the training set's kind, and speed.

    python scripts/fetch_endless_sky.py data/endless-sky-land --all      # once: 273 landscape photos
    python benchmarks/bench_upscaler.py [--data data/endless-sky-land] [--steps 4000] [--batch-size 32]

Runs `artgan train-upscaler` (every 10th image is held out; pairs are bicubic
x4 downscales of crops and the crops), which evaluates the exported ONNX model
on the held-out photos against Lanczos from the same small images.  Then times
upscaling one painting-sized image (128 -> 512 px) both ways.
Writes benchmarks/results/upscaler.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from results_file import write_results  # noqa: E402 - benchmarks/ is sys.path[0] when run as a script


def best_of(run, repeats: int = 5) -> float:
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/endless-sky-land"))
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data} is missing: python scripts/fetch_endless_sky.py {args.data} --all")

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "land.upscaler.onnx"
        command = [sys.executable, "-m", "artgan.generator_cli.app", "train-upscaler", str(args.data), "--out", str(model),
                   "--steps", str(args.steps), "--batch-size", str(args.batch_size)]
        subprocess.run(command, check=True)
        report = json.loads(model.with_suffix(".json").read_text())

        from artgan.painter.upscaling import lanczos, load_upscaler

        upscaler = load_upscaler(model, device="cpu")
        painting = np.random.default_rng(0).integers(0, 256, (128, 128, 3), dtype=np.uint8)
        report["learned_128_to_512_s"] = best_of(lambda: upscaler.run(painting))
        report["lanczos_128_to_512_s"] = best_of(lambda: lanczos(painting, 512, 512))
    print(
        f"held-out {report['heldout_images']} images, x4: PSNR learned {report['psnr_learned']:.2f} dB vs Lanczos "
        f"{report['psnr_lanczos']:.2f} dB; SSIM learned {report['ssim_learned']:.4f} vs Lanczos {report['ssim_lanczos']:.4f}"
    )
    print(
        f"training {report['config']['steps']} steps: {report['train_s']:.0f} s; learned upscaling {report['output_megapixels_per_s']:.2f} "
        f"output MP/s on the held-out photos; 128->512 px: learned {1000 * report['learned_128_to_512_s']:.1f} ms, "
        f"Lanczos {1000 * report['lanczos_128_to_512_s']:.1f} ms"
    )
    write_results("upscaler", report)


if __name__ == "__main__":
    main()
