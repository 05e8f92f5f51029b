"""Build the painter shipped in models/: fetch, train, pick, evaluate, export, write the model card.

    python scripts/make_default_painter.py [--data data/endless-sky-land] [--run runs/default-painter]
                                           [--recipe grow|small|direct] [--steps 5000] [--small-steps 5000]
                                           [--small-run RUN] [--reuse-run] [--upscaler-steps 2000]

Every step is the artgan command a user would run, so the card's recipe is the
real one:
  1. scripts/fetch_endless_sky.py DATA   the public-domain landscape photos of
     Debian's endless-sky-data (skipped when DATA already has its MANIFEST.tsv)
  2. artgan train DATA ...                fastgan at 64 px (the small recipe, the shipped painter's; or
     --recipe grow: 64 px for --small-steps, then 128 px grown from its best checkpoint with
     --freeze-grown --skip-rgb for --steps); random crops,
     DiffAugment, EMA, SWD + diversity measured every 400-500 steps (--reuse-run: keep
     existing runs, resuming them up to their steps if they stopped short)
  3. artgan export RUN --checkpoint best --compact  the checkpoint with the lowest SWD,
     weights stored in float16 (half the file, float32 arithmetic); --trim-frame PX passes on
     artgan export --trim-frame (the light border a short-trained painter draws, cut off)
  4. artgan evaluate                      SWD / diversity / memorisation on 1000 paintings
     (and, in-process, the same figures at 64 px beside the previous painter's)
  5. artgan train-upscaler DATA           the painter's own learned upscaler, shipped only if it
     beats bicubic and Lanczos on PSNR and SSIM without lattice peaks (its report, and
     benchmarks/bench_lattice.py, which runs `artgan paint` and `artgan post` as a user does)
  6. artgan paint --grid                  the sample sheet shown in the card
The new painter replaces the shipped one only if it comes closer to the photos at 64 px
(SWD minus the real-vs-real floor, same latents) and what paint writes and post posts score
under 2 on the lattice-peak measure; otherwise its card, sheet and figures go to
docs/default-painter/RUN-* and models/ is left alone (--ship-anyway overrides).
Everything is written to a staging folder first; models/ is only touched at
the end, file by file through a rename, so a failure leaves the old painter.
Needs the training extra: pip install ".[train]".
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from artgan_command import find_artgan  # noqa: E402
MODELS = ROOT / "models"
PREVIOUS = ROOT / "docs" / "default-painter"  # the previous painter's figures and sample sheet, for the card
# the painter this one replaces: PREVIOUS/NAME.evaluation.json, NAME.lattice.json, NAME-samples.png, NAME-card.md
PREVIOUS_NAME, PREVIOUS_LABEL = "fastgan128-noise", "FastGAN, 128 px, grown with noise injection, the noise as trained"
SIZE, BATCH, WIDTH, SEED = 128, 16, 8, 7
CREDITS = "artgan default painter; photos: Debian endless-sky-data, images/land (public domain, from morguefile.com)"
LICENCE = "MIT (model); training photos public domain"


def artgan(*args: object) -> str:
    """Run an artgan command, echoing it, and return its stdout (its stderr goes to the terminal)."""
    executable = find_artgan()
    if executable is None:
        sys.exit("the `artgan` command was not found: pip install '.[train]' first")
    command = [executable, *map(str, args)]
    print("$ artgan " + " ".join(map(str, args)), flush=True)
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        try:
            stdout, _ = child.communicate()
        except BaseException:  # Ctrl-C or SIGTERM: stop the training too (it checkpoints), not only this script
            child.terminate()
            child.wait()
            raise
    if child.returncode:
        sys.exit(f"`artgan {args[0]}` failed with exit code {child.returncode}")
    return stdout


SMALL_SIZE, SMALL_BATCH, SMALL_WIDTH, SMALL_SEED, FADE_STEPS = 64, 32, 16, 0, 400  # the grow recipe's first stage
# the grow stage's learning rate, half train's default: grown from the shipped painter side by side, at 2e-4 the new
# block drew dark dashes from step 2000 and came no closer at 64 px (+16.3 at best); at 1e-4 step 1600 was +14.1, clean
GROW_LR = 1e-4


def small_arguments(data: Path, run: Path, steps: int, flags: str = "") -> list[object]:
    """Stage 1 of the grow recipe: fastgan at 64 px, unblurred like the shipped painter.  Blurred 64 px
    runs of this recipe painted smooth swirls rather than horizons, and so did every 128 px painter grown
    from one (docs/default-painter/painter128-bp-samples.png); grown from an unblurred run the 128 px
    painter paints landscapes (painter128-hp-samples.png), and its new block blurs anyway.  ``flags`` are
    more `artgan train` flags (--small-flags); a --blur-from among them replaces --no-blur."""
    extra = shlex.split(flags)
    blur = [] if any(flag.startswith("--blur") for flag in extra) else ["--no-blur"]
    return [
        "train", data, "--arch", "fastgan", "--size", SMALL_SIZE, "--width", SMALL_WIDTH, *blur, *extra, "--steps", steps,
        "--batch-size", SMALL_BATCH, "--crop", "random", "--augment", "on", "--eval-every", 500, "--eval-samples", 256,
        "--checkpoint-every", 500, "--sample-every", 500, "--seed", SMALL_SEED, "--out", run,
    ]


def grow_arguments(data: Path, run: Path, source: Path, steps: int, head: str = "skip", flags: str = "") -> list[object]:
    """Stage 2: 128 px grown from stage 1, width halved to 8, the new block trained alone (unfrozen, the
    64 px layers were wrecked by the new discriminator layers' first gradients within 400 steps, and the
    paintings turned to blocks).  ``head`` skip: the 64 px RGB head stays, upsampled, and the new block
    adds detail from zero (--skip-rgb); fade: the new block's own head is faded in over FADE_STEPS (it
    repainted the composition, and lost at 64 px).  The new block injects noise (--noise-from 128): without it
    the block drew its texture in lines (streak score 0.29-0.53, photos 0.10), with it 0.06 and closer to the
    photos at 64 and 128 px.  ``flags`` are more `artgan train` flags (--grow-flags)."""
    transition = ["--skip-rgb"] if head == "skip" else ["--fade-steps", FADE_STEPS]
    return [
        "train", data, "--size", SIZE, "--grow-from", source, "--steps", steps, "--batch-size", BATCH, "--lr", GROW_LR,
        *transition, "--freeze-grown", "--crop", "random", "--augment", "on", "--eval-every", 400, "--eval-samples", 256,
        "--checkpoint-every", 400, "--sample-every", 400, "--seed", SEED, "--noise-from", SIZE, "--out", run,
        *shlex.split(flags),
    ]


def train_arguments(data: Path, run: Path, steps: int) -> list[object]:
    """The direct recipe: fastgan at 128 px from scratch."""
    return [
        "train", data, "--arch", "fastgan", "--size", SIZE, "--width", WIDTH, "--steps", steps, "--batch-size", BATCH,
        "--crop", "random",
        "--augment", "on", "--eval-every", 500, "--eval-samples", 256, "--checkpoint-every", 500,
        "--sample-every", 500, "--seed", SEED, "--out", run,
    ]


def invocation() -> str:
    """This script's command line as it was run, paths shown relative to the checkout (for the card)."""
    return shlex.join(["python", "scripts/make_default_painter.py", *sys.argv[1:]]).replace(str(ROOT) + "/", "")


