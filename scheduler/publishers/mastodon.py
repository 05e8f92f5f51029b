"""Publishing to Mastodon, or to any server with its API (Pixelfed implements the same endpoints).

The documented flow (docs.joinmastodon.org, methods/media, methods/statuses, methods/instance):

1. ``GET /api/v2/instance`` (``/api/v1/instance`` where v2 is missing): characters per status,
   image bytes and pixels, description length; the caption and the JPEG are fitted to them;
2. ``POST /api/v2/media`` (multipart ``file`` + ``description``, the alt text): 200 when the
   image is ready, 202 while the server still processes it; the media id is saved at once;
3. ``GET /api/v1/media/:id`` is polled while it answers 206 (processing), until 200;
4. ``POST /api/v1/statuses`` (JSON: text, media id, visibility, sensitive, spoiler text,
   language) with an ``Idempotency-Key`` derived from the day and the publisher; the status id is
   saved.

The server remembers idempotency keys for about an hour only, so the progress in the history is
the real guard: before posting, ``status_attempt`` is saved; a rerun that finds it looks for a
status carrying its media among the account's recent statuses before it posts again. A rerun
whose media has gone (unattached media expire; 404) uploads it again.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx
from artgan.scheduler.config import Secret

from .base import Progress, Publication, PublishError
from .fitting import fit_image, fit_text
from .http import Api, ApiError, ApiPublisher

log = logging.getLogger("artgan.scheduler.mastodon")


@dataclass(frozen=True)
class Limits:
    max_characters: int = 500  # Mastodon's defaults, for servers that do not say
    image_size_limit: int | None = 16 * 1024 * 1024
    image_matrix_limit: int | None = 33_177_600
    description_limit: int = 1500

    @classmethod
    def from_instance(cls, body: dict[str, Any]) -> "Limits":
        """Read v2's ``configuration`` (v1 keeps the same keys there, with max_toot_chars beside it)."""
        config = body.get("configuration") or {}
        statuses, media = config.get("statuses") or {}, config.get("media_attachments") or {}
        chars = statuses.get("max_characters") or body.get("max_toot_chars") or cls.max_characters
        return cls(int(chars), media.get("image_size_limit") or cls.image_size_limit,
                   media.get("image_matrix_limit") or cls.image_matrix_limit,
                   int(media.get("description_limit") or cls.description_limit))


def idempotency_key(day: str, publisher: str) -> str:
    return hashlib.sha256(f"artgan:{publisher}:{day}".encode()).hexdigest()[:32]


