"""The head's idle travel in a cutter DXF as it is written: entity order, start and end points.

A cutting table works through the entities of a file in order, so the idle travel is the sum of
the moves from where one entity ends to where the next one starts, beginning at the table's
corner. This module reads that back from a file, independently of how :mod:`leathernest.io.dxf_out`
planned it, so tests and the probe in ``benchmarks/`` can check the figure the report gives.

Where an entity starts: a closed polyline at its first vertex (and it ends there), an open one at
its first vertex and ends at its last, a circle at its point at angle 0, a POINT and a TEXT at their
position. Reference layers (the hide's edge, defects, zones) are not visited.

ezdxf is imported inside the function.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path


def _ends(e) -> tuple[tuple[float, float], tuple[float, float]] | None:
    kind = e.dxftype()
    if kind == "LWPOLYLINE":
        pts = [(float(x), float(y)) for x, y, *_ in e.get_points("xy")]
        return pts[0], pts[0] if e.closed else pts[-1]
    if kind == "POLYLINE":
        pts = [(float(v.dxf.location.x), float(v.dxf.location.y)) for v in e.vertices]
        return pts[0], pts[0] if e.is_closed else pts[-1]
    if kind == "CIRCLE":
        c, r = e.dxf.center, float(e.dxf.radius)
        p = (float(c.x) + r, float(c.y))
        return p, p
    if kind == "LINE":
        s, t = e.dxf.start, e.dxf.end
        return (float(s.x), float(s.y)), (float(t.x), float(t.y))
    if kind == "POINT":
        p = e.dxf.location
        return (float(p.x), float(p.y)), (float(p.x), float(p.y))
    if kind == "TEXT":
        p = e.dxf.align_point if e.dxf.hasattr("align_point") else e.dxf.insert
        return (float(p.x), float(p.y)), (float(p.x), float(p.y))
    return None


def dxf_travel_mm(path: str | Path, start: tuple[float, float],
                  is_reference: Callable[[str], bool] = lambda layer: layer.startswith("REF_")
                  ) -> float:
    """Idle travel (mm) through the file's entities in order, from ``start``.

    ``is_reference`` says which layers the head does not visit (by default ``REF_*``).
    """
    import ezdxf

    at = start
    total = 0.0
    for e in ezdxf.readfile(path).modelspace():
        if is_reference(str(e.dxf.layer)):
            continue
        ends = _ends(e)
        if ends is None:
            continue
        total += math.dist(at, ends[0])
        at = ends[1]
    return total
