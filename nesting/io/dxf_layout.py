"""Read a hand layout from DXF: closed outlines placed on the hide, optionally named by a TEXT.

A hand layout DXF goes through the same reader as patterns and hides
(:func:`leathernest.io.dxf_in.read_drawing`): the same loading and recover mode, the same units
rules (``$INSUNITS``, the AAMA units text, else millimetres with a warning), the same block
expansion with its limits, the same warnings. What differs is only what is made of the geometry:
a hand layout must keep overlapping outlines apart, because an overlap is what scoring has to
find, so nothing is merged:

- every closed entity (LWPOLYLINE, POLYLINE, CIRCLE, closed SPLINE or ELLIPSE) is one outline;
- open LINE/ARC/polyline soups are noded as a planar graph (:mod:`leathernest.io.dxf_graph`) and
  every face is one outline (pieces drawn touching each other stay apart);
- TEXT and MTEXT: a text whose insertion point lies inside an outline names the piece of the
  smallest such outline, by id or name; a copy suffix (``front#1``, ``Card holder front #2``, as
  leathernest's cutter DXF labels pieces) is dropped, because the matcher numbers copies itself;
- the layer: a layer named after a hide id (``calf-1``, or ``calf-1#2`` for copy 2 of that hide)
  puts the outline on that hide.

Every outline becomes a :class:`~leathernest.io.hand_layout.HandOutline` without holes; the
matcher decides which are pieces, which are holes of a placed piece and which are the hide's own
outline, holes or zones drawn for reference. Outlines are flattened with their vertices on the
curve (the matcher's tolerance, ``leathernest.scoring.score.MATCH_TOL_MM``, is far above the chord
tolerance). What the reader left out (open contours, self-crossing outlines, broken entities)
is listed in ``HandLayout.skipped``; facts about the file (units assumed, recover mode) in
``HandLayout.warnings``.
"""

from __future__ import annotations

import re
from pathlib import Path

import shapely
from shapely.geometry import Point, Polygon

from leathernest.errors import InputError
from leathernest.io.dxf_curves import flatten_path
from leathernest.io.dxf_graph import closed_regions
from leathernest.io.dxf_in import read_drawing
from leathernest.io.dxf_report import IssueCode
from leathernest.io.hand_layout import HandLayout, HandOutline
from leathernest.model import Outline

_COPY_RE = re.compile(r"^\s*(.*?)\s*#\s*(\d+)\s*$")
# Issues about geometry the reader left out: listed with the outlines set aside.
_LEFT_OUT = frozenset({
    IssueCode.OPEN_CONTOUR, IssueCode.STRAY_LINE, IssueCode.SELF_INTERSECTION,
    IssueCode.DEGENERATE, IssueCode.BAD_ENTITY, IssueCode.DUPLICATE_CONTOUR,
})  # fmt: skip


def split_copy(text: str) -> tuple[str, int | None]:
    """``"front#1"`` -> ``("front", 1)``; ``"front"`` -> ``("front", None)``."""
    m = _COPY_RE.match(text)
    if m and m.group(1):
        return m.group(1), int(m.group(2))
    return text.strip(), None


def read_layout_dxf(path: str | Path) -> HandLayout:
    """Read a hand layout DXF (see the module docstring); unusable files raise DxfError."""
    drawing = read_drawing(path)
    report, ext = drawing.report, drawing.ext
    tol = drawing.chord_tol_mm
    rings = [(r.rings[0], r.layer, r.handles) for r in closed_regions(ext.segments, tol, report)]
    graph = drawing.graph([s for s in ext.segments if not s.path.closed], 0.0)
    rings += [(path, layer, handles) for path, _err, layer, handles in graph.face_rings()]
    graph.leftovers([])
    outlines: list[tuple[Outline, str, str]] = []
    for path, layer, handles in rings:
        where = f"layer {layer}, handle {handles[0] if handles else '?'}"
        try:
            outlines.append((Outline.of(flatten_path(path, tol, on_curve=True), what=where),
                             layer, where))  # fmt: skip
        except InputError:
            report.add(IssueCode.DEGENERATE, "outline with no area", layer, handles[:1])
    skipped = tuple(i.one_line() for i in report.issues if i.code in _LEFT_OUT)
    warnings = tuple(i.one_line() for i in report.issues if i.code not in _LEFT_OUT)
    named = _names(outlines, [(t.text, t.at) for t in ext.texts])
    out = []
    for i, (outline, layer, where) in enumerate(outlines):
        name, copy = split_copy(named[i]) if i in named else (None, None)
        hide, hide_copy = split_copy(layer)
        out.append(
            HandOutline(
                source=where,
                outline=outline,
                name=name,
                copy=copy,
                hide=hide,
                hide_copy=hide_copy or 0,
                hide_hint=True,
            )
        )
    return HandLayout(str(path), tuple(out), skipped, report.unit, warnings)


def _names(outlines, texts) -> dict[int, str]:
    """Outline index -> the first text whose insertion point lies in it (smallest outline)."""
    if not outlines or not texts:
        return {}
    polys = [Polygon(o.outer) for o, _l, _w in outlines]
    tree = shapely.STRtree(polys)
    names: dict[int, str] = {}
    for text, at in texts:
        inside = [int(i) for i in tree.query(Point(at), predicate="within")]
        if inside:
            names.setdefault(min(inside, key=lambda i: polys[i].area), text)
    return names
