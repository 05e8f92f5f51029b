"""Build the painter shipped in models/: fetch, train, pick, evaluate, export, write the model card.

    python scripts/make_default_painter.py [--data data/endless-sky-land] [--run runs/default-painter]
                                           [--steps 4000] [--reuse-run] [--upscaler-steps 4000]

Every step is the artgan command a user would run, so the card's recipe is the
real one:
  1. scripts/fetch_endless_sky.py DATA   the public-domain landscape photos of
     Debian's endless-sky-data (skipped when DATA already has its MANIFEST.tsv)
  2. artgan train DATA ...                64 px, random crops, DiffAugment, EMA,
     SWD + diversity measured every 500 steps (--reuse-run: keep an existing
     run, resuming it up to --steps if it stopped short)
  3. artgan export RUN --checkpoint best --compact  the checkpoint with the lowest SWD,
     weights stored in float16 (half the file, float32 arithmetic)
  4. artgan evaluate                      SWD / diversity / memorisation on 1000 paintings
  5. artgan train-upscaler DATA           the painter's own learned x4 upscaler
  6. artgan paint --grid                  the sample sheet shown in the card
Everything is written to a staging folder first; models/ is only touched at
the end, file by file through a rename, so a failure leaves the old painter.
Needs the training extra: pip install ".[train]".
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
SIZE, BATCH, SEED = 64, 32, 7
CREDITS = "artgan default painter; photos: Debian endless-sky-data, images/land (public domain, from morguefile.com)"
LICENCE = "MIT (model); training photos public domain"


def artgan(*args: object) -> str:
    """Run an artgan command, echoing it, and return its stdout (its stderr goes to the terminal)."""
    beside = Path(sys.executable).with_name("artgan")
    executable = str(beside) if beside.exists() else shutil.which("artgan")
    if executable is None:
        sys.exit("the `artgan` command was not found: pip install '.[train]' first")
    command = [executable, *map(str, args)]
    print("$ artgan " + " ".join(map(str, args)), flush=True)
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        sys.exit(f"`artgan {args[0]}` failed with exit code {done.returncode}")
    return done.stdout


def train_arguments(data: Path, run: Path, steps: int) -> list[object]:
    return [
        "train", data, "--size", SIZE, "--steps", steps, "--batch-size", BATCH, "--crop", "random",
        "--augment", "on", "--eval-every", 500, "--eval-samples", 256, "--checkpoint-every", 500,
        "--sample-every", 500, "--seed", SEED, "--out", run,
    ]


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


def model_card(stage: Path, run: Path, evaluation: dict, upscaler: dict, commands: list[str]) -> str:
    from artgan.evaluation.report import summary_lines
    from artgan.models.runtime import file_sha256

    config = json.loads((run / "config.json").read_text())
    best = json.loads((run / "checkpoints" / "best.json").read_text())
    steps, wall_s = training_wall_s(run)
    files = sorted(p for p in stage.iterdir() if p.name.startswith("default") and p.suffix in (".onnx", ".npz"))
    file_rows = "\n".join(f"| `{p.name}` | {p.stat().st_size / 1e6:.2f} MB | `{file_sha256(p)[:16]}` |" for p in files)
    swd, div, mem = evaluation["swd_x1e3"], evaluation["ms_ssim"], evaluation["memorisation"]
    return f"""# Model card: the bundled default painter

`artgan paint` uses this painter when no `--model` is given.  It paints {SIZE} px landscapes
and upscales them x4 with its own learned upscaler.  It was built by
`python scripts/make_default_painter.py` on {datetime.now(timezone.utc):%Y-%m-%d} (2 CPU cores, no GPU).

## Files

| file | size | sha256 (first 16) |
| --- | --- | --- |
{file_rows}
| `default-samples.png` | sample sheet: `artgan paint --n 16 --seed 1 --grid` | |
| `default.evaluation.json` | the full `artgan evaluate` report quoted below | |

