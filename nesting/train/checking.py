"""The class server's work: checks, whole validations and scores, in worker processes.

A check must answer in well under a fifth of a second while 30 trainees move pieces, so the work
runs beside the web server, not in it: :class:`WorkPool` keeps as many worker processes as the
machine's cores allow (``--workers``; 0 runs the work in a thread of the server, for tests and
one person). Each worker reads an exercise's job from the database once and keeps it with its
prepared hazards (:class:`Exercise`), so a move costs only the moved piece's checks
(:mod:`leathernest.train.movecheck`).

The three kinds of work, each a plain function of picklable arguments:

- :func:`move_check`: the moved pieces' rules (every move);
- :func:`full_check`: :func:`leathernest.validate.validate` on the whole layout (a restored
  layout, and every submit);
- :func:`score`: the whole layout scored against the engine's layout
  (:func:`leathernest.scoring.score.score_layout`), every message in the trainee's language.

Request bodies are read here by :func:`placements_from_body`, strictly and within bounds.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from leathernest.errors import InputError
from leathernest.io.hand_layout import hand_layout_from_json
from leathernest.io.job_json import read_job
from leathernest.io.solution_json import solution_from_json
from leathernest.limits import MAX_COORD_MM
from leathernest.model import HideLayout, Job, Placement, Solution, Unplaced, UnplacedReason
from leathernest.processes import end_with_parent
from leathernest.scoring.score import score_layout, score_to_json
from leathernest.train import i18n
from leathernest.train.classroom import figure_mistakes
from leathernest.train.movecheck import PreparedJob, check_moved
from leathernest.train.store import Store, make_engine
from leathernest.validate import Violation, validate

BODY = "request body"
# Placements a body may carry beyond the order's copies (a trainee's duplicates are reported, not
# refused), so that no body can make a check arbitrarily long.
EXTRA_PLACEMENTS = 20
EXERCISES_KEPT = 16  # exercises a worker keeps prepared (a class rarely has more open)
MAX_DEPTH = 24  # nesting of a body (a job: job > hides > zones > outline > point > number)


# -- reading bodies ----


def _bad(message: str, where: str) -> InputError:
    return InputError(message, path=BODY, location=where,
                      hint="send the layout as {\"placements\": [...]}")


def _number(v: object) -> bool:
    return type(v) in (int, float) and math.isfinite(v) and -MAX_COORD_MM <= v <= MAX_COORD_MM


def _count(v: object) -> bool:
    return type(v) is int and 0 <= v < 100_000


def placements_from_body(body: object, job: Job) -> list[Placement]:
    """The placements of a request body, read strictly; at most the order's copies + 20."""
    if not isinstance(body, dict) or not isinstance(body.get("placements"), list):
        raise _bad("expected an object with a \"placements\" list", "$")
    entries = body["placements"]
    limit = sum(p.n_copies for p in job.pieces) + EXTRA_PLACEMENTS
    if len(entries) > limit:
        raise _bad(f"{len(entries)} placements for an order of {limit - EXTRA_PLACEMENTS} "
                   "pieces", "$.placements")
    out = []
    for i, e in enumerate(entries):
        if type(e) is not dict:
            raise _bad("a placement must be an object", f"$.placements[{i}]")
        t, rot = e.get("translation"), e.get("rotation_deg", 0.0)
        pid, copy, hide = e.get("item_id"), e.get("copy", 0), e.get("bin_id")
        hide_copy, mirrored = e.get("hide_copy", 0), e.get("mirrored", False)
        if type(t) is not list or len(t) != 2:
            raise _bad("translation must be [x, y]", f"$.placements[{i}]")
        if not (_number(t[0]) and _number(t[1]) and _number(rot)):
            raise _bad(f"translation and rotation must be finite numbers within "
                       f"±{MAX_COORD_MM:g}", f"$.placements[{i}]")
        if type(pid) is not str or type(hide) is not str or len(pid) > 200:
            raise _bad("item_id and bin_id must be text", f"$.placements[{i}]")
        if not (_count(copy) and _count(hide_copy)):
            raise _bad("copy and hide_copy must be whole numbers from 0", f"$.placements[{i}]")
        if type(mirrored) is not bool:
            raise _bad("mirrored must be true or false", f"$.placements[{i}]")
        out.append(Placement(pid, copy, hide, float(rot), mirrored, float(t[0]), float(t[1]),
                             hide_copy))
    return out


def parse_body(raw: bytes) -> dict:
    """A request body (bytes) as a JSON object, nested at most :data:`MAX_DEPTH` levels."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _bad(f"nested over {MAX_DEPTH} levels", "$") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _bad(f"not JSON ({exc})", "$") from None
    if json_depth(data) > MAX_DEPTH:
        raise _bad(f"nested over {MAX_DEPTH} levels", "$")
    if not isinstance(data, dict):
        raise _bad("expected a JSON object", "$")
    return data


def json_depth(value: object) -> int:
    """How deep a parsed body nests (iteratively: a deep body cannot exhaust the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if d > MAX_DEPTH:
            return d
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values() if isinstance(x, dict | list))
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v if isinstance(x, dict | list))
    return deepest


