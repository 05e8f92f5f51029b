"""Titles and captions for the painting of the day.

The title comes from the painting's palette (hue family, saturation,
brightness, warmth), phrased in one of a few patterns; which words and which
pattern is decided by a hash of the pixels, so the same image always gets the
same title.  The caption is a template filled with the title, the date, the
model credit and the hashtags, checked against Instagram's limits.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass

import numpy as np
from PIL import Image

MAX_CAPTION_CHARS = 2200  # Instagram's caption limit
MAX_HASHTAGS = 30  # Instagram's hashtag limit per post
MAX_CREDIT_CHARS = 300
DEFAULT_TEMPLATE = "{title}\n\nPainting of the day, {date}. {credit}\n\n{hashtags}"
DEFAULT_HASHTAGS = ("artgan", "generativeart", "paintingoftheday")
TEMPLATE_FIELDS = ("title", "date", "credit", "model", "hashtags")
HASHTAG = re.compile(r"#\w+")

# Hue families (PIL's HSV hue runs 0..255): the season, the thing, the colour word.
FAMILIES = [
    (0, "Autumn", ("Embers", "Roses", "Poppies"), "Crimson"),
    (21, "Harvest", ("Fields", "Lanterns", "Hearth"), "Amber"),
    (39, "Summer", ("Wheat", "Sunlight", "Dunes"), "Golden"),
    (60, "Spring", ("Meadow", "Orchard", "Leaves"), "Verdant"),
    (110, "Tide", ("Lagoon", "Harbour", "Shallows"), "Teal"),
    (140, "Winter", ("Glass", "Lake", "Sky"), "Azure"),
    (180, "Twilight", ("Hills", "Garden", "Dream"), "Violet"),
    (215, "Evening", ("Blossom", "Silk", "Clouds"), "Rose"),
]
PATTERNS = ("{adj} {season}", "Through the {adj} {noun}", "{colour} {noun}", "{season} {noun}", "The {adj} {noun}")


@dataclass(frozen=True)
class Palette:
    hue: float  # 0..255, circular mean weighted by saturation
    saturation: float  # 0..255
    value: float  # 0..255
    warm: bool


def palette(image: np.ndarray) -> Palette:
    hsv = np.asarray(Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("HSV"), dtype=np.float64)
    angle = hsv[..., 0] / 256 * 2 * np.pi
    weight = hsv[..., 1] + 1e-6  # grey pixels have no meaningful hue
    hue = (np.arctan2((np.sin(angle) * weight).sum(), (np.cos(angle) * weight).sum()) % (2 * np.pi)) / (2 * np.pi) * 256
    rgb = np.asarray(image, dtype=np.float64)
    return Palette(hue, hsv[..., 1].mean(), hsv[..., 2].mean(), bool(rgb[..., 0].mean() >= rgb[..., 2].mean()))


def _adjectives(p: Palette) -> tuple[str, ...]:
    if p.value < 70:
        return ("Nocturnal", "Shadowed", "Midnight")
    if not p.warm and p.value > 150:
        return ("Icy", "Frosted", "Pale")
    if p.saturation > 120:
        return ("Colourful", "Vivid", "Blazing") if p.warm else ("Colourful", "Vivid", "Deep")
    if p.saturation < 50:
        return ("Muted", "Misty", "Quiet")
    return ("Gentle", "Warm", "Golden") if p.warm else ("Gentle", "Cool", "Still")


def title_for(image: np.ndarray) -> str:
    """A short title in the spirit of "Colourful Spring" or "Through the Icy Glass"; same image, same title."""
    p = palette(image)
    family = max((f for f in FAMILIES if f[0] <= p.hue), key=lambda f: f[0])
    choice = int.from_bytes(hashlib.sha256(np.ascontiguousarray(image).tobytes()).digest()[:8], "big")
    adjectives, nouns = _adjectives(p), family[2]
    words = {
        "adj": adjectives[choice % len(adjectives)],
        "noun": nouns[(choice >> 8) % len(nouns)],
        "season": family[1],
        "colour": family[3],
    }
    return PATTERNS[(choice >> 16) % len(PATTERNS)].format(**words)


class CaptionError(ValueError):
    """A caption template or hashtag list that cannot make a valid caption."""


def normalise_hashtags(tags: list[str] | tuple[str, ...]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        word = str(tag).strip().lstrip("#")
        if not re.fullmatch(r"\w+", word):
            raise CaptionError(f"hashtag {tag!r} is not a single word of letters, digits or _")
        if word.lower() not in (t.lower() for t in cleaned):
            cleaned.append(word)
    return cleaned


def check_template(template: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise CaptionError(f"caption template is malformed ({exc}); write fields as {{title}}, literal braces as {{{{ }}}}") from None
    unknown = fields - set(TEMPLATE_FIELDS)
    if unknown:
        raise CaptionError(
            f"caption template has unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(TEMPLATE_FIELDS)}"
        )


def make_caption(
    title: str,
    day: str,
    credit: str,
    model: str,
    hashtags: list[str] | tuple[str, ...] = DEFAULT_HASHTAGS,
    template: str = DEFAULT_TEMPLATE,
) -> str:
    """Fill the template; raise CaptionError when the result breaks Instagram's limits."""
    check_template(template)
    tags = normalise_hashtags(hashtags)
    credit = credit.strip()
    if len(credit) > MAX_CREDIT_CHARS:  # model metadata is free text: keep it from crowding out the rest
        credit = credit[: MAX_CREDIT_CHARS - 1].rstrip() + "…"
    caption = template.format(
        title=title, date=day, credit=credit, model=model, hashtags=" ".join(f"#{t}" for t in tags)
    ).strip()
    count = len(HASHTAG.findall(caption))
    if count > MAX_HASHTAGS:
        raise CaptionError(f"the caption has {count} hashtags; Instagram allows at most {MAX_HASHTAGS}")
    if len(caption) > MAX_CAPTION_CHARS:
        raise CaptionError(f"the caption is {len(caption)} characters long; Instagram allows {MAX_CAPTION_CHARS}")
    return caption
