"""Alt text: measured from the painting and the painter, the same every time, on every publisher."""

from __future__ import annotations

import html
import json
import sqlite3
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from artgan.models import load_model, resolve_painter
from artgan.scheduler.alt_text import (
    AltTextError, Colour, alt_text, colour_of, composition_phrase, palette_phrase,
)
from artgan.scheduler.config import ConfigError, load_config
from artgan.scheduler.daily import DailySettings, Painter, post_today
from artgan.scheduler.history import History
from artgan.scheduler.publishers import FeedPublisher

DAY = "2026-05-01"


def banded(top, middle, bottom, size=48) -> np.ndarray:
    """An image of three horizontal bands of the given RGB colours."""
    image = np.zeros((size, size, 3), np.uint8)
    for band, colour in zip(np.array_split(np.arange(size), 3), (top, middle, bottom)):
        image[band] = colour
    return image


@pytest.mark.parametrize("rgb, expected", [
    ((30, 60, 230), Colour("blue", "vivid")), ((120, 80, 50), Colour("brown", "warm")),
    ((250, 250, 250), Colour("white", "")), ((10, 10, 10), Colour("black", "")),
    ((70, 150, 70), Colour("green", "")), ((128, 128, 128), Colour("grey", "")),
])
def test_colours_get_plain_names(rgb, expected):
    from PIL import Image

    h, s, v = Image.new("RGB", (1, 1), rgb).convert("HSV").getpixel((0, 0))
    assert colour_of(h * 360 / 256, s, v) == expected


def test_the_composition_names_each_third_and_where_the_light_is():
    sky_over_earth = banded((170, 200, 240), (120, 80, 50), (30, 70, 30))
    text = composition_phrase(sky_over_earth)
    assert text.startswith("Pale blue in the upper third"), text
    assert "brown through the middle" in text and "green in the lower third" in text
    assert "brightest in the upper third, darkest in the lower third" in text
    flipped = composition_phrase(sky_over_earth[::-1])
    assert "brightest in the lower third, darkest in the upper third" in flipped


def test_runs_of_the_same_colour_are_named_once():
    text = composition_phrase(banded((120, 80, 50), (120, 80, 50), (170, 200, 240)))
    assert "in the upper third and middle" in text and text.count("brown") == 1


def test_the_palette_is_the_colours_covering_most_pixels():
    image = banded((30, 60, 230), (30, 60, 230), (120, 80, 50))
    assert palette_phrase(image) == "Mostly vivid blues and warm browns"


def test_alt_text_is_deterministic_and_says_what_made_it():
    image = banded((170, 200, 240), (120, 80, 50), (30, 70, 30))
    first = alt_text(image, "Amber Fields", "default", "endless-sky-land", 181)
    assert first == alt_text(image.copy(), "Amber Fields", "default", "endless-sky-land", 181)
    assert first.startswith('AI-generated painting "Amber Fields" by the artgan painter default')
    assert "learned from 181 images of endless-sky-land" in first and "\n" not in first
    assert first != alt_text(image[::-1], "Amber Fields", "default", "endless-sky-land", 181)


def test_the_template_is_the_users_and_long_text_is_cut_to_the_limit():
    image = banded((0, 0, 0), (255, 255, 255), (0, 0, 0))
    assert alt_text(image, "T", "p", template="{painter}: {palette}") == "p: Mostly blacks and whites"
    long = alt_text(image, "T", "p", credit="x" * 5000, template="{credit}")
    assert len(long) == 1500 and long.endswith("…")
    with pytest.raises(AltTextError, match="unknown field"):
        alt_text(image, "T", "p", template="{weather}")


def test_a_bad_template_in_the_config_is_a_clear_error(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('alt_text_template = "{mood} painting"\n')
    with pytest.raises(ConfigError, match="unknown field.*mood"):
        load_config(path, env={})


def test_every_feed_format_carries_the_alt_text_and_the_history_keeps_it(tmp_path):
    painter = Painter(load_model(resolve_painter(None), device="cpu"))
    feed = FeedPublisher(tmp_path / "feed")
    result = post_today(painter, feed, History(tmp_path / "h.sqlite"), tmp_path / "staging", DAY, DailySettings(candidates=3))
    alt = result.post.alt_text
    assert alt and alt.startswith("AI-generated painting") and result.post.title in alt
    assert json.loads((tmp_path / "feed" / "feed.json").read_text())["posts"][0]["alt"] == alt
    index = (tmp_path / "feed" / "index.html").read_text()
    assert f'alt="{html.escape(alt)}"' in index
    atom = ET.parse(tmp_path / "feed" / "atom.xml").getroot()
    enclosure = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}link[@rel='enclosure']")
    assert enclosure is not None and enclosure.get("title") == alt
    provenance = json.loads(result.post.provenance)
    assert (provenance["model_sha256"], provenance["seed"], result.post.chosen_by) == (painter.model.sha256, 20260501, "picker")


def test_a_version_2_history_gains_the_new_columns(tmp_path):
    path = tmp_path / "h.sqlite"
    with sqlite3.connect(path) as db:  # the v2 schema, as the previous release wrote it
        db.execute("""CREATE TABLE posts (day TEXT NOT NULL, publisher TEXT NOT NULL, status TEXT NOT NULL,
            image_sha256 TEXT, image_path TEXT, phash TEXT, score REAL, scores TEXT, title TEXT, caption TEXT,
            remote_id TEXT, progress TEXT NOT NULL DEFAULT '{}', error TEXT, model TEXT,
            updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')), PRIMARY KEY (day, publisher))""")
        db.execute("INSERT INTO posts (day, publisher, status, title) VALUES ('2026-01-02', 'feed', 'posted', 'Old')")
        db.execute("PRAGMA user_version = 2")
    history = History(path)
    (old,) = history.all()
    assert (old.title, old.alt_text, old.chosen_by) == ("Old", None, None)
    history.claim(DAY, "feed")
    history.update(DAY, "feed", alt_text="described", chosen_by="hand")
    assert History(path).get(DAY, "feed").alt_text == "described"
