"""The colour-grain score: how much pixel-fine colour speckle a set of paintings carries.

Noise injection gives a painter fine texture, and with too much of it every flat sky is
speckled with specks of other colours, seen at full size as a coloured mottle.  Photos
carry fine texture too, but it is mostly light and dark: the colour of a sky, a dune or a
rock face changes slowly.  The score is the RMS of the finest octave (the first band of a
Laplacian pyramid, detail of one or two pixels) of two opponent-colour planes, red - green
and blue - (red + green) / 2, pooled over the set, in the images' own units (grey levels
for uint8): 4.8 for the Endless Sky photos at 128 px, 6.1 for the noisy painter of
2026-12-07 and 2.4 for the same painter without its noise.  Compare a painter's with the
photos' at the same size, never across sizes.  Numpy only.
"""

from __future__ import annotations

import numpy as np

from .pyramid import laplacian_pyramid

MIN_SIDE = 8  # the pyramid's first band needs a few pixels beyond its 5-tap filter


def opponent_colours(images) -> np.ndarray:
    """[N, 2, H, W]: red - green and blue - (red + green) / 2 of RGB images [N, H, W, 3] (or one [H, W, 3])."""
    array = np.asarray(images, np.float64)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[3] < 3 or min(array.shape[1:3]) < MIN_SIDE:
        raise ValueError(f"the colour-grain score needs RGB images [N, H, W, 3] at least {MIN_SIDE} px a side")
    red, green, blue = array[..., 0], array[..., 1], array[..., 2]
    return np.stack([red - green, blue - (red + green) / 2], axis=1)


def colour_grain(images) -> float:
    """RMS of the finest octave of the opponent-colour planes, pooled over the set (photos 4.8 at 128 px)."""
    finest = laplacian_pyramid(opponent_colours(images), 2)[0].astype(np.float64)
    return float(np.sqrt(np.mean(finest**2)))
