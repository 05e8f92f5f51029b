"""Making the day's post fit a network's limits: text length, image bytes and pixels.

The prepared JPEG and caption are made for Instagram (8 MiB, 2,200 characters); Mastodon servers
announce their own limits and Bluesky's lexicon allows 300 graphemes and 1,000,000 bytes an image.
What does not fit is shortened here, never refused: the caption's hashtag line is kept whole and
the text before it is cut at a word with an ellipsis; the image is re-encoded at lower JPEG quality
first and scaled down only when that is not enough.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from typing import Callable

from PIL import Image

from ..prepare import to_jpeg

HASHTAG_LINE = re.compile(r"^(#\w+\s*)+$")
EXTENDERS = {0x200D, 0xFE0E, 0xFE0F}  # zero-width joiner, variation selectors


def graphemes(text: str) -> int:
    """An upper bound of the user-perceived characters (Unicode grapheme clusters) in ``text``.

    Combining marks, variation selectors, the zero-width joiner and emoji modifiers never start a
    cluster, so they are not counted; every other code point is. Joined emoji sequences and flags count
    as two or more, so text this measure fits always fits the real one."""
    count = 0
    for char in text:
        code = ord(char)
        if code in EXTENDERS or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F:
            continue
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me"):
            continue
        count += 1
    return count


def fit_text(text: str, limit: int, length: Callable[[str], int] = len) -> str:
    """``text`` shortened to ``limit`` by ``length``, keeping a trailing line of hashtags when it fits."""
    if length(text) <= limit:
        return text
    body, tail = text, ""
    paragraphs = text.rsplit("\n\n", 1)
    if len(paragraphs) == 2 and HASHTAG_LINE.match(paragraphs[1].strip()) and length(paragraphs[1]) + 3 < limit:
        body, tail = paragraphs[0], "\n\n" + paragraphs[1]
    room = limit - length(tail) - 1  # the ellipsis
    words = body.split(" ")
    while words and length(" ".join(words)) > room:  # cut at a word ...
        words.pop()
    cut = " ".join(words).rstrip()
    if not cut:  # ... or, for one very long word, at a character
        cut = body
        while cut and length(cut) > room:
            cut = cut[:-1]
    return cut + "…" + tail


def fit_image(data: bytes, max_bytes: int | None, max_pixels: int | None = None) -> tuple[bytes, tuple[int, int]]:
    """(JPEG bytes, (width, height)) within the limits: ``data`` itself when it already fits."""
    with Image.open(io.BytesIO(data)) as opened:
        picture = opened.convert("RGB")
    fits_bytes = max_bytes is None or len(data) <= max_bytes
    fits_pixels = max_pixels is None or picture.width * picture.height <= max_pixels
    if fits_bytes and fits_pixels:
        return data, picture.size
    if not fits_pixels:
        assert max_pixels is not None
        scale = math.sqrt(max_pixels / (picture.width * picture.height))
        picture = picture.resize((max(1, math.floor(picture.width * scale)), max(1, math.floor(picture.height * scale))),
                                 Image.Resampling.LANCZOS)
    limit = max_bytes or 1 << 62
    while True:
        try:
            return to_jpeg(picture, limit), picture.size
        except ValueError:
            if min(picture.size) <= 64:
                raise
            picture = picture.resize((round(picture.width * 0.8), round(picture.height * 0.8)), Image.Resampling.LANCZOS)


def image_dimensions(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
