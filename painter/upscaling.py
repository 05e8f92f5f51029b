"""Upscaling paintings: bicubic (or Lanczos), or a learned super-resolution ONNX model run in overlapping tiles.

Any ONNX image-to-image model works as a learned upscaler when it takes NCHW
float RGB in [0, 1] with free height and width and returns the same layout
``scale`` times larger (x2 or x4; Real-ESRGAN exports are like that, and so is
what `artgan train-upscaler` writes).  Large images are cut into tiles with
16 px of context on each side: more than an ESPCN can see, so its output is
exactly that of one pass, and more than Real-ESRGAN's own tiler uses (10 px)
to hide seams of deeper networks; memory stays bounded by the tile size
whatever the output size.

The classical resampler is bicubic unless Lanczos is asked for: at the whole
factors paintings are enlarged by, Lanczos' ringing repeats with the pixel
grid and leaves lattice peaks (evaluation.lattice: median 4.2 on the default
painter's paintings at x4, and 3.4 even on 64 px photos), where bicubic, whose
kernel sums to one at every phase, leaves almost none (1.7 and 1.0).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from artgan.evaluation.lattice import median_lattice_score
from artgan.evaluation.ms_ssim import ssim_terms
from artgan.models.artifact import ModelError
from artgan.models.imaging import downscale, psnr, round_pixels
from artgan.models.runtime import Device, file_sha256, open_session
from PIL import Image

UPSCALER_SUFFIX = ".upscaler.onnx"
TILE = 128  # input pixels per tile side: tens of MiB of activations for ESPCN at x4, whatever the image size
OVERLAP = 16  # input pixels of context on each side; more than ESPCN-like networks can see
BICUBIC, LANCZOS = "bicubic", "lanczos"
RESAMPLERS = {BICUBIC: Image.Resampling.BICUBIC, LANCZOS: Image.Resampling.LANCZOS}
# A learned upscaler is the default only if its outputs' median lattice-peak score is at most this much
# above bicubic's on the same images: what a line grid of 0.02 grey levels every 4 px adds to bicubic-enlarged
# paintings (2.07 -> 2.6), far below anything visible, and about the spread of the score between clean sets
# (photos 1.0, the painter's own 64 px paintings 1.6), so a tighter bound would flag noise.  The ESPCN
# shipped before scored 43 on those paintings.
LATTICE_MARGIN = 0.5


@dataclass
class OnnxUpscaler:
    """A learned x2/x4 upscaler opened with ONNX Runtime."""

    path: Path
    session: "object"
    input_name: str
    scale: int
    sha256: str
    tile: int = TILE
    overlap: int = OVERLAP

    @property
    def name(self) -> str:
        return self.path.name[: -len(UPSCALER_SUFFIX)] if self.path.name.endswith(UPSCALER_SUFFIX) else self.path.stem

    def run(self, image: np.ndarray) -> np.ndarray:
        """uint8 [H, W, 3] -> uint8 [H*scale, W*scale, 3], tile by tile."""
        h, w = image.shape[:2]
        s, t, o = self.scale, self.tile, self.overlap
        src = image.astype(np.float32).transpose(2, 0, 1)[None] / 255.0
        result = np.empty((h * s, w * s, 3), dtype=np.uint8)
        for top in range(0, h, t):
            for left in range(0, w, t):
                bottom, right = min(top + t, h), min(left + t, w)
                y0, x0 = max(top - o, 0), max(left - o, 0)
                y1, x1 = min(bottom + o, h), min(right + o, w)
                out = self.session.run(None, {self.input_name: src[:, :, y0:y1, x0:x1]})[0]  # type: ignore[attr-defined]
                core = out[0, :, (top - y0) * s : (bottom - y0) * s, (left - x0) * s : (right - x0) * s]
                result[top * s : bottom * s, left * s : right * s] = _to_uint8(core.transpose(1, 2, 0))
        return result


def _to_uint8(unit: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(np.nan_to_num(unit, nan=0.5), 0.0, 1.0) * 255.0).astype(np.uint8)


def load_upscaler(path: str | os.PathLike[str], device: Device = "auto", tile: int = TILE, overlap: int = OVERLAP) -> OnnxUpscaler:
    """Open a learned upscaler, checking it is NCHW RGB image-to-image at x2 or x4."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"upscaler file not found: {path}")
    session = open_session(path, device)
    inputs = session.get_inputs()
    if len(inputs) != 1 or len(inputs[0].shape) != 4 or inputs[0].shape[1] != 3 or inputs[0].type != "tensor(float)":
        got = ", ".join(f"{i.name} {i.type} {i.shape}" for i in inputs)
        raise ModelError(f"{path} is not an image upscaler: it needs one float input [N, 3, H, W] (it has {got}).")
    probe = np.zeros((1, 3, 8, 8), dtype=np.float32)
    try:
        shape = session.run(None, {inputs[0].name: probe})[0].shape
    except Exception as exc:  # noqa: BLE001 - a fixed-size model fails here
        raise ModelError(f"{path} does not take images of any size ({str(exc).splitlines()[0][:160]}).") from None
    scale = shape[2] // 8 if len(shape) == 4 else 0
    if len(shape) != 4 or shape[1] != 3 or scale not in (2, 4) or shape[2] != 8 * scale or shape[3] != 8 * scale:
        raise ModelError(f"{path} is not an x2/x4 upscaler: an 8x8 image came out as {list(shape)}.")
    return OnnxUpscaler(path, session, inputs[0].name, scale, file_sha256(path), tile=tile, overlap=overlap)


