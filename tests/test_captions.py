"""Titles from the palette, captions from a template, within Instagram's limits."""

from __future__ import annotations

import numpy as np
import pytest
from artgan.scheduler.captions import MAX_CAPTION_CHARS, CaptionError, make_caption, title_for


def field(rgb, seed=0):
    rng = np.random.default_rng(seed)
    return np.clip(np.array(rgb) + rng.normal(0, 12, (32, 32, 3)), 0, 255).astype(np.uint8)


def test_the_same_image_always_gets_the_same_title():
    image = field((40, 160, 60))
    assert title_for(image) == title_for(image.copy())
    titles = {title_for(field((40, 160, 60), seed)) for seed in range(12)}
    assert len(titles) > 2  # the patterns and words vary between images of one palette


@pytest.mark.parametrize(
    "rgb, words",
    [
        ((200, 225, 250), {"Icy", "Frosted", "Pale", "Winter", "Glass", "Lake", "Sky", "Azure"}),  # light and cool
        ((35, 10, 50), {"Nocturnal", "Shadowed", "Midnight", "Twilight", "Hills", "Garden", "Dream", "Violet"}),  # dark
        ((60, 200, 40), {"Spring", "Meadow", "Orchard", "Leaves", "Verdant", "Colourful", "Vivid", "Blazing"}),  # vivid green
    ],
)
def test_titles_follow_the_palette(rgb, words):
    for seed in range(6):
        title = title_for(field(rgb, seed))
        assert words & set(title.split()), title
    adjectives = [t for t in (title_for(field(rgb, seed)) for seed in range(40)) if t.startswith("Through the ")]
    assert adjectives and all(t.split()[2] in words for t in adjectives)  # the adjective follows the palette too


def test_caption_fills_the_template():
    caption = make_caption("Colourful Spring", "2026-05-17", "Trained on my sketches.", "sketches", ["art", "#gan", "Art"])
    assert caption == "Colourful Spring\n\nPainting of the day, 2026-05-17. Trained on my sketches.\n\n#art #gan"


def test_custom_template_and_fields():
    caption = make_caption("T", "2026-05-17", "c", "m1", [], "{title} by {model} on {date} {hashtags}")
    assert caption == "T by m1 on 2026-05-17"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(hashtags=[f"tag{i}" for i in range(31)]), "31 hashtags"),
        (dict(hashtags=["ok"], template="{title} " + "#x " * 30 + "{hashtags}"), "31 hashtags"),
        (dict(template="{title}" + "x" * MAX_CAPTION_CHARS), "2200"),
        (dict(template="{title} {author}"), "unknown field"),
        (dict(template="{title"), "malformed"),
        (dict(hashtags=["two words"]), "single word"),
    ],
)
def test_captions_that_break_the_limits_are_refused(kwargs, message):
    with pytest.raises(CaptionError, match=message):
        make_caption("T", "2026-05-17", "credit", "m", **kwargs)


def test_thirty_hashtags_and_a_long_credit_still_fit():
    caption = make_caption("T", "2026-05-17", "x" * 5000, "m", [f"tag{i}" for i in range(30)])
    assert caption.count("#") == 30 and len(caption) <= MAX_CAPTION_CHARS and "…" in caption