def moved_keys(body: dict) -> set[tuple[str, int]] | None:
    """The moved pieces a check body names (``"moved": ["front#0", ...]``); None: check all."""
    moved = body.get("moved")
    if moved is None:
        return None
    if not isinstance(moved, list) or len(moved) > 50 or not all(
            isinstance(m, str) and "#" in m and len(m) < 220 for m in moved):
        raise _bad("moved must be a list of up to 50 \"piece#copy\" labels", "$.moved")
    out = set()
    for m in moved:
        pid, _, copy = m.rpartition("#")
        if copy.isdigit():
            out.add((pid, int(copy)))
    return out


def as_solution(job: Job, placements: list[Placement]) -> Solution:
    """Placements as a hand solution; every copy not placed is in the tray (``unplaced``)."""
    groups: dict[tuple[str | None, int], list[Placement]] = {}
    for p in placements:
        groups.setdefault((p.hide_id, p.hide_copy), []).append(p)
    placed = {(p.piece_id, p.copy) for p in placements}
    tray = tuple(Unplaced(pc.id, c, UnplacedReason.NO_ROOM) for pc in job.pieces
                 for c in range(pc.n_copies) if (pc.id, c) not in placed)
    return Solution(job.name, "hides", tuple(HideLayout(h, tuple(ps), c)
                                             for (h, c), ps in groups.items()), tray,
                    engine="hand")


# -- an exercise as a worker keeps it ----


@dataclass
class Exercise:
    """A job prepared for checks, with what the messages need (names, grades)."""

    job: Job
    prep: PreparedJob = field(init=False)
    names: dict[str, str] = field(init=False)
    piece_info: dict[str, tuple] = field(init=False)
    zone_grades: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.prep = PreparedJob(self.job)
        self.names = {}
        for p in self.job.pieces:
            self.names[p.id] = p.name
            for c in range(p.n_copies):
                self.names[f"{p.id}#{c}"] = f"{p.name} {c + 1}" if p.n_copies > 1 else p.name
        self.piece_info = {p.id: (p.min_grade, None if p.grain is None else p.grain.tolerance_deg)
                           for p in self.job.pieces}
        self.zone_grades = sorted({z.grade for h in self.job.hides for z in h.zones})

    def words(self, lang: str) -> dict:
        """The grades of this job in words."""
        return i18n.grade_words(lang, self.zone_grades)

    def violation(self, v: Violation | dict, lang: str, words: dict) -> dict:
        """A violation as the API gives it: the validator's fields, its rule and its text."""
        d = v.as_dict() if isinstance(v, Violation) else dict(v)
        d["piece"] = d["pieces"][0] if d["pieces"] else None
        d["rule"] = i18n.rule_name(lang, d["kind"])
        d["text"] = i18n.violation_text(lang, d, self.names, self.piece_info, self.job.gap_mm,
                                        self.job.margin_mm, words)
        return d


_state: dict = {"url": None, "store": None, "exercises": OrderedDict()}
_lock = threading.Lock()


def init_worker(url: str, parent: int | None = None, nice: int = 0) -> None:
    """A worker's start: the database to read jobs from (in a process: the watch on ``parent``)."""
    if parent is not None:
        end_with_parent(parent)
    if nice:
        os.nice(nice)
    _state["url"] = url
    _state["store"] = None
    _state["exercises"] = OrderedDict()


def _store() -> Store:
    if _state["store"] is None:
        _state["store"] = Store(make_engine(_state["url"]))
    return _state["store"]


def exercise(eid: int) -> Exercise:
    """The exercise, prepared (read from the database the first time)."""
    with _lock:
        kept: OrderedDict = _state["exercises"]
        if eid in kept:
            kept.move_to_end(eid)
            return kept[eid]
    job = stored_job(_store().job_json(eid), eid)
    ex = Exercise(job)
    with _lock:
        kept[eid] = ex
        while len(kept) > EXERCISES_KEPT:
            kept.popitem(last=False)
    return ex


def stored_job(text: str, eid: int) -> Job:
    """An exercise's job as stored, read without the schema check.

    It was checked against the schema and the limits when it was added; the check takes a second
    for a 250-piece order, the reading alone 25 ms.
    """
    return read_job(json.loads(text), f"exercise {eid}", f"exercise-{eid}")


# -- the work ----


