"""Sixty simulated days of `artgan schedule`: injected clock, publisher faults, crashes between steps.

All four publishers run every day (the feed; Instagram through the local fake
Graph API; Mastodon and Bluesky through their local fakes).  Each day draws a
fault plan from a seeded RNG: a crash at one of the daily flow's steps (the
process dies; the test restarts the schedule, which catches up), transient
server failures, expired or failed containers, lost answers (Instagram's
media_publish, Mastodon's status, Bluesky's createRecord), rate limits,
an expired Bluesky session, slow media processing, or a feed write failure.
The Mastodon fake forgets idempotency keys after an hour of simulated time, so
the history, not the key, must prevent duplicates across crashes.  At the end
there must be exactly 60 posts on each of the four, no duplicates, and a
history that matches them all.
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
from fake_social import FakeBluesky, FakeMastodon

DAYS = 60
START = dt.datetime(2026, 1, 1, 0, 0)
TOKEN = "sim-token"
CRASH_POINTS = ["painted", "prepared", "saved:image_url", "saved:container_id", "saved:media_id", "published",
                "saved:status_attempt", "saved:status_id", "saved:blob", "saved:created_at", "saved:uri"]
MASTODON_TOKEN, BSKY_HANDLE, BSKY_PASSWORD = "sim-masto-token", "sim.bsky.social", "sim-app-password"


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


@pytest.fixture
def mastodon():
    fake = FakeMastodon(MASTODON_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def bluesky():
    fake = FakeBluesky(BSKY_HANDLE, BSKY_PASSWORD).start()
    yield fake
    fake.stop()


def test_sixty_days_with_faults_and_crashes_post_exactly_once_a_day(tmp_path, graph, mastodon, bluesky, monkeypatch):
    now = [START]
    graph.clock = mastodon.clock = lambda: now[0].timestamp()
    for key, value in {
        "ARTGAN_PUBLISHERS": "feed,instagram,mastodon,bluesky", "ARTGAN_IG_USER_ID": graph.user_id,
        "ARTGAN_IG_ACCESS_TOKEN": TOKEN, "ARTGAN_PUBLIC_BASE_URL": graph.files_url, "ARTGAN_GRAPH_URL": graph.graph_url,
        "ARTGAN_MASTODON_URL": mastodon.url, "ARTGAN_MASTODON_TOKEN": MASTODON_TOKEN,
        "ARTGAN_BSKY_SERVICE": bluesky.url, "ARTGAN_BSKY_HANDLE": BSKY_HANDLE, "ARTGAN_BSKY_APP_PASSWORD": BSKY_PASSWORD,
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
        mastodon.processing_polls = 0
        social = rng.choice(["none", "masto-transient", "masto-lost", "masto-rate-limit", "masto-processing",
                             "bsky-transient", "bsky-lost", "bsky-expired", "bsky-rate-limit"])
        if social == "masto-transient":
            mastodon.fail_next(rng.choice(["instance_v2", "upload", "media", "status"]), http=503)
        elif social == "masto-lost":
            mastodon.fail_next("status", http=502, after=True)
        elif social == "masto-rate-limit":  # longer than a run waits: a later check posts
            mastodon.fail_next("status", http=429, retry_after="7200")
        elif social == "masto-processing":
            mastodon.processing_polls = 2
        elif social == "bsky-transient":
            bluesky.fail_next(rng.choice(["login", "get", "upload", "create"]), http=502)
        elif social == "bsky-lost":
            bluesky.fail_next("create", http=500, after=True)
        elif social == "bsky-expired":
            bluesky.tokens = {token: 0 for token in bluesky.tokens}
            bluesky.token_uses = 2
        elif social == "bsky-rate-limit":
            bluesky.fail_next("upload", http=429, error="RateLimitExceeded", message="Rate Limit Exceeded",
                              headers={"RateLimit-Reset": str(int(now[0].timestamp()) + 86400)})

    feed_failures = [0]
    inject_faults(START.date().isoformat())
    while now[0] < START + dt.timedelta(days=DAYS):
        setup = build_setup(None, tmp_path / "state", None, None, None, 6)  # a fresh process
        feed = FlakyFeed(setup.publishers[0].folder, public_base_url=graph.files_url)
        feed.failures_left, feed_failures[0] = feed_failures[0], 0
        setup.publishers[0] = feed
        for publisher in setup.publishers[1:]:
            publisher.sleep = lambda s: None  # backoff and polling waits cost no time here
        setup.publishers[1].host = feed
        setup.publishers[3].api.now = lambda: now[0].timestamp()  # Bluesky's RateLimit-Reset is in simulated time

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
    assert len(rows) == 4 * DAYS and {r.status for r in rows} == {"posted"}
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

    statuses = mastodon.posted
    assert len(statuses) == DAYS and len({s["content"] for s in statuses}) == DAYS
    masto_rows = {r.remote_id: r for r in rows if r.publisher == "mastodon"}
    assert sorted(masto_rows) == sorted(s["id"] for s in statuses)
    for status in statuses:
        row = masto_rows[status["id"]]
        assert status["content"] == row.caption and status["media_attachments"][0]["description"] == row.alt_text

    records = bluesky.records
    assert len(records) == DAYS
    bsky_rows = {r.remote_id: r for r in rows if r.publisher == "bluesky"}
    assert sorted(bsky_rows) == sorted(f"at://{bluesky.did}/app.bsky.feed.post/{rkey}" for rkey in records)
    for uri, row in bsky_rows.items():
        record = records[uri.rsplit("/", 1)[-1]]
        assert record["text"] == row.caption and record["embed"]["images"][0]["alt"] == row.alt_text
