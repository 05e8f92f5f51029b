"""The studio's web application (Starlette): one page, its JSON API and the history page.

Every error becomes ``{"error": sentence}`` with a 4xx status (the page shows the sentence), and
an unexpected one a 500 with a sentence too: no stack trace ever reaches the page. Requests that
change something must be JSON (``Content-Type: application/json``), which a browser cannot send
cross-site without a CORS preflight this app never answers: another web site cannot make the
studio queue a post.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from artgan.models.artifact import ModelError
from artgan.scheduler.history import HistoryError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .engine import StudioEngine, StudioError
from .jobs import Jobs
from .page import history_page, studio_page
from .requests import MoreRequest, PaintRequest, WalkRequest

log = logging.getLogger("artgan.studio")


def create_app(engine: StudioEngine) -> Starlette:
    jobs = Jobs()

    async def body_of(request: Request) -> Any:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise StudioError("send the request as JSON (Content-Type: application/json)")
        try:
            return json.loads(await request.body() or b"{}")
        except ValueError:
            raise StudioError("the request is not valid JSON") from None

    async def page(request: Request) -> Response:
        return HTMLResponse(studio_page())

    async def history(request: Request) -> Response:
        return HTMLResponse(history_page(engine.history.all(), engine.history.queue(), engine.history.set_aside()))

    async def painter(request: Request) -> Response:
        info = engine.painter(request.query_params.get("name") or None).info()
        return JSONResponse({**info, "painters": engine.painter_names()})

    async def paint(request: Request) -> Response:
        ask = PaintRequest.parse(await body_of(request))
        engine.check(ask.painter, ask.class_name)  # an unknown painter or class is a 400 now, not a failed job later
        job = jobs.start("paint", ask.count, lambda job: engine.summaries(engine.paint_batch(
            ask.painter, ask.seed, ask.count, ask.truncation, ask.class_name, job.progress)))
        return JSONResponse(job.as_json(), status_code=202)

    async def more(request: Request) -> Response:
        ask = MoreRequest.parse(await body_of(request))
        base = request.path_params["id"]
        engine.get(base)
        job = jobs.start("more", ask.count, lambda job: engine.summaries(engine.more_like(base, ask.count, ask.step, job.progress)))
        return JSONResponse(job.as_json(), status_code=202)

    async def walk(request: Request) -> Response:
        ask = WalkRequest.parse(await body_of(request))
        engine.get(ask.start), engine.get(ask.end)
        job = jobs.start("walk", 2 * ask.frames, lambda job: {
            "url": f"/api/walks/{engine.walk(ask.start, ask.end, ask.frames, job.progress)}.gif"})
        return JSONResponse(job.as_json(), status_code=202)

    async def job(request: Request) -> Response:
        return JSONResponse(jobs.get(request.path_params["id"]).as_json())

    async def painting_png(request: Request) -> Response:
        return Response(engine.png(request.path_params["id"]), media_type="image/png",
                        headers={"Cache-Control": "max-age=86400"})  # the id is a hash of how it was made

    async def painting_large(request: Request) -> Response:
        return Response(engine.large(request.path_params["id"]), media_type="image/jpeg",
                        headers={"Cache-Control": "max-age=86400"})

    async def painting_json(request: Request) -> Response:
        return JSONResponse(engine.summaries([engine.get(request.path_params["id"])])[0])

    async def star(request: Request) -> Response:
        body = await body_of(request)
        starred = body.get("starred", True) if isinstance(body, dict) else True
        if not isinstance(starred, bool):
            raise StudioError("starred must be true or false")
        engine.star(request.path_params["id"], starred)
        return JSONResponse({"id": request.path_params["id"], "starred": starred})

    async def favourites(request: Request) -> Response:
        return JSONResponse(engine.summaries(engine.favourites()))

    async def walk_gif(request: Request) -> Response:
        return Response(engine.walk_gif(request.path_params["id"]), media_type="image/gif")

    async def queue(request: Request) -> Response:
        return JSONResponse([queue_json(item) for item in engine.history.queue()])

    async def enqueue(request: Request) -> Response:
        await body_of(request)
        item = engine.enqueue(request.path_params["id"])
        position = [q.id for q in engine.history.queue()].index(item.id) + 1
        return JSONResponse({**queue_json(item), "position": position}, status_code=201)

    async def unqueue(request: Request) -> Response:
        await body_of(request)
        item_id = request.path_params["id"]
        if not engine.history.unqueue(item_id):
            raise StudioError(f"queue item {item_id} is not waiting (already posted, or not there)")
        return JSONResponse({"removed": item_id})

    async def user_error(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=404 if "no painting" in str(exc) or "no job" in str(exc) else 400)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = {404: f"there is nothing at {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}
        return JSONResponse({"error": message.get(exc.status_code, str(exc.detail))}, status_code=exc.status_code)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("studio request %s failed", request.url.path, exc_info=exc)
        return JSONResponse({"error": f"the studio failed unexpectedly ({type(exc).__name__}); see the terminal"},
                            status_code=500)

    routes = [
        Route("/", page), Route("/history", history),
        Route("/api/painter", painter), Route("/api/paint", paint, methods=["POST"]),
        Route("/api/jobs/{id}", job), Route("/api/paintings/{id}.png", painting_png),
        Route("/api/paintings/{id}/large.jpg", painting_large), Route("/api/paintings/{id}", painting_json),
        Route("/api/paintings/{id}/more", more, methods=["POST"]), Route("/api/paintings/{id}/star", star, methods=["POST"]),
        Route("/api/paintings/{id}/queue", enqueue, methods=["POST"]), Route("/api/favourites", favourites),
        Route("/api/walk", walk, methods=["POST"]), Route("/api/walks/{id}.gif", walk_gif),
        Route("/api/queue", queue), Route("/api/queue/{id:int}/remove", unqueue, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={
        StudioError: user_error, ModelError: user_error, HistoryError: user_error, HTTPException: http_error,
        Exception: unexpected,
    })
    app.state.jobs = jobs
    return app


def queue_json(item) -> dict:
    p = item.provenance_dict
    return {"id": item.id, "added": item.added, "day": item.day, "rejected": item.rejected,
            "painter": p.get("model"), "seed": p.get("seed"), "index": p.get("index"), "truncation": p.get("truncation"),
            "nudge": p.get("nudge")}
