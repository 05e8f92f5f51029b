"""The painting of the day: paint candidates, pick the best, publish once per publisher.

Crash-safety, step by step (``checkpoint`` names each step, so tests can crash there):

1. the (day, publisher) history row is claimed first (``pending``);
2. candidates are painted from a seed derived from the date, so a rerun paints
   the same ones (``painted``);
3. the chosen picture is written atomically to the staging folder and the row
   becomes ``prepared`` with its hash, scores, title and caption (``prepared``);
   every later run, and every other publisher of the day, reuses that file;
4. the publisher saves its own checkpoints through ``progress`` as soon as they
   exist (``saved:<key>``), so it can resume or recognise its earlier work;
5. only after the publisher returns does the row become ``posted``
   (``published`` is the moment in between).

A crash anywhere therefore ends, after a rerun, with exactly one post and a
row that matches it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from artgan.painter.painting import generate
from artgan.painter.upscaling import OnnxUpscaler
from artgan.models.atomic import write_bytes_atomic, write_text_atomic
from artgan.models.runtime import LoadedModel

from .captions import DEFAULT_HASHTAGS, DEFAULT_TEMPLATE, make_caption, title_for
from .history import History, Post
from .memorisation import ThumbnailIndex
from .picker import Candidate, Picked, PickRules, score_candidates
from .prepare import post_image
from .publishers.base import Publication, Publisher, PublishError

log = logging.getLogger("artgan.scheduler.daily")
Checkpoint = Callable[[str], None]


class NothingToPost(Exception):
    """Every candidate was rejected, even after painting more."""


@dataclass(frozen=True)
class DailySettings:
    candidates: int = 64
    rounds: int = 3  # when every candidate is rejected, paint this many batches in all before giving up
    batch_size: int = 32
    rules: PickRules = PickRules()
    hashtags: Sequence[str] = DEFAULT_HASHTAGS
    template: str = DEFAULT_TEMPLATE


@dataclass(frozen=True)
class DailyResult:
    post: Post
    already_posted: bool
    picked: Picked | None = None  # None when the day's picture was chosen by an earlier run


@dataclass
class Painter:
    """The painter and its companions: critic, thumbnail index and learned upscaler (each when present)."""

    model: LoadedModel
    critic: LoadedModel | None = None
    thumbs: ThumbnailIndex | None = None
    upscaler: OnnxUpscaler | None = None  # the painter's NAME.upscaler.onnx; Lanczos without it

    @property
    def label(self) -> str:
        return f"{self.model.name}:{self.model.sha256[:12]}"

    @property
    def credit(self) -> str:
        return self.model.info.credits or f"Painted by the artgan model '{self.model.name}'."


def seed_for(day: str) -> int:
    return int(day.replace("-", ""))


def today() -> str:
    return dt.date.today().isoformat()


def pick_for_day(painter: Painter, day: str, history: History, settings: DailySettings) -> Picked:
    """Paint and vet candidates for ``day``; paint another batch while none survives."""
    earlier = history.hashes_except(day)
    all_candidates: list[Candidate] = []
    picked: Picked | None = None
    for round_ in range(settings.rounds):
        indices = list(range(round_ * settings.candidates, (round_ + 1) * settings.candidates))
        painted = dict(generate(painter.model, seed_for(day), range(indices[0], indices[-1] + 1), settings.batch_size))
        images = np.stack([painted[i] for i in indices])
        batch = score_candidates(indices, images, painter.critic, painter.thumbs, earlier, settings.rules)
        all_candidates += batch.candidates
        picked = Picked(all_candidates, batch.score_name, batch.notes)
        if picked.ranked:
            return picked
        log.warning("all %d candidates were rejected; painting %d more", len(all_candidates), settings.candidates)
    assert picked is not None
    raise NothingToPost(
        f"all {len(picked.candidates)} candidates for {day} were rejected "
        f"({_reasons(picked.candidates)}); nothing was posted. Try another painter or looser limits."
    )


def _reasons(candidates: list[Candidate]) -> str:
    counts: dict[str, int] = {}
    for c in candidates:
        kind = (c.rejected or "").split(" (")[0]
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _prepare(
    painter: Painter, publisher: str, day: str, history: History, staging: Path, settings: DailySettings,
    checkpoint: Checkpoint,
) -> Picked | None:
    """Make the row ``prepared``: reuse the day's picture if one exists, else paint and choose it."""
    shared = next((row for row in history.pictures_for(day) if _intact(row)), None)
    if shared is not None:
        history.update(day, publisher, status="prepared", **_picture_fields(shared))
        return None
    picked = pick_for_day(painter, day, history, settings)
    checkpoint("painted")
    best = picked.ranked[0]
    title = title_for(best.image)
    caption = make_caption(title, day, painter.credit, painter.model.name, settings.hashtags, settings.template)
    image_path = staging / f"{day}.jpg"
    jpeg = post_image(best.image, upscaler=painter.upscaler)
    write_text_atomic(staging / f"{day}.candidates.json", json.dumps(
        {"day": day, "scored_by": picked.score_name, "notes": picked.notes,
         "chosen": best.index, "candidates": [c.summary() for c in picked.candidates]}, indent=1) + "\n")
    write_bytes_atomic(image_path, jpeg)
    fields = dict(
        image_sha256=hashlib.sha256(jpeg).hexdigest(), image_path=str(image_path), phash=best.phash,
        score=best.score, scores=json.dumps({"scored_by": picked.score_name, **best.summary()}),
        title=title, caption=caption, model=painter.label,
    )
    history.update(day, publisher, status="prepared", **fields)
    checkpoint("prepared")
    return picked


