"""What the studio does, without the web: paint batches, neighbours and walks, score, star and queue.

Every painting is known by its provenance (painter hash, seed, index, truncation, class, nudge),
so anything the page shows can be painted again exactly: the large view, a favourite after a
restart, and the queued post that `artgan post` repaints. Its id is a hash of that provenance.
Paintings are kept in memory (painter pixels, a few KB each); the queue and the stars live in the
posting history (SQLite), so `artgan post` and `artgan history` see what the studio did.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from artgan.models.artifact import ModelError
from artgan.models.runtime import LoadedModel, load_model
from artgan.models.store import critic_path_for, list_models, resolve_painter
from artgan.painter.painting import class_index, latent_for, run_painter, upscale
from artgan.painter.provenance import Provenance
from artgan.painter.upscaling import OnnxUpscaler, load_upscaler, upscaler_beside
from artgan.painter.walks import slerp
from artgan.scheduler.history import History, QueueItem
from artgan.scheduler.picker import colourfulness, critic_scores
from artgan.scheduler.prepare import post_image
from PIL import Image

Progress = Callable[[int, int], None]  # (done, total)
BATCH = 8  # paint in batches this big, so the page's progress bar moves
WALK_SIZE = 256  # walk frames are shown this big (Lanczos; the learned upscaler is for posts)


class StudioError(ValueError):
    """A request the studio cannot do, said in a sentence for the page."""


@dataclass
class StudioPainter:
    model: LoadedModel
    critic: LoadedModel | None
    upscaler: OnnxUpscaler | None

    def info(self) -> dict:
        info = self.model.info
        return {"name": self.model.name, "sha256": self.model.sha256, "resolution": info.resolution,
                "latent_dim": info.latent_dim, "classes": list(info.class_names), "critic": self.critic is not None,
                "upscaler": self.upscaler.name if self.upscaler else "lanczos", "dataset": info.dataset_name}


@dataclass
class Painting:
    id: str
    provenance: Provenance
    image: np.ndarray  # uint8 [H, W, 3], the painter's own pixels
    score: float
    scored_by: str
    large: bytes | None = field(default=None, repr=False)  # the posted JPEG, made on first view

    def summary(self, starred: bool) -> dict:
        p = self.provenance
        return {"id": self.id, "url": f"/api/paintings/{self.id}.png", "large_url": f"/api/paintings/{self.id}/large.jpg",
                "score": round(self.score, 4), "scored_by": self.scored_by, "starred": starred,
                "provenance": {"painter": p.model, "painter_sha256": p.model_sha256, "seed": p.seed, "index": p.index,
                               "truncation": p.truncation, "class": p.class_name, "nudge": p.nudge}}


def painting_id(provenance: Provenance) -> str:
    return hashlib.sha256(provenance.to_json().encode()).hexdigest()[:16]


class StudioEngine:
    def __init__(self, history_path: Path, default_painter: str | None = None, max_cached: int = 2000) -> None:
        self.history_path = history_path
        self._local = threading.local()  # one SQLite connection per thread (the page's and the painting worker's)
        self.history  # open (and migrate) it now: a damaged history is an error at start
        self.default = default_painter
        self._painters: dict[str, StudioPainter] = {}
        self._paintings: OrderedDict[str, Painting] = OrderedDict()
        self._max_cached = max_cached
        self._lock = threading.RLock()
        self._walks: dict[str, bytes] = {}
        self.painter(None)  # load the default now: a bad --model is an error at start, not in the page

    @property
    def history(self) -> History:
        if getattr(self._local, "history", None) is None:
            self._local.history = History(self.history_path)
        return self._local.history

    # -- painters -------------------------------------------------------------------------------

    def painter(self, name: str | None) -> StudioPainter:
        """The painter by name or path (None: the studio's default), loaded once."""
        key = name or self.default or ""
        with self._lock:
            if key not in self._painters:
                path = resolve_painter(key or None)
                critic = critic_path_for(path)
                upscaler_path = upscaler_beside(path)
                self._painters[key] = StudioPainter(
                    load_model(path, expect_kind="painter"),
                    load_model(critic, expect_kind="critic") if critic else None,
                    load_upscaler(upscaler_path) if upscaler_path else None,
                )
            return self._painters[key]

    def painter_by_sha(self, sha256: str) -> StudioPainter:
        with self._lock:
            for painter in self._painters.values():
                if painter.model.sha256 == sha256:
                    return painter
        raise StudioError("that painting's painter is not loaded in this studio")

    def painter_names(self) -> list[str]:
        names = [entry.name for entry in list_models()]
        default = self.painter(None).model.name
        return [default] + [n for n in dict.fromkeys(names) if n != default]

    # -- painting -------------------------------------------------------------------------------

    def check(self, painter_name: str | None, class_name: str | None) -> StudioPainter:
        """The painter, when it exists and has ``class_name`` (a clear StudioError/ModelError otherwise)."""
        painter = self.painter(painter_name)
        if class_name is not None:
            class_index(painter.model, class_name)
        return painter

    def paint_batch(self, painter_name: str | None, seed: int, count: int, truncation: float, class_name: str | None,
                    progress: Progress = lambda done, total: None, first_index: int = 0) -> list[Painting]:
        painter = self.check(painter_name, class_name)
        model = painter.model
        provenances = [Provenance(model.name, model.sha256, seed, i, truncation=truncation, class_name=class_name)
                       for i in range(first_index, first_index + count)]
        return self._paint(painter, provenances, progress)

    def more_like(self, painting_id_: str, count: int, step: float, progress: Progress = lambda d, t: None) -> list[Painting]:
        """``count`` neighbours of a painting: its latent moved by ``step`` along new random directions."""
        base = self.get(painting_id_)
        p = base.provenance
        path = [list(step) for step in (p.nudge or {}).get("steps", [])]
        tried = {painting_id(q.provenance) for q in self._paintings.values()}
        provenances: list[Provenance] = []
        k = 0
        while len(provenances) < count:  # the next directions not yet painted from this one
            candidate = Provenance(p.model, p.model_sha256, p.seed, p.index, truncation=p.truncation,
                                   class_name=p.class_name, nudge={"steps": path + [[k, step]]})
            if painting_id(candidate) not in tried:
                provenances.append(candidate)
            k += 1
        return self._paint(self.painter_by_sha(p.model_sha256), provenances, progress)

    def walk(self, from_id: str, to_id: str, frames: int, progress: Progress = lambda d, t: None) -> str:
        """An animated GIF gliding from one painting to the other and back (slerp); returns its id."""
        a, b = self.get(from_id), self.get(to_id)
        if a.provenance.model_sha256 != b.provenance.model_sha256:
            raise StudioError("a walk needs two paintings by the same painter")
        painter = self.painter_by_sha(a.provenance.model_sha256)
        (za, la), (zb, _) = latent_for(painter.model, a.provenance), latent_for(painter.model, b.provenance)
        ts = [f / frames for f in range(frames)] + [1 - f / frames for f in range(frames)]
        z = np.stack([slerp(za[0], zb[0], t) for t in ts]).astype(np.float32)
        pictures: list[Image.Image] = []
        factor = max(1, WALK_SIZE // painter.model.info.resolution)
        for start in range(0, len(z), BATCH):
            chunk = z[start:start + BATCH]
            labels = None if la is None else np.full(len(chunk), la[0], np.int64)
            pictures += [upscale(image, factor) for image in run_painter(painter.model, chunk, labels, rounded=False)]
            progress(len(pictures), len(z))
        buffer = io.BytesIO()
        pictures[0].save(buffer, format="GIF", save_all=True, append_images=pictures[1:], duration=80, loop=0)
        walk_id = hashlib.sha256(f"{from_id}:{to_id}:{frames}".encode()).hexdigest()[:16]
        with self._lock:
            self._walks[walk_id] = buffer.getvalue()
        return walk_id

    def walk_gif(self, walk_id: str) -> bytes:
        try:
            return self._walks[walk_id]
        except KeyError:
            raise StudioError(f"no walk {walk_id!r} (the studio was restarted?)") from None

    def _paint(self, painter: StudioPainter, provenances: list[Provenance], progress: Progress) -> list[Painting]:
        done: list[Painting] = []
        for start in range(0, len(provenances), BATCH):
            chunk = provenances[start:start + BATCH]
            latents_labels = [latent_for(painter.model, p) for p in chunk]
            z = np.concatenate([zl[0] for zl in latents_labels])
            labels = None if latents_labels[0][1] is None else np.concatenate([zl[1] for zl in latents_labels])
            images = run_painter(painter.model, z, labels)
            if painter.critic is not None:
                scores, scored_by = critic_scores(painter.critic, images), "critic"
            else:
                scores, scored_by = np.array([colourfulness(im) for im in images]), "colourfulness"
            for p, image, score in zip(chunk, images, scores):
                done.append(self._remember(Painting(painting_id(p), p, image, float(score), scored_by)))
            progress(len(done), len(provenances))
        return done

    def _remember(self, painting: Painting) -> Painting:
        with self._lock:
            self._paintings[painting.id] = painting
            self._paintings.move_to_end(painting.id)
            while len(self._paintings) > self._max_cached:
                self._paintings.popitem(last=False)
        return painting

    # -- one painting ---------------------------------------------------------------------------

    def get(self, painting_id_: str) -> Painting:
        with self._lock:
            found = self._paintings.get(painting_id_)
        if found is None:
            for text in self.history.stars():  # a favourite from an earlier session: paint it again
                provenance = Provenance.from_json(text, "star")
                if painting_id(provenance) == painting_id_:
                    return self._repaint(provenance)
            raise StudioError(f"no painting {painting_id_!r} in this studio; paint a batch first")
        return found

    def _repaint(self, provenance: Provenance) -> Painting:
        try:
            painter = self.painter_by_sha(provenance.model_sha256)
        except StudioError:
            painter = self.painter(provenance.model)
        return self._paint(painter, [provenance], lambda d, t: None)[0]

    def png(self, painting_id_: str) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(self.get(painting_id_).image).save(buffer, format="PNG")
        return buffer.getvalue()

    def large(self, painting_id_: str) -> bytes:
        """The JPEG `artgan post` would publish for this painting (upscaled and prepared the same way)."""
        painting = self.get(painting_id_)
        if painting.large is None:
            painter = self.painter_by_sha(painting.provenance.model_sha256)
            painting.large = post_image(painting.image, upscaler=painter.upscaler)
        return painting.large

    # -- favourites and the queue ---------------------------------------------------------------

    def starred_ids(self) -> set[str]:
        return {painting_id(Provenance.from_json(text, "star")) for text in self.history.stars()}

    def star(self, painting_id_: str, starred: bool) -> None:
        self.history.star(self.get(painting_id_).provenance.to_json(), starred)

    def favourites(self) -> list[Painting]:
        found = []
        for text in self.history.stars():
            provenance = Provenance.from_json(text, "star")
            try:
                found.append(self.get(painting_id(provenance)))
            except (StudioError, ModelError):
                continue  # a favourite of a painter that is gone
        return found

    def enqueue(self, painting_id_: str) -> QueueItem:
        painting = self.get(painting_id_)
        return self.history.enqueue(painting.provenance.to_json(), note=f"queued in the studio ({painting.id})")

    def summaries(self, paintings: list[Painting]) -> list[dict]:
        stars = self.starred_ids()
        return [p.summary(p.id in stars) for p in paintings]


def open_engine(state: Path, painter: str | None) -> StudioEngine:
    return StudioEngine(state / "history.sqlite", painter)
