"""`artgan train` and `artgan export`: the only commands that need TensorFlow (loaded lazily)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .console import err, fail, out, user_errors


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or blocked install counts as missing
        return False


def _need_training_extra(command: str) -> None:
    if not (_installed("tensorflow") and _installed("tf2onnx")):
        raise fail(
            f"`artgan {command}` needs the training extra (TensorFlow, tf2onnx), which is not installed.\n"
            "Install it with:  pip install 'artgan[train]'   (from a checkout: pip install '.[train]')"
        )
    from artgan.trainer.tf_setup import import_tensorflow

    import_tensorflow()


def _augment_p(value: str, arch: str) -> float | None:
    if value.strip().lower() == "auto":
        from artgan.trainer.config import default_augment_p

        return default_augment_p(arch)
    if value.strip().lower() == "adaptive":
        return None
    try:
        return float(value)
    except ValueError:
        raise fail(f"--augment-p must be auto, adaptive or a probability from 0 to 1, not {value!r}", code=2) from None


def _blur_from(blur: Optional[bool], blur_from: Optional[int], source) -> int:
    """TrainConfig.blur_from for --blur/--no-blur/--blur-from: every block, none, the blocks from a size up,
    or what a --grow-from source allows."""
    if blur is False and blur_from:
        raise fail("--no-blur and --blur-from contradict each other: give one of them", code=2)
    if source is None:
        if blur_from is not None:
            return blur_from
        return 8 if blur in (None, True) else 0
    from artgan.trainer.grow import GrowError, grown_blur_from

    with user_errors(GrowError):
        follows = grown_blur_from(source, blur is not False and blur_from != 0)
    if blur_from is not None and blur_from != follows:
        blurs = f"blurs from {follows} px" if follows else "does not blur"
        raise fail(f"--blur-from {blur_from}: the --grow-from run blurs from {source.blur_from or 'no'} px, so a run "
                   f"grown from it {blurs} (drop --blur-from)", code=2)
    return follows


def train(
    data_dir: Path = typer.Argument(..., help="Folder of images (jpg, png, webp, bmp, tiff; subfolders included)."),
    size: int = typer.Option(64, "--size", help="Image size in pixels: a power of two from 16 to 1024."),
    arch: str = typer.Option(
        "fastgan", "--arch",
        help="fastgan (skip-layer excitation G, self-reconstructing D: learns from a few hundred images) or dcgan.",
    ),
    steps: int = typer.Option(10_000, "--steps", min=1, help="Total training steps."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    out_dir: Optional[Path] = typer.Option(None, "--out", help="Run folder \\[default: runs/<folder name>]."),
    resume: bool = typer.Option(False, "--resume", help="Continue the run in --out from its newest checkpoint."),
    latent_dim: Optional[int] = typer.Option(
        None, "--latent-dim", min=1, help="Size of z \\[default: 128, or the --grow-from run's]."
    ),
    grow_from: Optional[Path] = typer.Option(
        None, "--grow-from",
        help="A trained fastgan run at half this --size, or an exported fastgan painter (NAME.onnx with NAME.critic.onnx "
        "beside it; needs --freeze-grown): reuse its layers and fade the new top block in.",
    ),
    fade_steps: Optional[int] = typer.Option(
        None, "--fade-steps", min=0, help="Steps to fade a grown run's new block in \\[default: a quarter of --steps, at most 2000].",
    ),
    freeze_grown: bool = typer.Option(
        False, "--freeze-grown",
        help="With --grow-from: train only the new top block; the reused generator layers keep their trained weights.",
    ),
    skip_rgb: bool = typer.Option(
        False, "--skip-rgb",
        help="With --grow-from: keep the grown-from run's painting, upsampled, and train the new top block to add "
        "detail on top (StyleGAN2's skip generator) instead of fading it in: the grown painter starts as the small one.",
    ),
    skip_detail: str = typer.Option(
        "bandpass", "--skip-detail",
        help="With --skip-rgb: bandpass keeps the detail to the new octave (its half-size version is taken out, so the "
        "small painter's composition and colours stay) and below a pixel-by-pixel alternation (no 2 px lattice); "
        "highpass only takes the half-size version out; full lets it repaint everything.",
    ),
    blur: Optional[bool] = typer.Option(
        None, "--blur/--no-blur",
        help="fastgan: blur after each upsampling conv (bilinear upsampling, no block textures) "
        "\\[default: on; a run grown from an unblurred one blurs its new block only].",
    ),
    blur_from: Optional[int] = typer.Option(
        None, "--blur-from", metavar="PX",
        help="fastgan: blur only the up blocks at PX and above (8 = every block, as --blur; 0 = none, as "
        "--no-blur). Unblurred layout blocks paint sharper shapes, the blurred top ones keep block textures out.",
    ),
    second_conv: Optional[bool] = typer.Option(
        None, "--second-conv/--no-second-conv",
        help="fastgan: a second 3x3 conv + BN + GLU in the 8, 32, 128... px blocks (FastGAN's UpBlockComp) "
        "\\[default: off; a grown run follows its source].",
    ),
    global_critic: Optional[bool] = typer.Option(
        None, "--global-critic/--no-global-critic",
        help="fastgan: the discriminator adds a logit over its whole 8x8 map to its patch logits, so it can judge "
        "where things are (sky above ground), not only what each patch looks like \\[default: off; a grown run "
        "follows its source].",
    ),
    noise_from: Optional[int] = typer.Option(
        None, "--noise-from", metavar="PX",
        help="fastgan: the up blocks at PX and above add noise of a learned strength (FastGAN's noise injection): "
        "fine random texture instead of texture drawn out of the layout, which runs on in streaks. 0 = none "
        "\\[default: none; a grown run follows its source].",
    ),
    width: Optional[int] = typer.Option(
        None, "--width", min=1, help="Channels at full resolution (x2 per halving) \\[default: by --arch and --size; see the README]."
    ),
    lr: float = typer.Option(2e-4, "--lr", min=0.0, help="Adam learning rate for both networks."),
    seed: int = typer.Option(0, "--seed"),
    classes: str = typer.Option("none", "--classes", help="none, or auto: each top-level subfolder is a class (conditional GAN)."),
    crop: str = typer.Option("centre", "--crop", help="Square window of non-square images: centre or random."),
    dedupe: bool = typer.Option(False, "--dedupe", help="Drop near-duplicate images (difference hash)."),
    loss: str = typer.Option("nonsat", "--loss", help="nonsat (non-saturating, label smoothing) or hinge."),
    regularizer: str = typer.Option("r1", "--regularizer", help="r1 (gradient penalty), spectral (spectral norm in D) or none."),
    r1_gamma: float = typer.Option(0.1, "--r1-gamma", min=0.0, help="Weight of the R1 penalty."),
    r1_every: int = typer.Option(4, "--r1-every", min=1, help="Apply R1 every N steps (lazy regularisation)."),
    mode_seeking: Optional[float] = typer.Option(
        None, "--mode-seeking", min=0.0,
        help="Weight of the mode-seeking diversity term (MSGAN): G is penalised when two latents paint alike; 0 = off "
             "\\[default: 0.3 for fastgan, 0 for dcgan and with --freeze-grown].",
    ),
    mode_seeking_gap: str = typer.Option(
        "pixels", "--mode-seeking-gap",
        help="What --mode-seeking compares: pixels, or structure (each painting's mean colour taken out first).",
    ),
    augment: str = typer.Option("auto", "--augment", help="DiffAugment: auto (on below 5000 images), on or off."),
    augment_p: str = typer.Option(
        "auto", "--augment-p",
        help="Probability of each augmentation, 'adaptive' (ADA's rule), or auto (0.5 for fastgan, adaptive for dcgan).",
    ),
    xla: bool = typer.Option(False, "--xla", help="Compile the train step with XLA (mostly helps on GPUs)."),
    precision: str = typer.Option("float32", "--precision", help="float32, or mixed (float16 compute, loss scaling; for GPUs)."),
    devices: int = typer.Option(1, "--devices", min=1, help="Train on N GPUs with MirroredStrategy (CPU: N logical devices)."),
    workers: Optional[str] = typer.Option(
        None, "--workers",
        help="host:port,host:port,...: train one run on several machines (MultiWorkerMirroredStrategy); or set TF_CONFIG.",
    ),
    worker_index: Optional[int] = typer.Option(
        None, "--worker-index", min=0, help="This machine's place in --workers; 0 is the chief, which alone writes the run.",
    ),
    worker_timeout: int = typer.Option(
        300, "--worker-timeout", min=5,
        help="Seconds one exchange with the other workers may wait before giving up on them (a dead worker is "
        "noticed sooner, by TensorFlow's peer health check).",
    ),
    dropout: float = typer.Option(0.3, "--dropout", min=0.0, max=0.95, help="Dropout in the discriminator."),
    on_nan: str = typer.Option("rollback", "--on-nan", help="On NaN/Inf losses: rollback (last checkpoint, halved lr) or stop."),
    sample_every: int = typer.Option(500, "--sample-every", min=1, help="Write a fixed-noise sample grid every N steps."),
    checkpoint_every: int = typer.Option(500, "--checkpoint-every", min=1),
    keep_checkpoints: int = typer.Option(3, "--keep-checkpoints", min=1, help="How many recent checkpoints to keep."),
    cache_dir: Optional[Path] = typer.Option(
        None, "--cache-dir", help="Where prepared data sets are cached \\[default: the user cache folder]."
    ),
    eval_every: int = typer.Option(
        1000, "--eval-every", min=0,
        help="Measure SWD and MS-SSIM diversity on a fixed sample every N steps and mark the best checkpoint (0 = never).",
    ),
    eval_samples: int = typer.Option(512, "--eval-samples", min=2, help="Images per quality evaluation."),
    deterministic: bool = typer.Option(
        False, "--deterministic",
        help="Deterministic TensorFlow kernels: the same --seed repeats the run exactly on this machine (slower).",
    ),
    log_every: float = typer.Option(
        30.0, "--log-every", min=0.0, metavar="SECONDS",
        help="When output is not a terminal (nohup, cron, CI): print a progress line every SECONDS.",
    ),
) -> None:
    """Train a GAN on a folder of images; writes checkpoints, sample grids and metrics to the run folder."""
    _need_training_extra("train")
    from artgan.trainer.config import TrainConfig, default_mode_seeking, default_width
    from artgan.trainer.distribute import DeviceError, cluster_from

    with user_errors(DeviceError):
        cluster = cluster_from(workers, worker_index)
    if cluster and devices > 1:
        raise fail("--devices and --workers do not mix: each worker uses every GPU of its machine", code=2)
    chief = cluster is None or cluster.chief
    # the folder's name as the user gave it: a symlinked ./impressionism is still "impressionism"
    dataset_name = Path(os.path.abspath(data_dir)).name
    run_dir = out_dir or Path("runs") / dataset_name
    # a worker on another machine has no copy of the run: it builds the config from the same options
    # and takes the chief's checkpoint when training starts (trainer.distribute.broadcast_from_chief)
    source = None  # the --grow-from run's config, read once
    if resume and (chief or (run_dir / "config.json").is_file()):
        if not (run_dir / "config.json").is_file():
            raise fail(f"nothing to resume in {run_dir}: it has no config.json. Drop --resume to start a new run.")
        config = TrainConfig.load(run_dir / "config.json")
        config.steps = steps
        config.deterministic = config.deterministic or deterministic
    else:
        if chief and not resume and (run_dir / "checkpoints").is_dir() and any((run_dir / "checkpoints").iterdir()):
            raise fail(
                f"{run_dir} already holds a training run. Continue it with --resume, "
                "or choose another folder with --out."
            )
        source = _grow_source(grow_from) if grow_from else None
        if source is not None:  # halve the width as the size doubles, so every layer of the source fits
            width = width or max(1, source.width * source.size // size)
            latent_dim = latent_dim or source.latent_dim
        try:
            config = TrainConfig(
                data_dir=str(data_dir), size=size, steps=steps, batch_size=batch_size, latent_dim=latent_dim or 128,
                grow_from=str(grow_from or ""), fade_steps=(0 if skip_rgb else min(steps // 4, 2000)) if fade_steps is None else fade_steps,
                arch=arch, width=width or default_width(size, arch), lr_g=lr, lr_d=lr, seed=seed, sample_every=sample_every,
                checkpoint_every=checkpoint_every, keep_checkpoints=keep_checkpoints,
                dataset_name=dataset_name, crop=crop, dedupe=dedupe, classes=classes, loss=loss,
                regularizer=regularizer, r1_gamma=r1_gamma, r1_every=r1_every, augment=augment, augment_p=_augment_p(augment_p, arch),
                mode_seeking=default_mode_seeking(arch, freeze_grown) if mode_seeking is None else mode_seeking,
                mode_seeking_gap=mode_seeking_gap,
                xla=xla, precision=precision, devices=devices, on_nan=on_nan, eval_every=eval_every,
                eval_samples=eval_samples, dropout=dropout, deterministic=deterministic,
                blur_from=_blur_from(blur, blur_from, source),
                second_conv=bool(source and source.second_conv) if second_conv is None else second_conv,  # follows a source
                noise_from=(source.noise_from if source else 0) if noise_from is None else noise_from,
                global_critic=bool(source and source.global_critic) if global_critic is None else global_critic,
                freeze_grown=freeze_grown, skip_rgb=skip_rgb, skip_detail=skip_detail,
            )
        except ValueError as exc:
            raise fail(str(exc), code=2) from None

    from artgan.trainer.distribute import make_multi_worker_strategy, make_strategy

    with user_errors(DeviceError):  # before TensorFlow's runtime starts
        if cluster:
            err.print(f"Worker {cluster.index} of {len(cluster.workers)}: waiting for {', '.join(cluster.workers)} ...")
            strategy = make_multi_worker_strategy(cluster, config.batch_size, worker_timeout)
        else:
            strategy = make_strategy(config.devices, config.batch_size)
    dataset = _prepare_data(data_dir, config, cache_dir)
    if resume and config.class_names and config.class_names != dataset.class_names:
        raise fail(
            f"the class subfolders changed since this run started ({', '.join(config.class_names)} -> "
            f"{', '.join(dataset.class_names)}); a conditional run cannot resume on other classes."
        )
    if resume and config.data_fingerprint and config.data_fingerprint != dataset.fingerprint:
        err.print("[yellow]Note:[/] the image folder changed since this run started; resuming on the new contents.")
    if config.batch_size > len(dataset):
        err.print(
            f"[yellow]Warning:[/] --batch-size {config.batch_size} is more than the {len(dataset)} images: every batch "
            f"holds some images twice. A --batch-size of {len(dataset)} or less (or more images) trains better.",
            highlight=False,
        )
    config.dataset_size, config.data_fingerprint = len(dataset), dataset.fingerprint
    config.class_names = list(dataset.class_names)
    if config.grow_from and not resume:
        from artgan.trainer.grow import GrowError, check_source

        with user_errors(GrowError):
            check_source(source, config)
    if chief:
        _run_training(config, dataset, run_dir, resume, strategy, cluster, log_every=log_every)
        return
    import shutil
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="artgan-worker-"))  # only the chief keeps what a run writes
    try:
        _run_training(config, dataset, scratch / "run", False, strategy, cluster, shown_dir=run_dir, log_every=log_every)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _grow_source(run: Path):
    """The --grow-from run's config (its checkpoint is read when training starts)."""
    from artgan.trainer.grow import GrowError, load_source

    with user_errors(GrowError):
        return load_source(run)[0]


