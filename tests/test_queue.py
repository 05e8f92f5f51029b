"""The studio's queue in the daily flow: the head is posted, repainted from its provenance, still vetted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from artgan.models import load_model, resolve_painter
from artgan.painter.painting import generate, paint_one
from artgan.painter.provenance import Provenance
from artgan.scheduler.daily import DailySettings, Painter, post_today
from artgan.scheduler.history import History
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import FeedPublisher

SETTINGS = DailySettings(candidates=3)


class Crash(BaseException):
    pass


@pytest.fixture(scope="module")
def painter() -> Painter:
    return Painter(load_model(resolve_painter(None), device="cpu"))


def queued(painter: Painter, seed: int, index: int, **extra) -> str:
    return Provenance(painter.model.name, painter.model.sha256, seed, index, **extra).to_json()


def test_paint_one_is_the_same_painting_as_generate(painter):
    expected = dict(generate(painter.model, 7, [5], truncation=0.7))[5]
    again = paint_one(painter.model, Provenance("default", painter.model.sha256, 7, 5, truncation=0.7))
    assert (again == expected).all()
    nudged = paint_one(painter.model, Provenance("default", painter.model.sha256, 7, 5, truncation=0.7,
                                                 nudge={"steps": [[1, 0.3]]}))
    assert not (nudged == expected).all()
    farther = paint_one(painter.model, Provenance("default", painter.model.sha256, 7, 5, truncation=0.7,
                                                  nudge={"steps": [[1, 0.3], [0, 0.3]]}))
    distance = lambda a, b: float(np.abs(a.astype(int) - b.astype(int)).mean())  # noqa: E731
    assert 0 < distance(farther, nudged) and distance(nudged, expected) < 60


def test_the_queue_head_is_posted_by_hand_and_leaves_the_queue(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    first = history.enqueue(queued(painter, 99, 3, truncation=0.8))
    history.enqueue(queued(painter, 99, 4))
    with pytest.raises(Crash):  # a crash after painting: the rerun must take the same painting
        post_today(painter, FeedPublisher(tmp_path / "feed"), history, tmp_path / "staging", "2026-06-01", SETTINGS,
                   lambda step: (_ for _ in ()).throw(Crash(step)) if step == "painted" else None)
    result = post_today(painter, FeedPublisher(tmp_path / "feed"), History(tmp_path / "h.sqlite"), tmp_path / "staging",
                        "2026-06-01", SETTINGS)
    row = result.post
    assert row.status == "posted" and row.chosen_by == "hand"
    assert Provenance.from_json(row.provenance, "row") == Provenance.from_json(first.provenance, "queue")
    image = paint_one(painter.model, Provenance.from_json(first.provenance, "queue"))
    assert (tmp_path / "staging" / "2026-06-01.jpg").read_bytes() == post_image(image)
    assert [json.loads(q.provenance)["index"] for q in history.queue()] == [4]  # the second waits for tomorrow
    assert json.loads((tmp_path / "staging" / "2026-06-01.candidates.json").read_text())["chosen_by"] == "hand"


def test_a_queued_near_duplicate_of_an_earlier_post_is_set_aside(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    history.enqueue(queued(painter, 5, 0))
    post_today(painter, FeedPublisher(tmp_path / "feed"), history, tmp_path / "staging", "2026-06-01", SETTINGS)
    again = history.enqueue(queued(painter, 5, 0))  # the very same painting, queued for the next day
    result = post_today(painter, FeedPublisher(tmp_path / "feed"), history, tmp_path / "staging", "2026-06-02", SETTINGS)
    assert result.post.chosen_by == "picker"
    item = history.queue_item(again.id)
    assert item.day is None and "too close to an earlier post" in item.rejected
    assert history.queue() == []


def test_a_painting_from_other_weights_is_set_aside_with_the_reason(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    other = history.enqueue(Provenance("other", "0" * 64, 1, 0).to_json())
    result = post_today(painter, FeedPublisher(tmp_path / "feed"), history, tmp_path / "staging", "2026-06-01", SETTINGS)
    assert result.post.chosen_by == "picker"
    assert "not by the loaded default" in history.queue_item(other.id).rejected


def test_only_waiting_paintings_can_be_unqueued(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    taken, waiting = history.enqueue(queued(painter, 1, 1)), history.enqueue(queued(painter, 1, 2))
    assert history.take_queued("2026-06-01").id == taken.id
    assert history.take_queued("2026-06-01").id == taken.id  # a rerun of the day gets the same one
    assert not history.unqueue(taken.id) and history.unqueue(waiting.id) and history.queue() == []