def upscaler_beside(painter: Path) -> Path | None:
    """NAME.upscaler.onnx next to NAME.onnx, the upscaler that belongs to the painter, unless its report
    (NAME.upscaler.json from `artgan train-upscaler`, for that very file) says bicubic is the better default."""
    candidate = painter.with_name(painter.name[: -len(".onnx")] + UPSCALER_SUFFIX)
    if not candidate.is_file():
        return None
    return None if default_resampler(candidate) else candidate


def default_resampler(upscaler: Path) -> str | None:
    """The classical resampler the upscaler's report chose over it, or None when it is the default (or has no report)."""
    try:
        report = json.loads(upscaler.with_suffix(".json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(report, dict) or report.get("sha256") != file_sha256(upscaler):
        return None  # a report about another file says nothing about this one
    chosen = report.get("default")
    return chosen if chosen in RESAMPLERS else None


def resize(image: np.ndarray, width: int, height: int, resample: str = BICUBIC) -> np.ndarray:
    """uint8 [H, W, 3] at exactly width x height with a classical resampler (bicubic or lanczos).

    ``image`` is uint8, or float32 pixel values in [0, 255] not yet rounded (what
    :func:`artgan.models.imaging.to_pixels` makes of a painter's output).  Bicubic runs in float
    and rounds once, at the end: Pillow's 8-bit path rounds between its horizontal and vertical
    passes, and that rounding repeats with the output phase (the default painter's paintings at
    x4: lattice score 2.07 in 8 bits, 1.68 in float); and the 8-bit painting's own rounding steps,
    enlarged, repeat with the painter's pixel grid (a 128 px painter's paintings at x4: 6.1 from
    uint8, 1.2 from its float output).  Lanczos keeps Pillow's 8-bit path, so files painted with
    it before stay reproducible.
    """
    if image.shape[1] == width and image.shape[0] == height:
        return round_pixels(image)
    if resample == LANCZOS:
        return np.asarray(Image.fromarray(round_pixels(image)).resize((width, height), RESAMPLERS[LANCZOS]))
    planes = [
        np.asarray(Image.fromarray(image[..., c].astype(np.float32), "F").resize((width, height), RESAMPLERS[resample]))
        for c in range(image.shape[2])
    ]
    return round_pixels(np.stack(planes, axis=-1))


def upscale_image(
    image: np.ndarray, factor: int = 1, upscaler: OnnxUpscaler | None = None, size: int | None = None,
    resample: str = BICUBIC,
) -> Image.Image:
    """Upscale uint8 [H, W, 3] (or float32 pixels in [0, 255]: see :func:`resize`) by ``factor`` (or to
    ``size`` px on the long side).

    The learned upscaler runs as many whole passes as fit in the factor; the
    classical ``resample`` does what is left (and all of it without an upscaler).
    """
    h, w = image.shape[:2]
    if size is not None:
        target_w, target_h = (size, max(1, round(h * size / w))) if w >= h else (max(1, round(w * size / h)), size)
    else:
        target_w, target_h = w * factor, h * factor
    if upscaler is not None:
        while image.shape[1] * upscaler.scale <= target_w and image.shape[0] * upscaler.scale <= target_h:
            image = upscaler.run(round_pixels(image))
    return Image.fromarray(resize(image, target_w, target_h, resample))


def ssim(reference: np.ndarray, test: np.ndarray) -> float:
    """SSIM of two uint8 RGB images (Wang et al.: 11-tap Gaussian, sigma 1.5, per channel, averaged)."""
    planes = [image.transpose(2, 0, 1)[None].astype(np.float32) for image in (reference, test)]
    return float(ssim_terms(*planes)[0][0])


def evaluate(upscaler: OnnxUpscaler, originals: list[np.ndarray]) -> dict[str, float | str]:
    """The upscaler against bicubic and Lanczos on bicubic downscales of ``originals``: mean PSNR/SSIM, the
    median lattice-peak score of the outputs, its speed, and which of the three should be the default."""
    s = upscaler.scale
    methods = ("learned", BICUBIC, LANCZOS)
    scores: dict[str, list[float]] = {f"{k}_{m}": [] for k in ("psnr", "ssim") for m in methods}
    outputs: dict[str, list[np.ndarray]] = {m: [] for m in methods}
    pixels, seconds = 0, 0.0
    for image in originals:
        h, w = (image.shape[0] // s) * s, (image.shape[1] // s) * s
        original = image[:h, :w]
        small = downscale(original, s)
        started = time.perf_counter()
        outputs["learned"].append(upscaler.run(small))
        seconds += time.perf_counter() - started
        pixels += h * w
        for method in (BICUBIC, LANCZOS):
            outputs[method].append(resize(small, w, h, method))
        for method in methods:
            scores[f"psnr_{method}"].append(psnr(original, outputs[method][-1]))
            scores[f"ssim_{method}"].append(ssim(original, outputs[method][-1]))
    result: dict[str, float | str] = {k: float(np.mean(v)) for k, v in scores.items()}
    for method in methods:
        usable = [o for o in outputs[method] if min(o.shape[:2]) >= 32]
        result[f"lattice_{method}"] = median_lattice_score(usable) if usable else float("nan")
    result["output_megapixels_per_s"] = pixels / 1e6 / max(seconds, 1e-9)
    result["default"] = choose_default(result)
    return result


def choose_default(scores: dict) -> str:
    """"learned" when it beats both classical resamplers on PSNR and SSIM and adds no grid, else bicubic."""
    better = all(scores[f"{k}_learned"] > max(scores[f"{k}_{BICUBIC}"], scores[f"{k}_{LANCZOS}"]) for k in ("psnr", "ssim"))
    clean = scores["lattice_learned"] <= scores[f"lattice_{BICUBIC}"] + LATTICE_MARGIN  # NaN (images too small): not clean
    return "learned" if better and clean else BICUBIC
