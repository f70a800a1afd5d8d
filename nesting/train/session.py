"""One training session: the order, the engine's layout of it, and what the page asks of them.

Every answer comes from the project's own judges, so the page can never accept what
``leathernest check`` rejects: :meth:`Trainer.check` runs :func:`leathernest.validate.validate` on
the page's layout (a body in the solution format), :meth:`Trainer.score` runs
:func:`leathernest.scoring.score.score_layout` and answers
:func:`leathernest.scoring.score.score_to_json`, the JSON of ``leathernest score --json``. Pieces
still in the tray are sent as ``unplaced`` to the check (a layout in progress is not "missing"
pieces); the score ignores that list, so a piece left in the tray counts as missing there, as it
does for ``score``.

The engine's layout is computed once, in a background thread, while the trainee works
(:class:`EngineRun`); it goes only through :func:`leathernest.nest.nest`.

No web code here: :mod:`leathernest.train.app` maps these methods to HTTP.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import tempfile
import threading
import time
import zipfile
from io import BytesIO
from pathlib import Path

from leathernest.errors import InputError, SolutionInvalidError
from leathernest.io.atomic import write_atomic
from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.io.hand_layout import hand_layout_from_json
from leathernest.io.job_json import job_to_json
from leathernest.io.solution_json import (
    read_solution,
    solution_from_json,
    solution_to_json,
    write_solution,
)
from leathernest.model import Job, Solution
from leathernest.nest import checked, nest, warm_up
from leathernest.report.metrics import compute_metrics, hide_cost, usable_region, with_metrics
from leathernest.scoring.score import measurable_solution, score_layout, score_to_json
from leathernest.scoring.waste import NEST_WIDTH_MM, hide_price_per_m2
from leathernest.search.stop import StopToken
from leathernest.validate import Violation, validate

log = logging.getLogger("nesting.train")

# Placements a body may carry beyond the order's copies (a trainee's duplicates are reported, not
# refused), so that no body can make a check or a score arbitrarily long.
EXTRA_PLACEMENTS = 20
# Longest trainee name kept (characters); file names use a slug of it.
MAX_NAME = 60
# Seconds a score waits for the engine beyond its time limit (compiling, validating, measuring).
ENGINE_GRACE_S = 60.0
BODY = "request body"


class EngineNotReadyError(InputError):
    """The engine's layout is not there yet (or could not be made)."""


class EngineRun:
    """The engine's layout of the order, computed once in a background thread (or given)."""

    def __init__(self, job: Job, time_limit_s: float, solution: Solution | None = None) -> None:
        self.job = job
        self.time_limit_s = time_limit_s
        self.solution = solution
        self.error: str | None = None
        self.done = threading.Event()
        self.started = time.monotonic()
        self.stop = StopToken(time_limit_s)
        self._thread: threading.Thread | None = None
        if solution is not None:
            self.done.set()

    def start(self) -> None:
        """Start the search (once); a given solution needs none."""
        if self.done.is_set() or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="engine", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            warm_up()  # compile the kernels before the clock starts
            self.stop = StopToken(self.time_limit_s)
            self.solution = nest(self.job, stop=self.stop)
        except Exception as exc:  # reported to the page; the traceback goes to the log
            log.exception("the engine failed")
            self.error = f"the engine failed: {exc}"
        finally:
            self.done.set()

    def cancel(self) -> None:
        """Stop a running search (the server is shutting down)."""
        self.stop.interrupt()

    def status(self) -> dict:
        """Whether the layout is ready, and how long it may still take."""
        left = max(self.time_limit_s - (time.monotonic() - self.started), 0.0)
        return {"ready": self.solution is not None, "error": self.error,
                "time_limit_s": self.time_limit_s,
                "remaining_s": 0.0 if self.done.is_set() else left}

    def wait(self, timeout_s: float | None = None) -> Solution:
        """The engine's layout, waiting for it at most ``timeout_s`` (default: its time + grace)."""
        if timeout_s is None:
            timeout_s = self.time_limit_s + ENGINE_GRACE_S
        if not self.done.wait(timeout_s):
            raise EngineNotReadyError("the engine's layout is not ready yet",
                                      hint="submit again soon")
        if self.solution is None:
            raise EngineNotReadyError(self.error or "the engine made no layout")
        return self.solution


