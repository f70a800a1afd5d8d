"""The class server's web application (Starlette): the trainee's page, the trainer's, the API.

Who may do what:

- the trainer's page (``/trainer``) and every ``/api/trainer/...`` call need the trainer's key
  (header ``X-Trainer-Key``; printed at start, or set with ``--trainer-key``);
- a trainee joins with the class code and a name (``POST /api/join``) and gets a token (header
  ``X-Trainee-Token`` on every later call); with it they read and write only their own work, only
  in their class, only while an exercise is open (checks and submits; a closed exercise stays
  readable); the engine's layout only after their first submit, or when the trainer shows it;
- every body is bounded (:data:`MAX_BODY_BYTES`, :data:`MAX_JOB_BYTES` for a trainer's job,
  nesting at most ``checking.MAX_DEPTH`` deep) and every count too (the store's limits, placements
  per layout); nothing is loaded from the network.

Errors are JSON ``{"error": "one line", "code": "..."}`` (the page shows ``code`` in the
trainee's language): 400 bad body, 401 no or wrong key or token, 403 not yours or not yet, 404
unknown, 409 taken or closed, 413 too large, 503 the engine's layout not ready, 500 a bug (the
traceback goes to the log).

Checks, validations and scores run in the work pool (:mod:`leathernest.train.checking`); the
database calls run in Starlette's thread pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from leathernest.errors import InputError
from leathernest.io.instance import job_from_data
from leathernest.io.job_json import job_to_json
from leathernest.model import Job
from leathernest.train import checking, i18n
from leathernest.train.classroom import ATTEMPT_COLUMNS, attempt_rows, class_csv_rows
from leathernest.train.engine_runs import EngineRuns
from leathernest.train.exercises import LEVEL_TEXT, make_exercise
from leathernest.train.session import dxf_file, job_payload, slug, solution_file
from leathernest.train.store import Store

log = logging.getLogger("nesting.train")

STATIC = Path(__file__).resolve().parent / "static"
# A layout of a few hundred pieces is some 50 kB (the page sends transforms only).
MAX_BODY_BYTES = 1024 * 1024
MAX_JOB_BYTES = 16 * 1024 * 1024  # a trainer's job with detailed hides
ENGINE_TIME_S = (1.0, 600.0)
KEEP_S = 2.0  # a trainee's or an exercise's row is asked again after this long (s)
# A trainee's working layout is written at most this often (s); the browser keeps it at every
# move, so a server killed in between loses at most this much of a draft, never an attempt.
DRAFT_EVERY_S = 5.0
# A submit waits this long for its score; later, the page asks again (the attempt is kept).
SCORE_WAIT_S = 5.0
JOBS_KEPT = 16


class ApiError(Exception):
    """An answer other than 200 (status, one-line message, code for the page)."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass
