"""MS-SSIM (Wang, Simoncelli and Bovik 2003) and the diversity figure of ACGAN (Odena et al. 2017).

The constants follow the implementation ACGAN used (TensorFlow models'
``msssim.py``): an 11x11 Gaussian window with sigma 1.5, shrunk (with sigma
scaled alike) when an image level is smaller than 11 px; 'valid' filtering;
K1 = 0.01, K2 = 0.03, L = 255; five scales weighted
(0.0448, 0.2856, 0.3001, 0.2363, 0.1333); 2x2 average pooling between scales.
One deviation: the contrast-structure term is clipped at 0 before the
fractional power (as ``tf.image.ssim_multiscale`` does), so anti-correlated
pairs give 0 rather than NaN.  Values are computed per pair, then averaged,
in float32.

Diversity: the mean MS-SSIM over random pairs of distinct images.  A generated
set whose figure is far above the training set's has collapsed onto few modes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .filters import separable, valid_filter_matrix

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
FILTER_SIZE = 11
FILTER_SIGMA = 1.5
K1, K2 = 0.01, 0.03
MAX_VALUE = 255.0
MID = MAX_VALUE / 2
COLLAPSE_MARGIN = 0.1  # generated diversity this much above the real one counts as mode collapse
CHUNK = 128  # pairs per vectorised batch: bounds memory at any image size


def gaussian_taps(size: int, sigma: float) -> np.ndarray:
    """1-D taps whose outer product is MATLAB's fspecial('gaussian', size, sigma)."""
    offset = 0.5 if size % 2 == 0 else 0.0  # even windows are centred between pixels
    x = np.arange(size) - size // 2 + offset
    taps = np.exp(-(x**2) / (2.0 * sigma**2))
    return taps / taps.sum()


def ssim_terms(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pair mean SSIM and mean contrast-structure term at one scale, for planes [N, C, H, W]: two arrays [N]."""
    h, w = a.shape[-2:]
    size = min(FILTER_SIZE, h, w)
    taps = gaussian_taps(size, size * FILTER_SIGMA / FILTER_SIZE)
    # The five local moments in one filtering pass, on values centred at mid-grey: variances are
    # shift-invariant and smaller magnitudes cancel less in float32.
    a, b = a - MID, b - MID
    moments = separable(np.concatenate([a, b, a * a, b * b, a * b]), valid_filter_matrix(taps, h),
                        valid_filter_matrix(taps, w))
    mu_a, mu_b, aa, bb, ab = np.split(moments, 5)
    var_a, var_b, cov = aa - mu_a**2, bb - mu_b**2, ab - mu_a * mu_b
    mu_a, mu_b = mu_a + MID, mu_b + MID
    c1, c2 = (K1 * MAX_VALUE) ** 2, (K2 * MAX_VALUE) ** 2
    cs_map = (2.0 * cov + c2) / (var_a + var_b + c2)
    ssim_map = (2.0 * mu_a * mu_b + c1) / (mu_a**2 + mu_b**2 + c1) * cs_map
    return ssim_map.mean(axis=(1, 2, 3), dtype=np.float64), cs_map.mean(axis=(1, 2, 3), dtype=np.float64)


def _pool(planes: np.ndarray) -> np.ndarray:
    """2x2 average pooling of [N, C, H, W]; an odd side repeats its last row/column first."""
    h, w = planes.shape[-2:]
    planes = np.pad(planes, ((0, 0), (0, 0), (0, h % 2), (0, w % 2)), mode="edge")
    return 0.25 * (planes[..., ::2, ::2] + planes[..., 1::2, ::2] + planes[..., ::2, 1::2] + planes[..., 1::2, 1::2])


def ms_ssim(a: np.ndarray, b: np.ndarray, weights: tuple[float, ...] = WEIGHTS) -> np.ndarray:
    """MS-SSIM of each pair (a[i], b[i]) of images [N, H, W, C] in 0..255: an array [N] in [0, 1]."""
    if np.shape(a) != np.shape(b) or np.ndim(a) != 4:
        raise ValueError(f"MS-SSIM needs two batches [N, H, W, C] of one shape, not {np.shape(a)} and {np.shape(b)}")
    # channels first (see filters.separable); float32 is plenty: centred local variances are
    # accurate to ~1e-2 against C2 = 58.5
    a, b = (np.ascontiguousarray(np.moveaxis(x, -1, 1), dtype=np.float32) for x in (a, b))
    value = np.ones(len(a))
    for scale, weight in enumerate(weights):
        ssim, cs = ssim_terms(a, b)
        last = scale == len(weights) - 1
        value *= np.maximum(ssim if last else cs, 0.0) ** weight
        if not last:
            a, b = _pool(a), _pool(b)
    return value


def random_pairs(n: int, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` index pairs (i, j) of distinct images drawn uniformly."""
    if n < 2:
        raise ValueError("diversity needs at least 2 images")
    first = rng.integers(0, n, size=count)
    second = (first + rng.integers(1, n, size=count)) % n  # never equal to first
    return first, second


def diversity(images: np.ndarray, pairs: int, seed: int = 0) -> float:
    """Mean MS-SSIM over ``pairs`` random pairs of distinct images (lower = more diverse)."""
    first, second = random_pairs(len(images), pairs, np.random.default_rng(seed))
    values = [
        ms_ssim(images[first[s : s + CHUNK]], images[second[s : s + CHUNK]]) for s in range(0, pairs, CHUNK)
    ]
    return float(np.mean(np.concatenate(values)))


@dataclass
class Diversity:
    generated: float
    real: float
    pairs: int

    @property
    def mode_collapse(self) -> bool:
        return self.generated - self.real > COLLAPSE_MARGIN

    def to_dict(self) -> dict:
        return {"generated": self.generated, "real": self.real, "pairs": self.pairs,
                "mode_collapse": self.mode_collapse, "collapse_margin": COLLAPSE_MARGIN}


def compare_diversity(generated: np.ndarray, real: np.ndarray, pairs: int = 500, seed: int = 0) -> Diversity:
    return Diversity(diversity(generated, pairs, seed), diversity(real, pairs, seed + 1), pairs)
