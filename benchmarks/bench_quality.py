"""Quality at equal CPU time: train candidate architectures side by side, one core each, then measure.

    python benchmarks/bench_quality.py --data data/endless-sky --size 64 --minutes 20 \
        [--candidate fastgan="--arch fastgan" --candidate dcgan="--arch dcgan"] [--n 500]
        [--lightweight-gan BENCH_VENV/bin/python [--lightweight-gan-flags "--fmap-max 16"]]
        [--repeats 3]

Each candidate is an ordinary `artgan train` run (so what is measured is what users get),
pinned with `taskset` to its own core, all started together and stopped together by
SIGTERM after the same wall time (it saves a checkpoint).  With more candidates than
cores they run in rounds of one per core.  Then, for each run's last checkpoint, the EMA
generator paints --n images and they are compared with the training images prepared at the
same size: SWD x1e3 beside the real-vs-real floor, the distance to that floor (once, and
repeated over every painting and five splits of the photos, with its standard error), MS-SSIM
diversity beside the reals', the palette distance (colour histograms, beside the reals' floor), the share of near copies of a training image, and the
lattice-peak score of the native paintings, their edge contrast (a painted frame; photos
about 0.8, evaluation.edges) and their streak score (texture drawn in lines; evaluation.streaks) and colour grain (evaluation.grain).  Steps and img/s come from metrics.csv (of the last
stage).  A candidate's flags may hold stages, "FLAGS then FLAGS": the first trains at half --size,
the next grows from it (--grow-from) to --size, each for an equal share of the same minutes
(--stage-shares 2,1: two thirds for the first stage).
--lightweight-gan adds lucidrains' lightweight-gan (PyTorch) as one more candidate, trained by
benchmarks/lightweight_gan_driver.py with that interpreter (a benchmark-only venv: `pip install
torch lightweight-gan`, never an artgan dependency) on the same prepared images, on its own core.
--repeats K races K times (seeds --seed.., runs in OUT/repK) and adds each candidate's mean and
standard error over the races: dcgan's distance alone moved from 63 to 93 between races of the same flags.
Writes RESULTS/NAME.json (NAME: the --out folder's name, default quality-SIZE), a sample grid per candidate (RUN/final-grid.png) and
prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from artgan_command import find_artgan  # noqa: E402
from results_file import RESULTS, write_results  # noqa: E402

DEFAULTS = {"fastgan": "--arch fastgan", "dcgan": "--arch dcgan"}


def artgan_executable() -> str:
    return find_artgan() or "artgan"


LIGHTWEIGHT_GAN = "lightweight-gan"


FADE_STEPS = 200  # a grown stage fades its new block in over its first 200 steps
THEN = " then "  # a staged candidate: "FLAGS then FLAGS", each stage grown from the one before


def stages_of(name: str, flags: str, size: int) -> list[tuple[str, int, str]]:
    """(run name, size, flags) of each stage: a staged candidate grows an octave per stage up to --size."""
    parts = [part.strip() for part in flags.split(THEN)]
    last = len(parts) - 1
    return [(name if k == last else f"{name}-stage{k}", size >> (last - k), part) for k, part in enumerate(parts)]


def start(name: str, flags: str, core: int, args: argparse.Namespace, out: Path, size: int | None = None,
          extra: tuple[str, ...] = ()) -> subprocess.Popen:
    if name == LIGHTWEIGHT_GAN:
        return start_lightweight_gan(flags, core, args, out)
    command = [
        "taskset", "-c", str(core), artgan_executable(), "train", str(args.data), "--size", str(size or args.size),
        "--steps", "100000000", "--batch-size", str(args.batch_size), "--crop", "random", "--augment", "on",
        "--eval-every", "0", "--sample-every", "250", "--checkpoint-every", "250", "--seed", str(args.seed),
        "--out", str(out / name), *extra, *shlex.split(flags),
    ]
    return launch(name, command, out)


def launch(name: str, command: list[str], out: Path) -> subprocess.Popen:
    """Start a candidate's process in its own session (so SIGTERM reaches all of it), logging to out/NAME.log."""
    print("$", shlex.join(command), flush=True)
    log = open(out / f"{name}.log", "w")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_at(proc: subprocess.Popen, deadline: float, name: str) -> None:
    """SIGTERM at the deadline (the trainer checkpoints and stops; SIGINT is ignored in background jobs)."""
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        print(f"{name} did not stop within 5 min of SIGTERM; killed", flush=True)


