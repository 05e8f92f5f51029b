"""The default publisher: a local folder that is an Instagram-style web gallery.

``feed.json`` is the source of truth (one entry per post id, newest first);
``atom.xml`` (an Atom 1.0 feed) and ``index.html`` (the grid page) are rendered
from it.  Every file is rewritten atomically and the image is written before
the entry that names it, so a crash at any point leaves a consistent gallery,
and publishing the same post id again replaces its entry instead of adding one.
When the folder is served on the web, ``public_base_url`` is its address: the
Atom feed links absolutely and the Instagram publisher hands Instagram image
URLs under it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from artgan.models.atomic import write_bytes_atomic, write_text_atomic

from .base import Progress, Publication, PublishError

ATOM = "http://www.w3.org/2005/Atom"


class FeedPublisher:
    name = "feed"

    def __init__(self, folder: Path, title: str = "artgan: painting of the day", public_base_url: str | None = None) -> None:
        self.folder = folder
        self.title = title
        self.public_base_url = public_base_url.rstrip("/") + "/" if public_base_url else None
        self.feed_path = folder / "feed.json"

    def entries(self) -> list[dict]:
        if not self.feed_path.exists():
            return []
        try:
            return list(json.loads(self.feed_path.read_text())["posts"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise PublishError(f"{self.feed_path} is damaged ({exc}); fix or move it before posting.", False) from None

    def host_image(self, publication: Publication) -> str:
        """Put the image in the folder (once) and return its path relative to the folder."""
        name = f"images/{publication.post_id}{publication.image.suffix.lower()}"
        data = publication.image.read_bytes()
        target = self.folder / name
        if not target.is_file() or hashlib.sha256(target.read_bytes()).digest() != hashlib.sha256(data).digest():
            write_bytes_atomic(target, data)
        return name

    def public_url(self, relative: str) -> str | None:
        return self.public_base_url + relative if self.public_base_url else None

    def publish(self, publication: Publication, progress: Progress | None = None) -> str:
        image_name = self.host_image(publication)
        posts = [p for p in self.entries() if p["id"] != publication.post_id]
        posts.append({
            "id": publication.post_id,
            "image": image_name,
            "title": publication.title,
            "caption": publication.caption,
            "alt": publication.alt_text or publication.title,
            "published": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        })
        posts.sort(key=lambda p: p["id"], reverse=True)
        write_text_atomic(self.feed_path, json.dumps({"title": self.title, "posts": posts}, indent=2) + "\n")
        write_text_atomic(self.folder / "atom.xml", render_atom(self.title, posts, self.public_base_url))
        write_text_atomic(self.folder / "index.html", render_index(self.title, posts))
        return publication.post_id


def render_atom(title: str, posts: list[dict], base_url: str | None) -> str:
    """An Atom 1.0 feed; ElementTree escapes every text and attribute."""
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        node.text = text
        return node

    base = base_url or ""
    feed = ET.Element(f"{{{ATOM}}}feed")
    add(feed, "title", title)
    add(feed, "id", base + "atom.xml" if base else "urn:artgan:feed")
    add(feed, "updated", max((p.get("published", "") for p in posts), default="") or _now())
    add(feed, "link", rel="alternate", type="text/html", href=base + "index.html")
    add(add(feed, "author"), "name", "artgan")
    for post in posts:
        entry = add(feed, "entry")
        add(entry, "title", post["title"])
        add(entry, "id", f"urn:artgan:post:{post['id']}")
        add(entry, "published", f"{post['id']}T00:00:00Z")
        add(entry, "updated", post.get("published") or f"{post['id']}T00:00:00Z")
        # The enclosure's title attribute (RFC 4287 4.2.7.5) is the image's description.
        add(entry, "link", rel="enclosure", type="image/jpeg", href=base + post["image"], title=post.get("alt") or post["title"])
        add(entry, "content", post["caption"], type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def render_index(title: str, posts: list[dict]) -> str:
    cards = "\n".join(
        f"""  <article class="post" id="post-{html.escape(p['id'])}">
    <img src="{html.escape(p['image'])}" alt="{html.escape(p.get('alt') or p['title'])}" loading="lazy">
    <h2>{html.escape(p['title'])}</h2>
    <time datetime="{html.escape(p['id'])}">{html.escape(p['id'])}</time>
    <p class="caption">{html.escape(p['caption'])}</p>
  </article>"""
        for p in posts
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="alternate" type="application/atom+xml" title="{html.escape(title)}" href="atom.xml">
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1rem; background: #fafafa; }}
  .grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 1rem; }}
  .post {{ background: #fff; border: 1px solid #dbdbdb; border-radius: 4px; overflow: hidden; }}
  .post img {{ width: 100%; height: auto; aspect-ratio: 1; object-fit: cover; display: block; }}
  .post h2 {{ font-size: 1rem; margin: .6rem .8rem 0; }}
  .post time {{ color: #8e8e8e; font-size: .8rem; margin: 0 .8rem; }}
  .post p {{ margin: .4rem .8rem .8rem; white-space: pre-wrap; overflow-wrap: anywhere; font-size: .9rem; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p class="count">{len(posts)} painting{'' if len(posts) == 1 else 's'}</p>
<main class="grid">
{cards}
</main>
</body>
</html>
"""
