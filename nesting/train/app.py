"""The trainer's web application (Starlette): the page, its assets and the JSON API.

Routes::

    GET  /               the page (static/index.html)
    GET  /static/...     its script and style sheet, shipped in the package
    GET  /api/job        the job as the page draws it (Trainer.job_payload)
    POST /api/check      a layout in the solution format -> {"valid", "violations": [...]}
    POST /api/score      the same body -> what `leathernest score --json` answers
    GET  /api/engine     the engine's layout, or {"ready": false, ...} while it works
    POST /api/solution   the layout as a solution JSON download
    POST /api/dxf        a rule-abiding layout as cutter DXF (a zip for several hides)

A bad body gets HTTP 400 with ``{"error": "one line"}``; a body over :data:`MAX_BODY_BYTES` gets
413; an internal error 500 with a one-line ``error`` (the traceback goes to the server's log, never
to the page). The work (validation, scoring, DXF) runs in Starlette's thread pool, so the event
loop keeps serving while a score waits for the engine.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from leathernest.errors import InputError
from leathernest.train.session import EngineNotReadyError, Trainer

log = logging.getLogger("nesting.train")

STATIC = Path(__file__).resolve().parent / "static"
# A layout of a few hundred pieces in the solution format is well under 1 MiB (the page sends only
# transforms); larger bodies are refused before they are read whole.
MAX_BODY_BYTES = 2 * 1024 * 1024


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_body(request: Request) -> object:
    """The request body as JSON, read up to :data:`MAX_BODY_BYTES`; otherwise 400 or 413."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not JSON ({exc})", path="request body",
                         hint="send the layout in the solution format") from None


def _download(name: str, data: bytes, media_type: str) -> Response:
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def create_app(trainer: Trainer) -> Starlette:
    """The application serving one training session."""

    async def page(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def job(_request: Request) -> Response:
        return JSONResponse(trainer.job_payload())

    async def engine(_request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(trainer.engine_json))

    def posting(method):
        async def endpoint(request: Request) -> Response:
            body = await _json_body(request)
            result = await run_in_threadpool(method, body)
            if isinstance(result, tuple):
                return _download(result[0], result[1],
                                 result[2] if len(result) > 2 else "application/json")
            return JSONResponse(result)

        return endpoint

    async def input_error(_request: Request, exc: Exception) -> Response:
        status = 503 if isinstance(exc, EngineNotReadyError) else 400
        return _error(status, exc.one_line() if isinstance(exc, InputError) else str(exc))

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    async def internal_error(_request: Request, exc: Exception) -> Response:
        log.error("internal error", exc_info=exc)
        return _error(500, f"internal error: {exc} - this is a bug, please report it")

    routes = [
        Route("/", page),
        Route("/api/job", job),
        Route("/api/engine", engine),
        Route("/api/check", posting(trainer.check), methods=["POST"]),
        Route("/api/score", posting(trainer.score), methods=["POST"]),
        Route("/api/solution", posting(trainer.solution_file), methods=["POST"]),
        Route("/api/dxf", posting(trainer.dxf_file), methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={
        InputError: input_error, HTTPException: http_error, Exception: internal_error})
