"""All of artgan's quality figures for one generated set against one real set, as a JSON-ready dict."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .grain import colour_grain
from .memorisation import memorisation
from .ms_ssim import compare_diversity
from .streaks import MIN_SIDE, streak_score
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
    half_a, half_b = _real_halves(real, count, seed)
    reference = pyramid_descriptors(half_a, seed)
    size = real.shape[1]
    generated_swd, floor = swd_from_descriptors(
        reference, [pyramid_descriptors(generated[:count], seed), pyramid_descriptors(half_b, seed)], size, seed
    )
    return SWDWithFloor(generated_swd, floor)


def _real_halves(real: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint random sets of ``count`` real images (in data order), drawn by ``seed``."""
    order = np.random.default_rng(seed).permutation(len(real))
    return real[np.sort(order[:count])], real[np.sort(order[count : 2 * count])]


def repeated_distance_to_floor(generated: np.ndarray, real: np.ndarray, splits: int = 5) -> dict:
    """SWD minus the real-vs-real floor, averaged over every disjoint chunk of the generated set and
    ``splits`` random splits of the real one.

    :func:`swd_with_floor` compares only ``len(real) // 2`` generated images (90 for 181 photos),
    whatever was painted, and one split of the photos: two latent sets of one painter then differ
    by several points, as much as two painters do.  Every generated image counts here, each chunk
    against the same half A as its floor, and the spread of the splits' means gives a standard error.
    """
    if len(real) < 4:
        raise ValueError("a repeated SWD needs at least 4 real images")
    count = min(len(generated), len(real) // 2)
    chunks = len(generated) // count
    size = real.shape[1]
    per_split, swds, floors = [], [], []
    for seed in range(splits):
        half_a, half_b = _real_halves(real, count, seed)
        others = [pyramid_descriptors(generated[i * count : (i + 1) * count], seed) for i in range(chunks)]
        *chunk_results, floor = swd_from_descriptors(
            pyramid_descriptors(half_a, seed), [*others, pyramid_descriptors(half_b, seed)], size, seed
        )
        swds += [result.average for result in chunk_results]
        floors.append(floor.average)
        per_split.append(float(np.mean([result.average for result in chunk_results])) - floor.average)
    spread = float(np.std(per_split, ddof=1) / np.sqrt(splits)) if splits > 1 else float("nan")
    return {"distance": float(np.mean(per_split)), "stderr": spread, "swd": float(np.mean(swds)),
            "floor": float(np.mean(floors)), "splits": splits, "chunks": chunks, "images": count}


def evaluate_sets(generated: np.ndarray, real: np.ndarray, names: list[str] | None = None,
                  seed: int = 0, pairs: int = DEFAULT_PAIRS) -> dict:
    """SWD (+ floor), MS-SSIM diversity, memorisation, streaks and colour grain of uint8 sets [N, S, S, 3] of one size."""
    if generated.shape[1:] != real.shape[1:]:
        raise ValueError(f"generated images are {generated.shape[1:]} but real ones {real.shape[1:]}")
    if len(generated) < 2 or len(real) < 2:
        raise ValueError("evaluation needs at least 2 generated and 2 real images")
    started = time.perf_counter()
    streaks = ({"streaks": {"generated": streak_score(generated), "real": streak_score(real)}}
               if generated.shape[1] >= MIN_SIDE else {})
    return {
        "resolution": int(generated.shape[1]),
        "generated_images": len(generated),
        "real_images": len(real),
        "seed": seed,
        "swd_x1e3": swd_with_floor(generated, real, seed).to_dict(),
        "ms_ssim": compare_diversity(generated, real, pairs, seed).to_dict(),
        "memorisation": memorisation(generated, real, names, seed).to_dict(),
        **streaks,
        "grain": {"generated": colour_grain(generated), "real": colour_grain(real)},
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
    if "streaks" in report:  # reports written before the streak score have none
        streaks = report["streaks"]
        lines.append(f"Streaks: generated {streaks['generated']:.2f}, training set {streaks['real']:.2f} "
                     f"(fine texture that runs on in lines; 0 = none, 1 = stripes).")
    if "grain" in report:  # nor the colour grain before it
        grain = report["grain"]
        lines.append(f"Colour grain: generated {grain['generated']:.2f}, training set {grain['real']:.2f} "
                     f"(pixel-fine specks of colour, in grey levels; above the training set's = a speckled look).")
    return lines
