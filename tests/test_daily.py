"""The daily flow: crash anywhere, rerun, and end with exactly one post and a matching history row."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest
from artgan.models import load_model, resolve_painter
from artgan.models.store import critic_path_for
from artgan.scheduler.daily import DailySettings, NothingToPost, Painter, pick_for_day, post_today
from artgan.scheduler.history import History
from artgan.scheduler.picker import PickRules
from artgan.scheduler.publishers import FeedPublisher
from PIL import Image

DAY = "2026-04-01"
SETTINGS = DailySettings(candidates=6)


class Crash(BaseException):
    pass


@pytest.fixture(scope="module")
def painter() -> Painter:
    path = resolve_painter(None)
    return Painter(load_model(path, device="cpu"), load_model(critic_path_for(path), device="cpu"))


def crash_at(step_to_crash: str):
    def checkpoint(step: str) -> None:
        if step == step_to_crash:
            raise Crash(step)

    return checkpoint


@pytest.mark.parametrize("step", ["painted", "prepared", "published"])
def test_a_crash_at_any_step_then_a_rerun_posts_exactly_once(painter, tmp_path, step):
    history, feed = History(tmp_path / "h.sqlite"), FeedPublisher(tmp_path / "feed")
    with pytest.raises(Crash):
        post_today(painter, feed, history, tmp_path / "staging", DAY, SETTINGS, crash_at(step))
    result = post_today(painter, feed, History(tmp_path / "h.sqlite"), tmp_path / "staging", DAY, SETTINGS)
    assert not result.already_posted and result.post.status == "posted"
    posts = json.loads((tmp_path / "feed" / "feed.json").read_text())["posts"]
    assert [p["id"] for p in posts] == [DAY]
    row = result.post
    assert (row.title, row.caption) == (posts[0]["title"], posts[0]["caption"])
    assert hashlib.sha256((tmp_path / "feed" / posts[0]["image"]).read_bytes()).hexdigest() == row.image_sha256
    again = post_today(painter, feed, history, tmp_path / "staging", DAY, SETTINGS)
    assert again.already_posted and len(json.loads((tmp_path / "feed" / "feed.json").read_text())["posts"]) == 1


def test_the_same_day_paints_the_same_picture_after_a_crash(painter, tmp_path):
    first = tmp_path / "a"
    post_today(painter, FeedPublisher(first / "feed"), History(first / "h.sqlite"), first / "staging", DAY, SETTINGS)
    second = tmp_path / "b"
    with pytest.raises(Crash):
        post_today(painter, FeedPublisher(second / "feed"), History(second / "h.sqlite"), second / "staging", DAY,
                   SETTINGS, crash_at("painted"))
    post_today(painter, FeedPublisher(second / "feed"), History(second / "h.sqlite"), second / "staging", DAY, SETTINGS)
    assert (first / "staging" / f"{DAY}.jpg").read_bytes() == (second / "staging" / f"{DAY}.jpg").read_bytes()


def test_the_row_records_the_choice_and_every_candidate_is_logged(painter, tmp_path):
    result = post_today(painter, FeedPublisher(tmp_path / "feed"), History(tmp_path / "h.sqlite"), tmp_path / "staging",
                        DAY, SETTINGS)
    row = result.post
    scores = json.loads(row.scores)
    assert scores["scored_by"] == "critic" and scores["score"] == pytest.approx(row.score, abs=1e-5)
    assert len(row.phash) == 16 and row.model.startswith("default:")
    log = json.loads((tmp_path / "staging" / f"{DAY}.candidates.json").read_text())
    assert len(log["candidates"]) == 6 and log["chosen"] == scores["index"]
    best = max((c for c in log["candidates"] if c["rejected"] is None), key=lambda c: c["score"])
    assert best["index"] == scores["index"]
    with Image.open(row.image_path) as image:
        assert image.format == "JPEG" and image.width == 1080


def test_two_publishers_post_the_same_painting(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    one = post_today(painter, FeedPublisher(tmp_path / "one"), history, tmp_path / "staging", DAY, SETTINGS)

    class Second(FeedPublisher):
        name = "second"

    two = post_today(painter, Second(tmp_path / "two"), history, tmp_path / "staging", DAY, SETTINGS)
    assert two.picked is None  # reused, not painted again
    assert (one.post.image_sha256, one.post.caption) == (two.post.image_sha256, two.post.caption)


def test_a_painting_close_to_an_earlier_post_is_not_chosen(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    best = pick_for_day(painter, DAY, history, SETTINGS).ranked[0]
    history.claim("2026-03-31", "feed")
    history.update("2026-03-31", "feed", phash=best.phash)
    again = pick_for_day(painter, DAY, history, SETTINGS)
    assert again.ranked[0].index != best.index
    assert next(c for c in again.candidates if c.index == best.index).rejected.startswith("too close to an earlier post")


def test_nothing_to_post_when_every_candidate_is_rejected(painter, tmp_path):
    history = History(tmp_path / "h.sqlite")
    history.claim("2026-03-31", "feed")
    history.update("2026-03-31", "feed", phash="0" * 16)
    strict = DailySettings(candidates=3, rounds=2, rules=PickRules(novelty_bits=64))
    with pytest.raises(NothingToPost, match="all 6 candidates"):
        post_today(painter, FeedPublisher(tmp_path / "feed"), history, tmp_path / "staging", DAY, strict)
    assert not (tmp_path / "feed" / "feed.json").exists()


def test_a_lost_staged_image_is_painted_again(painter, tmp_path):
    history, feed = History(tmp_path / "h.sqlite"), FeedPublisher(tmp_path / "feed")
    with pytest.raises(Crash):
        post_today(painter, feed, history, tmp_path / "staging", DAY, SETTINGS, crash_at("prepared"))
    staged = tmp_path / "staging" / f"{DAY}.jpg"
    expected = staged.read_bytes()
    staged.unlink()
    post_today(painter, feed, history, tmp_path / "staging", DAY, SETTINGS)
    assert staged.read_bytes() == expected and history.get(DAY, "feed").status == "posted"


def test_the_first_release_history_is_migrated(tmp_path):
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE posts (day TEXT NOT NULL, publisher TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'posted')), image_sha256 TEXT, image_path TEXT,
            score REAL, title TEXT, caption TEXT, remote_id TEXT, model TEXT,
            updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), PRIMARY KEY (day, publisher))""")
        db.execute("INSERT INTO posts (day, publisher, status, title) VALUES ('2026-01-02', 'feed', 'posted', 'Old')")
    history = History(path)
    assert [(p.day, p.status, p.title) for p in history.all()] == [("2026-01-02", "posted", "Old")]
    history.claim(DAY, "feed")
    history.update(DAY, "feed", status="prepared")  # a status the old schema refused
    assert history.get(DAY, "feed").status == "prepared"


def test_progress_is_saved_and_forgotten(tmp_path):
    history = History(tmp_path / "h.sqlite")
    history.claim(DAY, "instagram")
    history.save_progress(DAY, "instagram", "container_id", "c1")
    history.save_progress(DAY, "instagram", "media_id", "m1")
    history.save_progress(DAY, "instagram", "container_id", None)
    assert History(tmp_path / "h.sqlite").get(DAY, "instagram").progress_dict == {"media_id": "m1"}


def test_a_damaged_history_file_is_a_clear_error(tmp_path):
    from artgan.scheduler.history import HistoryError

    (tmp_path / "h.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryError, match="move it away"):
        History(tmp_path / "h.sqlite")
