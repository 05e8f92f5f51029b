"""How each painting was made, written into the file itself so that it can be made again exactly.

PNG keeps it in an ``artgan`` text chunk, JPEG and WebP in the EXIF
ImageDescription tag, GIF in its comment: plain JSON in every case, readable
with any metadata tool (``exiftool``, ``identify -verbose``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import IO, Any

from artgan.models.artifact import ModelError
from PIL import Image
from PIL.PngImagePlugin import PngInfo

KEY = "artgan"
EXIF_IMAGE_DESCRIPTION = 0x010E
VERSION = 1


@dataclass(frozen=True)
class Provenance:
    model: str
    model_sha256: str
    seed: int
    index: int = 0
    truncation: float = 1.0
    class_name: str | None = None
    upscale: int = 1
    size: int | None = None
    upscaler: str | None = None
    upscaler_sha256: str | None = None
    resample: str = "lanczos"  # the classical resampler; files written before it was recorded used Lanczos
    quality: int = 95
    walk: dict[str, Any] | None = None  # {"points": K, "frames": F, "fps": R} for an animation

    def to_json(self) -> str:
        return json.dumps({"artgan_provenance": VERSION, **asdict(self)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, source: str) -> "Provenance":
        try:
            raw = json.loads(text)
            if not isinstance(raw, dict) or "artgan_provenance" not in raw:
                raise ValueError
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in raw.items() if k in known})
        except (ValueError, TypeError):
            raise ModelError(f"{source}: its artgan provenance is unreadable.") from None


def save_with_provenance(
    picture: Image.Image, handle: IO[bytes], fmt: str, quality: int, provenance: Provenance | None, **extra: Any
) -> None:
    """``picture.save`` in ``fmt`` with the provenance stored where that format keeps such text."""
    text = provenance.to_json() if provenance else None
    options: dict[str, Any] = dict(extra)
    if fmt == "PNG":  # zlib's default level: optimize=True is 6x slower for 4% smaller paintings
        if text:
            info = PngInfo()
            info.add_text(KEY, text)
            options["pnginfo"] = info
    elif fmt in ("JPEG", "WEBP"):
        options["quality"] = quality
        if text:
            exif = Image.Exif()
            exif[EXIF_IMAGE_DESCRIPTION] = text
            options["exif"] = exif.tobytes()
    elif fmt == "GIF" and text:
        options["comment"] = text.encode()
    picture.save(handle, format=fmt, **options)


def read_provenance(path: Path) -> Provenance:
    """The provenance of a painting artgan wrote; a clear error for any other file."""
    if not path.is_file():
        raise ModelError(f"file not found: {path}")
    try:
        with Image.open(path) as picture:
            text = picture.info.get(KEY) or picture.info.get("comment") or picture.getexif().get(EXIF_IMAGE_DESCRIPTION)
    except (OSError, SyntaxError):
        raise ModelError(f"{path} is not an image artgan can read.") from None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text or "artgan_provenance" not in text:
        raise ModelError(f"{path} carries no artgan provenance (it was not painted by artgan paint).")
    return Provenance.from_json(text, str(path))