class Classroom:
    """One class server: its store, work pool, engine runs and the trainer's key."""

    store: Store
    pool: checking.WorkPool
    key: str
    runs: EngineRuns | None = None
    snap: bool = True
    _jobs: OrderedDict = field(default_factory=OrderedDict)
    tasks: set = field(default_factory=set)  # scores still being made
    # What every request asks again, kept briefly: (time, trainee) by token, (time, exercise) by
    # id; dropped at once where they change (a join, a let-in, an exercise opened or closed).
    _who: dict = field(default_factory=dict)
    _exercises: dict = field(default_factory=dict)
    # Drafts waiting to be written: (trainee, exercise) -> (body bytes, placed, total, broken).
    _drafts: dict = field(default_factory=dict)
    _drafted: dict = field(default_factory=dict)  # (trainee, exercise) -> when last written
    _lock: threading.Lock = field(default_factory=threading.Lock)  # the drafts' dicts

    def who(self, token: str) -> dict | None:
        """The trainee holding a token (kept :data:`KEEP_S`)."""
        hit = self._who.get(token)
        if hit is not None and time.monotonic() - hit[0] < KEEP_S:
            return hit[1]
        who = self.store.trainee_by_token(token)
        if len(self._who) > 10_000:
            self._who.clear()
        if who is not None:
            self._who[token] = (time.monotonic(), who)
        return who

    def forget(self, trainee_id: int) -> None:
        """A trainee's tokens changed: ask the store again."""
        for token in [t for t, (_, w) in self._who.items() if w["id"] == trainee_id]:
            self._who.pop(token, None)

    def exercise(self, eid: int) -> dict:
        """An exercise's row (kept :data:`KEEP_S`)."""
        hit = self._exercises.get(eid)
        if hit is not None and time.monotonic() - hit[0] < KEEP_S:
            return hit[1]
        ex = self.store.exercise(eid)
        self._exercises[eid] = (time.monotonic(), ex)
        return ex

    def draft(self, tid: int, eid: int, body: bytes, placed: int, total: int,
              broken: int) -> None:
        """Keep a trainee's working layout: written now, or within :data:`DRAFT_EVERY_S`."""
        key = (tid, eid)
        with self._lock:
            self._drafts[key] = (body, placed, total, broken)
            due = time.monotonic() - self._drafted.get(key, -math.inf) >= DRAFT_EVERY_S
        if due:
            self.flush_drafts([key])

    def flush_drafts(self, keys: list | None = None) -> None:
        """Write the drafts waiting (those given, or all that are due)."""
        now = time.monotonic()
        with self._lock:
            if keys is None:
                keys = [k for k in self._drafts
                        if now - self._drafted.get(k, -math.inf) >= DRAFT_EVERY_S]
            items = [(k, self._drafts.pop(k)) for k in keys if k in self._drafts]
            for key, _item in items:
                self._drafted[key] = now
        for key, item in items:
            body, placed, total, broken = item
            layout = {"placements": json.loads(body)["placements"]}
            self.store.save_draft(key[0], key[1], layout, placed, total, broken)

    def job(self, eid: int) -> Job:
        """An exercise's job (kept for the page's payload and downloads)."""
        if eid not in self._jobs:
            text = self.store.job_json(eid)
            self._jobs[eid] = checking.stored_job(text, eid)
            while len(self._jobs) > JOBS_KEPT:
                self._jobs.popitem(last=False)
        self._jobs.move_to_end(eid)
        return self._jobs[eid]

    def process(self, aid: int) -> dict:
        """Validate a kept attempt (once) and score it (once the engine's layout is there).

        Blocking (the slow worker does the work): call it from a thread. Returns the attempt.
        """
        a = self.store.attempt(aid)
        eid = a["exercise_id"]
        if not a["checked"]:
            full = self.pool.call(checking.full_check, eid, a["layout"], "en")
            self.store.set_checked(aid, attempt_violations(full, a["total"]))
        engine = self.store.engine_json(eid)
        if engine is not None and not a["scored"]:
            result = self.pool.call(checking.score, eid, a["layout"], engine, "en")
            self.store.set_score(aid, result["points"], result["mistakes"], result)
        return self.store.attempt(aid)

    def engine_ready(self, eid: int) -> None:
        """The engine's layout is stored: score the attempts that waited for it."""
        for aid in self.store.unscored(eid):
            self.process(aid)

    def start(self, with_engine: bool = True) -> None:
        """Resume the searches and scores a previous run left, prepare the open exercises."""
        if with_engine:
            self.runs = EngineRuns(self.store, on_ready=self.engine_ready)
            self.runs.resume()
        open_ids = []
        for c in self.store.classes():
            for ex in self.store.exercises(c["id"]):
                if ex["state"] == "open":
                    open_ids.append(ex["id"])
                    self.job(ex["id"])
        self.pool.warm(open_ids)
        pending = self.store.unscored()
        if pending:  # attempts kept but not yet validated or scored when the server stopped
            threading.Thread(target=lambda: [self.process(aid) for aid in pending],
                             name="resume-attempts", daemon=True).start()

    def close(self) -> None:
        """Write the drafts waiting, stop the engine runs and the workers, release the database."""
        with self._lock:
            waiting = list(self._drafts)
        self.flush_drafts(waiting)
        if self.runs is not None:
            self.runs.close()
        self.pool.close()
        self.store.close()


# -- reading requests ----


