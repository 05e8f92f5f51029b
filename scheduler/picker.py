"""Choosing the day's painting from candidates.

With a critic (the exported discriminator) the score is its output: higher
means "more like the training paintings".  Without one we fall back to
colourfulness (Hasler & Suesstrunk, 2003), a published no-reference measure
that penalises the flat, washed-out images weak generators produce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from artgan.models.runtime import LoadedModel


@dataclass(frozen=True)
class Candidate:
    index: int
    image: np.ndarray  # uint8 [H, W, 3]
    score: float


def colourfulness(image: np.ndarray) -> float:
    rgb = image.astype(np.float32)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def critic_scores(critic: LoadedModel, images: np.ndarray) -> np.ndarray:
    scaled = images.astype(np.float32) / 127.5 - 1.0
    return critic.session.run(["score"], {"image": scaled})[0]  # type: ignore[attr-defined]


def rank(images: np.ndarray, critic: LoadedModel | None) -> list[Candidate]:
    """Candidates best first."""
    if critic is not None:
        scores = critic_scores(critic, images)
    else:
        scores = np.array([colourfulness(image) for image in images])
    order = np.argsort(-scores, kind="stable")
    return [Candidate(int(i), images[i], float(scores[i])) for i in order]
