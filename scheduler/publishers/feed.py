"""The default publisher: a local folder that is an Instagram-style web gallery.

``feed.json`` is the source of truth (one entry per post id, newest first);
``index.html`` is rendered from it.  Both are rewritten atomically.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from artgan.models.atomic import atomic_write, write_text_atomic

from .base import Publication


class FeedPublisher:
    name = "feed"

    def __init__(self, folder: Path, title: str = "artgan: painting of the day") -> None:
        self.folder = folder
        self.title = title
        self.feed_path = folder / "feed.json"

    def entries(self) -> list[dict]:
        if not self.feed_path.exists():
            return []
        try:
            return json.loads(self.feed_path.read_text())["posts"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise RuntimeError(f"{self.feed_path} is damaged ({exc}); fix or move it before posting.") from None

    def publish(self, publication: Publication) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        image_name = f"images/{publication.post_id}{publication.image.suffix}"
        with atomic_write(self.folder / image_name, "wb") as handle, open(publication.image, "rb") as source:
            shutil.copyfileobj(source, handle)
        posts = [p for p in self.entries() if p["id"] != publication.post_id]
        posts.append(
            {"id": publication.post_id, "image": image_name, "title": publication.title, "caption": publication.caption}
        )
        posts.sort(key=lambda p: p["id"], reverse=True)
        write_text_atomic(self.feed_path, json.dumps({"title": self.title, "posts": posts}, indent=2) + "\n")
        write_text_atomic(self.folder / "index.html", render_index(self.title, posts))
        return publication.post_id


def render_index(title: str, posts: list[dict]) -> str:
    cards = "\n".join(
        f"""  <article class="post" id="{html.escape(p['id'])}">
    <img src="{html.escape(p['image'])}" alt="{html.escape(p['title'])}" loading="lazy">
    <h2>{html.escape(p['title'])}</h2>
    <time datetime="{html.escape(p['id'])}">{html.escape(p['id'])}</time>
    <p>{html.escape(p['caption'])}</p>
  </article>"""
        for p in posts
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
  body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1rem; background: #fafafa; }}
  .grid {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 1rem; }}
  .post {{ background: #fff; border: 1px solid #dbdbdb; border-radius: 4px; overflow: hidden; }}
  .post img {{ width: 100%; aspect-ratio: 1; object-fit: cover; display: block; image-rendering: auto; }}
  .post h2 {{ font-size: 1rem; margin: .6rem .8rem 0; }}
  .post time {{ color: #8e8e8e; font-size: .8rem; margin: 0 .8rem; }}
  .post p {{ margin: .4rem .8rem .8rem; white-space: pre-wrap; font-size: .9rem; }}
</style>
</head>
<body>
<h1>{html.escape(title)}</h1>
<main class="grid">
{cards}
</main>
</body>
</html>
"""
