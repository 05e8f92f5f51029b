"""`artgan paint` and `artgan models`: ONNX Runtime only, no TensorFlow."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Optional

import typer
from artgan.models.artifact import ModelError

from .console import err, fail, out, user_errors


def paint(
    n: int = typer.Option(10, "--n", min=1, help="How many paintings."),
    model: Optional[str] = typer.Option(
        None, "--model", "-m",
        help="Painter: a .onnx path or a model name from `artgan models`. Default: the bundled painter "
        "(for now a small PLACEHOLDER trained on generated shapes, not on paintings).",
    ),
    seed: Optional[int] = typer.Option(None, "--seed", help="Same seed, same paintings [default: random, printed]."),
    out_dir: Path = typer.Option(Path("paintings"), "--out", help="Folder for the files."),
    upscale_factor: int = typer.Option(4, "--upscale", min=1, max=16, help="Lanczos upscaling factor (1 = none)."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    fmt: str = typer.Option("png", "--format", help="png, jpg or webp."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing files of the same name."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
) -> None:
    """Paint new images with an exported painter (ONNX Runtime; no TensorFlow needed)."""
    from artgan.generator_cli.painting import FORMATS, PaintRequest, paint_to_files
    from artgan.models.runtime import load_model
    from artgan.models.store import resolve_painter

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}", code=2)
    if device not in ("auto", "cpu", "cuda"):
        raise fail(f"--device must be auto, cpu or cuda, not {device!r}", code=2)
    seed = secrets.randbelow(2**31) if seed is None else seed
    with user_errors():
        loaded = load_model(resolve_painter(model), device=device, expect_kind="painter")  # type: ignore[arg-type]
        request = PaintRequest(n, seed, out_dir, upscale_factor, batch_size, fmt, overwrite)
        for path in paint_to_files(loaded, request):
            print(path, flush=True)  # plain paths on stdout, one per line, for scripts
    if loaded.info.placeholder:
        err.print("[dim]Painted with the placeholder painter; train your own with `artgan train`.[/]")
    err.print(f"[dim]{n} painting(s), seed {seed}, {loaded.info.resolution * upscale_factor} px, {loaded.provider}.[/]")


def models() -> None:
    """List the bundled and user painters."""
    from artgan.models.runtime import load_model
    from artgan.models.store import list_models, user_models_dir
    from rich.table import Table

    table = Table("name", "origin", "size", "steps", "data", "critic", "path")
    for entry in list_models():
        try:
            info = load_model(entry.path, device="cpu").info
            size, steps = f"{info.resolution}px", str(info.steps)
            data = info.dataset_name + (" (placeholder)" if info.placeholder else "")
        except ModelError as exc:
            size, steps, data = "-", "-", f"[red]unusable: {exc}[/]"
        table.add_row(entry.name, entry.origin, size, steps, data, "yes" if entry.critic else "no", str(entry.path))
    out.print(table)
    out.print(f"User models go in {user_models_dir()}", highlight=False)