def stage_ends(total_s: float, stages: int, shares: list[float] | None) -> list[float]:
    """Seconds from the start at which each stage stops: --stage-shares' proportions, or even ones."""
    weights = shares if shares else [1.0] * stages
    if len(weights) != stages:
        raise ValueError(f"--stage-shares gives {len(weights)} shares for a candidate of {stages} stages")
    total = sum(weights)
    return [total_s * done / total for done in itertools.accumulate(weights)]


def parse_shares(text: str | None) -> list[float] | None:
    if not text:
        return None
    try:
        shares = [float(part) for part in text.split(",")]
    except ValueError:
        shares = []
    if not shares or any(share <= 0 for share in shares):
        raise ValueError(f"--stage-shares {text!r}: give positive numbers separated by commas, e.g. 2,1")
    return shares


def run_candidate(name: str, flags: str, core: int, args: argparse.Namespace, out: Path, started: float) -> None:
    """One candidate on one core for --minutes; a staged one splits them between its stages (--stage-shares)."""
    stages = [(name, args.size, flags)] if name == LIGHTWEIGHT_GAN else stages_of(name, flags, args.size)
    ends = stage_ends(args.minutes * 60, len(stages), args.stage_shares if len(stages) > 1 else None)
    previous: str | None = None
    for k, (run_name, size, stage_flags) in enumerate(stages):
        extra = ("--grow-from", str(out / previous)) if previous else ()
        # train's default fade (a quarter of --steps) never ends here; --skip-rgb has no fade
        if previous and "--fade-steps" not in stage_flags and "--skip-rgb" not in stage_flags:
            extra += ("--fade-steps", str(FADE_STEPS))
        stop_at(start(run_name, stage_flags, core, args, out, size, extra), started + ends[k], run_name)
        previous = run_name


def prepared_images(args: argparse.Namespace, out: Path) -> Path:
    """The training images as artgan prepares them (square, --size px) in a folder, for lightweight-gan."""
    folder = out / f"prepared-{args.size}"
    if not folder.is_dir():
        from artgan.trainer.data import load_folder
        from PIL import Image

        real = load_folder(args.data, args.size, crop="centre")
        folder.mkdir(parents=True)
        for i, image in enumerate(real.images):
            Image.fromarray(image).save(folder / f"{i:05d}.png")
    return folder


def start_lightweight_gan(flags: str, core: int, args: argparse.Namespace, out: Path) -> subprocess.Popen:
    command = [
        "taskset", "-c", str(core), args.lightweight_gan, str(ROOT / "benchmarks" / "lightweight_gan_driver.py"),
        "--images", str(prepared_images(args, out)), "--size", str(args.size), "--batch-size", str(args.batch_size),
        "--out", str(out / LIGHTWEIGHT_GAN), "--n", str(args.n), "--seed", str(args.seed), *shlex.split(flags),
    ]
    return launch(LIGHTWEIGHT_GAN, command, out)