class MastodonPublisher(ApiPublisher):
    def __init__(
        self, url: str, token: Secret, *, name: str = "mastodon", visibility: str = "public", sensitive: bool = False,
        spoiler_text: str = "", language: str | None = None, client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep, retries: int = 5, backoff_s: float = 2.0,
        poll_interval_s: float = 2.0, max_polls: int = 60,
    ) -> None:
        self.name, self.base = name, url.rstrip("/")
        self.visibility, self.sensitive, self.spoiler_text, self.language = visibility, sensitive, spoiler_text, language
        self.poll_interval_s, self.max_polls = poll_interval_s, max_polls
        self.api = Api("Mastodon", "check the access token (scopes write:media write:statuses read:accounts) in "
                       "ARTGAN_MASTODON_TOKEN or mastodon.token_file", client, sleep, retries, backoff_s)
        self._headers = {"Authorization": f"Bearer {token.reveal()}"}

    # -- the flow -------------------------------------------------------------------------------

    def publish(self, publication: Publication, progress: Progress) -> str:
        status_id = progress.get("status_id")
        if status_id:
            return status_id
        media_id = progress.get("media_id")
        if media_id and progress.get("status_attempt"):
            found = self.find_status_with(media_id)
            if found:
                progress.save("status_id", found)
                return found
        limits = self.limits()
        if media_id and not self.wait_for_media(media_id):
            log.warning("media %s is gone from the server; uploading the image again", media_id)
            progress.save("media_id", None)
            media_id = None
        if media_id is None:
            media_id = self.upload(publication, limits)
            progress.save("media_id", media_id)
            if not self.wait_for_media(media_id):
                raise PublishError(f"Mastodon lost media {media_id} while processing it; the next run uploads it again")
        key = idempotency_key(publication.post_id, self.name)
        progress.save("status_attempt", key)
        body: dict[str, Any] = {
            "status": fit_text(publication.caption, limits.max_characters), "media_ids": [media_id],
            "visibility": self.visibility, "sensitive": self.sensitive,
        }
        if self.spoiler_text:
            body["spoiler_text"] = self.spoiler_text
        if self.language:
            body["language"] = self.language
        try:
            status = self._json("POST", "/api/v1/statuses", "posting the status", json=body,
                                headers={**self._headers, "Idempotency-Key": key})
        except ApiError as exc:
            raise PublishError(f"Mastodon refused the status ({exc})", retry_later=exc.status >= 500) from None
        progress.save("status_id", str(status["id"]))
        log.info("posted status %s for %s", status["id"], publication.post_id)
        return str(status["id"])

    def limits(self) -> Limits:
        try:
            return Limits.from_instance(self._json("GET", "/api/v2/instance", "reading the instance's limits"))
        except ApiError as exc:
            if exc.status != 404:
                raise PublishError(f"Mastodon could not tell its limits ({exc})") from None
        try:  # older Mastodon (before 4.0) and some compatible servers: only v1
            return Limits.from_instance(self._json("GET", "/api/v1/instance", "reading the instance's limits"))
        except ApiError as exc:
            raise PublishError(f"{self.base} does not look like a Mastodon-compatible server ({exc})", False) from None

    def upload(self, publication: Publication, limits: Limits) -> str:
        data, _ = fit_image(publication.image.read_bytes(), limits.image_size_limit, limits.image_matrix_limit)
        description = fit_text(publication.alt_text or publication.title, limits.description_limit)
        try:
            media = self._json("POST", "/api/v2/media", "uploading the image", headers=self._headers,
                               files={"file": (publication.image.name, data, "image/jpeg")},
                               data={"description": description})
        except ApiError as exc:
            if exc.status in (413, 422):
                raise PublishError(f"Mastodon refused the image ({exc}); the post stays pending", retry_later=False) from None
            raise PublishError(f"Mastodon refused the upload ({exc})") from None
        log.info("uploaded media %s for %s", media["id"], publication.post_id)
        return str(media["id"])

    def wait_for_media(self, media_id: str) -> bool:
        """True once the media is processed (200), False when the server no longer has it (404)."""
        for _ in range(self.max_polls):
            try:
                response = self.api.request("GET", f"{self.base}/api/v1/media/{media_id}", "checking the upload",
                                            headers=self._headers)
            except ApiError as exc:
                if exc.status == 404:
                    return False
                raise PublishError(f"Mastodon could not report on media {media_id} ({exc})") from None
            if response.status_code == 200 and (response.json() or {}).get("url"):
                return True
            self.sleep(self.poll_interval_s)  # 206: still processing
        raise PublishError(f"Mastodon is still processing media {media_id}; the next run continues with it")

    def find_status_with(self, media_id: str) -> str | None:
        """A recent status of this account that carries ``media_id``: a post whose answer was lost."""
        try:
            account = self._json("GET", "/api/v1/accounts/verify_credentials", "reading the account")
            statuses = self._json("GET", f"/api/v1/accounts/{account['id']}/statuses", "reading recent statuses",
                                  params={"limit": "40"})
        except ApiError as exc:
            raise PublishError(f"Mastodon could not list the account's statuses ({exc})") from None
        for status in statuses:
            if any(str(m.get("id")) == media_id for m in status.get("media_attachments", [])):
                return str(status["id"])
        return None

    def _json(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", self._headers)
        return self.api.request(method, self.base + path, what, **kwargs).json()
