"""Publishing to Instagram through the official Graph API content-publishing flow.

1. ``GET /{ig-user-id}/content_publishing_limit``: stop early when the account's
   24-hour quota is used up;
2. the JPEG is put in the feed folder, whose public URL Instagram downloads it from;
3. ``POST /{ig-user-id}/media`` (image_url, caption, alt_text) creates a media container;
   its id is saved to the post's progress at once;
4. ``GET /{container-id}?fields=status_code`` is polled until ``FINISHED``
   (``ERROR``/``EXPIRED``: a new container is made);
5. ``POST /{ig-user-id}/media_publish`` (creation_id) publishes; the media id is saved.

A rerun after a crash reads the progress: a known media id means done; a known
container is checked, and one whose status is ``PUBLISHED`` (published, but the
answer was lost) is looked up in ``/{ig-user-id}/media`` by its caption instead
of being posted again.

Errors are mapped from the documented codes (developers.facebook.com, Instagram
Platform "Error Codes" and Graph API "Handling Errors") to three actions:
retry the same call with exponential backoff, make a new container, or stop
with a message.  The access token travels only in the Authorization header,
never in a URL, so it cannot end up in logs.
"""

from __future__ import annotations

import enum
import functools
import ssl
import logging
import time
from typing import Any, Callable

import httpx
from artgan.scheduler.config import Secret

from .base import Progress, Publication, PublishError
from .feed import FeedPublisher

log = logging.getLogger("artgan.scheduler.instagram")


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """Loading the CA bundle takes a while; one context serves every client of the process."""
    return ssl.create_default_context()


class Action(enum.Enum):
    RETRY = "retry with backoff"
    NEW_CONTAINER = "make a new container"
    STOP = "stop"


RETRY_SUBCODES = {2207001, 2207003, 2207032, 2207027}  # server error, download timeout, create failed, not ready yet
NEW_CONTAINER_SUBCODES = {2207008, 2207020, 2207053}  # container gone or expired, unknown upload error
STOP_MESSAGES = {
    2207051: "Instagram restricted this account's publishing as possible spam; check the account, then rerun",
    2207042: "the account reached Instagram's publishing limit for the last 24 hours; the post stays pending",
    2207050: "the Instagram account is restricted or inactive; log in to Instagram to fix it, then rerun",
    2207004: "Instagram says the image is larger than 8 MiB",
    2207005: "Instagram does not accept the image format",
    2207009: "Instagram does not accept the image's aspect ratio",
    2207052: "Instagram could not fetch the image: check that the feed's public_base_url serves the feed folder",
}
RATE_LIMIT_CODES = {4, 17, 32, 613, 80002}  # app, user, page, custom and Instagram business-use-case limits
TRANSIENT_CODES = {1, 2, -1, -2}  # unknown/temporary/service errors


def classify(http_status: int, code: int | None, subcode: int | None) -> Action:
    if subcode in STOP_MESSAGES:
        return Action.STOP
    if subcode in NEW_CONTAINER_SUBCODES:
        return Action.NEW_CONTAINER
    if subcode in RETRY_SUBCODES or code in RATE_LIMIT_CODES or code in TRANSIENT_CODES:
        return Action.RETRY
    if http_status == 429 or http_status >= 500:
        return Action.RETRY
    return Action.STOP  # bad token (190), missing permission (10, 200), bad parameters (100): retrying cannot help


class GraphError(Exception):
    def __init__(self, http_status: int, code: int | None, subcode: int | None, message: str) -> None:
        super().__init__(message)
        self.http_status, self.code, self.subcode = http_status, code, subcode
        self.action = classify(http_status, code, subcode)

    def __str__(self) -> str:
        advice = STOP_MESSAGES.get(self.subcode or 0)
        detail = f"Instagram error {self.code}/{self.subcode} (HTTP {self.http_status}): {self.args[0]}"
        return f"{advice} ({detail})" if advice else detail


class ContainerGone(Exception):
    """The container expired or was lost: start again with a new one."""


class Transient(Exception):
    """A failure worth retrying, raised instead of retrying when the caller must look before it leaps."""


