"""All of artgan's quality figures for one generated set against one real set, as a JSON-ready dict."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .memorisation import memorisation
from .ms_ssim import compare_diversity
from .swd import SWDResult, pyramid_descriptors, swd_from_descriptors

DEFAULT_PAIRS = 500


@dataclass
class SWDWithFloor:
    generated: SWDResult  # generated vs real
    floor: SWDResult  # real vs real: two disjoint halves of the data

    def to_dict(self) -> dict:
        return {**self.generated.to_dict(), "real_floor": self.floor.to_dict()}


def swd_with_floor(generated: np.ndarray, real: np.ndarray, seed: int = 0) -> SWDWithFloor:
    """SWD of generated vs real beside the real-vs-real floor, on the same reference images and counts.

    The real set is split into two disjoint halves A and B; the figures are SWD(generated, A) and
    SWD(B, A), each on ``min(len(generated), len(real) // 2)`` images a side.  The floor is what
    sampling noise alone gives: a model cannot be expected to go below it.
    """
    if len(real) < 2:
        raise ValueError("SWD needs at least 2 real images (the floor compares two halves)")
    count = min(len(generated), len(real) // 2)
    order = np.random.default_rng(seed).permutation(len(real))
    half_a, half_b = real[np.sort(order[:count])], real[np.sort(order[count : 2 * count])]
    reference = pyramid_descriptors(half_a, seed)
    size = real.shape[1]
    generated_swd, floor = swd_from_descriptors(
        reference, [pyramid_descriptors(generated[:count], seed), pyramid_descriptors(half_b, seed)], size, seed
    )
    return SWDWithFloor(generated_swd, floor)


def evaluate_sets(generated: np.ndarray, real: np.ndarray, names: list[str] | None = None,
                  seed: int = 0, pairs: int = DEFAULT_PAIRS) -> dict:
    """SWD (+ floor), MS-SSIM diversity and memorisation of uint8 sets [N, S, S, 3] of one size."""
    if generated.shape[1:] != real.shape[1:]:
        raise ValueError(f"generated images are {generated.shape[1:]} but real ones {real.shape[1:]}")
    if len(generated) < 2 or len(real) < 2:
        raise ValueError("evaluation needs at least 2 generated and 2 real images")
    started = time.perf_counter()
    return {
        "resolution": int(generated.shape[1]),
        "generated_images": len(generated),
        "real_images": len(real),
        "seed": seed,
        "swd_x1e3": swd_with_floor(generated, real, seed).to_dict(),
        "ms_ssim": compare_diversity(generated, real, pairs, seed).to_dict(),
        "memorisation": memorisation(generated, real, names, seed).to_dict(),
        "seconds": round(time.perf_counter() - started, 2),
    }


def summary_lines(report: dict) -> list[str]:
    """A few plain sentences that say what the figures mean."""
    swd_part, div, mem = report["swd_x1e3"], report["ms_ssim"], report["memorisation"]
    levels = ", ".join(f"{res}px {value:.1f}" for res, value in swd_part["levels"].items())
    floor = swd_part["real_floor"]
    lines = [
        f"SWD x1e3: {swd_part['average']:.2f} (per level: {levels}); real-vs-real floor {floor['average']:.2f} "
        f"({floor['images']} images a side). Lower is better; the floor is the best reachable.",
        f"MS-SSIM diversity: generated {div['generated']:.3f}, training set {div['real']:.3f} "
        f"({div['pairs']} random pairs each; lower = more diverse).",
    ]
    if div["mode_collapse"]:
        lines.append(f"MODE COLLAPSE: generated images are far more alike than the training images "
                     f"(+{div['generated'] - div['real']:.3f} > {div['collapse_margin']}).")
    lines.append(
        f"Memorisation: {100 * mem['near_copy_share']:.1f}% of samples are near copies of a training image "
        f"(nearest-image distance under {mem['near_copy_ratio']} x the typical {mem['train_median_nn_distance']:.1f} "
        f"between training images; median ratio {mem['median_ratio']:.2f})."
    )
    return lines
