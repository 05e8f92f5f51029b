"""The feed page in a real headless Chromium (Debian packages chromium and chromium-driver).

Locally the test is skipped when Chromium is not installed; in CI (CI=true) a
missing browser is a failure, since `.ci/run` installs it.  The screenshot goes
to $ARTGAN_SCREENSHOT_DIR (CI keeps it) or the test's temporary folder.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest
from artgan.scheduler.prepare import post_image
from artgan.scheduler.publishers import FeedPublisher, Publication
from PIL import Image

EVIL = '<img src=x onerror="document.body.dataset.pwned=1"> Sunrise & <b>bold</b>'


@pytest.fixture
def served_feed(tmp_path):
    feed = FeedPublisher(tmp_path / "feed", title="Painting of the day")
    for i, day in enumerate(["2026-06-01", "2026-06-02", "2026-06-03"]):
        image = (np.random.default_rng(i).random((32, 32, 3)) * [255, 180 + 30 * i, 90]).astype(np.uint8)
        path = tmp_path / f"{day}.jpg"
        path.write_bytes(post_image(image))
        feed.publish(Publication(day, path, f"Title {i}", EVIL if i == 1 else f"Caption {i} #art"))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(feed.folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/index.html"
    server.shutdown()
    server.server_close()


def test_the_feed_page_loads_and_shows_the_posts(browser, served_feed, tmp_path):
    browser.get(served_feed)
    browser.execute_async_script(  # wait until every image has loaded or failed
        "const done = arguments[0]; Promise.all([...document.images].map(i => i.decode().catch(() => null))).then(done);"
    )
    assert browser.title == "Painting of the day"
    posts = browser.execute_script(
        "return [...document.querySelectorAll('article.post')].map(a => ({id: a.id,"
        " loaded: a.querySelector('img').complete && a.querySelector('img').naturalWidth,"
        " shown: a.querySelector('img').getBoundingClientRect().width,"
        " caption: a.querySelector('p.caption').textContent}))"
    )
    assert [p["id"] for p in posts] == ["post-2026-06-03", "post-2026-06-02", "post-2026-06-01"]  # newest first
    assert all(p["loaded"] == 1080 and p["shown"] > 100 for p in posts)
    assert posts[1]["caption"] == EVIL  # shown as text ...
    assert browser.execute_script("return document.body.dataset.pwned") is None  # ... never run as HTML
    assert browser.execute_script("return document.querySelectorAll('b').length") == 0

    folder = Path(os.environ.get("ARTGAN_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "feed.png"
    assert browser.save_screenshot(str(shot))
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[1] >= 800 and pixels.std() > 10  # a real rendering, not a blank page