async def read_raw(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body's bytes, read up to ``limit`` (413 beyond, before it is read whole)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"request body over {limit} bytes", "too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"request body over {limit} bytes", "too_large")
    return bytes(body)


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> dict:
    """The body as a JSON object, read up to ``limit`` bytes and ``MAX_DEPTH`` levels deep."""
    return checking.parse_body(await read_raw(request, limit))


def lang_of(request: Request, body: dict | None = None) -> str:
    """The trainee's language: ``lang`` in the body or query, else the browser's."""
    wanted = (body or {}).get("lang") or request.query_params.get("lang")
    return i18n.pick_lang(wanted or request.headers.get("accept-language", ""))


def _int(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 12:
        raise ApiError(404, f"no such {what}", "not_found")
    return int(value)


# -- the application ----


def create_app(room: Classroom) -> Starlette:
    """The class server's application."""
    store = room.store

    async def db(fn, *args, **kw):
        return await run_in_threadpool(fn, *args, **kw)

    def trainer(request: Request) -> None:
        given = request.headers.get("x-trainer-key", "")
        if not given:
            raise ApiError(401, "the trainer's key is needed", "no_key")
        if not secrets.compare_digest(given.encode(), room.key.encode()):
            raise ApiError(401, "wrong trainer's key", "bad_key")

    async def trainee(request: Request) -> dict:
        token = request.headers.get("x-trainee-token", "")
        who = await db(room.who, token) if 0 < len(token) <= 100 else None
        if who is None:
            raise ApiError(401, "join the class first (your access has ended)", "no_token")
        return who

    async def exercise_of(request: Request, who: dict, need_open: bool) -> dict:
        eid = _int(request.path_params["eid"], "exercise")
        ex = await db(room.exercise, eid)
        if ex["class_id"] != who["class_id"] or ex["state"] == "ready":
            raise ApiError(404, "no such exercise in your class", "not_found")
        if need_open and ex["state"] != "open":
            raise ApiError(409, "this exercise is closed", "closed")
        return ex

    # -- pages ---------------------------------------------------------------------------------

    async def page(_request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def trainer_page(_request: Request) -> Response:
        return FileResponse(STATIC / "trainer.html", headers={"Cache-Control": "no-store"})

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    # -- trainees ----------------------------------------------------------------------------------

    async def join(request: Request) -> Response:
        body = await read_json(request)
        cls = await db(store.class_by_code, body.get("code"))
        token = body.get("token") if isinstance(body.get("token"), str) else None
        who, fresh = await db(store.join, cls["id"], body.get("name"), token)
        room.forget(who["id"])
        return JSONResponse({"token": fresh, "trainee": who, "class": cls}, status_code=201)

    async def me(request: Request) -> Response:
        who = await trainee(request)
        cls = await db(store.class_, who["class_id"])
        mine = await db(store.attempts, trainee_id=who["id"])
        out = []
        for ex in await db(store.exercises, who["class_id"]):
            if ex["state"] == "ready":
                continue
            tries = [a for a in mine if a["exercise_id"] == ex["id"]]
            points = [a["points"] for a in tries if a["points"] is not None]
            out.append({k: ex[k] for k in ("id", "state", "level", "engine_state")}
                       | {"title": title_in(ex, lang_of(request)), "attempts": len(tries),
                          "best": max(points, default=None)})
        return JSONResponse({"trainee": who, "class": cls, "exercises": out})

    async def exercise_job(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        return JSONResponse(await _payload(ex, lang_of(request)))

    async def _payload(ex: dict, lang: str) -> dict:
        job = await db(room.job, ex["id"])
        words = i18n.grade_words(lang, sorted({z.grade for h in job.hides for z in h.zones}))
        practise = []
        if ex["level"] in LEVEL_TEXT:
            practise = [i18n.gettext(lang, t).format(gap=job.gap_mm, margin=job.margin_mm)
                        for t in LEVEL_TEXT[ex["level"]].practise]
        return job_payload(job, room.snap) | {
            "exercise": ex | {"title": title_in(ex, lang)}, "grade_words": words,
            "practise": practise, "lang": lang}

    async def check(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=True)
        raw = await read_raw(request)
        # The body is parsed in the worker: the server's one thread only passes the bytes on.
        result = await room.pool.run(checking.move_check, ex["id"], raw,
                                     request.query_params.get("lang"))
        total = sum(p.n_copies for p in room.job(ex["id"]).pieces)
        await db(room.draft, who["id"], ex["id"], raw, result["placements"], total,
                 result["broken"])
        return JSONResponse(result)

    async def draft(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        await db(room.flush_drafts, [(who["id"], ex["id"])])  # the newest, not 5 s behind
        return JSONResponse({"draft": await db(store.draft, who["id"], ex["id"])})

    async def submit(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=True)
        body = await read_json(request)
        lang = lang_of(request, body)
        job = await db(room.job, ex["id"])
        placements = checking.placements_from_body(body, job)  # a bad body is refused here
        total = sum(p.n_copies for p in job.pieces)
        # Kept at once; validated and scored in the slow worker (a move's check never waits for
        # it), and answered with the score when that comes within SCORE_WAIT_S.
        aid = await db(store.add_attempt, who["id"], ex["id"],
                       {"placements": body["placements"]}, len(placements), total)
        task = asyncio.create_task(db(room.process, aid))
        room.tasks.add(task)
        task.add_done_callback(room.tasks.discard)
        await asyncio.wait([task], timeout=SCORE_WAIT_S)
        attempt = await db(store.attempt, aid)
        attempt["score"] = await _localized(ex["id"], attempt["score"], lang)
        return JSONResponse(attempt, status_code=201 if attempt["scored"] else 202)

    async def _localized(eid: int, score: dict | None, lang: str) -> dict | None:
        if score is None or score.get("lang") == lang:
            return score
        return await room.pool.run(checking.localize, eid, score, lang)

    async def my_attempts(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        return JSONResponse(await db(store.attempts, trainee_id=who["id"], exercise_id=ex["id"]))

    async def my_attempt(request: Request) -> Response:
        who = await trainee(request)
        a = await db(store.attempt, _int(request.path_params["aid"], "attempt"))
        if a["trainee_id"] != who["id"]:
            raise ApiError(403, "this is another trainee's work", "not_yours")
        a["score"] = await _localized(a["exercise_id"], a["score"], lang_of(request))
        return JSONResponse(a)

    async def engine(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        if not ex["show_engine"]:
            tries = await db(store.attempts, trainee_id=who["id"], exercise_id=ex["id"])
            if not tries:
                raise ApiError(403, "the engine's layout is shown after your first submit",
                               "engine_hidden")
        return await _engine(ex)

    async def _engine(ex: dict) -> Response:
        text = await db(store.engine_json, ex["id"])
        if text is None:
            raise ApiError(503, "the engine's layout is not ready yet", "engine_not_ready")
        return Response(text, media_type="application/json")

    async def download(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        kind = request.path_params["kind"]
        if kind not in ("dxf", "solution"):
            raise ApiError(404, "no such download (dxf or solution)", "not_found")
        body = await read_json(request)
        job = await db(room.job, ex["id"])
        placements = checking.placements_from_body(body, job)
        if kind == "dxf":
            name, data, media = await run_in_threadpool(dxf_file, job, placements)
        else:
            name, data = await run_in_threadpool(solution_file, job, placements, who["name"])
            media = "application/json"
        return Response(data, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- the trainer -------------------------------------------------------------------------------

    async def t_classes(request: Request) -> Response:
        trainer(request)
        if request.method == "POST":
            body = await read_json(request)
            return JSONResponse(await db(store.create_class, body.get("name")), status_code=201)
        return JSONResponse(await db(store.classes))

    async def t_exercises(request: Request) -> Response:
        trainer(request)
        cid = _int(request.path_params["cid"], "class")
        await db(store.class_, cid)
        body = await read_json(request, MAX_JOB_BYTES)
        job, level, seed, title = await run_in_threadpool(_new_job, body)
        t = body.get("engine_time_s", job.time_limit_s)
        if not isinstance(t, int | float) or not ENGINE_TIME_S[0] <= t <= ENGINE_TIME_S[1]:
            raise ApiError(400, f"engine_time_s must be {ENGINE_TIME_S[0]:g} to "
                                f"{ENGINE_TIME_S[1]:g} seconds", "bad_body")
        ex = await db(store.add_exercise, cid, title, json.dumps(job_to_json(job)), float(t),
                      level, seed)
        if room.runs is not None:
            room.runs.add(ex["id"])
        return JSONResponse(ex, status_code=201)

    async def t_exercise(request: Request) -> Response:
        trainer(request)
        eid = _int(request.path_params["eid"], "exercise")
        room._exercises.pop(eid, None)
        if request.method == "POST":
            body = await read_json(request)
            if "state" in body:
                await db(store.set_state, eid, body["state"])
                if body["state"] == "open":
                    room.pool.warm([eid])
                    await db(room.job, eid)
            if "show_engine" in body:
                await db(store.set_show_engine, eid, bool(body["show_engine"]))
        return JSONResponse(await db(store.exercise, eid))

    async def t_job(request: Request) -> Response:
        trainer(request)
        ex = await db(store.exercise, _int(request.path_params["eid"], "exercise"))
        return JSONResponse(await _payload(ex, lang_of(request)))

    async def t_engine(request: Request) -> Response:
        trainer(request)
        return await _engine(await db(store.exercise, _int(request.path_params["eid"],
                                                           "exercise")))

    async def t_live(request: Request) -> Response:
        trainer(request)
        cid = _int(request.path_params["cid"], "class")
        return JSONResponse(await db(live_view, store, cid, lang_of(request)))

    async def t_attempt(request: Request) -> Response:
        trainer(request)
        a = await db(store.attempt, _int(request.path_params["aid"], "attempt"))
        a["score"] = await _localized(a["exercise_id"], a["score"], lang_of(request))
        a["trainee"] = (await db(store.trainee, a["trainee_id"]))["name"]
        return JSONResponse(a)

    async def t_draft(request: Request) -> Response:
        trainer(request)
        d = await db(store.draft, _int(request.path_params["tid"], "trainee"),
                     _int(request.path_params["eid"], "exercise"))
        return JSONResponse({"draft": d})

    async def t_let_in(request: Request) -> Response:
        trainer(request)
        tid = _int(request.path_params["tid"], "trainee")
        await db(store.let_in_again, tid)
        room.forget(tid)
        return JSONResponse({"ok": True})

    async def t_csv(request: Request) -> Response:
        trainer(request)
        eid = _int(request.path_params["eid"], "exercise")
        ex = await db(store.exercise, eid)
        names = {t["id"]: t["name"] for t in await db(store.trainees, ex["class_id"])}
        full = [await db(store.attempt, a["id"]) for a in await db(store.attempts,
                                                                     exercise_id=eid)]
        text = class_csv_rows(attempt_rows(full, names), ATTEMPT_COLUMNS)
        name = f"{slug(ex['title'])}-class.csv"
        return Response(text, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- errors ------------------------------------------------------------------------------------

    async def api_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return JSONResponse({"error": str(exc), "code": exc.code}, status_code=exc.status)

    async def input_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, InputError)
        status = getattr(exc, "status", 400)
        code = {404: "not_found", 409: "taken" if "taken" in exc.message else "limit"}.get(
            status, "bad_body")
        return JSONResponse({"error": exc.one_line(), "code": code}, status_code=status)

    async def http_error(_request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"error": str(exc.detail), "code": "http"},
                            status_code=exc.status_code)

    async def internal_error(_request: Request, exc: Exception) -> Response:
        log.error("internal error", exc_info=exc)
        return JSONResponse({"error": f"internal error: {exc} - this is a bug, please report it",
                             "code": "bug"}, status_code=500)

    e = "/api/exercises/{eid}"
    routes = [
        Route("/", page), Route("/trainer", trainer_page), Route("/api/health", health),
        Route("/api/join", join, methods=["POST"]), Route("/api/me", me),
        Route(e, exercise_job), Route(f"{e}/check", check, methods=["POST"]),
        Route(f"{e}/draft", draft), Route(f"{e}/attempts", submit, methods=["POST"]),
        Route(f"{e}/attempts", my_attempts), Route(f"{e}/engine", engine),
        Route(e + "/{kind:str}", download, methods=["POST"]),
        Route("/api/attempts/{aid}", my_attempt),
        Route("/api/trainer/classes", t_classes, methods=["GET", "POST"]),
        Route("/api/trainer/classes/{cid}/exercises", t_exercises, methods=["POST"]),
        Route("/api/trainer/classes/{cid}/live", t_live),
        Route("/api/trainer/exercises/{eid}", t_exercise, methods=["GET", "POST"]),
        Route("/api/trainer/exercises/{eid}/job", t_job),
        Route("/api/trainer/exercises/{eid}/engine", t_engine),
        Route("/api/trainer/exercises/{eid}/class.csv", t_csv),
        Route("/api/trainer/exercises/{eid}/drafts/{tid}", t_draft),
        Route("/api/trainer/attempts/{aid}", t_attempt),
        Route("/api/trainer/trainees/{tid}/let-in", t_let_in, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette):
        async def flush_loop() -> None:
            while True:
                await asyncio.sleep(1.0)
                try:
                    await db(room.flush_drafts)
                except Exception:  # a busy database: the drafts wait for the next round
                    log.exception("writing drafts")

        task = asyncio.create_task(flush_loop())
        try:
            yield
        finally:
            task.cancel()

    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ApiError: api_error, InputError: input_error, HTTPException: http_error,
        Exception: internal_error})


def level_title(level: int, seed: int, lang: str = "en") -> str:
    """The title an exercise of a level gets: "3. Croupon first, with the grain (seed 12)"."""
    return f"{level}. {i18n.gettext(lang, LEVEL_TEXT[level].title)} (seed {seed})"


def title_in(ex: dict, lang: str) -> str:
    """An exercise's title in ``lang`` where it is a level's own title (a trainer's stays)."""
    if ex["level"] in LEVEL_TEXT and ex["title"] == level_title(ex["level"], ex["seed"]):
        name = i18n.gettext(lang, LEVEL_TEXT[ex["level"]].title)
        return f"{ex['level']}. {name} ({ex['seed']})"
    return ex["title"]


def attempt_violations(full: dict, total: int) -> list[dict]:
    """A whole check's violations as an attempt keeps them, with the pieces left in the tray."""
    kept = [{k: v[k] for k in ("kind", "pieces", "hide", "amount", "message")}
            for v in full["violations"]]
    missing = total - full["placements"]
    if missing > 0:
        kept.append({"kind": "missing", "pieces": [], "hide": None, "amount": missing,
                     "message": "in the tray"})
    return kept


def _new_job(body: dict) -> tuple[Job, int | None, int | None, str]:
    """The job of a new exercise: a level and seed, or a job given whole; with its title."""
    if "job" in body:
        job = job_from_data(body["job"], "job", "job")
        level = seed = None
        title = body.get("title") or job.name
    else:
        level, seed = body.get("level"), body.get("seed", 0)
        if not isinstance(level, int) or not isinstance(seed, int) or not 0 <= seed < 2**31:
            raise ApiError(400, "give a level (1-4) and a seed, or a job", "bad_body")
        job = make_exercise(level, seed).job
        title = body.get("title") or level_title(level, seed)
    if job.is_strip:
        raise ApiError(400, "a strip job cannot be nested by hand here: use hides", "bad_body")
    return job, level, seed, title


def live_view(store: Store, cid: int, lang: str) -> dict:
    """Who works on what, who submitted, each score, the class's commonest mistakes."""
    cls = store.class_(cid)
    exercises = store.exercises(cid)
    people = store.trainees(cid)
    drafts = store.drafts(cid)
    attempts = store.attempts(class_id=cid)
    names = {t["id"]: t["name"] for t in people}
    rows = []
    for t in people:
        mine = [d for d in drafts if d["trainee_id"] == t["id"]]
        latest = max(mine, key=lambda d: d["updated_at"], default=None)
        tries: dict = {}
        for a in attempts:
            if a["trainee_id"] != t["id"]:
                continue
            s = tries.setdefault(a["exercise_id"], {"n": 0, "best": None})
            s["n"] += 1
            s["last"] = {k: a[k] for k in ("id", "points", "valid", "placed", "total",
                                           "rules_broken", "submitted_at", "mistakes")}
            if a["points"] is not None:
                s["best"] = max(s["best"] or 0.0, a["points"])
        rows.append({"id": t["id"], "name": t["name"], "last_seen": t["last_seen"],
                     "working_on": latest, "drafts": mine, "attempts": tries})
    mistakes: dict = {}
    for ex in exercises:
        who: dict = {}
        last: dict = {}
        for a in attempts:
            if a["exercise_id"] == ex["id"]:
                last[a["trainee_id"]] = a
        for tid, a in last.items():
            for m in a["mistakes"]:
                who.setdefault(m, []).append(names.get(tid, "?"))
        mistakes[ex["id"]] = sorted(
            ({"key": k, "text": i18n.mistake_text(lang, k), "n": len(v), "who": v}
             for k, v in who.items()), key=lambda r: (-r["n"], r["key"]))
    return {"class": cls, "exercises": exercises, "trainees": rows, "mistakes": mistakes,
            "attempts": len(attempts)}
