"""Local stand-ins for a Mastodon (or Pixelfed) server and a Bluesky PDS, with injectable failures.

Both follow the documented contracts closely enough to check what artgan sends: the Mastodon fake
parses the multipart upload and the JSON status, honours ``Idempotency-Key`` (for ``key_ttl_s``,
about an hour like the real server), answers 202 + 206 while "processing" media and 404 for
attached or expired media; the Bluesky fake checks the session token, the blob, the record's
lexicon shape (text length, facets' UTF-8 byte ranges, the images embed with alt and aspect
ratio) and refuses a second record under the same key.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

from PIL import Image


@dataclass
class Failure:
    http: int = 500
    error: str = "InternalServerError"
    message: str = "something broke"
    retry_after: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering
    after: bool = False  # do the work, then fail (the answer is lost)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, Any] = field(default_factory=dict)  # multipart: name -> str, or (filename, content type, bytes)


class FakeServer:
    """The HTTP plumbing: routing to ``endpoint(method, path)`` -> ``_<endpoint>(request)``, failures, a request log."""

    def __init__(self) -> None:
        self.failures: dict[str, list[Failure]] = {}
        self.requests: list[tuple[str, Request]] = []
        self.lock = threading.RLock()
        self.clock: Callable[[], float] = time.time

    def fail_next(self, endpoint: str, times: int = 1, **failure: Any) -> None:
        self.failures.setdefault(endpoint, []).extend(Failure(**failure) for _ in range(times))

    def endpoints(self) -> list[str]:
        return [name for name, _ in self.requests]

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                fake._dispatch(self, "GET")

            def do_POST(self) -> None:
                fake._dispatch(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def endpoint(self, method: str, path: str) -> str:
        raise NotImplementedError

    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urlparse(handler.path)
        body = handler.rfile.read(int(handler.headers.get("Content-Length", 0) or 0))
        request = Request(method, parsed.path, {k.lower(): v for k, v in handler.headers.items()},
                          {k: v[0] for k, v in parse_qs(parsed.query).items()}, body)
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            request.json = json.loads(body or b"null")
        elif content_type.startswith("multipart/form-data"):
            request.form = parse_multipart(content_type, body)
        name = self.endpoint(method, parsed.path)
        with self.lock:
            self.requests.append((name, request))
            failure = self.failures.get(name, []).pop(0) if self.failures.get(name) else None
        if failure and not failure.after:
            return self._fail(handler, failure)
        with self.lock:
            status, answer, headers = self.handle(name, request)
        if failure:
            return self._fail(handler, failure)
        self.send(handler, status, answer, headers)

    def handle(self, name: str, request: Request) -> tuple[int, Any, dict[str, str]]:
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            return 404, {"error": "Not found"}, {}
        answer = handler(request)
        return answer if len(answer) == 3 else (*answer, {})

    def _fail(self, handler: BaseHTTPRequestHandler, failure: Failure) -> None:
        if failure.drop:
            handler.close_connection = True
            handler.connection.close()
            return
        headers = dict(failure.headers)
        if failure.retry_after is not None:
            headers["Retry-After"] = failure.retry_after
        self.send(handler, failure.http, self.error_body(failure.error, failure.message), headers)

    def error_body(self, error: str, message: str) -> dict:
        return {"error": error, "message": message}

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    form: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        form[name] = (filename, part.get_content_type(), payload) if filename else payload.decode()
    return form


def image_size(data: bytes) -> tuple[str, int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.format, image.width, image.height


# -- Mastodon / Pixelfed ------------------------------------------------------------------------------------


class FakeMastodon(FakeServer):
    def __init__(self, token: str, *, max_characters: int = 500, image_size_limit: int = 16 * 1024 * 1024,
                 image_matrix_limit: int = 33_177_600, v2_instance: bool = True, processing_polls: int = 0,
                 key_ttl_s: float = 3600.0) -> None:
        super().__init__()
        self.token, self.v2_instance, self.processing_polls, self.key_ttl_s = token, v2_instance, processing_polls, key_ttl_s
        self.limits = {"max_characters": max_characters, "image_size_limit": image_size_limit,
                       "image_matrix_limit": image_matrix_limit}
        self.media: dict[str, dict] = {}
        self.statuses: list[dict] = []  # newest first
        self.keys: dict[str, tuple[float, dict]] = {}

    def error_body(self, error: str, message: str) -> dict:
        return {"error": message}

    def endpoint(self, method: str, path: str) -> str:
        routes = {("GET", "/api/v2/instance"): "instance_v2", ("GET", "/api/v1/instance"): "instance_v1",
                  ("POST", "/api/v2/media"): "upload", ("POST", "/api/v1/statuses"): "status",
                  ("GET", "/api/v1/accounts/verify_credentials"): "verify"}
        if (method, path) in routes:
            return routes[(method, path)]
        if method == "GET" and path.startswith("/api/v1/media/"):
            return "media"
        if method == "GET" and path.startswith("/api/v1/accounts/") and path.endswith("/statuses"):
            return "account_statuses"
        return "unknown"

    def handle(self, name: str, request: Request):
        if not name.startswith("instance") and request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}, {}
        return super().handle(name, request)

    @property
    def posted(self) -> list[dict]:
        return self.statuses

    def _instance_v2(self, request):
        if not self.v2_instance:
            return 404, {"error": "Record not found"}
        config = {"statuses": {"max_characters": self.limits["max_characters"], "max_media_attachments": 4},
                  "media_attachments": {"image_size_limit": self.limits["image_size_limit"],
                                        "image_matrix_limit": self.limits["image_matrix_limit"], "description_limit": 1500,
                                        "supported_mime_types": ["image/jpeg", "image/png"]}}
        return 200, {"domain": "fake.example", "configuration": config}

    def _instance_v1(self, request):
        return 200, {"uri": "fake.example", "max_toot_chars": self.limits["max_characters"], "configuration": {
            "statuses": {"max_characters": self.limits["max_characters"]},
            "media_attachments": {"image_size_limit": self.limits["image_size_limit"],
                                  "image_matrix_limit": self.limits["image_matrix_limit"]}}}

    def _upload(self, request):
        upload = request.form.get("file")
        if not isinstance(upload, tuple):
            return 422, {"error": "Validation failed: File can't be blank"}
        filename, content_type, data = upload
        if len(data) > self.limits["image_size_limit"]:
            return 422, {"error": "Validation failed: File file size must be less than the limit"}
        try:
            fmt, width, height = image_size(data)
        except Exception:
            return 422, {"error": "Validation failed: File has contents that are not what they are reported to be"}
        if width * height > self.limits["image_matrix_limit"]:
            return 422, {"error": "Validation failed: File dimensions are too large"}
        media_id = str(100 + len(self.media))
        self.media[media_id] = {"id": media_id, "type": "image", "description": request.form.get("description"),
                                "polls_left": self.processing_polls, "status_id": None, "size": (width, height),
                                "bytes": len(data), "content_type": content_type, "format": fmt}
        processing = self.processing_polls > 0
        return (202 if processing else 200), self._media_json(media_id)

    def _media_json(self, media_id: str) -> dict:
        media = self.media[media_id]
        ready = media["polls_left"] <= 0
        return {"id": media_id, "type": "image", "description": media["description"],
                "url": f"{self.url}/media/{media_id}.jpg" if ready else None}

    def _media(self, request):
        media = self.media.get(request.path.rsplit("/", 1)[-1])
        if media is None or media["status_id"] is not None:
            return 404, {"error": "Record not found"}
        if media["polls_left"] > 0:
            media["polls_left"] -= 1
            return 206, self._media_json(media["id"])
        return 200, self._media_json(media["id"])

    def _status(self, request):
        key = request.headers.get("idempotency-key")
        now = self.clock()
        if key and key in self.keys and now - self.keys[key][0] < self.key_ttl_s:
            return 200, self.keys[key][1]
        body = request.json or {}
        text = body.get("status", "")
        if len(text) > self.limits["max_characters"]:
            return 422, {"error": "Validation failed: Text character limit of %d exceeded" % self.limits["max_characters"]}
        attached = []
        for media_id in body.get("media_ids", []):
            media = self.media.get(str(media_id))
            if media is None or media["status_id"] is not None:
                return 422, {"error": "Validation failed: media not found"}
            if media["polls_left"] > 0:
                return 422, {"error": "Cannot attach files that have not finished processing. Try again in a moment!"}
            attached.append(media)
        status_id = str(9000 + len(self.statuses))
        for media in attached:
            media["status_id"] = status_id
        status = {"id": status_id, "content": text, "visibility": body.get("visibility"),
                  "sensitive": body.get("sensitive"), "spoiler_text": body.get("spoiler_text", ""),
                  "language": body.get("language"), "idempotency_key": key,
                  "media_attachments": [{"id": m["id"], "type": "image", "description": m["description"]} for m in attached]}
        self.statuses.insert(0, status)
        if key:
            self.keys[key] = (now, status)
        return 200, status

    def _verify(self, request):
        return 200, {"id": "7", "username": "artgan"}

    def _account_statuses(self, request):
        return 200, self.statuses[: int(request.query.get("limit", 20))]


# -- Bluesky -----------------------------------------------------------------------------------------------


class FakeBluesky(FakeServer):
    def __init__(self, handle: str, password: str, *, token_uses: int = 1000) -> None:
        super().__init__()
        self.account, self.password, self.token_uses = handle, password, token_uses
        self.did = "did:plc:fakeartgan"
        self.tokens: dict[str, int] = {}  # access token -> uses left
        self.blobs: dict[str, dict] = {}
        self.records: dict[str, dict] = {}  # rkey -> record
        self.logins = 0

    def endpoint(self, method: str, path: str) -> str:
        return {"com.atproto.server.createSession": "login", "com.atproto.repo.uploadBlob": "upload",
                "com.atproto.repo.createRecord": "create", "com.atproto.repo.getRecord": "get"}.get(
            path.removeprefix("/xrpc/"), "unknown")

    def handle(self, name: str, request: Request):
        if name != "login":
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return 401, {"error": "AuthenticationRequired", "message": "Invalid token"}, {}
            if self.tokens[token] <= 0:
                return 400, {"error": "ExpiredToken", "message": "Token has expired"}, {}
            self.tokens[token] -= 1
        return super().handle(name, request)

    @property
    def posted(self) -> list[dict]:
        return list(self.records.values())

    def _login(self, request):
        body = request.json or {}
        if body.get("identifier") != self.account or body.get("password") != self.password:
            return 401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        self.logins += 1
        token = f"access-{self.logins}"
        self.tokens[token] = self.token_uses
        return 200, {"did": self.did, "handle": self.account, "accessJwt": token, "refreshJwt": f"refresh-{self.logins}"}

    def _upload(self, request):
        if request.headers.get("content-type") != "image/jpeg":
            return 400, {"error": "InvalidRequest", "message": "Wrong content type"}
        fmt, width, height = image_size(request.body)
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:40]
        self.blobs[cid] = {"size": len(request.body), "width": width, "height": height, "format": fmt}
        return 200, {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/jpeg", "size": len(request.body)}}

    def _create(self, request):
        body = request.json or {}
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            return 400, {"error": "InvalidRequest", "message": "bad repo or collection"}
        rkey, record = body.get("rkey"), body.get("record") or {}
        if rkey in self.records:
            return 400, {"error": "InvalidRequest", "message": "Record already exists"}
        problem = self.invalid(record)
        if problem:
            return 400, {"error": "InvalidRecord", "message": problem}
        self.records[rkey] = record
        return 200, {"uri": f"at://{self.did}/app.bsky.feed.post/{rkey}", "cid": "bafyrec" + rkey}

    def invalid(self, record: dict) -> str | None:
        """What the PDS's lexicon validation would refuse (the parts artgan uses)."""
        text = record.get("text", "")
        if record.get("$type") != "app.bsky.feed.post" or "createdAt" not in record:
            return "Record/$type and createdAt are required"
        if len(text) > 300 or len(text.encode()) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        raw = text.encode()
        for facet in record.get("facets", []):
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            tag = facet["features"][0]["tag"]
            if raw[start:end].decode() != "#" + tag:
                return f"facet {start}..{end} does not cover #{tag}"
        images = (record.get("embed") or {}).get("images") or []
        if record.get("embed", {}).get("$type") != "app.bsky.embed.images" or not 1 <= len(images) <= 4:
            return "Record/embed must be app.bsky.embed.images with 1 to 4 images"
        for image in images:
            cid = image["image"]["ref"]["$link"]
            if cid not in self.blobs:
                return f"Could not find blob: {cid}"
            if self.blobs[cid]["size"] > 1_000_000:
                return "Record/embed/images/0/image: BlobTooLarge (max 1000000 bytes)"
            if "alt" not in image or set(image.get("aspectRatio", {})) != {"width", "height"}:
                return "Record/embed/images/0 must have alt and aspectRatio"
        return None

    def _get(self, request):
        rkey = request.query.get("rkey")
        if request.query.get("repo") != self.did or rkey not in self.records:
            return 400, {"error": "RecordNotFound", "message": f"Could not locate record: {rkey}"}
        return 200, {"uri": f"at://{self.did}/app.bsky.feed.post/{rkey}", "cid": "bafyrec" + rkey, "value": self.records[rkey]}