def training_stages(args: argparse.Namespace) -> list[tuple[Path, list[object], int]]:
    """(run folder, `artgan train` arguments, steps) of each run the recipe trains, in order."""
    if args.recipe == "small":
        return [(args.run, small_arguments(args.data, args.run, args.steps), args.steps)]
    if args.recipe == "direct":
        return [(args.run, train_arguments(args.data, args.run, args.steps), args.steps)]
    small = args.small_run or args.run.with_name(args.run.name + "-64")
    grow = (args.run, grow_arguments(args.data, args.run, small, args.steps, args.grow_head, args.grow_flags), args.steps)
    if small.suffix == ".onnx":  # a painter file (with its critic) is the 64 px stage: nothing to train for it
        if not small.is_file():
            sys.exit(f"--small-run {small}: no such painter file")
        return [grow]
    return [(small, small_arguments(args.data, small, args.small_steps, args.small_flags), args.small_steps), grow]


def training_wall_s(run: Path) -> tuple[int, float]:
    """(last step, training seconds) from metrics.csv; resumed segments are summed."""
    total, last_step, segment_end, previous = 0.0, 0, 0.0, None
    with open(run / "metrics.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            wall = float(row["wall_s"])
            if previous is not None and wall < previous:  # a resume restarts the clock
                total += segment_end
            segment_end = previous = wall
            last_step = int(row["step"])
    return last_step, total + segment_end


def compare_at(painter: Path, data: Path, size: int, n: int = 1000) -> dict:
    """The painter's images downscaled to ``size`` px against the photos prepared at ``size``: the
    previous painter was evaluated at 64 px, so this is the like-for-like comparison."""
    from artgan.evaluation.gate import at_size, paint_gate_set
    from artgan.evaluation.report import evaluate_sets, repeated_distance_to_floor
    from artgan.trainer.data import load_folder

    small = at_size(paint_gate_set(painter, n), size)
    real = load_folder(data, size)
    report = evaluate_sets(small, real.images, [p.name for p in real.files])
    report["swd_repeated"] = repeated_distance_to_floor(small, real.images)  # every latent, five splits: the gate's figure
    return report


LATTICE_LIMIT = 2.0  # issue 15: what `artgan paint` writes and what is posted must score under this
# colour grain (evaluation.grain) at the painter's own size, at most this times the photos': noise injection
# speckled every sky of the 2026-12-07 painter (1.27x the photos'); 1.1 leaves room for the measure's own spread
GRAIN_LIMIT = 1.1


def distance_to_floor(report: dict) -> float:
    """SWD minus the real floor: the repeated estimate over all latents where the report has one (a
    single 90-image comparison moves by several points between latent sets of one painter)."""
    if "swd_repeated" in report:
        return report["swd_repeated"]["distance"]
    swd = report["swd_x1e3"]
    return swd["average"] - swd["real_floor"]["average"]


def shortfalls(at64: dict, previous_at64: dict, lattice: dict, native: tuple[dict, dict] | None = None) -> list[str]:
    """Why the new painter must not replace the shipped one (empty: it may): it has to come closer to the
    photos at 64 px than the painter it replaces, on the same latents, paint and post without a grid, and
    draw no more streaks than it or the photos (whichever is more) and no more colour grain than GRAIN_LIMIT times the photos' at the new
    painter's own size (``native``: the previous and the new painter's reports there; the 64 px ones when absent)."""
    reasons = []
    new, old = distance_to_floor(at64), distance_to_floor(previous_at64)
    if new >= old:
        reasons.append(f"SWD at 64 px is {new:+.1f} above the real floor, not below the shipped painter's {old:+.1f}")
    before, after = (report.get("streaks") for report in (native or (previous_at64, at64)))
    # the photos' own score is the target: texture as line-like as theirs is not streaky, however few lines
    # the shipped painter draws
    if before and after and after["generated"] > max(before["generated"], after["real"]):
        reasons.append(f"streak score is {after['generated']:.2f}, above the shipped painter's {before['generated']:.2f} "
                       f"and the photos' {after['real']:.2f}")
    grain = (native[1] if native else at64).get("grain")
    if grain and grain["generated"] > GRAIN_LIMIT * grain["real"]:
        reasons.append(f"colour grain is {grain['generated']:.2f}, above {GRAIN_LIMIT} x the photos' {grain['real']:.2f} "
                       "(specks of colour in flat areas: export with a lower --noise-scale)")
    for name, label in (("paint_default", "`artgan paint` output"), ("posted_jpeg", "the posted JPEG")):
        if lattice[name]["lattice"] >= LATTICE_LIMIT:
            reasons.append(f"lattice-peak score of {label} is {lattice[name]['lattice']:.2f}, not under {LATTICE_LIMIT}")
    return reasons


def keep_learned_upscaler(upscaler: dict, lattice_learned: float, lattice_classical: float) -> tuple[bool, str]:
    """The learned upscaler ships only if train-upscaler chose it (it beats bicubic and Lanczos on PSNR and
    SSIM on the held-out photos without adding a grid: upscaling.choose_default) and what `artgan paint`
    writes with it scores at most LATTICE_MARGIN above what it writes with bicubic."""
    from artgan.painter.upscaling import LATTICE_MARGIN

    better = upscaler["default"] == "learned"
    clean = lattice_learned <= lattice_classical + LATTICE_MARGIN
    if better and clean:
        return True, "it beats bicubic and Lanczos on PSNR and SSIM and adds no lattice peaks"
    why = [] if better else ["it does not beat bicubic and Lanczos on both PSNR and SSIM without a grid on held-out photos"]
    why += [] if clean else [f"its output scores {lattice_learned:.2f} on the lattice-peak measure against {lattice_classical:.2f}"]
    return False, " and ".join(why)


def model_card(stage: Path, run: Path, evaluation: dict, at64: dict, previous: dict, previous_at64: dict, upscaler: dict,
               upscaler_decision: tuple[bool, str], lattice: dict, previous_lattice: dict, commands: list[str],
               history_note: str = "", cpu: str = "one core of a shared 2-core CPU",
               at_size: tuple[dict, dict] | None = None, checkpoint: str = "best", noise_scale: float = 1.0) -> str:
    from artgan.evaluation.report import summary_lines
    from artgan.models.runtime import file_sha256

    config = json.loads((run / "config.json").read_text())
    size = config["size"]
    best = json.loads((run / "checkpoints" / "best.json").read_text())
    steps, wall_s = training_wall_s(run)
    grown, wall_note = "", ""
    source = Path(config.get("grow_from") or ".")
    source = source if source.is_absolute() else ROOT / source
    if source.suffix == ".onnx":  # grown from a painter file: its own card has the 64 px stage's figures
        import onnx

        meta = {prop.key: prop.value for prop in onnx.load(str(source)).metadata_props}
        small = json.loads(meta["artgan.training_config"])
        grown = (f"| grown from | the painter file `{source.name}` (sha256 `{file_sha256(source)[:16]}`; a {small['size']} px "
                 f"fastgan painter, width {small['width']}, step {meta.get('artgan.steps', '?')} of its run), read back with "
                 f"its critic (`--grow-from PAINTER.onnx`): every layer up to {small['size']} px reused and frozen, its RGB "
                 f"head kept, bilinearly upsampled, under the {size} px block's detail, which starts at zero (`--skip-rgb`) |\n")
        wall_note = f", on top of the {small['size']} px painter's own training"
    elif config.get("grow_from"):  # the 64 px stage's steps and time count too
        small = json.loads((source / "config.json").read_text())
        small_steps, small_wall_s = training_wall_s(source)
        wall_s += small_wall_s
        grown = (f"| grown from | a {small['size']} px fastgan run (width {small['width']}, batch {small['batch_size']}, "
                 f"{small_steps} steps, {small_wall_s / 60:.0f} min, its best checkpoint): every layer up to 64 px reused, "
                 + ("the 64 px RGB head kept, bilinearly upsampled, under the 128 px block's detail, which starts at zero "
                    "(`--grow-from --skip-rgb`) |\n" if config.get("skip_rgb") else
                    f"the 128 px block faded in over {config['fade_steps']} steps (`--grow-from`) |\n"))
    history = f"| how it was run | {history_note} |\n" if history_note else ""
    files = sorted(p for p in stage.iterdir() if p.name.startswith("default") and p.suffix in (".onnx", ".npz"))
    file_rows = "\n".join(f"| `{p.name}` | {p.stat().st_size / 1e6:.2f} MB | `{file_sha256(p)[:16]}` |" for p in files)
    swd, div, mem = evaluation["swd_x1e3"], evaluation["ms_ssim"], evaluation["memorisation"]
    keep, why = upscaler_decision
    upscaling = (f"x2 with its own learned upscaler (`default.upscaler.onnx`: {why}), then bicubic" if keep else
                 f"with bicubic resampling, not a learned upscaler ({why})")

    def repeated_row(old: dict, new: dict) -> str:
        o, n = old["swd_repeated"], new["swd_repeated"]
        return (f"| **SWD distance to the floor at 64 px, all {n['chunks'] * n['images']} of those latents in chunks of "
                f"{n['images']}, {n['splits']} splits of the photos (mean ± s.e.; what decides)** | "
                f"{o['distance']:+.1f} ± {o['stderr']:.1f} | {n['distance']:+.1f} ± {n['stderr']:.1f} |")

    if checkpoint == "best":
        picked_row = (f"step {best['step']} of {steps}: the lowest SWD of the evaluations every {config['eval_every']} "
                      f"steps (`--checkpoint best`)")
    else:
        picked_row = (f"step {checkpoint} of {steps} (`--checkpoint {checkpoint}`): the lowest repeated distance at 64 and "
                      f"{size} px among its checkpoints (`benchmarks/bench_checkpoints.py`); training's own pick, step "
                      f"{best['step']}, rests on one 256-painting SWD")
    blur_from = config.get("blur_from", 0)
    block_note = f", blurred from {blur_from} px" if blur_from else ""  # what the up blocks add: blur, noise, skip detail
    if config.get("noise_from"):
        block_note += (f", noise injected from {config['noise_from']} px (a per-channel strength times a latent-chosen "
                       f"mix of 16 fixed noise images, `--noise-from`)")
        if noise_scale != 1.0:
            block_note += f", the trained strengths scaled by {noise_scale:g} at export (`artgan export --noise-scale`)"
    if config.get("skip_rgb"):
        block_note += f"; the {size} px block's detail ({config.get('skip_detail', 'full')}) added to the {size // 2} px RGB head, upsampled"
    native_row = ""
    if at_size is not None:  # what a larger painter adds: both at its size, the previous one upscaled
        o, n = (report["swd_repeated"] for report in at_size)
        native_row = (f"| SWD distance to the floor at {size} px, the same latents and splits (the previous painter "
                      f"upscaled, Lanczos) | {o['distance']:+.1f} ± {o['stderr']:.1f} | {n['distance']:+.1f} ± {n['stderr']:.1f} |\n")

    streak_row = ""
    o, n = ((at_size or (previous_at64, at64))[k].get("streaks") for k in (0, 1))
    if o and n:  # reports made before the streak score have none
        streak_row = (f"| streak score at {size} px: fine texture running on in lines (photos {n['real']:.2f}; "
                      f"`artgan.evaluation.streaks`) | {o['generated']:.2f} | {n['generated']:.2f} |\n")

    grain_row = ""
    o, n = ((at_size or (previous_at64, at64))[k].get("grain") for k in (0, 1))
    if o and n:  # reports made before the grain score have none
        grain_row = (f"| colour grain at {size} px: pixel-fine specks of colour (photos {n['real']:.2f}; at most "
                     f"{GRAIN_LIMIT} x theirs; `artgan.evaluation.grain`) | {o['generated']:.2f} | {n['generated']:.2f} |\n")

    def row(name: str, old: dict, new: dict) -> str:
        o, n = old["swd_x1e3"], new["swd_x1e3"]
        return (f"| {name} | {o['average']:.1f} / {o['real_floor']['average']:.1f} (+{o['average'] - o['real_floor']['average']:.1f}) | "
                f"{n['average']:.1f} / {n['real_floor']['average']:.1f} (+{n['average'] - n['real_floor']['average']:.1f}) |")

    return f"""# Model card: the bundled default painter

`artgan paint` uses this painter when no `--model` is given.  It paints {size} px landscapes
and upscales them {upscaling}.  It was built by `python scripts/make_default_painter.py` on
{datetime.now(timezone.utc):%Y-%m-%d} (2 CPU cores, no GPU).

## Files

| file | size | sha256 (first 16) |
| --- | --- | --- |
{file_rows}
| `default-samples.png` | sample sheet: `artgan paint --n 16 --seed 1 --grid` | |
| `default.evaluation.json` | the full `artgan evaluate` report quoted below | |

Painter and critic store their weights in float16 (`artgan export --compact`: half the file)
and compute in float32, as fast as a float32 file.  `default.onnx` is the EMA generator,
`default.critic.onnx` the discriminator (used by `artgan post` to rank candidates),
`default.thumbs.npz` 32 px thumbnails of the training photos (the memorisation check before posting).

## Data

{evaluation['real_images']} photographs: every public-domain image of `usr/share/games/endless-sky/images/land/`
in Debian's `endless-sky-data` package (0.9.8).  Its copyright file says they were "taken from
morgue-file.com, a collection of photographs that have been donated and placed in the public
domain"; the CC-BY-SA images of the same folder are left out by `scripts/fetch_endless_sky.py`,
which writes the file -> licence manifest.  Nothing is vendored: the script fetches the package.
They are landscape *photos*, not paintings: the closest redistributable set we can build from.

## Training

| | |
| --- | --- |
| network | `--arch fastgan`: z -> 4x4 -> [nearest x2 + 3x3 conv + BN + GLU{block_note}] x {(size // 4).bit_length() - 1} with skip-layer excitation ({', '.join(f'{r} -> {16 * r} px' for r in (4, 8, 16) if 16 * r <= size)}) -> 3x3 conv + tanh; latent {config['latent_dim']}, width {config['width']} (channels at {size} px, doubling per halving up to {config['max_channels']}) |
| discriminator | strided conv + residual down blocks to 8x8, patch logits; two decoders reconstruct the real image from its 8x8 and 16x16 features (L1, weight {config['recon_weight']}); R1 (gamma {config['r1_gamma']}, every {config['r1_every']} steps) |
| recipe | {steps} steps, batch {config['batch_size']}, Adam {config['lr_g']} (beta1 {config['beta_1']}), {config['loss']} loss, label smoothing {config['label_smoothing']}, EMA {config['ema_decay']}, {config['crop']} crops, flips, DiffAugment (p {config['augment_p']}), mode seeking {config.get('mode_seeking', 0.0)}, seed {config['seed']} |
{grown}{history}| picked | {picked_row} |
| wall time | {wall_s / 60:.0f} min in all on {cpu} (the {size} px stage: {steps} steps{wall_note}), float32 |

## Quality: this painter beside the previous one

| | previous ({PREVIOUS_LABEL}) | this one (FastGAN, {size} px) |
| --- | --- | --- |
{row("SWD x1e3 / real floor (distance) at 64 px, `artgan evaluate --n 1000`", previous, evaluation) + chr(10) if size == 64 else ""}{row("SWD x1e3 / real floor (distance) at 64 px, the first 90 of 1000 other latents (seed 0)", previous_at64, at64)}
{repeated_row(previous_at64, at64)}
{native_row}| MS-SSIM diversity at 64 px (training photos {previous_at64['ms_ssim']['real']:.3f}) | {previous_at64['ms_ssim']['generated']:.3f} | {at64['ms_ssim']['generated']:.3f} |
| near copies of a training photo | {100 * previous_at64['memorisation']['near_copy_share']:.1f} % | {100 * at64['memorisation']['near_copy_share']:.1f} % |
{streak_row}{grain_row}| lattice-peak score, `artgan paint` default output ({previous_lattice['paint_default']['size'][0]} px / {lattice['paint_default']['size'][0]} px) | {previous_lattice['paint_default']['lattice']:.2f} | {lattice['paint_default']['lattice']:.2f} |
| lattice-peak score, posted 1080 px JPEG | {previous_lattice['posted_jpeg']['lattice']:.2f} | {lattice['posted_jpeg']['lattice']:.2f} |
| lattice-peak score, native size | {previous_lattice['native']['lattice']:.2f} | {lattice['native']['lattice']:.2f} |
| sample sheet | [previous samples](../docs/default-painter/{PREVIOUS_NAME}-samples.png) | [default-samples.png](default-samples.png) |

The "other latents" rows paint the same 1000 latents (seed 0) with both painters, downscaled to 64 px
(Lanczos) where a painter is larger, against the photos prepared at 64 px;
with 90 real images a side, one comparison moves by several points between latent sets, so the
repeated row (every latent, each chunk of 90 against its split's floor, averaged over five splits)
decides whether a new painter replaces the shipped one.  Lattice-peak scores (1.0 = no
periodic grid; photos score about 1) come from `python benchmarks/bench_lattice.py`; the previous
painter's from the same script run before it was replaced
(`docs/default-painter/{PREVIOUS_NAME}.lattice.json`; its card: `{PREVIOUS_NAME}-card.md`; the first
painter, a DCGAN at 64 px, is kept beside it as `v1-dcgan64-*`).

At its own size (`artgan evaluate models/default.onnx --n 1000`, {size} px):

| figure | value |
| --- | --- |
| SWD x1e3 (lower is better) | {swd['average']:.2f}; real-vs-real floor {swd['real_floor']['average']:.2f} |
| MS-SSIM diversity (lower = more diverse) | generated {div['generated']:.3f}, training photos {div['real']:.3f} |
| near copies of a training photo | {100 * mem['near_copy_share']:.1f} % (median nearest-photo ratio {mem['median_ratio']:.2f}) |
| learned upscaler on {upscaler['heldout_images']} held-out photos | PSNR {upscaler['psnr_learned']:.2f} dB (bicubic {upscaler['psnr_bicubic']:.2f}, Lanczos {upscaler['psnr_lanczos']:.2f}), SSIM {upscaler['ssim_learned']:.4f} (bicubic {upscaler['ssim_bicubic']:.4f}, Lanczos {upscaler['ssim_lanczos']:.4f}), lattice {upscaler['lattice_learned']:.2f} (bicubic {upscaler['lattice_bicubic']:.2f}, Lanczos {upscaler['lattice_lanczos']:.2f}); {'shipped' if keep else 'not shipped'} |

{chr(10).join('> ' + line for line in summary_lines(evaluation))}

Honest limits: {size} px from {evaluation['real_images']} photos and under two hours of one CPU core.  The
paintings read as skies, horizons, water and hills in the palette of the photos, with soft detail;
they do not match the photos up close.  Train your own on a GPU (`artgan train DIR`) for more.

## Rebuild

```
pip install ".[train]"
{invocation()}
```

which ran:

```
{chr(10).join(commands)}
```

## Licence

MIT, like artgan.  The training photos are in the public domain.
"""


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds through artgan(), which stops its child
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "endless-sky-land")
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "default-painter")
    parser.add_argument("--recipe", choices=["small", "grow", "direct"], default="small",
                        help="small: fastgan at 64 px (the shipped painter); grow: 64 px, then 128 px grown from it "
                             "with --freeze-grown; "
                             "direct: 128 px from scratch")
    parser.add_argument("--checkpoint", default="best",
                        help="the checkpoint to ship: best (training's lowest SWD) or a step number, e.g. the one "
                             "benchmarks/bench_checkpoints.py finds closest to the photos")
    parser.add_argument("--history", default="", help="a sentence for the card on how the run was really made")
    parser.add_argument("--steps", type=int, default=5000, help="steps of the shipped run")
    parser.add_argument("--small-steps", type=int, default=5000, help="grow: steps of the 64 px run")
    parser.add_argument("--small-flags", default="",
                        help='grow: more `artgan train` flags for the 64 px run, e.g. "--second-conv --blur-from 64"')
    parser.add_argument("--grow-flags", default="",
                        help='grow: more `artgan train` flags for the 128 px run, e.g. "--skip-detail full --augment-p 1"')
    parser.add_argument("--small-run", type=Path, default=None,
                        help="grow: the 64 px run [default: RUN-64], or a 64 px painter file with its critic beside it "
                             "(copy models/default.onnx and default.critic.onnx out first: models/ is replaced)")
    parser.add_argument("--reuse-run", action="store_true", help="keep an existing run (resumed up to --steps)")
    parser.add_argument("--upscaler-steps", type=int, default=2000)
    parser.add_argument("--grow-head", choices=["skip", "fade"], default="skip",
                        help="grow: keep the 64 px RGB head under the new block's detail (--skip-rgb), or fade a new one in")
    parser.add_argument("--cpu", default="one core of a shared 2-core CPU", help="for the card: what the training ran on")
    parser.add_argument("--trim-frame", type=int, default=0, metavar="PX",
                        help="export with PX px of frame trimmed off each side (artgan export --trim-frame)")
    parser.add_argument("--noise-scale", type=float, default=1.0, metavar="S",
                        help="export with the noise strengths scaled by S (artgan export --noise-scale)")
    parser.add_argument("--ship-anyway", action="store_true",
                        help="replace models/ even when the new painter does not beat the shipped one")
    parser.add_argument("--no-ship", action="store_true",
                        help="measure and write the card beside the previous painters' (docs/default-painter/RUN-*) "
                             "even when the gate passes: for a painter that has still to be looked at")
    args = parser.parse_args()
    if args.no_ship and args.ship_anyway:
        parser.error("--no-ship and --ship-anyway contradict each other: give one")
    if not (math.isfinite(args.noise_scale) and args.noise_scale >= 0):  # export refuses it too, but after training
        parser.error(f"--noise-scale must be a number >= 0, not {args.noise_scale}")
    commands: list[str] = []

    def shown(command: tuple | list) -> str:  # copy-pasteable, with the staging folder shown as models/
        text = shlex.join(["artgan", *map(str, command)])
        text = re.sub(re.escape(str(MODELS)) + r"/tmp\w+", "models", text)
        return text.replace(str(ROOT) + "/", "")

    def step(*command: object) -> str:
        commands.append(shown(command))
        return artgan(*command)

    if not (args.data / "MANIFEST.tsv").exists():
        subprocess.run([sys.executable, str(ROOT / "scripts" / "fetch_endless_sky.py"), str(args.data)], check=True)
    stages = training_stages(args)
    for run, train, steps in stages:
        if args.reuse_run and (run / "checkpoints").is_dir():
            if training_wall_s(run)[0] < steps:
                step(*train, "--resume")
            commands.append(shown(train))
        else:
            if run.exists():
                sys.exit(f"{run} exists: pass --reuse-run to keep it, or remove it")
            step(*train)

    from bench_lattice import measure as lattice_of

    previous = json.loads((PREVIOUS / f"{PREVIOUS_NAME}.evaluation.json").read_text())
    previous_lattice = json.loads((PREVIOUS / f"{PREVIOUS_NAME}.lattice.json").read_text())
    # the painter being replaced, measured exactly as the new one will be (same latents, same photos)
    previous_at64 = compare_at(MODELS / "default.onnx", args.data, 64)
    with tempfile.TemporaryDirectory(dir=MODELS) as tmp:
        stage = Path(tmp)
        started = time.perf_counter()
        step("export", args.run, "--checkpoint", args.checkpoint, "--compact", "--out", stage / "default.onnx",
             "--credits", CREDITS, "--license", LICENCE, *(["--trim-frame", args.trim_frame] if args.trim_frame else []),
             *(["--noise-scale", args.noise_scale] if args.noise_scale != 1.0 else []))
        evaluation = json.loads(step("evaluate", stage / "default.onnx", "--data", args.data, "--n", 1000,
                                     "--device", "cpu", "--out", stage / "default.evaluation.json", "--json"))
        evaluation["model"] = "models/default.onnx"  # not the staging folder it was measured in
        (stage / "default.evaluation.json").write_text(json.dumps(evaluation, indent=2) + "\n")
        at64 = compare_at(stage / "default.onnx", args.data, 64)
        size = json.loads((args.run / "config.json").read_text())["size"]
        at_size = None if size == 64 else (compare_at(MODELS / "default.onnx", args.data, size),
                                           compare_at(stage / "default.onnx", args.data, size))
        step("train-upscaler", args.data, "--out", stage / "default.upscaler.onnx", "--steps", args.upscaler_steps)
        upscaler = json.loads((stage / "default.upscaler.json").read_text())
        lattice = lattice_of(str(stage / "default.onnx"))
        decision = keep_learned_upscaler(upscaler, lattice["paint_default"]["lattice"], lattice["paint_bicubic"]["lattice"])
        names = ["default.onnx", "default.critic.onnx", "default.thumbs.npz", "default.evaluation.json",
                 "default-samples.png", "README.md"]
        if decision[0]:
            upscaler["path"] = "models/default.upscaler.onnx"  # its report ships too: paint reads its choice
            (stage / "default.upscaler.json").write_text(json.dumps(upscaler, indent=2) + "\n")
            names += ["default.upscaler.onnx", "default.upscaler.json"]
        else:  # paint and post then use the classical resampler: measure what they will really write
            (stage / "default.upscaler.onnx").unlink()
            lattice = lattice_of(str(stage / "default.onnx"))
        step("paint", "--model", stage / "default.onnx", "--n", 16, "--seed", 1, "--grid", "--device", "cpu",
             "--out", stage / "samples")
        grid = next((stage / "samples").glob("*grid*"))
        shutil.copyfile(grid, stage / "default-samples.png")
        card = model_card(stage, args.run, evaluation, at64, previous, previous_at64, upscaler, decision,
                          lattice, previous_lattice, commands, args.history, args.cpu, at_size, args.checkpoint,
                          args.noise_scale)
        reasons = shortfalls(at64, previous_at64, lattice, at_size)
        if args.no_ship:
            reasons = reasons or ["--no-ship was given (the gate passed: the sample sheet is to be looked at first)"]
        if reasons and not args.ship_anyway:  # keep the shipped painter; keep this one's card and sheet to compare
            name = args.run.name  # the card then lives beside the previous painter's files, not in models/
            card = card.replace("](default-samples.png)", f"]({name}-samples.png)").replace("](../docs/default-painter/", "](")
            (PREVIOUS / f"{name}-card.md").write_text(
                f"> Not shipped: {'; '.join(reasons)}. models/ kept the painter it was measured against. "
                f"Its sample sheet is {name}-samples.png here.\n\n" + card)
            shutil.copyfile(stage / "default-samples.png", PREVIOUS / f"{name}-samples.png")
            shutil.copyfile(stage / "default.evaluation.json", PREVIOUS / f"{name}.evaluation.json")
            (PREVIOUS / f"{name}.lattice.json").write_text(json.dumps(lattice, indent=2) + "\n")
            sys.exit(f"not shipped: {'; '.join(reasons)}; its card is docs/default-painter/{name}-card.md")
        (stage / "README.md").write_text(card)
        if not decision[0]:  # the shipped painter's old learned upscaler must not outlive it
            for name in ("default.upscaler.onnx", "default.upscaler.json"):
                (MODELS / name).unlink(missing_ok=True)
        for name in names:
            (stage / name).chmod(0o644)  # shipped files are read by everyone, whatever this umask
            (stage / name).replace(MODELS / name)
        print(f"models/ updated in {time.perf_counter() - started:.0f} s after training")


if __name__ == "__main__":
    main()