def race(candidates: dict[str, str], args: argparse.Namespace, out: Path) -> None:
    names, cores = list(candidates), [int(c) for c in args.cores.split(",")]
    for first in range(0, len(names), len(cores)):
        group = names[first : first + len(cores)]
        started = time.monotonic()
        threads = [threading.Thread(target=run_candidate, args=(name, candidates[name], core, args, out, started))
                   for core, name in zip(cores, group)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def training_figures(run: Path) -> dict:
    with open(run / "metrics.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = rows[-1]
    return {"steps": int(last["step"]), "wall_s": float(last["wall_s"]), "images_per_s": float(last["images_per_s"]),
            "aug_p": float(last["aug_p"] or 0)}


def measure(run: Path, real, n: int, seed: int) -> dict:
    import numpy as np
    from artgan.evaluation.edges import edge_contrast
    from artgan.evaluation.lattice import median_lattice_score
    from artgan.evaluation.palette import palette_with_floor
    from artgan.evaluation.report import evaluate_sets, repeated_distance_to_floor
    from artgan.models.imaging import make_grid
    from artgan.trainer.export import load_trained
    from artgan.trainer.quality import generate_images
    from PIL import Image

    if run.name == LIGHTWEIGHT_GAN:  # painted by its driver, in its own venv
        generated, params = np.load(run / "samples.npy")[:n], {}
    else:
        config, gan = load_trained(run)
        z = np.random.default_rng(seed).standard_normal((n, config.latent_dim)).astype(np.float32)
        generated = generate_images(gan.ema_generator, z, class_count=len(config.class_names))
        params = {"params_g": int(gan.generator.count_params()), "params_d": int(gan.discriminator.count_params())}
    report = evaluate_sets(generated, real.images, [p.name for p in real.files], seed=seed)
    Image.fromarray(make_grid(generated[:16])).save(run / "final-grid.png")
    swd, div = report["swd_x1e3"], report["ms_ssim"]
    repeated = repeated_distance_to_floor(generated, real.images)  # every painting, five splits of the photos
    palette = palette_with_floor(generated, real.images, seed)
    return {
        "swd_x1e3": swd["average"], "swd_floor_x1e3": swd["real_floor"]["average"],
        "distance_to_floor": swd["average"] - swd["real_floor"]["average"],
        "distance_repeated": repeated["distance"], "distance_repeated_stderr": repeated["stderr"],
        "palette_distance": palette["distance"], "palette_floor": palette["floor"],
        "ms_ssim": div["generated"], "ms_ssim_real": div["real"],
        "near_copy_share": report["memorisation"]["near_copy_share"],
        "lattice_peak": median_lattice_score(generated[:32]) if generated.shape[1] >= 32 else None,
        "edge_contrast": edge_contrast(generated), "edge_contrast_real": edge_contrast(real.images),
        "streaks": report.get("streaks", {}).get("generated"), "streaks_real": report.get("streaks", {}).get("real"),
        "grain": report.get("grain", {}).get("generated"), "grain_real": report.get("grain", {}).get("real"),
        "grid": str(run / "final-grid.png"), **params,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--minutes", type=float, default=20.0, help="wall time per candidate")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--cores", default=",".join(str(c) for c in sorted(os.sched_getaffinity(0))[:2]),
                        help="CPU cores to pin candidates to, one each (comma-separated; default: the first two)")
    parser.add_argument("--candidate", action="append", default=[], metavar='NAME="FLAGS"',
                        help="a candidate: a name and its extra `artgan train` flags (default: fastgan and dcgan)")
    parser.add_argument("--n", type=int, default=500, help="paintings per evaluation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="folder of the runs [default: results/quality-SIZE]")
    parser.add_argument("--lightweight-gan", default=None, metavar="PYTHON",
                        help="race lightweight-gan too, with this interpreter (a venv with torch and lightweight-gan)")
    parser.add_argument("--lightweight-gan-flags", default="", help="extra flags for benchmarks/lightweight_gan_driver.py")
    parser.add_argument("--measure-only", action="store_true", help="measure existing runs in --out again")
    parser.add_argument("--repeats", type=int, default=1,
                        help="race this many times (seeds --seed, --seed+1, ...; runs in OUT/repK) and report each "
                             "candidate's mean distance: one race is a noisy figure")
    parser.add_argument("--stage-shares", default=None, metavar="W,W",
                        help="how a staged candidate splits --minutes between its stages, e.g. 2,1 (default: evenly)")
    args = parser.parse_args()
    candidates = dict(c.split("=", 1) for c in args.candidate) if args.candidate else dict(DEFAULTS)
    try:
        args.stage_shares = parse_shares(args.stage_shares)
        for name, flags in candidates.items():
            if name != LIGHTWEIGHT_GAN and THEN in flags:
                stage_ends(1.0, len(stages_of(name, flags, args.size)), args.stage_shares)
    except ValueError as error:
        parser.error(str(error))
    if args.lightweight_gan:
        candidates[LIGHTWEIGHT_GAN] = args.lightweight_gan_flags
    out = args.out or RESULTS / f"quality-{args.size}"
    out.mkdir(parents=True, exist_ok=True)
    first_seed, races = args.seed, []
    for k in range(args.repeats):
        args.seed = first_seed + k
        folder = out if args.repeats == 1 else out / f"rep{k}"
        folder.mkdir(parents=True, exist_ok=True)
        if not args.measure_only:
            race(candidates, args, folder)
        races.append(measure_race(candidates, args, folder))
        print_table(races[-1], args)
    results = {"data": str(args.data), "real_images": races[0]["real_images"], "size": args.size, "minutes": args.minutes,
               "batch_size": args.batch_size, "cores_each": 1, "stage_shares": args.stage_shares,
               "candidates": races[0]["rows"]}
    if args.repeats > 1:
        results["races"] = [{"seed": first_seed + k, "candidates": r["rows"]} for k, r in enumerate(races)]
        results["summary"] = summarise(races)
        print(f"\nover {args.repeats} races (seeds {first_seed}..{first_seed + args.repeats - 1}): mean ± s.e.\n")
        print("| candidate | SWD - floor | repeated | MS-SSIM | palette | lattice | edges | streaks | grain |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, m in results["summary"].items():
            print(f"| {name} | " + " | ".join(f"{m[key]['mean']:.{digits}f} ± {m[key]['stderr']:.{digits}f}" for key, digits in
                                             (("distance_to_floor", 1), ("distance_repeated", 1), ("ms_ssim", 3),
                                              ("palette_distance", 3), ("lattice_peak", 2), ("edge_contrast", 2),
                                              ("streaks", 2), ("grain", 2))) + " |")
    path = write_results(out.name, results)
    print(f"results in {path}")


def measure_race(candidates: dict[str, str], args: argparse.Namespace, out: Path) -> dict:
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()
    from artgan.trainer.data import load_folder

    real = load_folder(args.data, args.size, crop="centre")
    rows = {}
    for name, flags in candidates.items():
        run = out / name
        rows[name] = {"flags": flags, **training_figures(run), **measure(run, real, args.n, args.seed)}
        if name != LIGHTWEIGHT_GAN and THEN in flags:  # each stage's own steps and speed
            rows[name]["stages"] = [{"run": stage, "size": size, **training_figures(out / stage)}
                                    for stage, size, _ in stages_of(name, flags, args.size)]
    return {"real_images": len(real.images), "rows": rows}


def summarise(races: list[dict]) -> dict:
    """Each candidate's mean and standard error of its figures over the races."""
    import numpy as np

    summary = {}
    for name in races[0]["rows"]:
        figures = {}
        for key in ("distance_to_floor", "distance_repeated", "ms_ssim", "palette_distance", "lattice_peak", "edge_contrast",
                    "streaks", "grain"):
            values = np.array([r["rows"][name].get(key) for r in races if r["rows"][name].get(key) is not None], dtype=float)
            stderr = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else float("nan")
            figures[key] = {"mean": float(values.mean()) if len(values) else float("nan"), "stderr": stderr,
                            "values": values.tolist()}
        summary[name] = figures
    return summary


def print_table(race_result: dict, args: argparse.Namespace) -> None:
    rows = race_result["rows"]
    print(f"\n{race_result['real_images']} real images at {args.size} px, {args.minutes:g} min on one core each "
          f"(batch {args.batch_size}, seed {args.seed})\n")
    print("| candidate | steps | img/s | SWD x1e3 | floor | SWD - floor | repeated (± s.e.) | MS-SSIM (reals) "
          "| palette (floor) | near copies | lattice | edges (reals) | streaks (reals) | colour grain (reals) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        lattice = "" if r["lattice_peak"] is None else f"{r['lattice_peak']:.2f}"
        streaks = "" if r.get("streaks") is None else f"{r['streaks']:.2f} ({r['streaks_real']:.2f})"  # runs measured before it
        grain = "" if r.get("grain") is None else f"{r['grain']:.2f} ({r['grain_real']:.2f})"
        print(f"| {name} | {r['steps']} | {r['images_per_s']:.1f} | {r['swd_x1e3']:.1f} | {r['swd_floor_x1e3']:.1f} | "
              f"{r['distance_to_floor']:.1f} | {r['distance_repeated']:.1f} ± {r['distance_repeated_stderr']:.1f} | "
              f"{r['ms_ssim']:.3f} ({r['ms_ssim_real']:.3f}) | {r['palette_distance']:.3f} ({r['palette_floor']:.3f}) | "
              f"{100 * r['near_copy_share']:.1f}% | {lattice} | {r['edge_contrast']:.2f} ({r['edge_contrast_real']:.2f}) | "
              f"{streaks} | {grain} |")
    print(json.dumps({k: v["grid"] for k, v in rows.items()}, indent=1))

if __name__ == "__main__":
    main()
