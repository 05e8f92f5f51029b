"""Alt text for every published image: what is known about the painting, said plainly.

Everything in it is measured or read, never guessed: that an AI painted it, which painter (its
metadata: name, what it learned from), the palette (the colour names that cover most pixels) and
the composition (the colour of the upper, middle and lower thirds, and where the light is). The
same image and painter always give the same text. The wording is a template in the config, like
the caption, with the fields in ``ALT_FIELDS``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
from PIL import Image

MAX_ALT_CHARS = 1500  # Mastodon's default description limit, the tightest of the networks artgan posts to
DEFAULT_ALT_TEMPLATE = "AI-generated painting \"{title}\" by the artgan painter {painter}{learned}. {palette}. {composition}."
ALT_FIELDS = ("title", "painter", "learned", "palette", "composition", "credit")
BANDS = ("upper third", "middle", "lower third")


class AltTextError(ValueError):
    """An alt-text template that cannot be filled."""


@dataclass(frozen=True)
class Colour:
    name: str  # "blue", "brown", "grey", ...
    tone: str  # "", "muted", "vivid", "dark", "pale"

    def phrase(self, plural: bool = False) -> str:
        noun = self.name + ("s" if plural and not self.name.endswith("s") else "")
        return f"{self.tone} {noun}".strip()


# Hue (degrees) upper bounds and their names; red wraps around.
HUES = ((15, "red"), (40, "orange"), (70, "yellow"), (160, "green"), (195, "teal"), (255, "blue"),
        (290, "violet"), (345, "pink"), (360, "red"))


def colour_of(hue_deg: float, saturation: float, value: float) -> Colour:
    """A plain colour name for one HSV colour (saturation and value 0..255)."""
    if value < 45:
        return Colour("black", "")
    if saturation < 40:
        if value > 205:
            return Colour("white", "")
        return Colour("grey", "dark" if value < 100 else ("pale" if value > 165 else ""))
    name = next(n for bound, n in HUES if hue_deg < bound)
    if name in ("orange", "red", "yellow") and value < 150 and saturation < 200:
        name = "brown"
    if value < 95:
        tone = "dark"
    elif value > 200 and saturation < 150:  # light and soft: a sky, not a dull colour
        tone = "pale"
    elif saturation < 100:
        tone = "muted"
    elif saturation > 185:
        tone = "vivid"
    else:
        tone = ""
    if name == "brown" and tone in ("", "muted"):
        tone = "warm"
    return Colour(name, tone)


def _hsv(image: np.ndarray) -> np.ndarray:
    hsv = np.asarray(Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("HSV"), dtype=np.float64)
    hsv[..., 0] *= 360.0 / 256.0
    return hsv


def _mean_colour(hsv: np.ndarray) -> Colour:
    angle = np.deg2rad(hsv[..., 0])
    weight = hsv[..., 1] + 1e-6  # grey pixels carry no hue
    hue = np.rad2deg(np.arctan2((np.sin(angle) * weight).sum(), (np.cos(angle) * weight).sum())) % 360
    return colour_of(float(hue), float(hsv[..., 1].mean()), float(hsv[..., 2].mean()))


def palette_phrase(image: np.ndarray) -> str:
    """"Mostly muted blues and warm browns, with some pale greys": the names covering most pixels."""
    small = np.asarray(Image.fromarray(np.asarray(image, dtype=np.uint8)).resize((32, 32), Image.Resampling.BOX))
    hsv = _hsv(small).reshape(-1, 3)
    by_name: dict[str, dict[str, int]] = {}  # colour name -> tone -> pixels: "pale greys" and "greys" are one
    for h, s, v in hsv:
        colour = colour_of(h, s, v)
        tones = by_name.setdefault(colour.name, {})
        tones[colour.tone] = tones.get(colour.tone, 0) + 1
    ranked = sorted(
        ((Colour(name, max(tones, key=lambda t: (tones[t], t))), sum(tones.values())) for name, tones in by_name.items()),
        key=lambda kv: (-kv[1], kv[0].name),
    )
    share = [(c, n / len(hsv)) for c, n in ranked]
    main = [c for c, f in share[:2] if f >= 0.2] or [share[0][0]]
    some = [c for c, f in share[len(main):len(main) + 2] if f >= 0.08]
    text = "Mostly " + " and ".join(c.phrase(plural=True) for c in main)
    if some:
        text += ", with some " + " and ".join(c.phrase(plural=True) for c in some)
    return text


def composition_phrase(image: np.ndarray) -> str:
    """The thirds from top to bottom, and where the brightest one is: "a pale blue upper third over ..."."""
    hsv = _hsv(image)
    thirds = np.array_split(hsv, 3, axis=0)
    colours = [_mean_colour(band) for band in thirds]
    values = [float(band[..., 2].mean()) for band in thirds]
    parts, start = [], 0
    for end in range(1, 4):  # runs of thirds with the same colour are named once
        if end == 3 or colours[end] != colours[start]:
            where = BANDS[start] if end - start == 1 else ("whole picture" if end - start == 3 else f"{BANDS[start]} and {BANDS[end - 1]}")
            parts.append(f"{colours[start].phrase()} {'in' if where != 'middle' else 'through'} the {where}")
            start = end
    text = ", ".join(parts)
    brightest, darkest = int(np.argmax(values)), int(np.argmin(values))
    if values[brightest] - values[darkest] > 30:
        text += f"; brightest in the {BANDS[brightest]}, darkest in the {BANDS[darkest]}"
    else:
        text += "; evenly lit"
    return text[0].upper() + text[1:]


def learned_phrase(dataset_name: str, dataset_size: int) -> str:
    """", which learned from 181 images of endless-sky" from the painter's metadata, or nothing."""
    if not dataset_name:
        return ""
    count = f"{dataset_size} images" if dataset_size else "images"
    return f", which learned from {count} of {dataset_name}"


def check_alt_template(template: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise AltTextError(f"alt text template is malformed ({exc}); write fields as {{title}}, literal braces as {{{{ }}}}") from None
    unknown = names - set(ALT_FIELDS)
    if unknown:
        raise AltTextError(f"alt text template has unknown field(s) {', '.join(sorted(unknown))}; known: {', '.join(ALT_FIELDS)}")


def alt_text(
    image: np.ndarray,
    title: str,
    painter: str,
    dataset_name: str = "",
    dataset_size: int = 0,
    credit: str = "",
    template: str = DEFAULT_ALT_TEMPLATE,
) -> str:
    """The description of a uint8 [H, W, 3] painting, within every network's limit."""
    check_alt_template(template)
    text = template.format(
        title=title, painter=painter, learned=learned_phrase(dataset_name, dataset_size),
        palette=palette_phrase(image), composition=composition_phrase(image), credit=credit.strip(),
    ).strip()
    text = " ".join(text.split())  # alt text is one paragraph: screen readers read newlines oddly
    if len(text) > MAX_ALT_CHARS:
        text = text[: MAX_ALT_CHARS - 1].rstrip() + "…"
    return text
