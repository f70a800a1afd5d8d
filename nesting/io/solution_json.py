"""The solution file (JSON): what was placed where, in a form any tool can check without our code.

Layout of the file (``format`` ``leathernest-solution``, ``version`` 1; the schema ships as
``schemas/solution.schema.json``)::

    {"format": "leathernest-solution", "version": 1, "job": "albano",
     "fingerprint": "3f0c...", "kind": "strip", "strip_length": 10213.4, "strip_height": 4900,
     "metrics": {...}, "unplaced": [{"item_id": "7", "name": "7", "copy": 1, "reason": "no_room"}],
     "placements": [{"item_id": "3", "name": "3", "copy": 0, "bin_id": null, "hide_copy": 0,
                     "rotation_deg": 180.0, "mirrored": false, "translation": [x, y],
                     "polygon": [[x, y], ...]}],
     "seed": 0, "elapsed_s": 9.8, "engine": "baseline", "leathernest_version": "0.1.0",
     "config": {...}}

``polygon`` is the placed outer ring in absolute coordinates (holes under ``holes`` when the piece
has them). ``bin_id`` is the hide id (null for strips), ``hide_copy`` which copy of that hide.
``fingerprint`` is :func:`~leathernest.io.job_json.job_fingerprint` of the job: ``check`` refuses a
layout made for another job instead of listing its pieces as violations.

Reading is strict: a file must pass the schema (types, required fields, nothing unknown), no copy
may be both placed and unplaced or unplaced twice, and, given the job, every unplaced entry must
name a copy the job demands. Anything else is a :class:`~leathernest.errors.JobFileError` naming
the file and the JSON path. What the layout does (overlaps, positions, the stated polygons) is
judged by :mod:`leathernest.validate`, never here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from leathernest._version import __version__
from leathernest.errors import JobFileError
from leathernest.io.atomic import write_atomic
from leathernest.io.job_json import job_fingerprint
from leathernest.io.jsonfile import check_schema, load_json
from leathernest.model import (
    HideLayout,
    Job,
    Placement,
    Solution,
    Unplaced,
    UnplacedReason,
)
from leathernest.validate import DrawnOutline, placed_shape

FORMAT = "leathernest-solution"
SCHEMA = "solution.schema.json"
HINT = "pass a solution.json written by leathernest nest"


def _ring(coords) -> list[list[float]]:
    pts = [[round(float(x), 9), round(float(y), 9)] for x, y in coords]
    return pts[:-1] if len(pts) > 1 and pts[0] == pts[-1] else pts


def solution_to_json(job: Job, solution: Solution) -> dict:
    """The solution as a JSON-ready dict."""
    pieces = {p.id: p for p in job.pieces}
    placements = []
    for pl in solution.placements:
        piece = pieces[pl.piece_id]
        poly = placed_shape(piece, pl)
        entry = {
            "item_id": pl.piece_id, "name": piece.name, "copy": pl.copy, "bin_id": pl.hide_id,
            "hide_copy": pl.hide_copy, "rotation_deg": pl.rotation_deg, "mirrored": pl.mirrored,
            "translation": [pl.x, pl.y], "polygon": _ring(poly.exterior.coords),
        }
        if poly.interiors:
            entry["holes"] = [_ring(r.coords) for r in poly.interiors]
        placements.append(entry)
    out = {
        "format": FORMAT, "version": 1, "job": solution.job_name,
        "fingerprint": job_fingerprint(job), "kind": solution.kind,
        "metrics": dict(solution.metrics),
        "unplaced": [{"item_id": u.piece_id, "name": pieces[u.piece_id].name, "copy": u.copy,
                      "reason": u.reason.value} for u in solution.unplaced],
        "placements": placements, "seed": solution.seed, "elapsed_s": solution.elapsed_s,
        "engine": solution.engine, "leathernest_version": solution.version or __version__,
        "config": dict(solution.config),
    }
    if solution.kind == "strip":
        out["strip_length"] = solution.strip_length
        out["strip_height"] = job.stock.height  # type: ignore[union-attr]
    return out


def solution_text(job: Job, solution: Solution) -> str:
    """The file's text; a NaN or infinity anywhere is our bug (JSON cannot hold it)."""
    return json.dumps(solution_to_json(job, solution), indent=1, allow_nan=False) + "\n"


def write_solution(path: str | Path, job: Job, solution: Solution) -> Path:
    """Write the solution file atomically."""
    return write_atomic(path, solution_text(job, solution))


@dataclass(frozen=True, slots=True)
class SolutionFile:
    """A solution file as read: the layout, the outlines it states, and the job it names.

    ``drawn`` maps ``(piece_id, copy)`` to the stated ``(outer ring, holes)``, which the validator
    compares with the piece under the placement's own transform.
    """

    path: str
    solution: Solution
    drawn: dict[tuple[str, int], DrawnOutline]
    job_name: str
    fingerprint: str | None


def read_solution(path: str | Path, job: Job | None = None) -> SolutionFile:
    """Read a solution file strictly (see the module docstring); bad files raise JobFileError.

    With ``job``, a file made for another job (its fingerprint differs) and unplaced entries the
    job does not demand are refused too.
    """
    return solution_from_data(load_json(path, layout=True), str(path), job)


