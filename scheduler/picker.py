"""Choosing the day's painting from candidates.

Every candidate gets a score and, when it must not be posted, a reason:

- **score**: the critic's output (the exported discriminator: higher means
  "more like the training paintings").  Without a critic the fallback is
  colourfulness (Hasler & Suesstrunk, 2003), a published no-reference measure
  that penalises the flat, washed-out images weak generators make.
- **degenerate**: flat or almost one colour (``fingerprints.degenerate_reason``).
- **near-copy**: within ``copy_distance`` of a training thumbnail, when the
  painter has a thumbnail index (``memorisation``).
- **seen before**: its perceptual hash is within ``novelty_bits`` of a painting
  already in the history.

The survivors are ranked by score, best first; ties keep painting order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from artgan.models.imaging import from_uint8
from artgan.models.runtime import LoadedModel

from .fingerprints import degenerate_reason, hamming, phash
from .memorisation import DEFAULT_MAX_DISTANCE, ThumbnailIndex

log = logging.getLogger("artgan.scheduler.picker")

DEFAULT_NOVELTY_BITS = 10  # of 64: re-encodes of one painting sit within ~4 bits, distinct ones near 32


@dataclass(frozen=True)
class Candidate:
    index: int
    image: np.ndarray  # uint8 [H, W, 3]
    score: float
    phash: str
    colourfulness: float
    critic: float | None = None
    nearest_training: float | None = None  # RMS distance to the closest training thumbnail
    nearest_post: int | None = None  # Hamming bits to the closest earlier post
    rejected: str | None = None

    def summary(self) -> dict:
        return {
            "index": self.index, "score": round(self.score, 6), "critic": _rounded(self.critic),
            "colourfulness": round(self.colourfulness, 3), "phash": self.phash,
            "nearest_training": _rounded(self.nearest_training), "nearest_post_bits": self.nearest_post,
            "rejected": self.rejected,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class PickRules:
    novelty_bits: int = DEFAULT_NOVELTY_BITS
    copy_distance: float = DEFAULT_MAX_DISTANCE


@dataclass
class Picked:
    candidates: list[Candidate]  # every candidate, in painting order
    score_name: str  # "critic" or "colourfulness"
    notes: list[str] = field(default_factory=list)  # checks that were skipped, and why

    @property
    def ranked(self) -> list[Candidate]:
        accepted = [c for c in self.candidates if c.rejected is None]
        return sorted(accepted, key=lambda c: -c.score)  # sorted() is stable: ties keep painting order


def colourfulness(image: np.ndarray) -> float:
    rgb = image.astype(np.float32)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def critic_scores(critic: LoadedModel, images: np.ndarray) -> np.ndarray:
    return np.asarray(critic.run(["score"], {"image": from_uint8(images)})[0], dtype=np.float64).reshape(-1)


def score_candidates(
    indices: list[int],
    images: np.ndarray,
    critic: LoadedModel | None,
    thumbs: ThumbnailIndex | None,
    earlier_hashes: list[str],
    rules: PickRules = PickRules(),
) -> Picked:
    """Score and vet every candidate; see the module docstring for the rules."""
    notes = []
    critic_values = critic_scores(critic, images) if critic is not None else None
    if critic is None:
        notes.append("no critic next to the painter: scoring by colourfulness (Hasler & Suesstrunk 2003) instead")
    if thumbs is None:
        notes.append("no thumbnail index next to the painter: near-copies of training images are not checked")
    candidates = []
    for row, (index, image) in enumerate(zip(indices, images)):
        colour = colourfulness(image)
        critic_value = None if critic_values is None else float(critic_values[row])
        digest = phash(image)
        reason = degenerate_reason(image)
        nearest_training = thumbs.nearest(image) if thumbs is not None else None
        if reason is None and nearest_training is not None and nearest_training.distance <= rules.copy_distance:
            reason = f"near-copy of training image {nearest_training.name} (distance {nearest_training.distance:.3f})"
        nearest_post = min((hamming(digest, h) for h in earlier_hashes), default=None)
        if reason is None and nearest_post is not None and nearest_post <= rules.novelty_bits:
            reason = f"too close to an earlier post ({nearest_post} bits apart)"
        candidates.append(
            Candidate(
                index=index, image=image, score=critic_value if critic_value is not None else colour,
                phash=digest, colourfulness=colour, critic=critic_value,
                nearest_training=None if nearest_training is None else nearest_training.distance,
                nearest_post=nearest_post, rejected=reason,
            )
        )
    picked = Picked(candidates, "critic" if critic is not None else "colourfulness", notes)
    for note in notes:
        log.info(note)
    for candidate in candidates:
        log.info("candidate %s", candidate.summary())
    return picked

