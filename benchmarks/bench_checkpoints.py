"""Compare a run's checkpoints (or several runs') on the default-painter gate's figure, at several sizes.

    python benchmarks/bench_checkpoints.py --data data/endless-sky-land RUN[:STEP[,STEP...]] ... \
        [--sizes 64,128] [--n 1000] [--painter models/default.onnx]

Training picks its best checkpoint by one SWD on --eval-samples paintings against one split of
the photos, which moves by several points between latent sets: too noisy to choose between
checkpoints a few points apart.  Here each checkpoint's EMA generator paints the same --n
latents (seed 0) as `scripts/make_default_painter.py`'s gate, Lanczos-resized to each size, and
gets the repeated distance to the floor (every painting, five splits of the photos, mean ±
standard error) and the palette distance, and the streak score of the paintings at their own size
(evaluation.streaks) and colour grain (evaluation.grain; the photos' are printed first).
--noise-scales 1,0.75,0.5 measures each checkpoint of a noisy run again with its noise strengths scaled, as
`artgan export --noise-scale` would write it.  --painter adds an ONNX painter (the shipped one) to
the table, measured the same way.  A checkpoint file outside its run (``RUN:FILE.npz``) is read
with that run's config.  Writes RESULTS/checkpoints.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from results_file import write_results  # noqa: E402


def paint_checkpoint(run: Path, step: str | None, n: int, noise_scale: float = 1.0) -> np.ndarray:
    from artgan.evaluation.gate import gate_latents
    from artgan.trainer import fastgan
    from artgan.trainer.checkpoints import load_checkpoint
    from artgan.trainer.config import TrainConfig
    from artgan.trainer.loop import GAN
    from artgan.trainer.quality import generate_images

    config = TrainConfig.load(run / "config.json")
    if step and step.endswith(".npz"):
        with np.load(step) as data:
            arrays = {key: data[key] for key in data.files}
    else:
        checkpoint = load_checkpoint(run / "checkpoints", int(step) if step else None)
        if checkpoint is None:
            sys.exit(f"{run} has no readable checkpoint")
        arrays = checkpoint.arrays
    gan = GAN(config)
    gan.restore(arrays)
    if noise_scale != 1.0 and not fastgan.scale_noise(gan.ema_generator, noise_scale):
        sys.exit(f"--noise-scales: {run} paints without noise")
    return generate_images(gan.ema_generator, gate_latents(n, config.latent_dim))


def figures(images: np.ndarray, data: Path, sizes: list[int], real_cache: dict) -> dict:
    from artgan.evaluation.gate import at_size
    from artgan.evaluation.grain import colour_grain
    from artgan.evaluation.palette import palette_with_floor
    from artgan.evaluation.report import repeated_distance_to_floor
    from artgan.evaluation.streaks import streak_score
    from artgan.trainer.data import load_folder

    # at the painted size: resizing would blur the lines and specks away
    out = {"streaks": streak_score(images), "grain": colour_grain(images)}
    for size in sizes:
        if size not in real_cache:
            real_cache[size] = load_folder(data, size).images
        resized = at_size(images, size)
        repeated = repeated_distance_to_floor(resized, real_cache[size])
        out[size] = {"distance": repeated["distance"], "stderr": repeated["stderr"],
                     "palette": palette_with_floor(resized, real_cache[size])["distance"]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="RUN, RUN:STEP,STEP or RUN:CHECKPOINT.npz")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sizes", default="64,128")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--painter", type=Path, action="append", default=[], help="an ONNX painter to measure too")
    parser.add_argument("--noise-scales", default="1",
                        help="comma-separated: each checkpoint is also measured with its noise strengths times each "
                        "(what `artgan export --noise-scale` writes)")
    args = parser.parse_args()
    if not args.runs and not args.painter:
        parser.error("give a run to measure, or --painter FILE.onnx")
    sizes = [int(s) for s in args.sizes.split(",")]
    noise_scales = [float(s) for s in args.noise_scales.split(",")]
    from artgan.evaluation.gate import paint_gate_set
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()
    from artgan.evaluation.grain import colour_grain
    from artgan.evaluation.streaks import streak_score
    from artgan.trainer.data import load_folder

    top = max(sizes)
    real_cache: dict = {top: load_folder(args.data, top).images}  # figures() reuses it
    print(f"the photos at {top} px: streak score {streak_score(real_cache[top]):.2f}, "
          f"colour grain {colour_grain(real_cache[top]):.2f}")
    print("| painter | " + " | ".join(f"distance at {s} px | palette at {s} px" for s in sizes) + " | streaks | grain |")
    print("| --- |" + " --- | --- |" * len(sizes) + " --- | --- |", flush=True)
    rows = {}

    def add(name: str, images: np.ndarray) -> None:  # each row as soon as it is measured: a row takes minutes
        row = rows[name] = figures(images, args.data, sizes, real_cache)
        print(f"| {name} | " + " | ".join(f"{row[s]['distance']:+.1f} ± {row[s]['stderr']:.1f} | {row[s]['palette']:.3f}"
                                          for s in sizes) + f" | {row['streaks']:.2f} | {row['grain']:.2f} |", flush=True)

    for painter in args.painter:
        add(str(painter), paint_gate_set(painter, args.n))
    for spec in args.runs:
        run, _, steps = spec.partition(":")
        for step in steps.split(",") if steps else [None]:
            for scale in noise_scales:
                label = f"{run}:{step or 'latest'}" + (f" noise x{scale:g}" if scale != 1.0 else "")
                add(label, paint_checkpoint(Path(run), step, args.n, scale))
    write_results("checkpoints", {"data": str(args.data), "n": args.n, "sizes": sizes, "noise_scales": noise_scales,
                                  "rows": rows})


if __name__ == "__main__":
    main()