def move_check(eid: int, body: dict | bytes, lang: str | None = None) -> dict:
    """Check the moved pieces (or the whole layout when the body names none).

    ``body`` may be the request's bytes: parsing them here keeps that work off the server's one
    thread. ``lang`` None: the body's ``lang``.
    """
    t0 = time.perf_counter()
    if isinstance(body, bytes):
        body = parse_body(body)
    lang = i18n.pick_lang(body.get("lang")) if lang is None else lang
    ex = exercise(eid)
    placements = placements_from_body(body, ex.job)
    moved = moved_keys(body)
    if moved is None:
        violations = validate(ex.job, as_solution(ex.job, placements))
    else:
        violations = check_moved(ex.prep, placements, moved)
    words = ex.words(lang)
    broken = body.get("broken")
    return {"scope": "all" if moved is None else "moved", "lang": lang,
            "broken": broken if type(broken) is int and 0 <= broken < 10_000 else 0,
            "moved": None if moved is None else sorted(f"{p}#{c}" for p, c in moved),
            "violations": [ex.violation(v, lang, words) for v in violations],
            "placements": len(placements), "check_ms": (time.perf_counter() - t0) * 1e3}


def full_check(eid: int, body: dict, lang: str) -> dict:
    """The whole layout validated (tray pieces are not missing here)."""
    return move_check(eid, {**body, "moved": None}, lang)


def _mistakes(score, figures: list[str]) -> list[str]:
    kinds = sorted({v.kind.value for v in score.violations})
    return kinds + figures


def score(eid: int, layout: dict, engine_json: str, lang: str) -> dict:
    """The layout scored against the engine's (``leathernest score --json``), in ``lang``.

    Adds ``texts`` (each violation and feedback item in words), ``mistakes`` (the kinds broken
    and the trade's figures the trainee missed against the engine) and ``lang``.
    """
    ex = exercise(eid)
    placements_from_body(layout, ex.job)  # the same bounds as a check
    engine = solution_from_json(json.loads(engine_json), "the engine's layout", ex.job)
    result = score_layout(ex.job, hand_layout_from_json(layout, BODY), engine)
    out = score_to_json(result, "page", {})
    words = ex.words(lang)
    out["violations"] = [ex.violation(v, lang, words) for v in out["violations"]]
    for f in out["feedback"]:
        f["text"] = i18n.feedback_text(lang, f, ex.names, ex.piece_info, ex.job.gap_mm, words)
    out["mistakes"] = _mistakes(result, figure_mistakes(result.comparison))
    out["lang"] = lang
    return out


def localize(eid: int, result: dict, lang: str) -> dict:
    """A stored score in another language (its violations and feedback said again)."""
    ex = exercise(eid)
    words = ex.words(lang)
    out = dict(result, lang=lang)
    out["violations"] = [ex.violation(v, lang, words) for v in result["violations"]]
    out["feedback"] = [dict(f, text=i18n.feedback_text(lang, f, ex.names, ex.piece_info,
                                                       ex.job.gap_mm, words))
                       for f in result["feedback"]]
    return out


# -- the pool ----


# The slow work (a whole validation and a score on submit, about 2 s for 250 pieces) runs in
# its own worker at a lower priority, so that it never queues ahead of a move's check.
SLOW_NICE = 10


class WorkPool:
    """Worker processes for the work above (``workers`` 0: threads in this process).

    Two queues: checks of moves (:meth:`run`) on ``workers`` processes, and the slow work
    (``slow=True``: submits, scores) on one more process with a lower priority.
    """

    def __init__(self, url: str, workers: int) -> None:
        self.workers = workers
        self._executor: Executor
        self._slow: Executor
        if workers <= 0:
            init_worker(url)
            self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="check")
            self._slow = ThreadPoolExecutor(max_workers=1, thread_name_prefix="score")
        else:
            spawn = multiprocessing.get_context("spawn")
            me = os.getpid()
            self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=spawn,
                                                 initializer=init_worker, initargs=(url, me))
            self._slow = ProcessPoolExecutor(max_workers=1, mp_context=spawn,
                                             initializer=init_worker,
                                             initargs=(url, me, SLOW_NICE))

    def warm(self, eids: list[int]) -> None:
        """Prepare these exercises in the workers (a first check is then as fast as the rest)."""
        for _ in range(max(self.workers, 1)):
            for eid in eids:
                self._executor.submit(exercise, eid)
        for eid in eids:
            self._slow.submit(exercise, eid)

    def call(self, fn, *args):
        """Run slow ``fn(*args)`` and wait for it (from a thread, not the event loop)."""
        return self._slow.submit(fn, *args).result()

    async def run(self, fn, *args, slow: bool = False):
        """Run ``fn(*args)`` in the pool (``slow``: in the slow worker)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._slow if slow else self._executor,
                                          functools.partial(fn, *args))

    def close(self) -> None:
        """Stop the workers (queued work is dropped)."""
        for ex in (self._executor, self._slow):
            ex.shutdown(wait=True, cancel_futures=True)
