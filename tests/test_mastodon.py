"""The Mastodon (and Pixelfed) publisher against a local fake server: request shapes, limits, failures, crashes."""

from __future__ import annotations

import numpy as np
import pytest
from artgan.scheduler.config import Secret
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import MastodonPublisher, MemoryProgress, Publication, PublishError
from artgan.scheduler.publishers.fitting import image_dimensions
from artgan.scheduler.publishers.mastodon import idempotency_key
from fake_social import FakeMastodon

TOKEN = "masto-secret-token-789"
DAY = "2026-03-01"


@pytest.fixture
def server():
    fake = FakeMastodon(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def publication(tmp_path):
    image = (np.random.default_rng(3).random((32, 32, 3)) * 255).astype(np.uint8)
    path = tmp_path / f"{DAY}.jpg"
    path.write_bytes(post_image(image))
    return Publication(DAY, path, "Through the Icy Glass", "Through the Icy Glass\n\nPainting of the day.\n\n#artgan #ai",
                       "AI-generated painting: pale blues over a dark band")


@pytest.fixture
def make(server):
    sleeps: list[float] = []

    def make(token: str = TOKEN, **options) -> MastodonPublisher:
        options.setdefault("poll_interval_s", 1.5)
        publisher = MastodonPublisher(server.url, Secret(token), sleep=sleeps.append, **options)
        publisher.sleeps = sleeps
        return publisher

    return make


def test_follows_the_documented_flow(server, make, publication):
    progress = MemoryProgress()
    status_id = make().publish(publication, progress)
    assert server.endpoints() == ["instance_v2", "upload", "media", "status"]
    upload = dict(server.requests)["upload"]
    filename, content_type, data = upload.form["file"]
    assert (filename, content_type, data) == (f"{DAY}.jpg", "image/jpeg", publication.image.read_bytes())
    assert upload.form["description"] == publication.alt_text
    status = dict(server.requests)["status"]
    assert status.headers["idempotency-key"] == idempotency_key(DAY, "mastodon")
    assert status.json == {"status": publication.caption, "media_ids": ["100"], "visibility": "public", "sensitive": False}
    assert server.posted[0]["id"] == status_id and server.posted[0]["media_attachments"][0]["description"] == publication.alt_text
    assert progress.values == {"media_id": "100", "status_attempt": idempotency_key(DAY, "mastodon"), "status_id": status_id}
    for _, request in server.requests:  # the token only ever travels in the Authorization header
        assert request.headers.get("authorization") in (f"Bearer {TOKEN}", None)
        assert TOKEN not in request.path and TOKEN.encode() not in request.body


def test_the_idempotency_key_depends_on_day_and_publisher():
    keys = {idempotency_key(d, p) for d in ("2026-03-01", "2026-03-02") for p in ("mastodon", "pixelfed")}
    assert len(keys) == 4 and idempotency_key(DAY, "mastodon") == idempotency_key(DAY, "mastodon")


def test_visibility_and_content_warning_options_are_sent(server, make, publication):
    make(visibility="unlisted", sensitive=True, spoiler_text="AI art", language="en").publish(publication, MemoryProgress())
    body = dict(server.requests)["status"].json
    assert (body["visibility"], body["sensitive"], body["spoiler_text"], body["language"]) == ("unlisted", True, "AI art", "en")


def test_waits_while_the_server_processes_the_image(server, make, publication):
    server.processing_polls = 3  # answers 202 to the upload, then 206 three times
    publisher = make()
    publisher.publish(publication, MemoryProgress())
    assert server.endpoints() == ["instance_v2", "upload", "media", "media", "media", "media", "status"]
    assert publisher.sleeps == [1.5, 1.5, 1.5] and len(server.posted) == 1


def test_the_instances_limits_are_respected(server, make, publication):
    server.limits.update(max_characters=40, image_size_limit=40_000, image_matrix_limit=400 * 400)
    make().publish(publication, MemoryProgress())
    text = server.posted[0]["content"]
    assert len(text) <= 40 and text.endswith("#artgan #ai") and "…" in text
    _, content_type, data = dict(server.requests)["upload"].form["file"]
    width, height = image_dimensions(data)
    assert content_type == "image/jpeg" and len(data) <= 40_000 and width * height <= 400 * 400


def test_a_server_without_v2_instance_is_read_through_v1(server, make, publication):
    server.v2_instance = False
    make().publish(publication, MemoryProgress())
    assert server.endpoints()[:3] == ["instance_v2", "instance_v1", "upload"] and len(server.posted) == 1


@pytest.mark.parametrize("endpoint", ["instance_v2", "upload", "status"])
def test_server_errors_are_retried_with_backoff(server, make, publication, endpoint):
    server.fail_next(endpoint, times=2, http=503)
    publisher = make(backoff_s=2.0)
    publisher.publish(publication, MemoryProgress())
    assert publisher.sleeps == [2.0, 4.0] and len(server.posted) == 1


def test_a_rate_limit_waits_as_long_as_the_server_asks(server, make, publication):
    server.fail_next("upload", http=429, retry_after="7")
    publisher = make()
    publisher.publish(publication, MemoryProgress())
    assert publisher.sleeps == [7.0] and len(server.posted) == 1


def test_a_long_rate_limit_leaves_the_post_pending(server, make, publication):
    server.fail_next("status", http=429, retry_after="3600")
    with pytest.raises(PublishError, match="rate-limited") as info:
        make().publish(publication, MemoryProgress())
    assert info.value.retry_later and server.posted == []


@pytest.mark.parametrize("http", [401, 403])
def test_refused_credentials_stop_without_showing_them(server, make, publication, http):
    if http == 401:
        publisher = make(token="wrong-token-000")
    else:
        server.fail_next("upload", http=403, message="This action is not allowed")
        publisher = make()
    with pytest.raises(PublishError, match="access token") as info:
        publisher.publish(publication, MemoryProgress())
    assert not info.value.retry_later and "wrong-token-000" not in str(info.value) and TOKEN not in str(info.value)
    assert server.posted == [] and publisher.sleeps == []


def test_bad_media_stops_with_the_servers_reason(server, make, publication):
    server.fail_next("upload", http=422, message="Validation failed: File content type is invalid")
    with pytest.raises(PublishError, match="refused the image.*content type"):
        make().publish(publication, MemoryProgress())
    assert "status" not in server.endpoints()


def test_a_lost_answer_is_retried_with_the_same_key_and_posts_once(server, make, publication):
    server.fail_next("status", http=502, after=True)  # posted, but the answer never arrives
    progress = MemoryProgress()
    status_id = make().publish(publication, progress)
    assert server.endpoints().count("status") == 2 and len(server.posted) == 1
    assert status_id == server.posted[0]["id"] == progress.values["status_id"]


def test_a_crash_before_the_status_id_was_saved_is_recognised_after_the_key_expired(server, make, publication):
    class CrashOnStatusId(MemoryProgress):
        def save(self, key, value):
            if key == "status_id":
                raise KeyboardInterrupt("crash")
            super().save(key, value)

    progress = CrashOnStatusId()
    with pytest.raises(KeyboardInterrupt):
        make().publish(publication, progress)
    server.keys.clear()  # more than an hour later: the server forgot the idempotency key
    resumed = MemoryProgress()
    resumed.values = dict(progress.values)
    assert make().publish(publication, resumed) == server.posted[0]["id"]
    assert len(server.posted) == 1 and server.endpoints().count("status") == 1


def test_expired_media_is_uploaded_again(server, make, publication):
    progress = MemoryProgress()
    progress.values = {"media_id": "55"}  # uploaded by an earlier run, since removed by the server
    make().publish(publication, progress)
    assert server.endpoints().count("upload") == 1 and server.posted[0]["media_attachments"][0]["id"] == "100"


@pytest.mark.parametrize("step", ["painted", "prepared", "saved:media_id", "saved:status_attempt", "saved:status_id", "published"])
def test_the_daily_flow_survives_a_crash_at_every_step(server, make, tmp_path, step):
    from artgan.models import load_model, resolve_painter
    from artgan.scheduler.daily import DailySettings, Painter, post_today
    from artgan.scheduler.history import History

    class Crash(BaseException):
        pass

    def crash(at):
        if at == step:
            raise Crash(at)

    painter = Painter(load_model(resolve_painter(None), device="cpu"))
    settings = DailySettings(candidates=3)
    with pytest.raises(Crash):
        post_today(painter, make(), History(tmp_path / "h.sqlite"), tmp_path / "staging", DAY, settings, crash)
    server.keys.clear()  # the rerun may come after the server forgot the key: the history must be the guard
    result = post_today(painter, make(), History(tmp_path / "h.sqlite"), tmp_path / "staging", DAY, settings)
    assert len(server.posted) == 1 and result.post.remote_id == server.posted[0]["id"]
    assert server.posted[0]["content"] == result.post.caption
    assert server.posted[0]["media_attachments"][0]["description"] == result.post.alt_text
