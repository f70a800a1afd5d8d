"""Small shapes and jobs shared by the tests, and ``assert_valid``."""

from __future__ import annotations

from leathernest.model import (
    FREE_ROTATION,
    Grain,
    Hide,
    HideLayout,
    Job,
    Mirror,
    Outline,
    Piece,
    Placement,
    Rotations,
    Solution,
    Strip,
    Zone,
)
from leathernest.search.stop import StopToken
from leathernest.validate import validate

# Every search in the tests stops on work (``--effort`` on the command line, a budgeted
# StopToken in the library), never on the clock, so its outcome is the same on a fast machine and
# on a loaded one; the time limit is a safety cap that no healthy run reaches.
CAP_S = 600.0


def budget(effort: int) -> StopToken:
    """A stop token that stops on ``effort`` collision evaluations (the clock only caps it)."""
    return StopToken(CAP_S, effort=effort)


def rect(w: float, h: float, x: float = 0.0, y: float = 0.0) -> list[list[float]]:
    return [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]


def square_piece(pid: str, size: float = 10.0, **kw) -> Piece:
    kw.setdefault("rotations", Rotations(angles_deg=(0.0, 90.0, 180.0, 270.0)))
    return Piece(pid, Outline.of(rect(size, size)), **kw)


def l_piece(pid: str = "L", **kw) -> Piece:
    """An L shape 20 x 20 with a 10 x 10 notch (not symmetric under mirroring about x=0)."""
    kw.setdefault("rotations", FREE_ROTATION)
    return Piece(pid, Outline.of([[0, 0], [20, 0], [20, 10], [10, 10], [10, 20], [0, 20]]), **kw)


def hide_100(zones=(), backbone=None, hid: str = "H", stock: int = 1, **kw) -> Hide:
    return Hide(hid, Outline.of(rect(100, 100)), zones=tuple(zones), backbone=backbone,
                stock=stock, **kw)


def hide_job(pieces, hides=None, **kw) -> Job:
    kw.setdefault("time_limit_s", 4.0)
    return Job("t", tuple(pieces), tuple(hides or [hide_100()]), **kw)


def strip_job(pieces, height: float = 50.0, **kw) -> Job:
    kw.setdefault("time_limit_s", 4.0)
    return Job("s", tuple(pieces), Strip(height), **kw)


def sol(job: Job, placements, unplaced=(), strip_length=None) -> Solution:
    groups: dict = {}
    for p in placements:
        groups.setdefault((p.hide_id, p.hide_copy), []).append(p)
    layouts = tuple(HideLayout(h, tuple(ps), c) for (h, c), ps in groups.items())
    return Solution(job.name, "strip" if job.is_strip else "hides", layouts, tuple(unplaced),
                    strip_length=strip_length)


def at(pid: str, x: float, y: float, copy: int = 0, rot: float = 0.0, mirrored: bool = False,
       hide: str | None = "H", hide_copy: int = 0) -> Placement:
    return Placement(pid, copy, hide, rot, mirrored, x, y, hide_copy)


def assert_valid(job: Job, solution: Solution) -> None:
    violations = validate(job, solution)
    assert violations == [], [str(v) for v in violations]


__all__ = ["CAP_S", "FREE_ROTATION", "Grain", "Mirror", "Zone", "assert_valid", "at", "budget",
           "hide_100", "hide_job", "l_piece", "rect", "sol", "square_piece", "strip_job"]
