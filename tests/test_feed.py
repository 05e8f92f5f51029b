"""The feed publisher: images, feed.json, Atom feed and the grid page, with captions escaped."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from artgan.scheduler.publishers import FeedPublisher, Publication, PublishError

ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = '<script>alert("x")</script> & "quotes"'


def publish(feed: FeedPublisher, tmp_path, day: str, caption: str = "A caption #art") -> None:
    image = tmp_path / f"{day}.jpg"
    image.write_bytes(b"\xff\xd8 jpeg " + day.encode())
    feed.publish(Publication(day, image, f"Title {day}", caption))


def test_posts_are_listed_newest_first_in_every_format(tmp_path):
    feed = FeedPublisher(tmp_path / "feed", public_base_url="https://example.org/art")
    for day in ["2026-01-02", "2026-01-03", "2026-01-01"]:
        publish(feed, tmp_path, day)
    posts = json.loads((feed.folder / "feed.json").read_text())["posts"]
    assert [p["id"] for p in posts] == ["2026-01-03", "2026-01-02", "2026-01-01"]
    assert (feed.folder / "images" / "2026-01-02.jpg").read_bytes().endswith(b"2026-01-02")
    atom = ET.parse(feed.folder / "atom.xml").getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}id") for e in entries] == [f"urn:artgan:post:{p['id']}" for p in posts]
    assert entries[0].find(f"{ATOM}link").get("href") == "https://example.org/art/images/2026-01-03.jpg"
    page = (feed.folder / "index.html").read_text()
    assert page.index("2026-01-03") < page.index("2026-01-02") < page.index("2026-01-01")


def test_publishing_the_same_day_again_replaces_its_post(tmp_path):
    feed = FeedPublisher(tmp_path / "feed")
    publish(feed, tmp_path, "2026-01-02", "first")
    publish(feed, tmp_path, "2026-01-02", "second")
    posts = json.loads((feed.folder / "feed.json").read_text())["posts"]
    assert [(p["id"], p["caption"]) for p in posts] == [("2026-01-02", "second")]


def test_captions_and_titles_are_escaped(tmp_path):
    feed = FeedPublisher(tmp_path / "feed", title="Mine & <yours>")
    publish(feed, tmp_path, "2026-01-02", EVIL)
    page = (feed.folder / "index.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; &quot;quotes&quot;" in page
    assert "Mine &amp; &lt;yours&gt;" in page
    atom = ET.parse(feed.folder / "atom.xml").getroot()  # parses: the XML is well formed
    assert atom.find(f"{ATOM}entry").findtext(f"{ATOM}content") == EVIL


def test_a_damaged_feed_is_reported_not_overwritten(tmp_path):
    feed = FeedPublisher(tmp_path / "feed")
    feed.folder.mkdir()
    (feed.folder / "feed.json").write_text("{ not json")
    with pytest.raises(PublishError, match="damaged"):
        publish(feed, tmp_path, "2026-01-02")
    assert (feed.folder / "feed.json").read_text() == "{ not json"
