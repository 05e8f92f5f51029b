"""Publishing to Bluesky through the AT Protocol's XRPC endpoints (docs.bsky.app, atproto.com lexicons).

1. ``com.atproto.server.createSession`` with the handle and an app password: an access token
   (kept in memory only) and the account's DID;
2. ``com.atproto.repo.getRecord``: the day's post has a fixed record key (a TID made from the day
   and the publisher), so a post whose answer was lost is found, not made twice;
3. ``com.atproto.repo.uploadBlob``: the JPEG, re-encoded or scaled down until it is within the
   lexicon's 1,000,000 bytes per image; the blob reference is saved;
4. ``com.atproto.repo.createRecord``: an ``app.bsky.feed.post`` with the caption fitted to 300
   graphemes, its hashtags as ``app.bsky.richtext.facet#tag`` facets (UTF-8 byte ranges), and an
   ``app.bsky.embed.images`` embed with the alt text and the aspect ratio; its ``createdAt`` is
   saved before the first attempt, so every retry sends the same record. The record's at:// URI
   is the remote id.

An expired access token (``ExpiredToken``) logs in again once; the app password itself is never
stored or printed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from typing import Any, Callable

import httpx
from artgan.scheduler.config import Secret

from .base import Progress, Publication, PublishError
from .fitting import fit_image, fit_text, graphemes
from .http import Api, ApiError, ApiPublisher

log = logging.getLogger("artgan.scheduler.bluesky")

MAX_GRAPHEMES = 300  # app.bsky.feed.post text
MAX_TEXT_BYTES = 3000
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images#image: maxSize
POST = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
HASHTAG = re.compile(r"(?<![\w#])#(\w{1,64})")


def tid_for(day: str, publisher: str) -> str:
    """A valid record key (TID: 53 bits of microseconds since the epoch, 10 bits of clock id), fixed per day."""
    midnight = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    micros = int(midnight.timestamp()) * 1_000_000
    clock = int.from_bytes(hashlib.sha256(publisher.encode()).digest()[:2], "big") % 1024
    value = (micros << 10) | clock
    return "".join(TID_ALPHABET[(value >> (60 - 5 * i)) & 31] for i in range(13))


def hashtag_facets(text: str) -> list[dict[str, Any]]:
    """Each #tag as a tag facet; byte offsets are of the UTF-8 text, as the lexicon requires."""
    facets = []
    for match in HASHTAG.finditer(text):
        start, end = len(text[: match.start()].encode()), len(text[: match.end()].encode())
        facets.append({"index": {"byteStart": start, "byteEnd": end},
                       "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)}]})
    return facets


def fit_post_text(caption: str) -> str:
    text = fit_text(caption, MAX_GRAPHEMES, graphemes)
    return text if len(text.encode()) <= MAX_TEXT_BYTES else fit_text(text, MAX_TEXT_BYTES, lambda t: len(t.encode()))


class BlueskyPublisher(ApiPublisher):
    def __init__(
        self, handle: str, password: Secret, service: str = "https://bsky.social", *, name: str = "bluesky",
        client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep, retries: int = 5,
        backoff_s: float = 2.0, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
    ) -> None:
        self.name, self.handle, self.base = name, handle, service.rstrip("/")
        self._password, self.clock = password, clock
        self.api = Api("Bluesky", "check bluesky.handle and the app password in ARTGAN_BSKY_APP_PASSWORD or "
                       "bluesky.password_file", client, sleep, retries, backoff_s)
        self._session: tuple[str, str] | None = None  # (DID, access token)

    # -- the flow -------------------------------------------------------------------------------

    def publish(self, publication: Publication, progress: Progress) -> str:
        uri = progress.get("uri")
        if uri:
            return uri
        rkey = tid_for(publication.post_id, self.name)
        existing = self.get_post(rkey)
        if existing:
            progress.save("uri", existing)
            return existing
        blob, aspect = self._saved_blob(progress)
        if blob is None:
            blob, aspect = self.upload(publication)
            progress.save("blob", json.dumps({"blob": blob, "aspect": aspect}))
        created = progress.get("created_at")
        if created is None:
            created = self.clock().astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            progress.save("created_at", created)
        text = fit_post_text(publication.caption)
        record = {
            "$type": POST, "text": text, "createdAt": created, "facets": hashtag_facets(text),
            "embed": {"$type": "app.bsky.embed.images", "images": [
                {"image": blob, "alt": publication.alt_text or publication.title,
                 "aspectRatio": {"width": aspect[0], "height": aspect[1]}}]},
        }
        try:
            answer = self._xrpc("POST", "com.atproto.repo.createRecord", "creating the post",
                                json={"repo": self._did(), "collection": POST, "rkey": rkey, "record": record})
        except ApiError as exc:
            found = self.get_post(rkey)  # an earlier attempt may have made it, its answer lost
            if found:
                progress.save("uri", found)
                return found
            if "blob" in str(exc).lower():  # the blob expired before the post used it: the next run uploads it again
                progress.save("blob", None)
                raise PublishError(f"Bluesky no longer has the uploaded image ({exc}); the next run uploads it again") from None
            raise PublishError(f"Bluesky refused the post ({exc})", retry_later=False) from None
        progress.save("uri", answer["uri"])
        log.info("posted %s for %s", answer["uri"], publication.post_id)
        return str(answer["uri"])

    def upload(self, publication: Publication) -> tuple[dict[str, Any], list[int]]:
        data, size = fit_image(publication.image.read_bytes(), MAX_IMAGE_BYTES)
        try:
            answer = self._xrpc("POST", "com.atproto.repo.uploadBlob", "uploading the image", content=data,
                                headers={"Content-Type": "image/jpeg"})
        except ApiError as exc:
            raise PublishError(f"Bluesky refused the image ({exc})", retry_later=False) from None
        return answer["blob"], list(size)

    def get_post(self, rkey: str) -> str | None:
        try:
            found = self._xrpc("GET", "com.atproto.repo.getRecord", "looking for the day's post",
                               params={"repo": self._did(), "collection": POST, "rkey": rkey})
        except ApiError as exc:
            if exc.error == "RecordNotFound" or exc.status == 404:
                return None
            raise PublishError(f"Bluesky could not look up the day's post ({exc})") from None
        return str(found["uri"])

    @staticmethod
    def _saved_blob(progress: Progress) -> tuple[dict[str, Any] | None, list[int]]:
        saved = progress.get("blob")
        if not saved:
            return None, []
        value = json.loads(saved)
        return value["blob"], value["aspect"]

    # -- session and requests -------------------------------------------------------------------

    def _did(self) -> str:
        return self._login()[0]

    def _login(self, again: bool = False) -> tuple[str, str]:
        if self._session is None or again:
            try:
                answer = self.api.request("POST", f"{self.base}/xrpc/com.atproto.server.createSession", "logging in",
                                          json={"identifier": self.handle, "password": self._password.reveal()}).json()
            except ApiError as exc:
                raise PublishError(f"Bluesky refused the login for {self.handle} ({exc}); check bluesky.handle and the "
                                   "app password", retry_later=False) from None
            self._session = (str(answer["did"]), str(answer["accessJwt"]))
        return self._session

    def _xrpc(self, method: str, nsid: str, what: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        for attempt in range(2):
            token = self._login(again=attempt > 0)[1]
            try:
                return self.api.request(method, f"{self.base}/xrpc/{nsid}", what,
                                        headers={**(headers or {}), "Authorization": f"Bearer {token}"}, **kwargs).json()
            except ApiError as exc:
                if exc.error != "ExpiredToken" or attempt:
                    raise
                log.info("the Bluesky session expired; logging in again")
        raise AssertionError("unreachable")
