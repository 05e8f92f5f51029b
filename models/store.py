"""Where painters live: the ones bundled with artgan and the user's own.

A painter is ``NAME.onnx``; its critic, when exported, sits beside it as
``NAME.critic.onnx``.  User models go in the platform's user data folder
(``~/.local/share/artgan/models`` on Linux, honouring ``XDG_DATA_HOME``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from .artifact import ModelError

BUNDLED_DIR = Path(__file__).resolve().parent
DEFAULT_NAME = "default"
CRITIC_SUFFIX = ".critic.onnx"
THUMBS_SUFFIX = ".thumbs.npz"  # the training images' thumbnail index (near-copy checks when posting)
NOT_PAINTERS = (CRITIC_SUFFIX, ".upscaler.onnx")  # companions that live beside their painter


def user_models_dir() -> Path:
    return user_data_path("artgan", appauthor=False) / "models"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    origin: str  # "bundled" or "user"
    critic: Path | None


def _painters_in(folder: Path, origin: str) -> list[ModelEntry]:
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.onnx")):
        if path.name.endswith(NOT_PAINTERS):
            continue
        entries.append(ModelEntry(path.stem, path, origin, critic_path_for(path)))
    return entries


def list_models() -> list[ModelEntry]:
    """User models first (they shadow bundled ones of the same name), then bundled."""
    return _painters_in(user_models_dir(), "user") + _painters_in(BUNDLED_DIR, "bundled")


def thumbnail_index_path(painter: Path) -> Path:
    return painter.with_name(painter.name.removesuffix(".onnx") + THUMBS_SUFFIX)


def critic_path_for(painter: Path) -> Path | None:
    candidate = painter.with_name(painter.name[: -len(".onnx")] + CRITIC_SUFFIX)
    return candidate if candidate.is_file() else None


def resolve_painter(name_or_path: str | None) -> Path:
    """A painter file from a path, a model name, or None for the default."""
    if name_or_path is None:
        name_or_path = DEFAULT_NAME
    as_path = Path(name_or_path).expanduser()
    if as_path.suffix == ".onnx" or as_path.parent != Path("."):
        if not as_path.is_file():
            raise ModelError(f"model file not found: {as_path}")
        return as_path
    for entry in list_models():
        if entry.name == name_or_path:
            return entry.path
    known = ", ".join(sorted({e.name for e in list_models()})) or "none"
    raise ModelError(
        f"no model named {name_or_path!r}. Known models: {known}. "
        "Give a path to an .onnx file, or see `artgan models`."
    )
