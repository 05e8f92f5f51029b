"""The painting of the day: paint candidates, pick the best, publish once.

Crash-safety: the day's history row is claimed first; candidates are painted
from a seed derived from the date, so a rerun after a crash paints the same
picture; publishers are idempotent per post id (the date); the row is marked
``posted`` only after the publisher confirms.  Any crash therefore ends, after
a rerun, with exactly one post and a matching row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from artgan.generator_cli.painting import generate, save_image, upscale
from artgan.models.runtime import LoadedModel
from PIL import Image

from .history import History, Post
from .picker import rank
from .publishers.base import Publication, Publisher

HUE_WORDS = ["Crimson", "Amber", "Golden", "Verdant", "Emerald", "Teal", "Azure", "Indigo", "Violet", "Rose"]


@dataclass(frozen=True)
class DailyResult:
    post: Post
    already_posted: bool
    candidates: int


def seed_for(day: str) -> int:
    return int(day.replace("-", ""))


def title_for(image: np.ndarray) -> str:
    """A short deterministic title from the painting's palette."""
    hsv = np.asarray(Image.fromarray(image).convert("HSV"), dtype=np.float32)
    hue_word = HUE_WORDS[int(np.median(hsv[..., 0]) / 256 * len(HUE_WORDS)) % len(HUE_WORDS)]
    light = hsv[..., 2].mean()
    mood = "Dusk" if light < 85 else "Afternoon" if light < 170 else "Morning"
    return f"{hue_word} {mood}"


def caption_for(title: str, day: str, model: LoadedModel) -> str:
    credit = model.info.credits or f"painted by artgan model '{model.name}'"
    return f"{title}\nPainting of the day, {day}. {credit}.\n#artgan #generativeart #paintingoftheday"


def post_today(
    painter: LoadedModel,
    critic: LoadedModel | None,
    publisher: Publisher,
    history: History,
    staging: Path,
    day: str | None = None,
    candidates: int = 16,
    upscale_factor: int = 4,
) -> DailyResult:
    day = day or dt.date.today().isoformat()
    row = history.claim(day, publisher.name)
    assert row is not None
    if row.status == "posted":
        return DailyResult(row, already_posted=True, candidates=0)

    images = np.stack([image for _, image in generate(painter, seed_for(day), range(candidates))])
    best = rank(images, critic)[0]
    image_path = save_image(upscale(best.image, upscale_factor), staging / f"{day}.png", overwrite=True)
    title = title_for(best.image)
    caption = caption_for(title, day, painter)
    history.update(
        day,
        publisher.name,
        image_sha256=hashlib.sha256(image_path.read_bytes()).hexdigest(),
        image_path=str(image_path),
        score=best.score,
        title=title,
        caption=caption,
        model=f"{painter.name}:{painter.sha256[:12]}",
    )
    remote_id = publisher.publish(Publication(day, image_path, title, caption))
    history.update(day, publisher.name, status="posted", remote_id=remote_id)
    post = history.get(day, publisher.name)
    assert post is not None
    return DailyResult(post, already_posted=False, candidates=candidates)
