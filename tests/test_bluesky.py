"""The Bluesky publisher against a local fake PDS: request shapes, the lexicon's limits, failures, crashes."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from artgan.scheduler.config import Secret
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import BlueskyPublisher, MemoryProgress, Publication, PublishError
from artgan.scheduler.publishers.bluesky import TID_ALPHABET, fit_post_text, hashtag_facets, tid_for
from artgan.scheduler.publishers.fitting import graphemes
from fake_social import FakeBluesky
from PIL import Image

HANDLE, PASSWORD = "artgan.bsky.social", "abcd-efgh-ijkl-mnop"
DAY = "2026-03-01"


@pytest.fixture
def pds():
    fake = FakeBluesky(HANDLE, PASSWORD).start()
    yield fake
    fake.stop()


def make_publication(path, caption="Through the Icy Glass\n\nPainting of the day.\n\n#artgan #ai", image=None):
    if image is None:
        path.write_bytes(post_image((np.random.default_rng(3).random((32, 32, 3)) * 255).astype(np.uint8)))
    else:
        path.write_bytes(image)
    return Publication(DAY, path, "Through the Icy Glass", caption, "AI-generated painting: pale blues over a dark band")


@pytest.fixture
def publication(tmp_path):
    return make_publication(tmp_path / f"{DAY}.jpg")


@pytest.fixture
def make(pds):
    sleeps: list[float] = []

    def make(password: str = PASSWORD, **options) -> BlueskyPublisher:
        publisher = BlueskyPublisher(HANDLE, Secret(password), pds.url, sleep=sleeps.append, **options)
        publisher.sleeps = sleeps
        return publisher

    return make


def test_follows_the_documented_flow(pds, make, publication):
    progress = MemoryProgress()
    uri = make().publish(publication, progress)
    assert pds.endpoints() == ["login", "get", "upload", "create"]
    requests = dict(pds.requests)
    assert requests["login"].json == {"identifier": HANDLE, "password": PASSWORD}
    upload = requests["upload"]
    assert upload.headers["content-type"] == "image/jpeg" and upload.body == publication.image.read_bytes()
    create = requests["create"].json
    rkey = tid_for(DAY, "bluesky")
    assert (create["repo"], create["collection"], create["rkey"]) == (pds.did, "app.bsky.feed.post", rkey)
    record = create["record"]
    assert record["text"] == publication.caption and record["createdAt"].endswith("Z")
    assert [f["features"][0]["tag"] for f in record["facets"]] == ["artgan", "ai"]
    image = record["embed"]["images"][0]
    assert image["alt"] == publication.alt_text and image["aspectRatio"] == {"width": 1080, "height": 1080}
    assert uri == f"at://{pds.did}/app.bsky.feed.post/{rkey}" == progress.values["uri"]
    for name, request in pds.requests:  # the app password goes to createSession only, the session token in a header
        if name != "login":
            assert request.headers["authorization"] == "Bearer access-1" and PASSWORD.encode() not in request.body
        assert PASSWORD not in request.path and PASSWORD not in str(request.query)


def test_record_keys_are_valid_tids_fixed_per_day():
    keys = [tid_for(day, "bluesky") for day in ("2026-03-01", "2026-03-02", "2027-01-01")]
    assert all(len(k) == 13 and set(k) <= set(TID_ALPHABET) and k[0] in "234567abcdefghij" for k in keys)
    assert keys == sorted(keys) and len(set(keys)) == 3 and tid_for("2026-03-01", "bluesky") == keys[0]
    assert tid_for("2026-03-01", "bluesky-art") != keys[0]


def test_hashtag_facets_use_utf8_byte_offsets():
    text = "Été à Paris — #artgan #peinture"
    facets = hashtag_facets(text)
    raw = text.encode()
    assert [raw[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in facets] == ["#artgan", "#peinture"]
    assert facets[0]["index"]["byteStart"] != text.index("#artgan")  # bytes, not characters


def test_graphemes_do_not_count_combining_marks_or_joiners():
    assert graphemes("e\u0301te\u0301") == 3  # é written as e + combining acute, twice
    assert graphemes("\U0001F469\u200D\U0001F3A8") == 2  # woman artist: an upper bound (1 grapheme really)
    assert graphemes("abc") == 3


def test_long_captions_are_cut_to_300_graphemes_keeping_the_hashtags(pds, make, tmp_path):
    caption = "Title\n\n" + " ".join(["word"] * 200) + "\n\n#artgan #generativeart"
    make().publish(make_publication(tmp_path / "p.jpg", caption), MemoryProgress())
    text = pds.posted[0]["text"]
    assert graphemes(text) <= 300 and text.endswith("…\n\n#artgan #generativeart")
    assert [f["features"][0]["tag"] for f in pds.posted[0]["facets"]] == ["artgan", "generativeart"]
    assert fit_post_text("short #tag") == "short #tag"


def test_an_image_over_the_lexicons_limit_is_made_to_fit(pds, make, tmp_path):
    noise = Image.fromarray((np.random.default_rng(1).random((1350, 1080, 3)) * 255).astype(np.uint8))
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=95)
    assert buffer.tell() > 1_000_000
    make().publish(make_publication(tmp_path / "big.jpg", image=buffer.getvalue()), MemoryProgress())
    upload = dict(pds.requests)["upload"]
    assert len(upload.body) <= 1_000_000 and Image.open(io.BytesIO(upload.body)).format == "JPEG"
    ratio = pds.posted[0]["embed"]["images"][0]["aspectRatio"]
    assert abs(ratio["width"] / ratio["height"] - 1080 / 1350) < 0.01


def test_an_expired_session_logs_in_again_once(pds, make, publication):
    pds.token_uses = 2  # the first session token expires after two calls
    make().publish(publication, MemoryProgress())
    assert pds.logins == 2 and len(pds.posted) == 1


def test_a_wrong_app_password_stops_without_showing_it(pds, make, publication):
    with pytest.raises(PublishError, match="app password") as info:
        make(password="wrong-pass-1234").publish(publication, MemoryProgress())
    assert not info.value.retry_later and "wrong-pass-1234" not in str(info.value) and pds.posted == []


def test_rate_limits_wait_until_the_reset(pds, make, publication):
    pds.fail_next("upload", http=429, error="RateLimitExceeded", message="Rate Limit Exceeded",
                  headers={"RateLimit-Reset": str(int(time.time()) + 30)})
    publisher = make()
    publisher.publish(publication, MemoryProgress())
    assert len(publisher.sleeps) == 1 and 25 <= publisher.sleeps[0] <= 31 and len(pds.posted) == 1


def test_server_errors_are_retried(pds, make, publication):
    pds.fail_next("create", times=2, http=502)
    publisher = make(backoff_s=1.0)
    publisher.publish(publication, MemoryProgress())
    assert publisher.sleeps == [1.0, 2.0] and len(pds.posted) == 1


def test_a_lost_answer_finds_the_post_instead_of_making_another(pds, make, publication):
    pds.fail_next("create", http=500, after=True)  # created, but the answer is lost; the retry is refused
    progress = MemoryProgress()
    uri = make().publish(publication, progress)
    assert len(pds.posted) == 1 and uri == progress.values["uri"]
    assert pds.endpoints().count("create") == 2 and pds.endpoints()[-1] == "get"


def test_a_refused_record_stops_with_the_reason(pds, make, publication):
    pds.fail_next("create", http=400, error="InvalidRecord", message="Record/text must not be longer than 300 graphemes")
    with pytest.raises(PublishError, match="300 graphemes") as info:
        make().publish(publication, MemoryProgress())
    assert not info.value.retry_later


@pytest.mark.parametrize("step", ["painted", "prepared", "saved:blob", "saved:created_at", "saved:uri", "published"])
def test_the_daily_flow_survives_a_crash_at_every_step(pds, make, tmp_path, step):
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
    result = post_today(painter, make(), History(tmp_path / "h.sqlite"), tmp_path / "staging", DAY, settings)
    assert len(pds.posted) == 1 and result.post.remote_id.endswith(tid_for(DAY, "bluesky"))
    assert pds.posted[0]["embed"]["images"][0]["alt"] == result.post.alt_text