Painter and critic store their weights in float16 (`artgan export --compact`: half the file)
and compute in float32, as fast as a float32 file.  `default.onnx` is the EMA generator,
`default.critic.onnx` the discriminator (used by
`artgan post` to rank candidates), `default.thumbs.npz` 32 px thumbnails of the training photos
(the memorisation check before posting), `default.upscaler.onnx` the x4 upscaler.

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
| network | DCGAN-style: Dense -> 4x4x{config['max_channels']} -> [nearest x2 + 3x3 conv + BN + ReLU] x {(SIZE // 4).bit_length() - 1} -> 3x3 conv + tanh; latent {config['latent_dim']}, width {config['width']} |
| discriminator | strided 4x4 convs + LeakyReLU + dropout {config['dropout']}, R1 penalty (gamma {config['r1_gamma']}, every {config['r1_every']} steps) |
| recipe | {config['steps']} steps, batch {config['batch_size']}, Adam {config['lr_g']} (beta1 {config['beta_1']}), {config['loss']} loss, label smoothing {config['label_smoothing']}, EMA {config['ema_decay']}, {config['crop']} crops, flips, DiffAugment ({config['augment']}, adaptive p), seed {config['seed']} |
| picked | step {best['step']} of {steps}: the lowest SWD of the evaluations every {config['eval_every']} steps (`--checkpoint best`) |
| wall time | {wall_s / 60:.0f} min for {steps} steps on 2 CPU cores ({steps * config['batch_size'] / wall_s:.1f} images/s), float32 |
| upscaler | `artgan train-upscaler`, {upscaler['config']['steps']} steps, {upscaler['train_s'] / 60:.1f} min |

## Quality (`artgan evaluate models/default.onnx --n 1000`)

| figure | value |
| --- | --- |
| SWD x1e3 (lower is better) | {swd['average']:.2f}; real-vs-real floor {swd['real_floor']['average']:.2f} |
| MS-SSIM diversity (lower = more diverse) | generated {div['generated']:.3f}, training photos {div['real']:.3f} |
| near copies of a training photo | {100 * mem['near_copy_share']:.1f} % (median nearest-photo ratio {mem['median_ratio']:.2f}) |
| upscaler x4 on {upscaler['heldout_images']} held-out photos | PSNR {upscaler['psnr_learned']:.2f} dB (Lanczos {upscaler['psnr_lanczos']:.2f}), SSIM {upscaler['ssim_learned']:.4f} (Lanczos {upscaler['ssim_lanczos']:.4f}) |

{chr(10).join('> ' + line for line in summary_lines(evaluation))}

Honest limits: {SIZE} px from {evaluation['real_images']} photos and about an hour of CPU time.  The
paintings read as skies, horizons and hills in the palette of the photos, with soft detail;
they do not match the photos up close.  Train your own on a GPU (`artgan train DIR`) for more.

## Rebuild

```
pip install ".[train]"
python scripts/make_default_painter.py
```

which ran:

```
{chr(10).join(commands)}
```

## Licence

MIT, like artgan.  The training photos are in the public domain.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "data" / "endless-sky-land")
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "default-painter")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--reuse-run", action="store_true", help="keep an existing run (resumed up to --steps)")
    parser.add_argument("--upscaler-steps", type=int, default=4000)
    args = parser.parse_args()
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
    train = train_arguments(args.data, args.run, args.steps)
    if args.reuse_run and (args.run / "checkpoints").is_dir():
        if training_wall_s(args.run)[0] < args.steps:
            step(*train, "--resume")
        commands.append(shown(train))
    else:
        if args.run.exists():
            sys.exit(f"{args.run} exists: pass --reuse-run to keep it, or remove it")
        step(*train)

    with tempfile.TemporaryDirectory(dir=MODELS) as tmp:
        stage = Path(tmp)
        started = time.perf_counter()
        step("export", args.run, "--checkpoint", "best", "--compact", "--out", stage / "default.onnx",
             "--credits", CREDITS, "--license", LICENCE)
        evaluation = json.loads(step("evaluate", stage / "default.onnx", "--data", args.data, "--n", 1000,
                                     "--device", "cpu", "--out", stage / "default.evaluation.json", "--json"))
        step("train-upscaler", args.data, "--out", stage / "default.upscaler.onnx", "--steps", args.upscaler_steps)
        evaluation["model"] = "models/default.onnx"  # not the staging folder it was measured in
        (stage / "default.evaluation.json").write_text(json.dumps(evaluation, indent=2) + "\n")
        upscaler = json.loads((stage / "default.upscaler.json").read_text())
        step("paint", "--model", stage / "default.onnx", "--n", 16, "--seed", 1, "--grid", "--device", "cpu",
             "--out", stage / "samples")
        grid = next((stage / "samples").glob("*grid*"))
        shutil.copyfile(grid, stage / "default-samples.png")
        (stage / "README.md").write_text(model_card(stage, args.run, evaluation, upscaler, commands))
        for name in ("default.onnx", "default.critic.onnx", "default.thumbs.npz", "default.upscaler.onnx",
                     "default.evaluation.json", "default-samples.png", "README.md"):
            (stage / name).chmod(0o644)  # shipped files are read by everyone, whatever this umask
            (stage / name).replace(MODELS / name)
        print(f"models/ updated in {time.perf_counter() - started:.0f} s after training")


if __name__ == "__main__":
    main()
