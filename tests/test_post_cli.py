"""`artgan post`, `artgan pick` and `artgan history` from the command line."""

from __future__ import annotations

import json

import pytest
from fake_graph import FakeGraph
from PIL import Image

DAY = "2026-02-03"


def test_post_then_history(cli, tmp_path):
    state = tmp_path / "state"
    first = cli("post", "--state", state, "--n", "4", "--date", DAY)
    assert first.exit_code == 0, first.output
    assert f"for {DAY} to feed" in first.stdout
    again = cli("post", "--state", state, "--n", "4", "--date", DAY)
    assert again.exit_code == 0 and "Already posted" in again.stdout
    assert "candidate" in (state / "post.log").read_text()  # every candidate's scores are logged
    table = cli("history", "--state", state)
    assert table.exit_code == 0 and DAY in table.stdout and "posted" in table.stdout
    rows = json.loads(cli("history", "--state", state, "--json").stdout)
    assert [(r["day"], r["publisher"], r["status"]) for r in rows] == [(DAY, "feed", "posted")]
    feed = json.loads((state / "feed" / "feed.json").read_text())
    assert feed["posts"][0]["caption"] == rows[0]["caption"]


def test_history_before_any_post(cli, tmp_path):
    result = cli("history", "--state", tmp_path)
    assert result.exit_code == 0 and "nothing has been posted" in result.stdout


def test_pick_shows_the_best_and_writes_them(cli, tmp_path):
    result = cli("pick", "--n", "6", "--top", "2", "--state", tmp_path / "s", "--date", DAY, "--out", tmp_path / "best")
    assert result.exit_code == 0, result.output
    assert "Best of 6" in result.stdout and "critic" in result.stdout
    files = sorted((tmp_path / "best").iterdir())
    assert len(files) == 2 and all(Image.open(f).size == (1080, 1080) for f in files)
    assert not (tmp_path / "s" / "history.sqlite").exists() or "posted" not in cli("history", "--state", tmp_path / "s").stdout


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--date", "03/02/2026"], 2, "--date must look like"),
        (["--publisher", "tiktok"], 1, "unknown publisher"),
        (["--publisher", "instagram"], 1, "ARTGAN_IG_USER_ID"),
        (["--model", "nope"], 1, "no model named"),
    ],
)
def test_bad_input_is_one_clear_line(cli, tmp_path, args, code, message):
    result = cli("post", "--state", tmp_path / "s", "--n", "2", *args)
    assert result.exit_code == code and message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not (tmp_path / "s" / "feed").exists()


def test_bad_config_file(cli, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[instagram]\naccess_token = 'EAAB-secret'\n")
    result = cli("post", "--config", config, "--state", tmp_path / "s")
    assert result.exit_code == 1 and "must not be in the config file" in result.stderr
    assert "EAAB-secret" not in result.output + result.stderr


def test_post_to_instagram_and_the_feed(cli, tmp_path, monkeypatch):
    state = tmp_path / "state"
    graph = FakeGraph(token="tok-789", user_id="1784", files_root=state / "feed").start()
    try:
        for key, value in {"ARTGAN_IG_USER_ID": "1784", "ARTGAN_IG_ACCESS_TOKEN": "tok-789",
                           "ARTGAN_PUBLIC_BASE_URL": graph.files_url, "ARTGAN_GRAPH_URL": graph.graph_url}.items():
            monkeypatch.setenv(key, value)
        result = cli("post", "--state", state, "--n", "3", "--date", DAY, "-p", "feed", "-p", "instagram", "-v")
        assert result.exit_code == 0, result.output
        assert "to instagram (m1)" in result.stdout and "tok-789" not in result.output + result.stderr
        assert "tok-789" not in (state / "post.log").read_text()
        graph.fail_next("limit", http=400, code=4, subcode=2207051, message="restricted")
        blocked = cli("post", "--state", state, "--n", "3", "--date", "2026-02-04", "-p", "instagram")
        assert blocked.exit_code == 1 and "spam" in blocked.stderr
        rows = {(r["day"], r["publisher"]): r for r in json.loads(cli("history", "--state", state, "--json").stdout)}
        assert rows[("2026-02-04", "instagram")]["status"] == "prepared" and "spam" in rows[("2026-02-04", "instagram")]["error"]
        assert len(graph.published) == 1
    finally:
        graph.stop()


def test_without_a_critic_the_fallback_score_is_used_and_said(cli, tmp_path):
    import shutil

    from artgan.models import resolve_painter

    painter = tmp_path / "lonely.onnx"
    shutil.copy(resolve_painter(None), painter)  # no lonely.critic.onnx beside it
    result = cli("post", "--model", painter, "--state", tmp_path / "s", "--n", "3", "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "no critic next to the painter: scoring by colourfulness" in result.stderr
    rows = json.loads(cli("history", "--state", tmp_path / "s", "--json").stdout)
    assert json.loads(rows[0]["scores"])["scored_by"] == "colourfulness"


@pytest.mark.parametrize("publisher, needs", [("mastodon", "instance URL"), ("bluesky", "app password")])
def test_a_publisher_without_its_settings_is_a_clear_error(cli, tmp_path, publisher, needs):
    result = cli("post", "--state", tmp_path / "s", "-p", publisher, "--n", "2")
    assert result.exit_code != 0 and needs in result.output and "Traceback" not in result.output


def test_post_to_mastodon_and_bluesky_from_the_command_line(cli, tmp_path, monkeypatch):
    from fake_social import FakeBluesky, FakeMastodon

    token, password = "masto-secret-77", "bsky-secret-88"
    masto, bsky = FakeMastodon(token).start(), FakeBluesky("me.example", password).start()
    try:
        for key, value in {"ARTGAN_MASTODON_URL": masto.url, "ARTGAN_MASTODON_TOKEN": token, "ARTGAN_BSKY_SERVICE": bsky.url,
                           "ARTGAN_BSKY_HANDLE": "me.example", "ARTGAN_BSKY_APP_PASSWORD": password}.items():
            monkeypatch.setenv(key, value)
        result = cli("post", "--state", tmp_path / "s", "-p", "mastodon", "-p", "bluesky", "--n", "2", "--date", DAY)
        assert result.exit_code == 0, result.output
        assert "to mastodon (9000)" in result.stdout and "to bluesky (at://" in result.stdout
        log = (tmp_path / "s" / "post.log").read_text()
        assert all(secret not in text for secret in (token, password) for text in (result.output, log))
        assert len(masto.posted) == 1 and len(bsky.posted) == 1
        assert masto.posted[0]["media_attachments"][0]["description"] == bsky.posted[0]["embed"]["images"][0]["alt"]
    finally:
        masto.stop()
        bsky.stop()
