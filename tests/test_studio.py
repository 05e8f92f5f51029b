"""The studio's API without a browser: painting, neighbours, walks, stars, the queue and every bad request."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest

pytest.importorskip("starlette")
from artgan.painter.painting import paint_one  # noqa: E402
from artgan.painter.provenance import Provenance  # noqa: E402
from artgan.scheduler.prepare import post_image  # noqa: E402
from artgan.studio.app import create_app  # noqa: E402
from artgan.studio.engine import StudioEngine, open_engine  # noqa: E402
from PIL import Image  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

@pytest.fixture
def engine(tmp_path) -> StudioEngine:
    return open_engine(tmp_path / "state", None)


@pytest.fixture
def client(engine):
    with TestClient(create_app(engine), raise_server_exceptions=False) as client:
        yield client


def finished(client, job: dict) -> dict:
    deadline = time.monotonic() + 600  # generous: CI machines can be slow and shared
    while job["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    return job


def paint(client, **body) -> list[dict]:
    answer = client.post("/api/paint", json=body)
    assert answer.status_code == 202, answer.text
    job = finished(client, answer.json())
    assert job["status"] == "done", job
    return job["result"]


def test_a_batch_is_painted_scored_and_repaintable_from_its_provenance(client, engine):
    batch = paint(client, seed=3, count=5, truncation=0.8)
    assert [p["provenance"]["index"] for p in batch] == [0, 1, 2, 3, 4]
    assert all(p["scored_by"] == "critic" for p in batch) and len({p["score"] for p in batch}) == 5
    first = batch[0]
    image = np.asarray(Image.open(io.BytesIO(client.get(first["url"]).content)))
    model = engine.painter(None).model
    provenance = Provenance(model.name, model.sha256, 3, 0, truncation=0.8)
    assert (image == paint_one(model, provenance)).all()
    large = client.get(first["large_url"])
    assert large.headers["content-type"] == "image/jpeg"
    assert large.content == post_image(paint_one(model, provenance), upscaler=engine.painter(None).upscaler)
    assert Image.open(io.BytesIO(large.content)).size == (1080, 1080)


def test_progress_is_reported_while_painting(client):
    answer = client.post("/api/paint", json={"seed": 1, "count": 24}).json()
    seen = set()
    while answer["status"] == "running":
        seen.add(answer["done"])
        answer = client.get(f"/api/jobs/{answer['id']}").json()
    assert answer["status"] == "done" and answer["done"] == answer["total"] == 24
    assert seen <= {0, 8, 16, 24}  # batches of 8


def test_more_like_this_paints_close_neighbours(client):
    (base,) = paint(client, seed=5, count=1)
    job = finished(client, client.post(f"/api/paintings/{base['id']}/more", json={"count": 4, "step": 0.3}).json())
    neighbours = job["result"]
    assert len(neighbours) == 4 and all(n["provenance"]["nudge"]["steps"][0][1] == 0.3 for n in neighbours)
    pixels = lambda p: np.asarray(Image.open(io.BytesIO(client.get(p["url"]).content)), dtype=float)  # noqa: E731
    others = paint(client, seed=6, count=4)
    near = np.mean([np.abs(pixels(n) - pixels(base)).mean() for n in neighbours])
    far = np.mean([np.abs(pixels(o) - pixels(base)).mean() for o in others])
    assert 0 < near < far  # "like this": closer than unrelated paintings
    again = finished(client, client.post(f"/api/paintings/{base['id']}/more", json={"count": 4}).json())["result"]
    assert not {n["id"] for n in again} & {n["id"] for n in neighbours}  # more means new ones


def test_a_walk_between_two_favourites_is_an_animation(client):
    a, b = paint(client, seed=8, count=2)
    job = finished(client, client.post("/api/walk", json={"from": a["id"], "to": b["id"], "frames": 5}).json())
    assert job["status"] == "done"
    gif = Image.open(io.BytesIO(client.get(job["result"]["url"]).content))
    assert gif.format == "GIF" and gif.n_frames == 10 and gif.size == (256, 256)


def test_stars_and_the_queue_live_in_the_history(client, engine, tmp_path):
    a, b = paint(client, seed=9, count=2)
    assert client.post(f"/api/paintings/{a['id']}/star", json={"starred": True}).json()["starred"]
    queued = client.post(f"/api/paintings/{b['id']}/queue", json={})
    assert queued.status_code == 201 and queued.json()["position"] == 1
    restarted = open_engine(tmp_path / "state", None)  # a new session: favourites are painted again from provenance
    with TestClient(create_app(restarted)) as again:
        favourites = again.get("/api/favourites").json()
        assert [f["id"] for f in favourites] == [a["id"]] and favourites[0]["starred"]
        assert again.get(favourites[0]["url"]).content == client.get(a["url"]).content
        assert [(q["seed"], q["index"]) for q in again.get("/api/queue").json()] == [(9, 1)]
    (item,) = engine.history.queue()
    assert Provenance.from_json(item.provenance, "q") == Provenance.from_json(json.dumps(
        {"artgan_provenance": 1, **{"model": "default", "model_sha256": b["provenance"]["painter_sha256"], "seed": 9,
                                    "index": 1}}), "expected")
    assert client.post(f"/api/queue/{item.id}/remove", json={}).status_code == 200 and engine.history.queue() == []
    assert client.post(f"/api/paintings/{a['id']}/star", json={"starred": False}).status_code == 200
    assert client.get("/api/favourites").json() == []


@pytest.mark.parametrize("body, message", [
    ({"seed": "abc"}, "the seed must be a whole number, not 'abc'"),
    ({"seed": -1}, "the seed must be between 0 and"),
    ({"count": 65}, "the number of paintings must be between 1 and 64, not 65"),
    ({"count": "many"}, "the number of paintings must be a whole number"),
    ({"truncation": 0}, "truncation must be more than 0 and at most 1"),
    ({"truncation": "x"}, "truncation must be a number"),
    ({"painter": "nope"}, "no model named 'nope'"),
    ({"class": "roses"}, "--class needs a conditional painter"),
    ([1, 2], "the request must be a JSON object"),
])
def test_bad_paint_requests_get_a_sentence(client, body, message):
    answer = client.post("/api/paint", json=body)
    assert answer.status_code == 400 and message in answer.json()["error"]
    assert "Traceback" not in answer.text


def test_other_bad_requests_get_a_sentence(client):
    assert client.post("/api/paint", content="seed=1").json()["error"].startswith("send the request as JSON")
    assert client.post("/api/paint", content="{", headers={"Content-Type": "application/json"}).json()["error"] == \
        "the request is not valid JSON"
    missing = client.get("/api/paintings/0123456789abcdef.png")
    assert missing.status_code == 404 and "paint a batch first" in missing.json()["error"]
    assert client.post("/api/walk", json={"from": "a"}).json()["error"].startswith("a walk needs two paintings")
    assert client.post("/api/paintings/x/more", json={"count": 99}).json()["error"].startswith("the number of neighbours")
    assert client.get("/api/nothing").json() == {"error": "there is nothing at /api/nothing"}
    assert client.post("/api/queue/77/remove", json={}).json()["error"].startswith("queue item 77 is not waiting")


def test_an_unexpected_failure_is_a_sentence_too(client, engine, monkeypatch):
    monkeypatch.setattr(engine, "painter_names", lambda: 1 / 0)
    answer = client.get("/api/painter")
    assert answer.status_code == 500 and answer.json() == {"error": "the studio failed unexpectedly (ZeroDivisionError); see the terminal"}


def test_the_history_page_shows_posts_and_escapes_them(client, engine):
    history = engine.history
    history.claim("2026-08-01", "mastodon")
    history.update("2026-08-01", "mastodon", status="prepared", title="<b>Bold</b>", caption="a & b", error="HTTP 503",
                   chosen_by="hand", provenance=Provenance("default", "0" * 64, 4, 2).to_json())
    page = client.get("/history").text
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold" not in page and "a &amp; b" in page
    assert "prepared (failed: will retry)" in page and "default seed 4 #2" in page and ">hand<" in page


def test_the_command_refuses_a_busy_port_and_warns_about_other_interfaces(cli, tmp_path):
    import socket

    from artgan.generator_cli.studio_commands import is_loopback

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = cli("studio", "--port", busy.getsockname()[1], "--state", tmp_path, "--no-open")
    assert result.exit_code == 1 and "choose another --port" in result.output
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("0.0.0.0")
    bad = cli("studio", "--model", "nope", "--state", tmp_path, "--no-open")
    assert bad.exit_code == 1 and "no model named 'nope'" in bad.output


def test_the_studio_paints_where_tensorflow_cannot_be_imported(tmp_path):
    import subprocess
    import sys

    script = f"""
import sys, time
class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('tensorflow', 'keras', 'tf2onnx', 'tf_keras'):
            raise ImportError(f'{{name}} is blocked for this test')
sys.meta_path.insert(0, NoTensorFlow())
from pathlib import Path
from starlette.testclient import TestClient
from artgan.studio.app import create_app
from artgan.studio.engine import open_engine
client = TestClient(create_app(open_engine(Path({str(tmp_path)!r}), None)))
job = client.post('/api/paint', json={{'seed': 1, 'count': 2}}).json()
while job['status'] == 'running':
    time.sleep(0.05)
    job = client.get('/api/jobs/' + job['id']).json()
assert job['status'] == 'done' and len(job['result']) == 2, job
assert 'tensorflow' not in sys.modules
print('ok')
"""
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