def _prepare_data(data_dir: Path, config, cache_dir: Optional[Path]):
    """Open (or build, with a progress bar) the memory-mapped cache of the prepared images."""
    from artgan.trainer.cache import open_or_build
    from artgan.trainer.data import DataError, PrepareSettings
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with user_errors(DataError):
        settings = PrepareSettings(config.size, config.crop, config.dedupe, config.classes == "auto", config.seed)
        err.print(f"Reading images from {escape(str(data_dir))} at {config.size} px ...")
        columns = [TextColumn("preparing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("prepare", total=None)
            dataset = open_or_build(
                data_dir, settings, cache_dir, on_progress=lambda done, total: bar.update(task, completed=done, total=total)
            )
    for path, reason in dataset.skipped[:10]:
        err.print(f"  [yellow]skipped[/] {escape(str(path))}: {escape(reason)}", highlight=False)
    if dataset.skipped:
        err.print(f"[yellow]Skipped {len(dataset.skipped)} unusable file(s)[/]; training on {len(dataset)} images.")
    if dataset.duplicates:
        err.print(f"Dropped {len(dataset.duplicates)} near-duplicate image(s) (e.g. {escape(dataset.duplicates[0][0])}).")
    if dataset.class_names:
        counts = {name: int((dataset.labels == i).sum()) for i, name in enumerate(dataset.class_names)}
        err.print("Classes: " + ", ".join(f"{escape(name)} ({n})" for name, n in counts.items()), highlight=False)
    if dataset.reused:
        err.print(f"Using the prepared images cached in {escape(str(dataset.path))}.", highlight=False)
    return dataset


def _run_training(
    config, dataset, run_dir: Path, resume: bool, strategy=None, cluster=None, shown_dir=None, log_every: float = 30.0
) -> None:
    """``shown_dir``: the run folder named in messages, when this worker writes to a scratch one."""
    from artgan.trainer.loop import TrainingError
    from artgan.trainer.loop import train as run_train
    from artgan.trainer.stopping import StopRequest, TrainingStopped

    from .train_progress import make_reporter

    stop = StopRequest()
    with make_reporter(err, config.steps, config.batch_size, log_every) as reporter:
        try:
            run_train(
                config, dataset, run_dir, resume=resume, progress=reporter.update, strategy=strategy, stop=stop,
                notify=lambda message: reporter.message(f"Warning: {message}", "yellow"),
                info=lambda message: reporter.message(message[:1].upper() + message[1:] + "."),
            )
        except TrainingError as exc:
            raise fail(str(exc)) from None
        except TrainingStopped as stopped:
            reporter.__exit__()
            err.print(_stopped_message(stopped), highlight=False)
            raise typer.Exit(143 if stop.signal_name == "SIGTERM" else 130) from None
        except Exception as exc:
            if cluster is None or not _lost_worker(exc):
                raise
            reporter.__exit__()
            _exit_lost_workers(exc, run_dir, cluster)
    if shown_dir is not None:
        out.print(f"Worker {cluster.index} done; the chief (worker 0) wrote the run.")
        return
    out.print(f"Run written to {run_dir}. Next: artgan export {run_dir}")


def _stopped_message(stopped) -> str:
    if stopped.checkpoint is None:
        return f"Stopped ({stopped.reason}) before the first checkpoint; nothing to resume."
    if stopped.saved_now:
        return f"Stopped after step {stopped.step} ({stopped.reason}): saved {stopped.checkpoint}. Continue with --resume."
    if stopped.at_once:
        return (f"Stopped at once during step {stopped.step + 1} ({stopped.reason}); that step was not saved. "
                f"--resume continues from {stopped.checkpoint}.")
    return f"Stopped after step {stopped.step} ({stopped.reason}): its checkpoint {stopped.checkpoint} is written. Continue with --resume."


def _lost_worker(exc: Exception) -> bool:
    from artgan.trainer.distribute import WORKER_ERRORS

    return isinstance(exc, WORKER_ERRORS)


def _exit_lost_workers(exc: Exception, run_dir: Path, cluster) -> None:
    """A worker died or stopped answering: say so and how to resume, then leave at once.

    os._exit, not an exception: TensorFlow's collective threads may still wait on the dead peer.
    """
    import os
    import sys

    from artgan.trainer.checkpoints import list_checkpoints

    saved = list_checkpoints(run_dir / "checkpoints")
    if not cluster.chief:
        where = "the chief's last checkpoint"
    else:
        where = f"the last checkpoint (step {saved[-1][0]})" if saved else "the start (no checkpoint was written yet)"
    import re

    # TensorFlow's message opens with "Graph execution error:" and a stack; the cause is a line further down
    lines = [line.strip() for line in str(exc).splitlines()]
    cause = r"abort|is down|deadline|timed? ?out|unavailable|connect|socket|cancel"
    first_line = next((line for line in lines if re.search(cause, line, re.I)), type(exc).__name__)[:300]
    err.print(
        f"[bold red]Error:[/] lost contact with the other workers ({', '.join(cluster.workers)}): one of them stopped "
        f"or is unreachable ({escape(first_line)}).\nRerun the same command on every worker with --resume to continue "
        f"from {where}.",
        highlight=False,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)




def export(
    run_dir: Path = typer.Argument(..., help="A run folder written by `artgan train`."),
    out_path: Optional[Path] = typer.Option(None, "--out", help="Painter file \\[default: RUN/export/<run>.onnx]."),
    checkpoint: str = typer.Option(
        "best", "--checkpoint",
        help="best (lowest SWD during training; the latest if never evaluated), latest, or a step number.",
    ),
    credits: str = typer.Option("", "--credits", help="Credit line stored in the model (artist, data source)."),
    license: str = typer.Option("", "--license", help="Licence of the model/data, stored in the model."),
    fp16: bool = typer.Option(False, "--fp16", help="Also write half-precision NAME.fp16.onnx (+ critic), for GPUs."),
    compact: bool = typer.Option(
        False, "--compact", help="Store the weights in half precision: half the file, same float32 arithmetic and speed.",
    ),
    trim_frame: int = typer.Option(
        0, "--trim-frame", min=0, metavar="PX",
        help="Cut PX pixels off each side of every painting inside the painter and resize the rest back: removes "
        "the light frame a short-trained painter draws along its border (at most size/8).",
    ),
    noise_scale: float = typer.Option(
        1.0, "--noise-scale", min=0.0, metavar="S",
        help="Multiply the trained noise strengths by S (runs trained with --noise-from): below 1, fewer coloured "
        "specks in flat areas such as skies, for less fine texture. 0 turns the noise off.",
    ),
) -> None:
    """Export a trained run to ONNX: the painter (EMA generator) and its critic (discriminator)."""
    step = choose_checkpoint_or_fail(run_dir, checkpoint)
    _need_training_extra("export")
    from artgan.trainer.export import export_run
    from artgan.trainer.loop import TrainingError

    with user_errors(TrainingError, FileNotFoundError):
        result = export_run(run_dir, out_path, step, credits=credits, license=license, fp16=fp16, compact=compact,
                            trim_frame=trim_frame, noise_scale=noise_scale)
    out.print(f"painter: {result.painter} (step {result.step}, max |ONNX - Keras| = {result.painter_max_diff:.1e})")
    out.print(f"critic:  {result.critic} (max |ONNX - Keras| = {result.critic_max_diff:.1e})")
    if result.fp16 and result.fp16_max_diffs:
        for path, diff in zip(result.fp16, result.fp16_max_diffs):
            out.print(f"fp16:    {path} (max |ONNX - Keras| = {diff:.1e})")
    if result.thumbs:
        out.print(f"thumbs:  {result.thumbs} (training-image thumbnails: `artgan post` refuses near-copies)")


def choose_checkpoint_or_fail(run_dir: Path, choice: str) -> int | None:
    """--checkpoint best|latest|STEP as a step (None = newest), saying when `best` falls back to the latest.

    The folder is checked first, so an error is never preceded by a note about which checkpoint was chosen."""
    from artgan.trainer.checkpoints import choose_checkpoint, list_checkpoints

    if choice not in ("best", "latest") and not choice.isdigit():  # a usage error comes before the folder's state
        raise fail(f"--checkpoint must be best, latest or a step number, not {choice!r}", code=2)
    require_run(run_dir)
    if not list_checkpoints(run_dir / "checkpoints"):
        raise fail(f"{run_dir} has no readable checkpoint yet; train it for a few steps first.")
    try:
        step, note = choose_checkpoint(run_dir / "checkpoints", choice)
    except ValueError as exc:
        raise fail(str(exc), code=2) from None
    if note:
        err.print(f"[yellow]Note:[/] {escape(note)}.")
    return step


def require_run(run_dir: Path) -> None:
    """A clear error for a path that is missing, not a folder, or a folder that is not a training run."""
    if not run_dir.exists():
        raise fail(f"{run_dir} not found: give the run folder that `artgan train` wrote (e.g. runs/NAME).")
    if not run_dir.is_dir():
        raise fail(f"{run_dir} is a file, not a run folder: give the folder that `artgan train` wrote (e.g. runs/NAME).")
    if not (run_dir / "config.json").is_file():
        raise fail(f"{run_dir} is not an artgan run (no config.json). Train one with `artgan train DIR`.")
