"""The solution file (JSON): what was placed where, in a form any tool can check without our code.

Layout of the file (``format`` ``leathernest-solution``, ``version`` 1)::

    {"format": "leathernest-solution", "version": 1, "job": "albano", "kind": "strip",
     "strip_length": 10213.4, "strip_height": 4900,
     "metrics": {...}, "unplaced": [{"item_id": "7", "name": "7", "copy": 1, "reason": "no_room"}],
     "placements": [{"item_id": "3", "name": "3", "copy": 0, "bin_id": null, "hide_copy": 0,
                     "rotation_deg": 180.0, "mirrored": false, "translation": [x, y],
                     "polygon": [[x, y], ...]}],
     "seed": 0, "elapsed_s": 9.8, "engine": "baseline", "leathernest_version": "0.1.0",
     "config": {...}}

``polygon`` is the placed outer ring in absolute coordinates (holes under ``holes`` when the piece
has them). ``bin_id`` is the hide id (null for strips), ``hide_copy`` which copy of that hide.
The reader takes the transforms and ignores the polygons: :mod:`leathernest.validate` rebuilds
every shape from the job.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from leathernest._version import __version__
from leathernest.errors import JobFileError
from leathernest.io.atomic import write_atomic
from leathernest.io.jsonfile import load_json
from leathernest.model import (
    HideLayout,
    Job,
    Placement,
    Solution,
    Unplaced,
    UnplacedReason,
)
from leathernest.validate import placed_shape

FORMAT = "leathernest-solution"


def _ring(coords) -> list[list[float]]:
    pts = [[round(float(x), 6), round(float(y), 6)] for x, y in coords]
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
        "format": FORMAT, "version": 1, "job": solution.job_name, "kind": solution.kind,
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


def write_solution(path: str | Path, job: Job, solution: Solution) -> Path:
    """Write the solution file atomically."""
    text = json.dumps(solution_to_json(job, solution), indent=1)
    return write_atomic(path, text + "\n")


def _need(entry: dict, key: str, where: str, path: str):
    if key not in entry:
        raise JobFileError(f"missing {key!r}", path=path, location=where)
    return entry[key]


def read_solution(path: str | Path) -> Solution:
    """Read a solution file back (for ``leathernest check``); bad files raise JobFileError."""
    return solution_from_json(load_json(path), str(path))


def solution_from_json(data: object, shown: str) -> Solution:
    """A solution from parsed JSON (a file's or a request body's, ``shown`` in messages)."""
    if not isinstance(data, dict) or "placements" not in data:
        raise JobFileError("not a solution: expected an object with \"placements\"", path=shown,
                           location="$", hint="pass a solution.json written by leathernest nest")
    layouts: dict[tuple[str | None, int], list[Placement]] = defaultdict(list)
    try:
        if not isinstance(data["placements"], list):
            raise TypeError("\"placements\" must be a list")
        for i, e in enumerate(data["placements"]):
            where = f"$.placements[{i}]"
            tx, ty = _need(e, "translation", where, shown)
            pl = Placement(
                piece_id=str(_need(e, "item_id", where, shown)),
                copy=int(e.get("copy", 0)),
                hide_id=None if e.get("bin_id") is None else str(e["bin_id"]),
                rotation_deg=float(e.get("rotation_deg", 0.0)),
                mirrored=bool(e.get("mirrored", False)),
                x=float(tx), y=float(ty), hide_copy=int(e.get("hide_copy", 0)),
            )
            layouts[(pl.hide_id, pl.hide_copy)].append(pl)
        unplaced = tuple(
            Unplaced(str(u["item_id"]), int(u.get("copy", 0)), UnplacedReason(u["reason"]))
            for u in data.get("unplaced") or []
        )
        return Solution(
            job_name=str(data.get("job", "")), kind=str(data.get("kind", "hides")),
            layouts=tuple(HideLayout(h, tuple(p), c) for (h, c), p in layouts.items()),
            unplaced=unplaced,
            strip_length=None if data.get("strip_length") is None else float(data["strip_length"]),
            metrics=dict(data.get("metrics") or {}), seed=int(data.get("seed", 0)),
            elapsed_s=float(data.get("elapsed_s", 0.0)),
            version=str(data.get("leathernest_version", "")),
            engine=str(data.get("engine", "")), config=dict(data.get("config") or {}),
        )
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise JobFileError(f"malformed solution ({exc})", path=shown,
                           hint="pass a solution.json written by leathernest nest") from None
