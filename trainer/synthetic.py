"""Procedural "landscapes" for tests and benchmarks.

Nothing may be downloaded at run time, so tests make their own images: a sky
gradient, a sun, layered hills and a little noise.  They have enough structure
for a GAN to learn something visible in a few hundred steps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def landscape(rng: np.random.Generator, width: int = 64, height: int = 48) -> np.ndarray:
    """One uint8 [height, width, 3] image."""
    y = np.linspace(0.0, 1.0, height)[:, None, None]
    x = np.linspace(0.0, 1.0, width)[None, :, None]
    top, horizon = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    image = np.broadcast_to(top * (1 - y) + horizon * y, (height, width, 3)).copy()
    sun_x, sun_y, sun_r = rng.uniform(0.1, 0.9), rng.uniform(0.1, 0.4), rng.uniform(0.05, 0.12)
    sun = (x - sun_x) ** 2 + ((y - sun_y) * height / width) ** 2 < sun_r**2
    image = np.where(sun, rng.uniform(200, 255, 3), image)
    for layer in range(rng.integers(2, 4)):
        base = 0.45 + 0.15 * layer + rng.uniform(-0.05, 0.05)
        ridge = base + 0.08 * np.sin(2 * np.pi * (rng.uniform(0.5, 2.5) * x + rng.uniform(0, 1)))
        colour = rng.uniform(0, 160, 3) * (1 - 0.2 * layer)
        image = np.where(y > ridge, colour, image)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def write_landscapes(folder: Path, count: int, seed: int = 0, width: int = 64, height: int = 48) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        path = folder / f"landscape-{index:05d}.png"
        Image.fromarray(landscape(rng, width, height)).save(path)
        paths.append(path)
    return paths
