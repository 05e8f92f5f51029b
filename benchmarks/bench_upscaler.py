"""Learned x4 upscaler vs bicubic vs Lanczos: PSNR, SSIM and lattice-peak score on photos and paintings, and speed.

    python scripts/fetch_endless_sky.py data/endless-sky-land --all      # once: the landscape photos
    python benchmarks/bench_upscaler.py [--data data/endless-sky-land] [--steps 4000] [--batch-size 32]
                                        [--also models/default.upscaler.onnx]

Runs `artgan train-upscaler` (every 10th image is held out), which evaluates
the exported ONNX model on bicubic x4 downscales of the held-out photos
against bicubic and Lanczos from the same small images.  Then, on 16 paintings
of the bundled painter (seed 3): the lattice-peak score (evaluation.lattice;
1.0 = no grid) of each method's x4 enlargement, the size `artgan paint`
writes, and PSNR/SSIM of x4 from the paintings' own bicubic /4 reductions
(the paintings as ground truth).  `--also` adds rows for other upscaler
files, such as the ESPCN shipped before.  Last, times 128 -> 512 px.
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


def on_paintings(upscalers: dict, count: int = 16) -> dict[str, dict[str, float]]:
    """Per method: lattice score of the paintings enlarged x4, and PSNR/SSIM of x4 from their /4 reductions."""
    from artgan.evaluation.lattice import median_lattice_score
    from artgan.painter.painting import generate
    from artgan.painter.upscaling import BICUBIC, LANCZOS, resize, ssim
    from artgan.models.imaging import downscale, psnr
    from artgan.models.runtime import load_model
    from artgan.models.store import resolve_painter

    painter = load_model(resolve_painter(None), device="cpu", expect_kind="painter")
    paintings = [image for _, image in generate(painter, 3, range(count))]
    methods = {name: up.run for name, up in upscalers.items()}
    for how in (BICUBIC, LANCZOS):
        methods[how] = lambda image, how=how: resize(image, image.shape[1] * 4, image.shape[0] * 4, how)
    rows = {}
    for name, run in methods.items():
        small = [downscale(p, 4) for p in paintings]
        rows[name] = {
            "lattice_x4": median_lattice_score([run(p) for p in paintings]),
            "psnr": float(np.mean([psnr(p, run(s)) for p, s in zip(paintings, small)])),
            "ssim": float(np.mean([ssim(p, run(s)) for p, s in zip(paintings, small)])),
        }
    rows["native"] = {"lattice_x4": median_lattice_score(paintings)}  # the painter's own pixels, 64 px
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/endless-sky-land"))
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--also", type=Path, action="append", default=[], help="another upscaler file to compare")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data} is missing: python scripts/fetch_endless_sky.py {args.data} --all")

    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "land.upscaler.onnx"
        command = [sys.executable, "-m", "artgan.generator_cli.app", "train-upscaler", str(args.data), "--out", str(model),
                   "--steps", str(args.steps), "--batch-size", str(args.batch_size)]
        subprocess.run(command, check=True)
        report = json.loads(model.with_suffix(".json").read_text())

        from artgan.painter.upscaling import load_upscaler, resize

        upscalers = {"learned": load_upscaler(model, device="cpu")}
        upscalers.update({path.name: load_upscaler(path, device="cpu") for path in args.also})
        report["paintings"] = on_paintings(upscalers)
        painting = np.random.default_rng(0).integers(0, 256, (128, 128, 3), dtype=np.uint8)
        report["learned_128_to_512_s"] = best_of(lambda: upscalers["learned"].run(painting))
        for how in ("bicubic", "lanczos"):
            report[f"{how}_128_to_512_s"] = best_of(lambda: resize(painting, 512, 512, how))

    print(f"held-out {report['heldout_images']} photos, x4 from bicubic /4 (default chosen: {report['default']}):")
    print("  method    PSNR dB   SSIM     lattice")
    for method in ("learned", "bicubic", "lanczos"):
        print(f"  {method:8}  {report[f'psnr_{method}']:6.2f}   {report[f'ssim_{method}']:.4f}   "
              f"{report[f'lattice_{method}']:.2f}")
    print("16 paintings of the bundled painter: lattice of x4 (no ground truth); PSNR/SSIM of x4 from /4:")
    for method, row in report["paintings"].items():
        quality = f"{row['psnr']:6.2f}   {row['ssim']:.4f}" if "psnr" in row else "     -        -"
        print(f"  {method[:22]:22}  {quality}   {row['lattice_x4']:.2f}")
    print(
        f"training {report['config']['steps']} steps: {report['train_s']:.0f} s; 128->512 px: learned "
        f"{1000 * report['learned_128_to_512_s']:.1f} ms, bicubic {1000 * report['bicubic_128_to_512_s']:.1f} ms, "
        f"Lanczos {1000 * report['lanczos_128_to_512_s']:.1f} ms"
    )
    write_results("upscaler", report)


if __name__ == "__main__":
    main()