def slug(text: str) -> str:
    """A file-name-safe form of a name (letters, digits, ``_ - .``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "trainee"


def _rings(outline) -> dict:
    return {"outer": outline.outer.tolist(), "holes": [h.tolist() for h in outline.holes]}


class Trainer:
    """A training session on one job (hides only), as the page sees it."""

    def __init__(self, job: Job, engine: EngineRun, *, snap: bool = True,
                 out_dir: Path | None = None) -> None:
        if job.is_strip:
            raise InputError(f"job {job.name!r} is a strip job",
                             hint="the trainer lays pieces on hides; use a job with hides")
        self.job = job
        self.engine = engine
        self.snap = snap
        self.out_dir = out_dir
        self.max_placements = sum(p.n_copies for p in job.pieces) + EXTRA_PLACEMENTS
        self._payload = self._job_payload()
        self._lock = threading.Lock()  # one submission file written at a time

    # -- the job, as the page draws it -------------------------------------------------------------

    def _job_payload(self) -> dict:
        job = self.job
        raw = job_to_json(job)
        pieces = []
        for p, rp in zip(job.pieces, raw["pieces"], strict=True):
            r = p.rotations
            pieces.append({
                "id": p.id, "name": p.name, "area_mm2": p.area, "copies": p.n_copies,
                "demand": p.demand, "min_grade": p.min_grade, "mirror": p.mirror.value,
                "group": p.group, **_rings(p.outline),
                "rotations": {"free": r.free, "angles": list(r.angles_deg),
                              "ranges": [list(x) for x in r.ranges_deg]},
                "grain": rp.get("grain"),
            })
        hides = [{
            "id": h.id, "name": h.name, "stock": h.stock, **_rings(h.outline),
            "zones": [{"grade": z.grade, **_rings(z.outline)} for z in h.zones],
            "backbone": None if h.backbone is None else h.backbone.tolist(),
            "usable_area_mm2": usable_region(h).area, "area_mm2": h.area,
            "cost": hide_cost(h), "price_per_m2": hide_price_per_m2(h),
            "bbox": list(h.outline.bbox),
        } for h in job.hides]
        return {"name": job.name, "gap_mm": job.gap_mm, "margin_mm": job.margin_mm,
                "snap": self.snap, "nest_width_mm": NEST_WIDTH_MM,
                "engine_time_s": self.engine.time_limit_s, "pieces": pieces, "hides": hides}

    def job_payload(self) -> dict:
        """The job as the page needs it: outlines, rotations, grain, grades, hides with zones."""
        return self._payload | {"engine": self.engine.status()}

    # -- reading the page's layout -----------------------------------------------------------------

    def _count(self, body: object) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("placements"), list):
            raise InputError("expected an object with a \"placements\" list", path=BODY,
                             location="$", hint="send the layout in the solution format")
        n = len(body["placements"])
        if n > self.max_placements:
            order = self.max_placements - EXTRA_PLACEMENTS
            raise InputError(f"{n} placements for an order of {order} pieces", path=BODY,
                             location="$.placements")

    def solution(self, body: object) -> Solution:
        """The body as a solution (tray pieces as ``unplaced``); bad bodies raise InputError."""
        self._count(body)
        sol = solution_from_json(body, BODY, self.job)
        return dataclasses.replace(sol, job_name=self.job.name, kind="hides", engine="hand")

    # -- answers -----------------------------------------------------------------------------------

    def check(self, body: object) -> dict:
        """``{"valid", "violations": [{"kind", "piece", "pieces", "hide", "message", ...}]}``."""
        t0 = time.perf_counter()
        sol = self.solution(body)
        violations = validate(self.job, sol)
        return {"valid": not violations, "violations": [violation_json(v) for v in violations],
                "placements": len(sol.placements), "unplaced": len(sol.unplaced),
                "check_ms": (time.perf_counter() - t0) * 1e3}

    def score(self, body: object) -> dict:
        """What ``leathernest score --json`` answers for this layout; saved when collecting."""
        self._count(body)
        layout = hand_layout_from_json(body, BODY)
        engine = self.engine.wait()
        result = score_layout(self.job, layout, engine)
        name = trainee_name(body)
        paths = {}
        if self.out_dir is not None:
            paths["submission"] = str(self._save(name, result))
        return score_to_json(result, name or "page", paths) | {"trainee": name}

    def _save(self, name: str, result) -> Path:
        data = solution_to_json(self.job, result.hand) | {"trainee": {
            "name": name or "anonymous", "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "points": result.comparison.get("points"), "valid": result.valid}}
        path = self.out_dir / f"{slug(name or 'anonymous')}.json"  # type: ignore[operator]
        with self._lock:
            return write_atomic(path, json.dumps(data, indent=1) + "\n")

    def solution_file(self, body: object) -> tuple[str, bytes]:
        """The layout as a solution JSON file (any layout: check and score judge it)."""
        sol = self.solution(body)
        sol = dataclasses.replace(sol, unplaced=(),
                                  metrics=compute_metrics(self.job, measurable_solution(self.job,
                                                                                        sol)))
        text = json.dumps(solution_to_json(self.job, sol)
                          | {"trainee": {"name": trainee_name(body)}}, indent=1) + "\n"
        return f"{slug(self.job.name)}-{slug(trainee_name(body) or 'layout')}.json", text.encode()

    def dxf_file(self, body: object) -> tuple[str, bytes, str]:
        """Cutter DXF of a layout that breaks no rule: one file, or a zip of one per hide."""
        sol = self.solution(body)
        if not sol.placements:
            raise InputError("no piece is on a hide yet", path=BODY, hint="place pieces first")
        violations = validate(self.job, sol)
        if violations:
            raise InputError(f"the layout breaks {len(violations)} rule(s), first: {violations[0]}",
                             path=BODY, hint="fix them before cutting")
        sol = with_metrics(self.job, dataclasses.replace(sol, unplaced=()))
        with tempfile.TemporaryDirectory(prefix="leathernest-dxf-") as tmp:
            files = write_cutter_dxf(self.job, sol, tmp)
            if len(files) == 1:
                return files[0].path.name, files[0].path.read_bytes(), "application/dxf"
            buf = BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(f.path, f.path.name)
            return f"{slug(self.job.name)}-dxf.zip", buf.getvalue(), "application/zip"

    def engine_json(self) -> dict:
        """The engine's layout in the solution format, or its status while it works."""
        if not self.engine.done.is_set() or self.engine.solution is None:
            return self.engine.status()
        return self.engine.status() | {"solution": solution_to_json(self.job,
                                                                    self.engine.solution)}

    def write_session_files(self) -> None:
        """Into the collection folder: the job and, once ready, the engine's layout (for class)."""
        if self.out_dir is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(self.out_dir / "job.json", json.dumps(job_to_json(self.job), indent=1) + "\n")

        def engine_file() -> None:
            if self.engine.done.wait() and self.engine.solution is not None:
                write_solution(self.out_dir / "engine_solution.json", self.job,  # type: ignore[operator]
                               self.engine.solution)

        threading.Thread(target=engine_file, name="engine-file", daemon=True).start()


def trainee_name(body: object) -> str:
    """The trainee's name the page sent (trimmed, at most :data:`MAX_NAME` characters)."""
    name = body.get("trainee") if isinstance(body, dict) else None
    return name.strip()[:MAX_NAME] if isinstance(name, str) else ""


def violation_json(v: Violation) -> dict:
    """A violation as the API gives it: the validator's fields plus ``piece``, the first one."""
    return {"kind": v.kind.value, "piece": v.pieces[0] if v.pieces else None,
            "pieces": list(v.pieces), "hide": v.hide, "amount": v.amount, "message": v.message}


def given_engine(job: Job, path: str) -> Solution:
    """An engine layout from a solution file, validated (it is the reference every score uses)."""
    try:
        return checked(job, read_solution(path, job).solution)
    except SolutionInvalidError as exc:
        raise InputError(f"breaks the job's rules: {exc}", path=path,
                         hint="pass a solution of this job, e.g. from leathernest nest") from None
