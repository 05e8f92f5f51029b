"""The Instagram publisher against a local fake of the Graph API, with injected failures."""

from __future__ import annotations

import numpy as np
import pytest
from artgan.scheduler.config import Secret
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import FeedPublisher, InstagramPublisher, MemoryProgress, Publication, PublishError
from artgan.scheduler.publishers.instagram import Action, classify
from fake_graph import FakeGraph

TOKEN = "IGQVJ-secret-token-123"


@pytest.fixture
def graph(tmp_path):
    fake = FakeGraph(token=TOKEN, user_id="17841400000000000", files_root=tmp_path / "feed").start()
    yield fake
    fake.stop()


@pytest.fixture
def publication(tmp_path):
    image = (np.random.default_rng(3).random((32, 32, 3)) * 255).astype(np.uint8)
    path = tmp_path / "staging" / "2026-03-01.jpg"
    path.parent.mkdir()
    path.write_bytes(post_image(image))
    return Publication("2026-03-01", path, "Through the Icy Glass", "Through the Icy Glass\n\n#artgan #ai",
                       "AI-generated painting: pale blues over a dark band")


@pytest.fixture
def make_publisher(graph, tmp_path):
    sleeps: list[float] = []

    def make(**options) -> InstagramPublisher:
        host = FeedPublisher(tmp_path / "feed", public_base_url=graph.files_url)
        publisher = InstagramPublisher(graph.user_id, Secret(TOKEN), host, graph.graph_url, sleep=sleeps.append,
                                       poll_interval_s=1.0, **options)
        publisher.sleeps = sleeps
        return publisher

    return make


def endpoints(graph):
    return [graph._endpoint(method, path.split("/v21.0/")[-1].split("/")) for method, path, _, _ in graph.requests]


def test_follows_the_documented_flow(graph, make_publisher, publication):
    graph.polls_before_finished = 2
    progress = MemoryProgress()
    media_id = make_publisher().publish(publication, progress)
    assert endpoints(graph) == ["limit", "create", "status", "status", "status", "publish"]
    assert graph.published == [{"id": media_id, "caption": publication.caption, "alt_text": publication.alt_text,
                                 "image_url": graph.files_url + "images/2026-03-01.jpg"}]
    assert progress.values == {"image_url": graph.files_url + "images/2026-03-01.jpg", "container_id": "c1", "media_id": media_id}
    for method, path, params, auth in graph.requests:  # the token travels in the header only
        assert auth == f"Bearer {TOKEN}" and TOKEN not in path and TOKEN not in str(params)


def test_publishing_again_with_the_same_progress_makes_no_request(graph, make_publisher, publication):
    progress = MemoryProgress()
    first = make_publisher().publish(publication, progress)
    count = len(graph.requests)
    assert make_publisher().publish(publication, progress) == first
    assert len(graph.requests) == count and len(graph.published) == 1


@pytest.mark.parametrize(
    "endpoint, failure",
    [
        ("limit", dict(http=400, code=4, message="Application request limit reached")),
        ("create", dict(http=500, code=2, message="Service temporarily unavailable")),
        ("create", dict(http=400, code=-2, subcode=2207003, message="It takes too long to download the media.")),
        ("create", dict(http=400, code=-1, subcode=2207001, message="Instagram server error.")),
        ("status", dict(drop=True)),
        ("publish", dict(http=400, code=17, message="User request limit reached")),
        ("publish", dict(http=503, code=None, message="")),
    ],
)
def test_transient_failures_are_retried_with_backoff(graph, make_publisher, publication, endpoint, failure):
    graph.fail_next(endpoint, times=2, **failure)
    publisher = make_publisher(backoff_s=2.0)
    publisher.publish(publication, MemoryProgress())
    assert len(graph.published) == 1
    backoffs = [s for s in publisher.sleeps if s != 1.0]  # 1.0 is the status poll interval
    assert backoffs == [2.0, 4.0]


def test_gives_up_after_the_retries_and_keeps_the_post_pending(graph, make_publisher, publication):
    graph.fail_next("create", times=10, http=500, code=1)
    with pytest.raises(PublishError, match="kept failing") as info:
        make_publisher(retries=3).publish(publication, MemoryProgress())
    assert info.value.retry_later and graph.published == []


def test_spam_restriction_stops_with_a_message(graph, make_publisher, publication):
    graph.fail_next("publish", http=400, code=4, subcode=2207051, message="We restrict certain activity")
    with pytest.raises(PublishError, match="spam"):
        make_publisher().publish(publication, MemoryProgress())
    assert endpoints(graph).count("publish") == 1 and graph.published == []


