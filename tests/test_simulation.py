"""Sixty simulated days of `artgan schedule`: injected clock, publisher faults, crashes between steps.

Both publishers run every day (the feed, and Instagram through the local fake
Graph API).  Each day draws a fault plan from a seeded RNG: a crash at one of
the daily flow's steps (the process dies; the test restarts the schedule, which
catches up), transient Graph API failures, expired or failed containers, a lost
media_publish answer, or a feed write failure.  At the end there must be
exactly 60 posts on each side, no duplicates, and a history that matches both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

import pytest
from artgan.generator_cli.post_commands import build_setup, post_day
from artgan.scheduler.loop import DailyLoop
from artgan.scheduler.publishers import FeedPublisher, PublishError
from fake_graph import FakeGraph

DAYS = 60
START = dt.datetime(2026, 1, 1, 0, 0)
TOKEN = "sim-token"
CRASH_POINTS = ["painted", "prepared", "saved:image_url", "saved:container_id", "saved:media_id", "published"]


class Crash(BaseException):
    """The process dies (BaseException: nothing in artgan may swallow it)."""


class FlakyFeed(FeedPublisher):
    failures_left = 0

    def publish(self, publication, progress=None):
        if self.failures_left:
            self.failures_left -= 1
            raise PublishError("disk full (injected)")
        return super().publish(publication, progress)


@pytest.fixture
def graph(tmp_path):
    fake = FakeGraph(token=TOKEN, user_id="1784", files_root=tmp_path / "state" / "feed").start()
    yield fake
    fake.stop()


def test_sixty_days_with_faults_and_crashes_post_exactly_once_a_day(tmp_path, graph, monkeypatch):
    now = [START]
    graph.clock = lambda: now[0].timestamp()
    for key, value in {
        "ARTGAN_PUBLISHERS": "feed,instagram", "ARTGAN_IG_USER_ID": graph.user_id, "ARTGAN_IG_ACCESS_TOKEN": TOKEN,
        "ARTGAN_PUBLIC_BASE_URL": graph.files_url, "ARTGAN_GRAPH_URL": graph.graph_url,
    }.items():
        monkeypatch.setenv(key, value)
    rng = random.Random(6)
    plan: dict[str, list[str]] = {}  # day -> crash points still to hit
    crashes = restarts = 0

    def checkpoint(step: str) -> None:
        nonlocal crashes
        day = now[0].date().isoformat()
        if step in plan.get(day, []):
            plan[day].remove(step)
            crashes += 1
            raise Crash(step)

    def wait(seconds: float) -> bool:
        now[0] += dt.timedelta(seconds=seconds)
        if now[0].hour == 0 and now[0].minute == 0 and now[0].second < seconds:
            inject_faults(now[0].date().isoformat())
        return now[0] >= START + dt.timedelta(days=DAYS)

    def inject_faults(day: str) -> None:
        plan[day] = rng.sample(CRASH_POINTS, k=rng.choice([0, 1, 1, 2]))
        fault = rng.choice(["none", "transient", "expired", "error", "lost-answer", "feed", "rate-limit"])
        if fault == "transient":
            graph.fail_next(rng.choice(["limit", "create", "status", "publish"]), http=500, code=2)
        elif fault in ("expired", "error"):
            graph.outcomes.append(fault.upper())
        elif fault == "lost-answer":
            graph.fail_next("publish", http=500, code=1, after=True)
        elif fault == "rate-limit":
            graph.fail_next("create", times=9, http=400, code=4)  # outlasts one run's retries: a later check posts
        elif fault == "feed":
            feed_failures[0] = 1

    feed_failures = [0]
    inject_faults(START.date().isoformat())
    while now[0] < START + dt.timedelta(days=DAYS):
        setup = build_setup(None, tmp_path / "state", None, None, None, 6)  # a fresh process
        feed = FlakyFeed(setup.publishers[0].folder, public_base_url=graph.files_url)
        feed.failures_left, feed_failures[0] = feed_failures[0], 0
        setup.publishers[0] = feed
        setup.publishers[1].sleep = lambda s: None  # backoff and polling waits cost no time here
        setup.publishers[1].host = feed

        def is_done(day: str) -> bool:
            return all((row := setup.history.get(day, p.name)) is not None and row.status == "posted" for p in setup.publishers)

        loop = DailyLoop(lambda day: post_day(setup, day, checkpoint), is_done, dt.time(9, 0),
                         jitter=dt.timedelta(minutes=15), retry=dt.timedelta(minutes=30), clock=lambda: now[0], wait=wait)
        try:
            loop.run()
        except Crash:
            restarts += 1

    assert crashes > 20 and restarts == crashes  # the faults really happened
    rows = setup.history.all()
    assert len(rows) == 2 * DAYS and {r.status for r in rows} == {"posted"}
    days = [(START + dt.timedelta(days=i)).date().isoformat() for i in range(DAYS)]

    feed_posts = json.loads((feed.folder / "feed.json").read_text())["posts"]
    assert sorted(p["id"] for p in feed_posts) == days  # exactly one post a day
    by_day = {p["id"]: p for p in feed_posts}
    for row in (r for r in rows if r.publisher == "feed"):
        entry = by_day[row.day]
        assert (row.remote_id, row.title, row.caption) == (row.day, entry["title"], entry["caption"])
        assert hashlib.sha256((feed.folder / entry["image"]).read_bytes()).hexdigest() == row.image_sha256
    assert len({r.image_sha256 for r in rows}) == DAYS  # no painting posted twice

    media = graph.published
    assert len(media) == DAYS and len({m["caption"] for m in media}) == DAYS
    insta_rows = {r.remote_id: r for r in rows if r.publisher == "instagram"}
    assert sorted(insta_rows) == sorted(m["id"] for m in media)
    for m in media:
        row = insta_rows[m["id"]]
        assert m["caption"] == row.caption == by_day[row.day]["caption"]
        assert m["image_url"] == graph.files_url + f"images/{row.day}.jpg"