def _intact(post: Post) -> bool:
    path = Path(post.image_path or "")
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == post.image_sha256


def _picture_fields(post: Post) -> dict[str, object]:
    keys = ("image_sha256", "image_path", "phash", "score", "scores", "title", "caption", "model")
    return {key: getattr(post, key) for key in keys}


class HistoryProgress:
    """A publisher's checkpoints, stored in its history row the moment they are saved."""

    def __init__(self, history: History, day: str, publisher: str, checkpoint: Checkpoint) -> None:
        self.history, self.day, self.publisher, self.checkpoint = history, day, publisher, checkpoint

    def get(self, key: str) -> str | None:
        post = self.history.get(self.day, self.publisher)
        return post.progress_dict.get(key) if post else None

    def save(self, key: str, value: str | None) -> None:
        self.history.save_progress(self.day, self.publisher, key, value)
        self.checkpoint(f"saved:{key}")


def post_today(
    painter: Painter,
    publisher: Publisher,
    history: History,
    staging: Path,
    day: str | None = None,
    settings: DailySettings = DailySettings(),
    checkpoint: Checkpoint = lambda step: None,
) -> DailyResult:
    """Post the day's painting to ``publisher`` unless that is already done."""
    day = day or today()
    row = history.claim(day, publisher.name)
    if row.status == "posted":
        return DailyResult(row, already_posted=True)
    picked = None
    if row.status == "pending" or not _intact(row):
        picked = _prepare(painter, publisher.name, day, history, staging, settings, checkpoint)
    row = history.get(day, publisher.name)
    assert row is not None and row.image_path and row.title is not None and row.caption is not None
    progress = HistoryProgress(history, day, publisher.name, checkpoint)
    try:
        remote_id = publisher.publish(Publication(day, Path(row.image_path), row.title, row.caption), progress)
    except PublishError as exc:
        history.update(day, publisher.name, error=str(exc))
        raise
    checkpoint("published")
    history.update(day, publisher.name, status="posted", remote_id=remote_id, error=None)
    post = history.get(day, publisher.name)
    assert post is not None
    log.info("posted %s to %s as %s", day, publisher.name, remote_id)
    return DailyResult(post, already_posted=False, picked=picked)