def solution_from_data(data: object, shown: str, job: Job | None = None,
                       drawn_required: bool = True) -> SolutionFile:
    """A solution file from parsed JSON, checked as :func:`read_solution` says.

    With ``drawn_required`` False (request bodies), a placement may leave out its polygon; only
    the stated polygons are then compared with the transforms.
    """
    if not isinstance(data, dict) or "placements" not in data:
        raise JobFileError("not a solution: expected an object with \"placements\"", path=shown,
                           location="$", hint=HINT)
    undrawn: set[int] = set()
    if not drawn_required and isinstance(data.get("placements"), list):
        data = dict(data)
        pls = []
        for i, e in enumerate(data["placements"]):
            if isinstance(e, dict) and "polygon" not in e:
                undrawn.add(i)
                e = {**e, "polygon": [[0, 0], [1, 0], [0, 1]]}  # stands in for the schema only
            pls.append(e)
        data["placements"] = pls
    check_schema(data, SCHEMA, shown)
    layouts: dict[tuple[str | None, int], list[Placement]] = defaultdict(list)
    drawn: dict[tuple[str, int], DrawnOutline] = {}
    placed: dict[tuple[str, int], str] = {}
    for i, e in enumerate(data["placements"]):
        tx, ty = e["translation"]
        pl = Placement(
            piece_id=str(e["item_id"]), copy=int(e["copy"]),
            hide_id=None if e["bin_id"] is None else str(e["bin_id"]),
            rotation_deg=float(e["rotation_deg"]), mirrored=e["mirrored"],
            x=float(tx), y=float(ty), hide_copy=int(e["hide_copy"]),
        )
        layouts[(pl.hide_id, pl.hide_copy)].append(pl)
        placed.setdefault((pl.piece_id, pl.copy), f"$.placements[{i}]")
        if i not in undrawn:
            drawn.setdefault((pl.piece_id, pl.copy), (e["polygon"], e.get("holes", [])))
    unplaced = []
    seen: set[tuple[str, int]] = set()
    for i, u in enumerate(data["unplaced"]):
        key = (str(u["item_id"]), int(u["copy"]))
        where = f"$.unplaced[{i}]"
        if key in placed:
            raise JobFileError(f"copy {key[1]} of piece {key[0]!r} is listed unplaced but is "
                               f"placed at {placed[key]}", path=shown, location=where, hint=HINT)
        if key in seen:
            raise JobFileError(f"copy {key[1]} of piece {key[0]!r} is listed unplaced twice",
                               path=shown, location=where, hint=HINT)
        seen.add(key)
        unplaced.append(Unplaced(key[0], key[1], UnplacedReason(u["reason"])))
    solution = Solution(
        job_name=data["job"], kind=data["kind"],
        layouts=tuple(HideLayout(h, tuple(p), c) for (h, c), p in layouts.items()),
        unplaced=tuple(unplaced),
        strip_length=None if data.get("strip_length") is None else float(data["strip_length"]),
        metrics=data.get("metrics", {}), seed=int(data.get("seed", 0)),
        elapsed_s=float(data.get("elapsed_s", 0.0)),
        version=str(data.get("leathernest_version", "")),
        engine=str(data.get("engine", "")), config=data.get("config", {}),
    )
    read = SolutionFile(shown, solution, drawn, data["job"], data.get("fingerprint"))
    if job is not None:
        check_belongs(read, job)
    return read


def check_belongs(read: SolutionFile, job: Job) -> None:
    """Raise JobFileError when the file was made for another job or lists copies it does not have.

    A file without a fingerprint (made by hand or by another tool) is taken to be for this job.
    """
    if read.fingerprint is not None and read.fingerprint != job_fingerprint(job):
        made_for = (f"another job of the same name {job.name!r}" if read.job_name == job.name
                    else f"job {read.job_name!r}, not for job {job.name!r}")
        raise JobFileError(
            f"this layout was made for {made_for} (their pieces or stock differ)",
            path=read.path, location="$.fingerprint",
            hint="check it against the job it was made for")
    kind = "strip" if job.is_strip else "hides"
    if read.solution.kind != kind:
        raise JobFileError(f"a {read.solution.kind} layout cannot belong to a {kind} job",
                           path=read.path, location="$.kind",
                           hint="check it against the job it was made for")
    copies = {p.id: p.n_copies for p in job.pieces}
    for i, u in enumerate(read.solution.unplaced):
        where = f"$.unplaced[{i}]"
        if u.piece_id not in copies:
            raise JobFileError(f"unplaced piece {u.piece_id!r} is not a piece of job {job.name!r}",
                               path=read.path, location=where, hint=HINT)
        if u.copy >= copies[u.piece_id]:
            raise JobFileError(f"unplaced copy {u.copy} of piece {u.piece_id!r} is beyond its "
                               f"{copies[u.piece_id]} demanded copies", path=read.path,
                               location=where, hint=HINT)


def solution_from_json(data: object, shown: str, job: Job | None = None) -> Solution:
    """The layout of a request body (``{"placements": [...]}``, ``shown`` in messages).

    What a file must carry but a request may leave out (format, version, job name, kind,
    ``unplaced``, each placement's polygon) is filled in; the rest is read as strictly as a file.
    """
    if not isinstance(data, dict) or not isinstance(data.get("placements"), list):
        raise JobFileError("not a layout: expected an object with a \"placements\" list",
                           path=shown, location="$", hint=HINT)
    doc = {"format": "leathernest-solution", "version": 1, "unplaced": [],
           "job": job.name if job is not None else "",
           "kind": "strip" if job is not None and job.is_strip else "hides", **data}
    if isinstance(doc.get("trainee"), str):  # the page sends the trainee's name on its own
        doc["trainee"] = {"name": doc["trainee"]}
    return solution_from_data(doc, shown, job, drawn_required=False).solution
