"""One request against a JSON web API, with the error policy the Mastodon and Bluesky publishers share.

- connection failures and 5xx: retried with exponential backoff;
- 429: retried after the server's ``Retry-After`` (seconds or an HTTP date) or ``RateLimit-Reset``
  (epoch seconds, as Bluesky sends it), or with backoff when neither is given; a wait longer than
  ``max_wait_s`` stops the run instead (the post stays pending, the next run tries again);
- 401/403: stop, with a message saying which credential to check (never the credential itself);
- anything else (400, 404, 413, 422 ...): :class:`ApiError`, which the publisher maps (a 422 on an
  upload is bad media, a 404 may mean "gone, start again").

Secrets travel in headers or request bodies only, and no message quotes a request, so they cannot
reach a log.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import ssl
import time
from typing import Any, Callable

import httpx

from .base import PublishError

log = logging.getLogger("artgan.scheduler.http")


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """Loading the CA bundle takes a while; one context serves every client of the process."""
    return ssl.create_default_context()


def new_client() -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(60.0), verify=tls_context())


class ApiError(Exception):
    """A final (not retryable) answer from the server: its HTTP status and its own error name/message."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error = status, error

    def __str__(self) -> str:
        name = f" {self.error}" if self.error and self.error not in self.args[0] else ""
        return f"HTTP {self.status}{name}: {self.args[0]}"


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(error name, message) from Mastodon's {"error": ...} or XRPC's {"error", "message"} bodies."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error, message = body.get("error"), body.get("message") or body.get("error_description")
        if isinstance(error, str) and isinstance(message, str):
            return error, message
        if isinstance(error, str):
            return "", error
    return "", response.reason_phrase or "no details"


def retry_after_s(response: httpx.Response, now: Callable[[], float] = time.time) -> float | None:
    """The wait a 429 asks for, from Retry-After (seconds or HTTP date) or RateLimit-Reset (epoch s)."""
    value = response.headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now())
        except (TypeError, ValueError):
            pass
    reset = response.headers.get("ratelimit-reset")
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - now())
    return None


class Api:
    """Requests to one service (``service`` names it in messages), retried by the policy above."""

    def __init__(
        self, service: str, auth_advice: str, client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep, retries: int = 5, backoff_s: float = 2.0,
        max_wait_s: float = 900.0, now: Callable[[], float] = time.time,
    ) -> None:
        self.service, self.auth_advice = service, auth_advice
        self._client, self.sleep, self.now = client, sleep, now
        self.retries, self.backoff_s, self.max_wait_s = retries, backoff_s, max_wait_s

    @property
    def client(self) -> httpx.Client:
        if self._client is None:  # made on first use: a day that is already posted needs no TLS setup
            self._client = new_client()
        return self._client

    def request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """The first success (2xx) for ``what``; raises ApiError for final answers, PublishError to stop."""
        problem = "no attempt"
        for attempt in range(self.retries + 1):
            delay = min(self.backoff_s * 2**attempt, 300.0)
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.is_success:
                    return response
                error, message = error_of(response)
                status = response.status_code
                if status in (401, 403):
                    raise PublishError(f"{self.service} refused the credentials for {what} (HTTP {status}: {message}); "
                                       f"{self.auth_advice}", retry_later=False)
                if status == 429:
                    asked = retry_after_s(response, self.now)
                    if asked is not None and asked > self.max_wait_s:
                        raise PublishError(f"{self.service} rate-limited {what} for {asked / 60:.0f} more minutes; "
                                           "the post stays pending and the next run tries again")
                    delay = delay if asked is None else asked
                elif status < 500:
                    raise ApiError(status, error, message)
                problem = str(ApiError(status, error, message))
            if attempt == self.retries:
                break
            log.warning("%s: %s failed (%s); retrying in %.0f s", self.service, what, problem, delay)
            self.sleep(delay)
        raise PublishError(f"{self.service} kept failing at {what} after {self.retries + 1} attempts: {problem}")


class ApiPublisher:
    """What the httpx-based publishers share: ``sleep`` reaches their :class:`Api`'s backoff (tests replace it)."""

    api: Api

    @property
    def sleep(self) -> Callable[[float], None]:
        return self.api.sleep

    @sleep.setter
    def sleep(self, value: Callable[[float], None]) -> None:
        self.api.sleep = value