def test_quota_used_up_stops_before_creating_anything(graph, make_publisher, publication):
    graph.quota_used_elsewhere = graph.quota_total
    with pytest.raises(PublishError, match="quota"):
        make_publisher().publish(publication, MemoryProgress())
    assert endpoints(graph) == ["limit"]


@pytest.mark.parametrize("outcome", ["EXPIRED", "ERROR"])
def test_a_failed_container_is_replaced(graph, make_publisher, publication, outcome):
    graph.outcomes = [outcome]
    progress = MemoryProgress()
    make_publisher().publish(publication, progress)
    assert endpoints(graph).count("create") == 2 and len(graph.published) == 1
    assert progress.values["container_id"] == "c2"


def test_expired_at_publish_time_is_replaced(graph, make_publisher, publication):
    graph.fail_next("publish", http=400, code=-2, subcode=2207020, message="The media has expired.")
    make_publisher().publish(publication, MemoryProgress())
    assert endpoints(graph).count("create") == 2 and len(graph.published) == 1


def test_resumes_with_the_saved_container_after_a_crash(graph, make_publisher, publication):
    class CrashAfterContainer(MemoryProgress):
        def save(self, key, value):
            super().save(key, value)
            if key == "container_id" and value:
                raise KeyboardInterrupt("crash")

    progress = CrashAfterContainer()
    with pytest.raises(KeyboardInterrupt):
        make_publisher().publish(publication, progress)
    resumed = MemoryProgress()
    resumed.values = dict(progress.values)
    make_publisher().publish(publication, resumed)
    assert endpoints(graph).count("create") == 1 and len(graph.published) == 1


def test_a_lost_publish_answer_does_not_post_twice(graph, make_publisher, publication):
    graph.fail_next("publish", http=500, code=1, after=True)  # published, but the answer never arrives
    progress = MemoryProgress()
    media_id = make_publisher().publish(publication, progress)
    assert len(graph.published) == 1 and media_id == graph.published[0]["id"] == progress.values["media_id"]
    assert endpoints(graph).count("publish") == 1


def test_a_bad_token_stops_and_the_message_does_not_contain_it(graph, make_publisher, publication, tmp_path):
    host = FeedPublisher(tmp_path / "feed", public_base_url=graph.files_url)
    publisher = InstagramPublisher(graph.user_id, Secret("wrong-token-456"), host, graph.graph_url, sleep=lambda s: None)
    with pytest.raises(PublishError) as info:
        publisher.publish(publication, MemoryProgress())
    assert "190" in str(info.value) and "wrong-token-456" not in str(info.value)
    assert len(graph.requests) == 1


def test_an_unreachable_public_url_is_reported(graph, make_publisher, publication, tmp_path):
    host = FeedPublisher(tmp_path / "elsewhere", public_base_url=graph.files_url)  # not what the server serves
    publisher = InstagramPublisher(graph.user_id, Secret(TOKEN), host, graph.graph_url, sleep=lambda s: None)
    with pytest.raises(PublishError, match="public_base_url"):
        publisher.publish(publication, MemoryProgress())


def test_needs_a_public_base_url(tmp_path):
    with pytest.raises(PublishError, match="public_base_url"):
        InstagramPublisher("1", Secret(TOKEN), FeedPublisher(tmp_path), "http://127.0.0.1:9")


@pytest.mark.parametrize(
    "status, code, subcode, action",
    [
        (400, 4, 2207051, Action.STOP), (400, 9, 2207042, Action.STOP), (400, 4, None, Action.RETRY),
        (400, 17, None, Action.RETRY), (400, 613, None, Action.RETRY), (400, -2, 2207020, Action.NEW_CONTAINER),
        (400, 24, 2207008, Action.NEW_CONTAINER), (400, -1, 2207001, Action.RETRY), (400, 190, None, Action.STOP),
        (500, None, None, Action.RETRY), (429, None, None, Action.RETRY), (400, 100, None, Action.STOP),
    ],
)
def test_documented_error_codes_map_to_actions(status, code, subcode, action):
    assert classify(status, code, subcode) is action


@pytest.mark.parametrize("step", ["painted", "prepared", "saved:image_url", "saved:container_id", "saved:media_id", "published"])
def test_the_daily_flow_survives_a_crash_at_every_step(graph, make_publisher, tmp_path, step):
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
        post_today(painter, make_publisher(), History(tmp_path / "h.sqlite"), tmp_path / "staging", "2026-03-02",
                   settings, crash)
    result = post_today(painter, make_publisher(), History(tmp_path / "h.sqlite"), tmp_path / "staging", "2026-03-02",
                        settings)
    assert len(graph.published) == 1 and endpoints(graph).count("create") == 1
    assert result.post.status == "posted" and result.post.remote_id == graph.published[0]["id"]
    assert graph.published[0]["caption"] == result.post.caption
