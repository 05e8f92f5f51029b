"""`artgan studio` in a real headless Chromium: paint 4, star one, open it large, queue it, post it.

The studio runs as its own process (as a user starts it) on a free port; `artgan post` then runs
against the same state folder and must post the queued painting, repainted from its provenance.
The screenshot goes to $ARTGAN_SCREENSHOT_DIR (CI keeps it; docs/studio.png is one) or the test's
temporary folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

DAY = "2026-07-01"


@pytest.fixture
def studio(tmp_path):
    state = tmp_path / "state"
    process = subprocess.Popen(
        [sys.executable, "-m", "artgan.generator_cli.app", "studio", "--port", "0", "--state", str(state), "--no-open"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read()
        deadline = time.monotonic() + 300
        while True:  # uvicorn starts listening a moment after the address is printed
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "the studio did not start"
            time.sleep(0.1)
        yield url, state
    finally:
        process.terminate()
        process.wait(timeout=20)


def wait_for(browser, script: str, timeout: float = 300):
    """Poll a JavaScript expression until it is truthy; return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = browser.execute_script(f"return {script}")
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}")


def type_into(browser, element_id: str, text: str) -> None:
    field = browser.find_element("id", element_id)
    field.clear()
    field.send_keys(text)


def test_paint_star_open_queue_and_post_from_the_studio(browser, studio, cli, tmp_path):
    url, state = studio
    browser.get(url)
    wait_for(browser, "document.body.dataset.ready === '1'")
    assert browser.title == "artgan studio"
    assert not browser.find_element("id", "class").is_displayed()  # the default painter has no classes

    # A bad request gets a sentence in the page, not a stack trace.
    type_into(browser, "seed", "twelve")
    browser.find_element("id", "paint").click()
    message = wait_for(browser, "!document.getElementById('error').hidden && document.getElementById('error').textContent")
    assert message == "the seed must be a whole number, not 'twelve'"

    type_into(browser, "seed", "11")
    type_into(browser, "count", "4")
    browser.find_element("id", "paint").click()
    wait_for(browser, "document.querySelectorAll('.card img').length === 4 && "
                      "[...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth > 0)")
    assert browser.find_element("id", "error").get_attribute("hidden") is not None  # the old error is gone
    cards = browser.execute_script(
        "return [...document.querySelectorAll('.card')].map(c => ({id: c.dataset.id,"
        " score: c.querySelector('.score').textContent, width: c.querySelector('img').naturalWidth}))")
    assert len({c["id"] for c in cards}) == 4 and all(c["score"].startswith("critic ") for c in cards)
    resolution = httpx.get(url + "api/painter").json()["resolution"]
    assert resolution in (64, 128, 256) and all(c["width"] == resolution for c in cards)  # the painter's own pixels
    chosen = cards[2]["id"]

    browser.find_element("css selector", f".card[data-id='{chosen}'] .star").click()
    wait_for(browser, f"document.querySelector(\".fav[data-id='{chosen}']\") !== null")
    assert browser.find_element("css selector", f".card[data-id='{chosen}'] .star").text == "\u2605"

    browser.find_element("css selector", f".card[data-id='{chosen}'] img").click()
    width = wait_for(browser, "!document.getElementById('large').hidden && document.getElementById('large-img').complete"
                              " && document.getElementById('large-img').naturalWidth")
    assert width == 1080  # the upscaled size that would be posted
    assert "seed 11, index 2" in browser.find_element("id", "large-info").text

    browser.find_element("id", "large-queue").click()
    note = wait_for(browser, "document.getElementById('queued-note').textContent")
    assert note.startswith("Queued (#1)")
    wait_for(browser, "document.querySelectorAll('#queue li').length === 1")
    browser.find_element("id", "large-close").click()

    folder = Path(os.environ.get("ARTGAN_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "studio.png"
    assert browser.save_screenshot(str(shot))
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"))
    assert pixels.shape[1] >= 800 and pixels.std() > 10

    queued = httpx.get(url + "api/queue").json()
    assert [(q["seed"], q["index"]) for q in queued] == [(11, 2)]

    result = cli("post", "--state", state, "--n", "4", "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "chosen by hand in the studio" in result.output
    rows = json.loads(cli("history", "--state", state, "--json").stdout)
    (row,) = [r for r in rows if r["day"] == DAY]
    provenance = json.loads(row["provenance"])
    assert row["chosen_by"] == "hand" and row["status"] == "posted"
    assert (provenance["seed"], provenance["index"], provenance["truncation"]) == (11, 2, 1.0)
    assert provenance["model_sha256"] == httpx.get(url + "api/painter").json()["sha256"]
    assert httpx.get(url + "api/queue").json() == []  # the head was taken

    browser.get(url + "history")
    cells = browser.execute_script(
        f"const r = document.querySelector(\"tr[data-day='{DAY}']\"); return r && [...r.cells].map(c => c.textContent)")
    assert cells[:4] == [DAY, "feed", "posted", "hand"] and cells[4] == row["title"]
    assert "seed 11 #2" in cells[8]
