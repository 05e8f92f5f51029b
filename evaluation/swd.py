"""Sliced Wasserstein Distance on Laplacian pyramids, as in ProGAN (Karras et al. 2017, section 5).

Following the authors' ``metrics/sliced_wasserstein.py``: each image set becomes a
Laplacian pyramid down to 16 px; 128 random 7x7x3 patches per image per level are
the descriptors; each set's descriptors are normalised per channel by that set's
own mean and standard deviation; the distance per level is the mean, over 4
repeats of 128 random unit directions, of the 1-D Wasserstein-1 distance between
the sorted projections.  Figures are reported x1e3, per level and averaged.

Because each set is normalised by its own statistics, a global per-channel
affine change of colour (adding a constant, scaling a channel) is invisible to
this metric by design; changes of colour *structure* (hue rotation, tinting
that varies over the image, different textures) are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .pyramid import laplacian_pyramid

PATCH = 7
PATCHES_PER_IMAGE = 128
REPEATS = 4
DIRECTIONS = 128
MIN_RESOLUTION = 16
SCALE = 1e3


def resolutions(size: int) -> list[int]:
    """Pyramid levels, full size first, down to 16 px (a single level for images under 16 px)."""
    levels = []
    while size >= MIN_RESOLUTION:
        levels.append(size)
        size //= 2
    return levels or [size]


def patches(level: np.ndarray, per_image: int, rng: np.random.Generator) -> np.ndarray:
    """``per_image`` random PATCH x PATCH windows of every image [N, C, H, W]: [N * per_image, C, PATCH, PATCH]."""
    n, c, h, w = level.shape
    if h < PATCH or w < PATCH:
        raise ValueError(f"images of {h}x{w} px are smaller than the {PATCH}x{PATCH} SWD patch")
    image = np.repeat(np.arange(n), per_image)
    y = rng.integers(0, h - PATCH + 1, size=len(image))
    x = rng.integers(0, w - PATCH + 1, size=len(image))
    windows = np.lib.stride_tricks.sliding_window_view(level, (PATCH, PATCH), axis=(2, 3))  # [N, C, h', w', P, P]
    return windows[image, :, y, x]


def describe(level: np.ndarray, rng: np.random.Generator, per_image: int = PATCHES_PER_IMAGE) -> np.ndarray:
    """Patch descriptors of one pyramid level [N, C, H, W], normalised per channel over the whole set."""
    desc = patches(level, per_image, rng).astype(np.float32, copy=False)  # a fresh array: safe to edit in place
    # per-channel mean and std over patches and pixels, from per-pixel moments (contiguous reductions)
    pixel_mean, pixel_var = desc.mean(axis=0), desc.var(axis=0)  # [C, P, P]
    mean = pixel_mean.mean(axis=(1, 2), keepdims=True)
    std = np.sqrt((pixel_var + (pixel_mean - mean) ** 2).mean(axis=(1, 2), keepdims=True))
    desc -= mean
    desc /= np.where(std > 0, std, 1.0)  # a flat channel stays 0 instead of NaN
    return desc.reshape(len(desc), -1)


def sliced_wasserstein(reference: np.ndarray, others: list[np.ndarray], rng: np.random.Generator,
                       repeats: int = REPEATS, directions: int = DIRECTIONS) -> list[float]:
    """Mean 1-D Wasserstein-1 distance of each set in ``others`` to ``reference`` over random unit directions.

    All sets must hold the same number of descriptors.  Every set is projected on the
    same directions, so the reference is projected and sorted once per repeat.
    """
    for other in others:
        if other.shape != reference.shape:
            raise ValueError(f"descriptor sets must have the same shape, not {reference.shape} and {other.shape}")
    totals = np.zeros(len(others))
    # [directions, descriptors]: rows sort fastest.  The buffers are reused because fresh
    # arrays of this size cost more in page faults than the sort itself.
    sorted_ref = np.empty((directions, len(reference)), dtype=np.float32)
    projected = np.empty_like(sorted_ref)
    for _ in range(repeats):
        dirs = rng.standard_normal((reference.shape[1], directions))
        dirs = (dirs / np.sqrt(np.sum(dirs**2, axis=0, keepdims=True))).astype(np.float32)
        np.matmul(dirs.T, reference.T, out=sorted_ref)
        sorted_ref.sort(axis=1)
        for index, other in enumerate(others):
            np.matmul(dirs.T, other.T, out=projected)
            projected.sort(axis=1)
            projected -= sorted_ref
            totals[index] += np.abs(projected, out=projected).mean(dtype=np.float64)
    return list(totals / repeats)


@dataclass
class SWDResult:
    levels: dict[int, float]  # resolution -> SWD x1e3
    average: float
    images: int  # per set

    def to_dict(self) -> dict:
        return {"levels": {str(k): v for k, v in self.levels.items()}, "average": self.average, "images": self.images}


def pyramid_descriptors(images: np.ndarray, seed: int) -> list[np.ndarray]:
    """Descriptors of every level of one set; the same seed draws the same patch positions.

    Sets compared with each other use the same seed (common random numbers): positions
    are independent of the content, so this changes nothing for different sets, while
    identical sets give exactly 0 and the sampling noise shows in the real-vs-real floor.
    """
    rng = np.random.default_rng([seed, 0])
    levels = len(resolutions(images.shape[1]))
    planes = np.ascontiguousarray(np.moveaxis(images, -1, 1), dtype=np.float32)  # [N, C, H, W], as ProGAN
    return [describe(level, rng) for level in laplacian_pyramid(planes, levels)]


def swd_from_descriptors(reference: list[np.ndarray], others: list[list[np.ndarray]], size: int,
                         seed: int) -> list[SWDResult]:
    """SWD x1e3 of each descriptor pyramid in ``others`` against ``reference`` (same directions for all)."""
    rng = np.random.default_rng([seed, 1])
    per_level = [sliced_wasserstein(ref, [other[level] for other in others], rng) for level, ref in enumerate(reference)]
    results = []
    for index in range(len(others)):
        values = [float(level[index]) * SCALE for level in per_level]
        results.append(SWDResult(dict(zip(resolutions(size), values)), float(np.mean(values)),
                                 len(reference[0]) // PATCHES_PER_IMAGE))
    return results


def swd(a: np.ndarray, b: np.ndarray, seed: int = 0) -> SWDResult:
    """SWD x1e3 between two image sets (uint8 or float [N, S, S, 3] in 0..255) of the same size."""
    if a.shape != b.shape:
        raise ValueError(f"SWD compares sets of the same shape, not {a.shape} and {b.shape}")
    return swd_from_descriptors(pyramid_descriptors(a, seed), [pyramid_descriptors(b, seed)], a.shape[1], seed)[0]
