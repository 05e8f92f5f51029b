"""A local stand-in for the Instagram Graph API content-publishing endpoints, with injectable failures.

It follows the documented contract: containers from POST /{user}/media (the
image is downloaded from image_url, here served by the same server under
/files/), status_code IN_PROGRESS -> FINISHED (or ERROR/EXPIRED), publishing
with POST /{user}/media_publish (the container becomes PUBLISHED), the quota
from /{user}/content_publishing_limit, recent media from GET /{user}/media, and
errors as {"error": {"code", "error_subcode", "message"}}.
"""

from __future__ import annotations

import io
import json
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlparse

from PIL import Image

VERSION = "v21.0"


@dataclass
class Failure:
    http: int = 500
    code: int | None = 1
    subcode: int | None = None
    message: str = "An unknown error occurred"
    drop: bool = False  # close the connection without answering
    after: bool = False  # do the work, then fail (the answer is lost)


@dataclass
class Container:
    id: str
    caption: str
    image_url: str
    polls_left: int
    alt_text: str = ""
    outcome: str = "FINISHED"
    status: str = "IN_PROGRESS"
    media_id: str | None = None


@dataclass
class FakeGraph:
    token: str
    user_id: str
    files_root: Path
    quota_total: int = 50
    quota_used_elsewhere: int = 0  # posts made by other apps in the last 24 hours
    clock: Callable[[], float] = time.time  # the server's idea of now, for the 24-hour quota window
    polls_before_finished: int = 1
    outcomes: list[str] = field(default_factory=list)  # final status of the next containers (default FINISHED)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    media: list[dict] = field(default_factory=list)
    requests: list[tuple[str, str, dict, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- test controls -------------------------------------------------------------------------------
    def fail_next(self, endpoint: str, times: int = 1, **failure) -> None:
        """endpoint: limit, create, status, publish or list."""
        self.failures.setdefault(endpoint, []).extend(Failure(**failure) for _ in range(times))

    def start(self) -> "FakeGraph":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                parsed = urlparse(self.path)
                fake.handle(self, "GET", parsed.path, {k: v[0] for k, v in parse_qs(parsed.query).items()})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                fake.handle(self, "POST", urlparse(self.path).path, {k: v[0] for k, v in parse_qs(body).items()})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def graph_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/{VERSION}"

    @property
    def files_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/files/"

    @property
    def published(self) -> list[dict]:
        return [{k: v for k, v in m.items() if k != "time"} for m in self.media]

    # -- the API -------------------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, method: str, path: str, params: dict) -> None:
        if path.startswith("/files/"):
            target = self.files_root / path.removeprefix("/files/")
            if not target.is_file():
                return self._send(handler, 404, {"error": "no such file"})
            data = target.read_bytes()
            handler.send_response(200)
            handler.send_header("Content-Type", "image/jpeg")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        auth = handler.headers.get("Authorization", "")
        parts = path.removeprefix(f"/{VERSION}/").split("/")
        endpoint = self._endpoint(method, parts)
        with self.lock:
            self.requests.append((method, path, params, auth))
            failure = self.failures.get(endpoint, []).pop(0) if self.failures.get(endpoint) else None
        if failure and not failure.after:
            return self._fail(handler, failure)
        if auth != f"Bearer {self.token}":
            return self._error(handler, 400, 190, None, "Invalid OAuth access token.")
        if endpoint not in ("status",) and parts[0] != self.user_id:
            return self._error(handler, 400, 100, 33, "Unsupported request: object does not exist.")
        with self.lock:
            status, body = getattr(self, f"_{endpoint}")(parts, params)
        if failure:  # the work is done, the answer is lost
            return self._fail(handler, failure)
        self._send(handler, status, body)

    @staticmethod
    def _endpoint(method: str, parts: list[str]) -> str:
        if len(parts) == 2 and parts[1] == "content_publishing_limit":
            return "limit"
        if len(parts) == 2 and parts[1] == "media":
            return "create" if method == "POST" else "list"
        if len(parts) == 2 and parts[1] == "media_publish":
            return "publish"
        return "status"

    @property
    def quota_usage(self) -> int:
        now = self.clock()
        return self.quota_used_elsewhere + sum(1 for m in self.media if now - m["time"] < 86400)

    def _limit(self, parts, params):
        return 200, {"data": [{"quota_usage": self.quota_usage, "config": {"quota_total": self.quota_total, "quota_duration": 86400}}]}

    def _create(self, parts, params):
        caption, url = params.get("caption", ""), params.get("image_url", "")
        if len(caption) > 2200:
            return 400, _err(100, 2207010, "The caption is too long.")
        if caption.count("#") > 30:
            return 400, _err(100, 2207010, "Too many hashtags.")
        try:
            data = urllib.request.urlopen(url, timeout=10).read()
        except Exception:
            return 400, _err(9004, 2207052, "The media could not be fetched from this URI.")
        if len(data) > 8 * 1024 * 1024:
            return 400, _err(36000, 2207004, "The image is too large to download.")
        try:
            image = Image.open(io.BytesIO(data))
            image.load()
        except Exception:
            return 400, _err(36001, 2207005, "The image format is not supported.")
        if image.format != "JPEG":
            return 400, _err(36001, 2207005, "Only JPEG images are supported.")
        if not 0.8 <= image.width / image.height <= 1.91:
            return 400, _err(36003, 2207009, "The aspect ratio is not supported.")
        container = Container(f"c{len(self.containers) + 1}", caption, url, self.polls_before_finished,
                              params.get("alt_text", ""), self.outcomes.pop(0) if self.outcomes else "FINISHED")
        self.containers[container.id] = container
        return 200, {"id": container.id}

    def _status(self, parts, params):
        container = self.containers.get(parts[0])
        if container is None:
            return 400, _err(100, 33, "Unsupported get request. Object does not exist.")
        if container.status == "IN_PROGRESS":
            if container.polls_left <= 0:
                container.status = container.outcome
            container.polls_left -= 1
        return 200, {"status_code": container.status, "id": container.id}

    def _publish(self, parts, params):
        container = self.containers.get(params.get("creation_id", ""))
        if container is None or container.status == "EXPIRED":
            return 400, _err(24, 2207008, "The media container does not exist or has expired.")
        if container.status == "PUBLISHED":
            return 400, _err(100, None, "This container has already been published.")
        if container.status != "FINISHED":
            return 400, _err(9007, 2207027, "The media is not ready for publishing, please wait for a moment.")
        if self.quota_usage >= self.quota_total:
            return 400, _err(9, 2207042, "You reached maximum number of posts that is allowed to be published.")
        container.status = "PUBLISHED"
        container.media_id = f"m{len(self.media) + 1}"
        self.media.insert(0, {"id": container.media_id, "caption": container.caption, "image_url": container.image_url,
                              "alt_text": container.alt_text, "time": self.clock()})
        return 200, {"id": container.media_id}

    def _list(self, parts, params):
        return 200, {"data": [{"id": m["id"], "caption": m["caption"]} for m in self.media[: int(params.get("limit", 25))]]}

    # -- answers -------------------------------------------------------------------------------------
    def _fail(self, handler, failure: Failure) -> None:
        if failure.drop:
            handler.close_connection = True
            handler.connection.close()
            return
        self._error(handler, failure.http, failure.code, failure.subcode, failure.message)

    def _error(self, handler, http: int, code, subcode, message: str) -> None:
        self._send(handler, http, _err(code, subcode, message))

    @staticmethod
    def _send(handler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def _err(code, subcode, message: str) -> dict:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}
