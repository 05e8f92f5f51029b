"""`artgan paint` and `artgan models`: ONNX Runtime only, no TensorFlow."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Optional

import typer
from artgan.models.artifact import ModelError
from rich.markup import escape

from .console import err, fail, out, require_out_folder, user_errors

LANCZOS, BICUBIC = "lanczos", "bicubic"  # as in painter.upscaling, which is imported lazily


def paint(
    n: int = typer.Option(10, "--n", min=1, help="How many paintings."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m",
        help="Painter: a .onnx path or a model name from `artgan models`. Default: the bundled painter "
        "(128 px landscapes learned from public-domain photos; see its model card).",
    ),
    seed: Optional[int] = typer.Option(None, "--seed", help="Same seed, same paintings \\[default: random, printed]."),
    out_dir: Path = typer.Option(Path("paintings"), "--out", help="Folder for the files."),
    upscale_factor: int = typer.Option(4, "--upscale", min=1, max=16, help="Upscaling factor (1 = none; 2, 4, 8 ...)."),
    size: Optional[int] = typer.Option(None, "--size", min=8, max=16384, help="Output size in px (long side); replaces --upscale."),
    upscaler: Optional[str] = typer.Option(
        None, "--upscaler",
        help="A learned x2/x4 ONNX upscaler (NCHW float [0,1], e.g. from `artgan train-upscaler`), or 'bicubic' or "
        "'lanczos'. Default: NAME.upscaler.onnx beside the painter when there is one and its report does not prefer "
        "bicubic, else bicubic (Lanczos leaves a faint grid at whole factors).",
    ),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    truncation: float = typer.Option(
        1.0, "--truncation", max=1.0, help="Psi, 0 < PSI <= 1: scale z towards the mean; < 1 gives cleaner, less varied paintings."
    ),
    class_name: Optional[str] = typer.Option(None, "--class", help="Class to paint (conditional painters only)."),
    fmt: Optional[str] = typer.Option(None, "--format", help="png, jpg or webp (gif or webp for --walk) \\[default: png, gif]."),
    quality: int = typer.Option(95, "--quality", min=1, max=100, help="jpg/webp quality."),
    grid: bool = typer.Option(False, "--grid", help="Also write a contact sheet of all the paintings."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files of the same name."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    from_file: Optional[Path] = typer.Option(
        None, "--from-file", help="Paint again, exactly, the painting (or walk) in this file, from its provenance."
    ),
    walk: Optional[int] = typer.Option(None, "--walk", min=2, help="Write an animation through this many random latent points."),
    frames: int = typer.Option(24, "--frames", min=1, help="--walk: frames from one point to the next."),
    fps: float = typer.Option(12.0, "--fps", min=0.1, max=100.0, help="--walk: frames per second."),
) -> None:
    """Paint new images with an exported painter (ONNX Runtime; no TensorFlow needed)."""
    from artgan.painter.painting import FORMATS, PaintRequest, paint_to_files
    from artgan.painter.walks import ANIMATION_FORMATS

    if device not in ("auto", "cpu", "cuda"):
        raise fail(f"--device must be auto, cpu or cuda, not {device!r}", code=2)
    allowed = ANIMATION_FORMATS if walk else FORMATS
    if fmt is not None and fmt not in allowed:
        raise fail(f"--format must be one of {', '.join(allowed)}{' for --walk' if walk else ''}, not {fmt!r}", code=2)
    if not truncation > 0:
        raise fail(f"--truncation must be above 0 (0 < PSI <= 1), not {truncation:g}", code=2)
    require_out_folder(out_dir)
    if from_file is not None:
        with user_errors():
            _paint_again(from_file, model, upscaler, out_dir, overwrite, device, batch_size)
        return
    seed = secrets.randbelow(2**31) if seed is None else seed
    with user_errors():
        loaded, learned, resample = _open(model, upscaler, device)
        if walk:
            path = _walk(loaded, learned, walk, frames, fps, seed, out_dir, fmt or "gif", upscale_factor, size,
                         truncation, class_name, quality, batch_size, overwrite, resample)
            print(path, flush=True)
        else:
            request = PaintRequest(
                n, seed, out_dir, upscale_factor, batch_size, fmt or "png", overwrite, truncation, class_name,
                quality, size, grid, resample=resample,
            )
            for path in paint_to_files(loaded, request, learned):
                print(path, flush=True)  # plain paths on stdout, one per line, for scripts
    if loaded.info.placeholder:
        err.print("[dim]Painted with the placeholder painter; train your own with `artgan train`.[/]")
    how = f"{size} px" if size else f"{loaded.info.resolution * upscale_factor} px"
    err.print(
        f"[dim]{walk and f'walk of {walk} points' or f'{n} painting(s)'}, seed {seed}, {how} "
        f"({learned.name + ' upscaler' if learned else 'Lanczos' if resample == LANCZOS else 'bicubic'}), {loaded.provider}.[/]"
    )


def _open(model: str | None, upscaler: str | None, device: str):
    """The painter, the learned upscaler to use with it (None: none) and the classical resampler."""
    from artgan.painter.upscaling import load_upscaler, upscaler_beside
    from artgan.models.runtime import load_model
    from artgan.models.store import resolve_painter

    loaded = load_model(resolve_painter(model), device=device, expect_kind="painter")  # type: ignore[arg-type]
    if upscaler in (BICUBIC, LANCZOS):
        return loaded, None, upscaler
    path = Path(upscaler) if upscaler else upscaler_beside(loaded.path)
    return loaded, load_upscaler(path, device=device) if path else None, BICUBIC  # type: ignore[arg-type]


def _walk(loaded, learned, points, frames, fps, seed, out_dir, fmt, factor, size, truncation, class_name, quality,
          batch_size, overwrite, resample) -> Path:
    from artgan.painter.painting import PaintRequest, class_index, file_stem, provenance_for
    from artgan.painter.walks import write_walk

    request = PaintRequest(1, seed, out_dir, factor, batch_size, fmt, overwrite, truncation, class_name, quality, size,
                           resample=resample)
    label = class_index(loaded, class_name)
    walk = {"points": points, "frames": frames, "fps": fps}
    provenance = dataclasses.replace(provenance_for(loaded, request, 0, learned), walk=walk)
    path = out_dir / f"{file_stem(request, loaded)}-walk{points}x{frames}.{fmt}"
    return write_walk(loaded, path, provenance, label, batch_size, learned, overwrite)


def _paint_again(source: Path, model: str | None, upscaler: str | None, out_dir: Path, overwrite: bool,
                 device: str, batch_size: int) -> None:
    """Regenerate a painting from the provenance in its file, checking the painter (and upscaler) by hash."""
    from artgan.painter.painting import PaintRequest, paint_to_files
    from artgan.painter.provenance import read_provenance
    from artgan.models.store import list_models

    made = read_provenance(source)
    if made.resample not in (BICUBIC, LANCZOS):
        raise ModelError(f"{source}: its provenance names an unknown resampler {made.resample!r} (bicubic or lanczos).")
    choice = upscaler or (None if made.upscaler_sha256 else made.resample)
    resample = upscaler if upscaler in (BICUBIC, LANCZOS) else made.resample  # what the file was made with, unless asked
    try:
        loaded, learned, _ = _open(model or made.model, choice, device)
    except ModelError:
        if model:
            raise
        loaded = None
    if loaded is None or loaded.sha256 != made.model_sha256:
        # an installed painter of another name may be the one; a painter given with --model must be it
        match = None if model else next((e.path for e in list_models() if _sha256(e.path) == made.model_sha256), None)
        if match is None:
            raise ModelError(
                f"{source} was painted by {made.model} (sha256 {made.model_sha256[:12]}...), which is not "
                f"{'the painter given' if model else 'installed'}; pass that painter with --model PATH."
            )
        loaded, learned, _ = _open(str(match), choice, device)
    if made.upscaler_sha256 and (learned is None or learned.sha256 != made.upscaler_sha256):
        raise ModelError(
            f"{source} was upscaled with the learned upscaler {made.upscaler} (sha256 {made.upscaler_sha256[:12]}...); "
            "pass that file with --upscaler PATH."
        )
    fmt = source.suffix.lower().lstrip(".").replace("jpeg", "jpg")
    if made.walk:
        path = _walk(loaded, learned, made.walk["points"], made.walk["frames"], made.walk["fps"], made.seed, out_dir,
                     fmt, made.upscale, made.size, made.truncation, made.class_name, made.quality, batch_size, overwrite,
                     resample)
        print(path, flush=True)
        return
    request = PaintRequest(
        1, made.seed, out_dir, made.upscale, batch_size, fmt, overwrite, made.truncation, made.class_name,
        made.quality, made.size, first_index=made.index, resample=resample,
    )
    for path in paint_to_files(loaded, request, learned):
        print(path, flush=True)
    err.print(f"[dim]Painted again: {escape(made.model)}, seed {made.seed}, painting {made.index}.[/]")


def _sha256(path: Path) -> str:
    from artgan.models.runtime import file_sha256

    return file_sha256(path)


def models() -> None:
    """List the bundled and user painters."""
    from artgan.models.runtime import load_model
    from artgan.models.store import list_models, user_models_dir
    from rich.table import Table

    table = Table("name", "origin", "size", "steps", "data", "critic")
    entries = list_models()
    for entry in entries:
        try:
            info = load_model(entry.path, device="cpu").info
            size, steps = f"{info.resolution}px", str(info.steps)
            data = info.dataset_name + (" (placeholder)" if info.placeholder else "")
        except ModelError as exc:
            size, steps, data = "-", "-", f"[red]unusable: {exc}[/]"
        table.add_row(entry.name, entry.origin, size, steps, data, "yes" if entry.critic else "no")
    out.print(table)
    for entry in entries:  # below the table, one per line: a path is never cut or wrapped, whatever the width
        out.print(f"{escape(entry.name)}: {escape(str(entry.path))}", highlight=False)
    out.print(f"User models go in {user_models_dir()}", highlight=False)
