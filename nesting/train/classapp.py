"""The class server's web application (Starlette): the trainee's page, the trainer's, the API.

Who may do what:

- the trainer's page (``/trainer``) and every ``/api/trainer/...`` call need the trainer's key
  (header ``X-Trainer-Key``; printed at start, or set with ``--trainer-key``);
- a trainee joins with the class code and a name (``POST /api/join``) and gets a token (header
  ``X-Trainee-Token`` on every later call); with it they read and write only their own work, only
  in their class, only while an exercise is open (checks and submits; a closed exercise stays
  readable); the engine's layout only after their first submit, or when the trainer shows it;
- every body is bounded (:data:`MAX_BODY_BYTES`, :data:`MAX_JOB_BYTES` for a trainer's job,
  nesting at most :data:`MAX_DEPTH` deep) and every count too (the store's limits, placements
  per layout); nothing is loaded from the network.

Errors are JSON ``{"error": "one line", "code": "..."}`` (the page shows ``code`` in the
trainee's language): 400 bad body, 401 no or wrong key or token, 403 not yours or not yet, 404
unknown, 409 taken or closed, 413 too large, 503 the engine's layout not ready, 500 a bug (the
traceback goes to the log).

Checks, validations and scores run in the work pool (:mod:`leathernest.train.checking`); the
database calls run in Starlette's thread pool.
"""

from __future__ import annotations

import json
import logging
import secrets
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
MAX_DEPTH = 24  # nesting of a body (a job: job > hides > zones > outline > point > number)
ENGINE_TIME_S = (1.0, 600.0)
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

    def job(self, eid: int) -> Job:
        """An exercise's job (kept for the page's payload and downloads)."""
        if eid not in self._jobs:
            text = self.store.job_json(eid)
            self._jobs[eid] = job_from_data(json.loads(text), f"exercise {eid}", f"ex{eid}")
            while len(self._jobs) > JOBS_KEPT:
                self._jobs.popitem(last=False)
        self._jobs.move_to_end(eid)
        return self._jobs[eid]

    def engine_ready(self, eid: int) -> None:
        """The engine's layout is stored: score the attempts that waited for it."""
        text = self.store.engine_json(eid)
        for aid in self.store.unscored(eid):
            a = self.store.attempt(aid)
            result = self.pool.call(checking.score, eid, a["layout"], text, "en")
            self.store.set_score(aid, result["points"], result["mistakes"], result)

    def start(self, with_engine: bool = True) -> None:
        """Resume the searches and scores a previous run left, prepare the open exercises."""
        if with_engine:
            self.runs = EngineRuns(self.store, on_ready=self.engine_ready)
            self.runs.resume()
        open_ids = []
        for c in self.store.classes():
            for ex in self.store.exercises(c["id"]):
                if ex["engine_state"] == "ready" and self.store.unscored(ex["id"]):
                    self.engine_ready(ex["id"])
                if ex["state"] == "open":
                    open_ids.append(ex["id"])
        self.pool.warm(open_ids)

    def close(self) -> None:
        """Stop the engine runs and the workers, release the database."""
        if self.runs is not None:
            self.runs.close()
        self.pool.close()
        self.store.close()


# -- reading requests ----


def _depth(value: object) -> int:
    """How deep a parsed body nests (iteratively: a deep body cannot exhaust the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            return d
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> dict:
    """The body as a JSON object, read up to ``limit`` bytes and :data:`MAX_DEPTH` levels."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"request body over {limit} bytes", "too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, f"request body over {limit} bytes", "too_large")
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ApiError(400, f"request body: nested over {MAX_DEPTH} levels", "bad_body") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"request body: not JSON ({exc})", "bad_body") from None
    if _depth(data) > MAX_DEPTH:
        raise ApiError(400, f"request body: nested over {MAX_DEPTH} levels", "bad_body")
    if not isinstance(data, dict):
        raise ApiError(400, "request body: expected a JSON object", "bad_body")
    return data


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
        who = await db(store.trainee_by_token, token) if 0 < len(token) <= 100 else None
        if who is None:
            raise ApiError(401, "join the class first (your access has ended)", "no_token")
        return who

    async def exercise_of(request: Request, who: dict, need_open: bool) -> dict:
        eid = _int(request.path_params["eid"], "exercise")
        ex = await db(store.exercise, eid)
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
            out.append({k: ex[k] for k in ("id", "title", "state", "level", "engine_state")}
                       | {"attempts": len(tries), "best": max(points, default=None)})
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
            "exercise": ex, "grade_words": words, "practise": practise, "lang": lang}

    async def check(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=True)
        body = await read_json(request)
        lang = lang_of(request, body)
        result = await room.pool.run(checking.move_check, ex["id"], body, lang)
        broken = body.get("broken")
        broken = broken if isinstance(broken, int) and 0 <= broken < 10_000 else 0
        job = await db(room.job, ex["id"])
        total = sum(p.n_copies for p in job.pieces)
        await db(store.save_draft, who["id"], ex["id"], {"placements": body["placements"]},
                 result["placements"], total, broken)
        return JSONResponse(result)

    async def draft(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=False)
        return JSONResponse({"draft": await db(store.draft, who["id"], ex["id"])})

    async def submit(request: Request) -> Response:
        who = await trainee(request)
        ex = await exercise_of(request, who, need_open=True)
        body = await read_json(request)
        lang = lang_of(request, body)
        full = await room.pool.run(checking.full_check, ex["id"], body, lang)
        job = await db(room.job, ex["id"])
        total = sum(p.n_copies for p in job.pieces)
        layout = {"placements": body["placements"]}
        kept = [{k: v[k] for k in ("kind", "pieces", "hide", "amount", "message")}
                for v in full["violations"]]
        missing = total - full["placements"]
        aid = await db(store.add_attempt, who["id"], ex["id"], layout, full["placements"],
                       total, kept + ([{"kind": "missing", "pieces": [], "hide": None,
                                        "amount": missing, "message": "in the tray"}]
                                      if missing > 0 else []))
        engine = await db(store.engine_json, ex["id"])
        if engine is not None:
            result = await room.pool.run(checking.score, ex["id"], layout, engine, lang)
            await db(store.set_score, aid, result["points"], result["mistakes"], result)
        attempt = await db(store.attempt, aid)
        attempt["score"] = await _localized(ex["id"], attempt["score"], lang)
        return JSONResponse(attempt, status_code=201 if engine is not None else 202)

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
        body = await read_json(request)
        job = await db(room.job, ex["id"])
        placements = checking.placements_from_body(body, job)
        if request.path_params["kind"] == "dxf":
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
        if request.method == "POST":
            body = await read_json(request)
            if "state" in body:
                await db(store.set_state, eid, body["state"])
                if body["state"] == "open":
                    room.pool.warm([eid])
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
        await db(store.let_in_again, _int(request.path_params["tid"], "trainee"))
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
    return Starlette(routes=routes, exception_handlers={
        ApiError: api_error, InputError: input_error, HTTPException: http_error,
        Exception: internal_error})


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
        title = body.get("title") or f"{level}. {LEVEL_TEXT[level].title} (seed {seed})"
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