class InstagramPublisher:
    name = "instagram"

    def __init__(
        self,
        user_id: str,
        token: Secret,
        host: FeedPublisher,
        graph_url: str,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        retries: int = 5,
        backoff_s: float = 2.0,
        poll_interval_s: float = 5.0,
        max_polls: int = 60,
        max_containers: int = 3,
    ) -> None:
        if host.public_base_url is None:
            raise PublishError("the instagram publisher needs the feed's public_base_url (Instagram downloads the image from it)", False)
        self.user_id, self.host, self.sleep = user_id, host, sleep
        self.retries, self.backoff_s = retries, backoff_s
        self.poll_interval_s, self.max_polls, self.max_containers = poll_interval_s, max_polls, max_containers
        self._client = client
        self.base = graph_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token.reveal()}"}

    @property
    def client(self) -> httpx.Client:
        if self._client is None:  # made on first use: a day that is already posted needs no TLS setup
            self._client = httpx.Client(timeout=httpx.Timeout(30.0), verify=_tls_context())
        return self._client

    # -- the flow -------------------------------------------------------------------------------

    def publish(self, publication: Publication, progress: Progress) -> str:
        media_id = progress.get("media_id")
        if media_id:
            return media_id
        container = progress.get("container_id")
        for _ in range(self.max_containers):
            if container is None:
                self.check_publishing_limit()
                url = self.host.public_url(self.host.host_image(publication))
                progress.save("image_url", url)  # uploaded: where Instagram will fetch it
                params = {"image_url": url, "caption": publication.caption, "alt_text": publication.alt_text or publication.title}
                container = self._call("POST", f"{self.user_id}/media", params)["id"]
                progress.save("container_id", container)
                log.info("created media container %s for %s", container, publication.post_id)
            media_id, status = self.publish_container(container, publication.caption)
            if media_id:
                progress.save("media_id", media_id)
                return media_id
            log.warning("media container %s is %s; making a new one", container, status)
            progress.save("container_id", None)
            container = None
        raise PublishError(f"Instagram failed to prepare the post {self.max_containers} times in a row; try again later")

    def publish_container(self, container: str, caption: str) -> tuple[str | None, str]:
        """(media id, last status).  media_publish is never blindly repeated: after a failure whose answer
        may have been lost, the container's status says whether it was published after all."""
        status = "IN_PROGRESS"
        for attempt in range(self.retries + 1):
            status = self.wait_for_container(container)
            if status == "PUBLISHED":
                return self.find_published(caption), status
            if status != "FINISHED":
                return None, status
            try:
                return self._call("POST", f"{self.user_id}/media_publish", {"creation_id": container}, once=True)["id"], status
            except ContainerGone:
                return None, "EXPIRED"
            except Transient as exc:
                self._back_off(attempt, "media_publish", exc)
        raise PublishError(f"Instagram kept failing to publish container {container}; the next run continues with it")

    def check_publishing_limit(self) -> None:
        data = self._call("GET", f"{self.user_id}/content_publishing_limit", {"fields": "quota_usage,config"})
        entry = (data.get("data") or [{}])[0]
        usage, total = entry.get("quota_usage", 0), (entry.get("config") or {}).get("quota_total")
        if total is not None and usage >= total:
            raise PublishError(f"the account used its Instagram publishing quota ({usage} of {total} in 24 hours); "
                               "the post stays pending and the next run tries again")

    def wait_for_container(self, container: str) -> str:
        """Poll until the container is FINISHED, PUBLISHED, ERROR or EXPIRED (IN_PROGRESS means wait)."""
        for _ in range(self.max_polls):
            try:
                status = self._call("GET", container, {"fields": "status_code"}).get("status_code", "")
            except ContainerGone:
                return "EXPIRED"
            if status != "IN_PROGRESS":
                return status
            self.sleep(self.poll_interval_s)
        raise PublishError(f"Instagram is still processing container {container}; the next run continues with it")

    def find_published(self, caption: str) -> str:
        media = self._call("GET", f"{self.user_id}/media", {"fields": "id,caption,timestamp", "limit": "25"})
        for item in media.get("data", []):
            if item.get("caption") == caption:
                return item["id"]
        raise PublishError("Instagram reports the post as published, but it is not among the account's recent media")

    # -- one request, with the error policy -------------------------------------------------------

    def _call(self, method: str, path: str, params: dict[str, str], once: bool = False) -> dict[str, Any]:
        """One Graph API request; retryable failures are retried with backoff, or raised as Transient when ``once``."""
        url = f"{self.base}/{path}"
        for attempt in range(self.retries + 1):
            try:
                if method == "GET":
                    response = self.client.get(url, params=params, headers=self._headers)
                else:
                    response = self.client.post(url, data=params, headers=self._headers)
                return self._parse(response)
            except httpx.TransportError as exc:
                problem: Exception = exc
            except GraphError as exc:
                if exc.action is Action.STOP:
                    raise PublishError(str(exc), retry_later=exc.subcode in (2207042, 2207051)) from None
                if exc.action is Action.NEW_CONTAINER:
                    raise ContainerGone(str(exc)) from None
                problem = exc
            if once:
                raise Transient(str(problem)) from None
            if attempt == self.retries:
                break
            self._back_off(attempt, f"{method} {path}", problem)
        raise PublishError(f"Instagram kept failing after {self.retries + 1} attempts: {problem}")

    def _back_off(self, attempt: int, what: str, problem: Exception) -> None:
        delay = min(self.backoff_s * 2**attempt, 300.0)
        log.warning("%s failed (%s); retrying in %.0f s", what, problem, delay)
        self.sleep(delay)

    @staticmethod
    def _parse(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.is_success and isinstance(body, dict) and "error" not in body:
            return body
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise GraphError(
            response.status_code, error.get("code"), error.get("error_subcode"),
            str(error.get("error_user_msg") or error.get("message") or response.reason_phrase or "no details"),
        )
