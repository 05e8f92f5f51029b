"""Turning a painted candidate into the file that gets posted.

Instagram takes JPEG only, at most 8 MiB, aspect ratio between 4:5 and
1.91:1, and shows feed images 1080 px wide; it assumes sRGB, so the profile is
embedded.  The feed gallery uses the same file, so both publishers show the
same picture.  Upscaling goes through :func:`upscale_to_width`, the one place to
plug a better upscaler in.
"""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from artgan.painter.painting import upscale
from artgan.painter.upscaling import OnnxUpscaler
from PIL import Image, ImageCms

TARGET_WIDTH = 1080
MAX_BYTES = 8 * 1024 * 1024
MIN_ASPECT, MAX_ASPECT = 4 / 5, 1.91  # width / height
QUALITIES = (92, 85, 75, 60, 45)


UPSCALE_FACTOR = 4  # what the painting API's upscaler is asked for (a learned x4 model plugs in there)


def upscale_to_width(image: np.ndarray, width: int = TARGET_WIDTH, upscaler: OnnxUpscaler | None = None) -> Image.Image:
    """The painter's pixels at ``width`` px wide: up to x4 by the painting API (the learned ``upscaler``
    first when given, as ``artgan paint`` does), then an exact Lanczos fit."""
    factor = max(1, min(UPSCALE_FACTOR, math.ceil(width / image.shape[1])))
    picture = upscale(image, factor, upscaler=upscaler)
    if picture.width != width:
        height = max(1, round(picture.height * width / picture.width))
        picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    return picture


def fit_aspect(picture: Image.Image) -> Image.Image:
    """Centre-crop to Instagram's allowed aspect range (a no-op for square paintings)."""
    w, h = picture.size
    if w / h < MIN_ASPECT:
        new_h = math.floor(w / MIN_ASPECT)
        top = (h - new_h) // 2
        return picture.crop((0, top, w, top + new_h))
    if w / h > MAX_ASPECT:
        new_w = math.floor(h * MAX_ASPECT)
        left = (w - new_w) // 2
        return picture.crop((left, 0, left + new_w, h))
    return picture


@functools.lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """LittleCMS's built-in sRGB profile, with its creation date (ICC header bytes 24-35) zeroed so that
    the same painting always makes byte-identical JPEGs; the header's profile ID is unset, so nothing else changes."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = bytes(12)
    return bytes(profile)


def to_jpeg(picture: Image.Image, max_bytes: int = MAX_BYTES) -> bytes:
    """Baseline sRGB JPEG at the best quality that fits ``max_bytes``."""
    rgb = picture.convert("RGB")
    profile = srgb_profile()
    for quality in QUALITIES:
        buffer = io.BytesIO()
        rgb.save(buffer, format="JPEG", quality=quality, icc_profile=profile, optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    raise ValueError(f"could not fit a {rgb.width}x{rgb.height} JPEG into {max_bytes} bytes")


def post_image(image: np.ndarray, width: int = TARGET_WIDTH, upscaler: OnnxUpscaler | None = None) -> bytes:
    """The JPEG to publish for a uint8 [H, W, 3] painting."""
    cropped = np.asarray(fit_aspect(Image.fromarray(np.asarray(image, dtype=np.uint8))))  # crop first: width stays exact
    return to_jpeg(upscale_to_width(cropped, width, upscaler))
