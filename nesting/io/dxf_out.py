"""Cutter-ready DXF: one file per hide copy (or for the strip), true arcs, tool layers, cut order.

What a cutting table needs (leather_domain.md, sections 5 and 6):

- millimetres with ``$INSUNITS`` = 4; R2000 (LWPOLYLINE with bulges) by default, R12 (POLYLINE with
  bulges) for old controllers; ``$EXTMIN``/``$EXTMAX`` set to the drawing's real extents
  (``ezdxf.bbox``), so CAD opens the file showing the hide;
- one layer per tool (:mod:`leathernest.io.cutter_profile`): outer cut, inner cut-outs, punches,
  notches, pen marks, creases, labels, and as non-cutting reference the hide's edge, its defects
  and each grade of zone on a layer of its own;
- true geometry: arcs stay bulges and circles stay CIRCLEs, moved exactly by the placement (a mirror
  flips every bulge's sign, see :func:`leathernest.io.dxf_curves.place_path`); contours closed,
  outer contours counter-clockwise and cut-outs clockwise;
- order (:func:`leathernest.ordering.cut_order.plan_cuts`): reference first, then everything
  drawn with the pen (marks are made before the leather is freed), then the cuts: whatever lies
  inside a window of another piece before that window, every piece's punches, notches and
  cut-outs before its outer contour, and the pieces in a routed order from the table's lower-left
  corner.

Routing is bounded: ``route_time_limit_s`` for all files of a run together, at most
``ROUTE_FILE_MAX_S`` per file, and nothing beyond the nearest-neighbour order once ``stop``
says so (Ctrl-C). Pieces without ``cut_paths`` are cut along their polygon outline. Files are
written atomically (:func:`leathernest.io.atomic.write_atomic`). ezdxf loads inside functions only.
"""

from __future__ import annotations

import base64
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from leathernest.errors import InputError
from leathernest.geometry.transform import place_points
from leathernest.io.atomic import write_atomic
from leathernest.io.cutter_profile import (
    AAMA_PROFILE,
    DEFAULT_PROFILE,
    CutterProfile,
    load_cutter_profile,
)
from leathernest.io.dxf_curves import (
    flatten_path,
    is_full_circle,
    orient_path,
    place_path,
    start_at,
)
from leathernest.model import CurvePath, FeatureKind, Job, Piece, Placement, Solution
from leathernest.ordering.cut_order import Contour, CutPlan, PieceContours, Step, plan_cuts

__all__ = ["AAMA_PROFILE", "DEFAULT_PROFILE", "CutFile", "CutterProfile", "load_cutter_profile",
           "write_cutter_dxf"]

DXF_VERSIONS = ("R12", "R2000", "R2004", "R2007", "R2010", "R2013", "R2018")
# Label text height, mm: small enough for the text to stay inside the piece (see _place), within
# bounds a person can read and a pen can draw.
LABEL_MIN_MM, LABEL_MAX_MM = 1.5, 12.0
# Routing time for all files of a run together, and for one file, seconds: the search has used
# the run's time limit already, so routing gets well under a second on top (a few hundred pieces
# per hide route well in a tenth of a second).
ROUTE_TIME_LIMIT_S = 0.75
ROUTE_FILE_MAX_S = 0.2
# Chord tolerance for the polygons of the containment tree, mm (which window holds a piece).
CONTAINMENT_TOL_MM = 0.1

_FEATURE_ROLE = {
    FeatureKind.PUNCH: "punch",
    FeatureKind.NOTCH: "notch",
    FeatureKind.MARK: "pen",
    FeatureKind.CREASE: "crease",
    FeatureKind.GRAIN: "grain",
    FeatureKind.MIRROR_LINE: "pen",
}
_PEN_ROLES = ("pen", "crease", "grain")


@dataclass(frozen=True, slots=True)
class CutFile:
    """One written file: what is on it, the cutting order and the head's idle travel (mm).

    ``travel_mm`` counts every move between contours as written (pen pass, between pieces and
    between the contours of one piece); ``unoptimised_travel_mm`` the same in the solution's order.
    """

    path: Path
    hide_id: str | None
    hide_copy: int
    order: tuple[tuple[str, int], ...]  # (piece id, copy) in the order the outlines are cut
    travel_mm: float
    unoptimised_travel_mm: float
    routing_s: float = 0.0
    method: str = ""


@dataclass
class _Placed:
    placement: Placement
    piece: Piece
    outer: CurvePath
    inner: list[CurvePath] = field(default_factory=list)
    tools: list[tuple[str, CurvePath | None, tuple[float, float] | None]] = field(
        default_factory=list
    )
    pen: list[tuple[str, CurvePath]] = field(default_factory=list)
    label: tuple[str, tuple[float, float], float] | None = None


def _slug(text: str) -> str:
    # At most 60 characters, so that job and hide names of any length give a valid file name.
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:60] or "x"


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with ``-2``, ``-3``, ... before the suffix when already taken.

    Two hide ids can clean to the same file name (``a/b`` and ``a_b``); neither file may
    overwrite the other.
    """
    stem, suffix = name.rsplit(".", 1)
    out, k = name, 2
    while out.lower() in taken:
        out, k = f"{stem}-{k}.{suffix}", k + 1
    taken.add(out.lower())
    return out


def _outline_paths(piece: Piece) -> tuple[CurvePath, list[CurvePath]]:
    """Outer contour and cut-outs: true-arc cut_paths when present, else the polygon."""
    if piece.cut_paths:
        return piece.cut_paths[0], list(piece.cut_paths[1:])
    cutouts = [f.path for f in piece.features if f.kind is FeatureKind.CUTOUT and f.path]
    inner = cutouts or [CurvePath.polyline(h, True) for h in piece.outline.holes]
    return CurvePath.polyline(piece.outline.outer, True), inner


def _place(piece: Piece, pl: Placement, labels: dict) -> _Placed:
    args = (pl.rotation_deg, pl.mirrored, pl.x, pl.y)
    outer, inner = _outline_paths(piece)
    outer = orient_path(place_path(outer, *args), ccw=True)
    inner = [orient_path(place_path(p, *args), ccw=False) for p in inner if p.closed]
    item = _Placed(pl, piece, outer, inner)
    for f in piece.features:
        role = _FEATURE_ROLE.get(f.kind)
        if role is None:
            continue
        path = place_path(f.path, *args) if f.path is not None else None
        if role in _PEN_ROLES:
            if path is not None:
                item.pen.append((role, path))
            continue
        at = None
        if f.at is not None and f.path is None:
            p = place_points(np.array([f.at], dtype=np.float64), *args)[0]
            at = (float(p[0]), float(p[1]))
        if path is not None or at is not None:
            item.tools.append((role, path, at))
    key = _shape_key(piece, pl.mirrored)
    if key not in labels:
        labels[key] = _label_spot(piece, pl.mirrored)
    spot = labels[key]
    if spot is not None:
        (lx, ly), room = spot
        # A rotation and a translation move the spot with the piece and keep its room.
        p = place_points(np.array([[lx, ly]], dtype=np.float64), pl.rotation_deg, False,
                         pl.x, pl.y)[0]
        text = f"{piece.name} #{pl.copy + 1}"
        # A centred text line is about 0.6 x height x characters wide; keep it inside that
        # circle (the pen must not draw on a neighbour), but never below a readable size.
        height = min(LABEL_MAX_MM, 0.5 * room, 1.6 * room / (0.6 * len(text)))
        height = max(LABEL_MIN_MM, height)
        item.label = (text, (float(p[0]), float(p[1])), height)
    return item


def _shape_key(piece: Piece, mirrored: bool) -> tuple:
    """What a label spot depends on: the contours as cut, and the hand.

    Pieces of one shape under different ids (a strip of 5,000 equal rectangles) share one spot.
    """
    outer, inner = _outline_paths(piece)
    return (mirrored, *((p.points.tobytes(), p.bulges.tobytes(), p.closed)
                        for p in (outer, *inner)))


def _label_spot(piece: Piece, mirrored: bool) -> tuple[tuple[float, float], float] | None:
    """Where a label goes on the piece (mirrored or not, unrotated, at the origin) and its room.

    The label goes on the leather of the piece, never into one of its windows: the pole of
    inaccessibility of the piece minus its windows, and the radius of the circle around it
    inside the piece. Computed once per piece and hand; every copy moves it with its placement.
    """
    import shapely
    from shapely.geometry import Polygon
    from shapely.ops import polylabel

    outer, inner = _outline_paths(piece)
    outer = orient_path(place_path(outer, 0.0, mirrored, 0.0, 0.0), ccw=True)
    inner = [orient_path(place_path(p, 0.0, mirrored, 0.0, 0.0), ccw=False)
             for p in inner if p.closed]
    poly = Polygon(flatten_path(outer, 0.1, on_curve=True))
    if inner:
        poly = poly.difference(shapely.union_all(
            [Polygon(flatten_path(hole, 0.1, grow=True)) for hole in inner]))
    if not isinstance(poly, Polygon) and not poly.is_empty:
        poly = max(poly.geoms, key=lambda g: g.area)
    if not (isinstance(poly, Polygon) and poly.is_valid and poly.area > 0):
        return None
    pole = polylabel(poly, tolerance=max(0.1, math.sqrt(poly.area) / 100))
    return (pole.x, pole.y), poly.exterior.distance(pole)


def _add_path(msp, path: CurvePath, layer: str, r12: bool) -> None:
    circle = is_full_circle(path)
    attribs = {"layer": layer}
    if circle is not None:
        msp.add_circle((float(circle[0][0]), float(circle[0][1])), circle[1], dxfattribs=attribs)
        return
    pts = [
        (float(p[0]), float(p[1]), float(b)) for p, b in zip(path.points, path.bulges, strict=True)
    ]
    if not path.closed:
        pts[-1] = (pts[-1][0], pts[-1][1], 0.0)
    if r12:
        msp.add_polyline2d(pts, format="xyb", close=path.closed, dxfattribs=attribs)
    else:
        msp.add_lwpolyline(pts, format="xyb", close=path.closed, dxfattribs=attribs)




def _contour(path: CurvePath) -> Contour:
    """Where the head may start a path: a circle at angle 0, a closed path at any vertex."""
    circle = is_full_circle(path)
    if circle is not None:
        (cx, cy), r = circle
        return Contour(np.array([[cx + r, cy]], dtype=np.float64))
    if path.closed:
        return Contour(np.asarray(path.points, dtype=np.float64))
    return Contour(np.asarray(path.points[[0, -1]], dtype=np.float64), closed=False)


def _point(at: tuple[float, float]) -> Contour:
    return Contour(np.array([at], dtype=np.float64))


def _region(path: CurvePath):
    from shapely.geometry import Polygon

    return Polygon(flatten_path(path, CONTAINMENT_TOL_MM, on_curve=True)).buffer(0)


def _contours(item: _Placed) -> PieceContours:
    pen = [_contour(p) for _, p in item.pen]
    if item.label is not None:
        pen.append(_point(item.label[1]))
    return PieceContours(
        outer=_contour(item.outer),
        region=_region(item.outer),
        holes=tuple(_contour(p) for p in item.inner),
        hole_regions=tuple(_region(p) for p in item.inner),
        tools=tuple(_point(at) if path is None else _contour(path)
                    for _, path, at in item.tools if path is not None or at is not None),
        pen=tuple(pen),
    )


def write_cutter_dxf(
    job: Job,
    solution: Solution,
    out_dir: str | Path,
    *,
    profile: CutterProfile = DEFAULT_PROFILE,
    dxfversion: str = "R2000",
    route_time_limit_s: float = ROUTE_TIME_LIMIT_S,
    route_solution_limit: int | None = None,
    stop: Callable[[], bool] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[CutFile]:
    """Write one cutter DXF per hide copy (or one for the strip) into ``out_dir``.

    ``route_time_limit_s`` bounds the routing of all files together (at most ``ROUTE_FILE_MAX_S``
    each); once ``stop()`` is true, files get the nearest-neighbour order without routing.
    ``progress(done, total)`` is called after each file. Returns, per file, the cutting order and
    the head's idle travel, routed and in the solution's order.
    """
    version = dxfversion.upper()
    if version not in DXF_VERSIONS:
        raise InputError(f"unsupported DXF version {dxfversion!r}",
                         hint=f"use one of {', '.join(DXF_VERSIONS)}")
    out = Path(out_dir)
    files: list[CutFile] = []
    taken: set[str] = set()
    layouts = list(solution.layouts)
    t0 = time.monotonic()
    labels: dict = {}  # shape and hand -> label spot, shared by every copy and file
    for n, lay in enumerate(layouts):
        placed = [_place(job.piece(pl.piece_id), pl, labels) for pl in lay.placements]
        corner, reference = _reference(job, solution, lay.hide_id)
        left = route_time_limit_s - (time.monotonic() - t0)
        budget = min(ROUTE_FILE_MAX_S, max(left, 0.0) / (len(layouts) - n))
        if stop is not None and stop():
            budget = 0.0
        plan = plan_cuts([_contours(p) for p in placed], corner, time_limit_s=budget,
                         solution_limit=route_solution_limit)
        doc = _new_doc(version, profile)
        _write_layout(doc, placed, plan, reference, profile, version == "R12")
        _set_extents(doc, placed, reference)
        if lay.hide_id is None:
            name = f"{_slug(job.name)}_strip.dxf"
        else:
            name = f"{_slug(job.name)}_{_slug(lay.hide_id)}_{lay.hide_copy}.dxf"
        name = _unique(name, taken)
        target = write_atomic(out / name, base64.b64decode(doc.encode_base64()))
        order = tuple((placed[i].placement.piece_id, placed[i].placement.copy) for i in plan.order)
        files.append(CutFile(target, lay.hide_id, lay.hide_copy, order, plan.travel_mm,
                             plan.unoptimised_travel_mm, plan.routing_s, plan.method))
        if progress is not None:
            progress(n + 1, len(layouts))
    return files


def _reference(job: Job, solution: Solution, hide_id: str | None):
    """Start corner and reference contours (role, grade, path) for a hide or the strip."""
    refs: list[tuple[str, int, CurvePath]] = []
    if hide_id is None:
        height = getattr(job.stock, "height", 0.0)
        length = solution.strip_length or 0.0
        if length > 0:
            rect = np.array([[0, 0], [length, 0], [length, height], [0, height]], dtype=float)
            refs.append(("hide", 0, CurvePath.polyline(rect, True)))
        return (0.0, 0.0), refs
    hide = next(h for h in job.hides if h.id == hide_id)
    refs.append(("hide", 0, CurvePath.polyline(hide.outline.outer, True)))
    refs.extend(("defect", 0, CurvePath.polyline(h, True)) for h in hide.outline.holes)
    for z in hide.zones:
        refs.extend(("zone", z.grade, CurvePath.polyline(r, True))
                    for r in (z.outline.outer, *z.outline.holes))
    x0, y0, _, _ = hide.outline.bbox
    return (x0, y0), refs


def _new_doc(dxfversion: str, profile: CutterProfile):
    import ezdxf

    doc = ezdxf.new(dxfversion=dxfversion)
    doc.header["$MEASUREMENT"] = 1
    if dxfversion != "R12":
        doc.units = ezdxf.units.MM
    for role, (name, color) in profile.layers.items():
        if role != "zone" and name not in doc.layers:  # zone layers: one per grade, as needed
            doc.layers.add(name, color=color)
    return doc


def _set_extents(doc, placed: list[_Placed], reference) -> None:
    """``$EXTMIN``/``$EXTMAX`` of the drawing, so CAD opens the file on it.

    Computed from the paths as written (arcs flattened outwards, so the box holds them) and the
    labels' text boxes, in one numpy pass: ezdxf's own bounding box walks every entity in Python
    (1.5 s for 5,000 pieces).
    """
    boxes = []
    paths = [path for _role, _grade, path in reference]
    for item in placed:
        paths += [item.outer, *item.inner, *(p for _r, p in item.pen)]
        paths += [p for _r, p, _at in item.tools if p is not None]
        boxes += [(at[0], at[1], at[0], at[1]) for _r, p, at in item.tools
                  if p is None and at is not None]
        if item.label is not None:
            text, (x, y), h = item.label
            half = 0.3 * h * len(text)
            boxes.append((x - half, y - h / 2.0, x + half, y + h / 2.0))
    for path in paths:
        pts = path.points if not np.any(path.bulges) else flatten_path(path, 0.5, grow=True)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        boxes.append((lo[0], lo[1], hi[0], hi[1]))
    if not boxes:
        return
    b = np.asarray(boxes, dtype=np.float64)
    lo = (float(b[:, 0].min()), float(b[:, 1].min()), 0.0)
    hi = (float(b[:, 2].max()), float(b[:, 3].max()), 0.0)
    # ezdxf copies the modelspace's extents into the header when it writes the file.
    doc.modelspace().reset_extents(lo, hi)
    doc.header["$EXTMIN"], doc.header["$EXTMAX"] = lo, hi


def _write_layout(doc, placed: list[_Placed], plan: CutPlan, reference, profile: CutterProfile,
                  r12: bool) -> None:
    from ezdxf.enums import TextEntityAlignment

    msp = doc.modelspace()
    for role, grade, path in reference:
        name, color = profile.zone_layer(grade) if role == "zone" else profile.layers[role]
        if name not in doc.layers:
            doc.layers.add(name, color=color)
        _add_path(msp, path, name, r12)
    for s in plan.steps:
        item = placed[s.piece]
        if s.kind == "pen":
            if s.index < len(item.pen):
                role, path = item.pen[s.index]
                _add_path(msp, _started(path, s), profile.layer(role), r12)
            elif item.label is not None:
                text, (x, y), h = item.label
                t = msp.add_text(text, height=h, dxfattribs={"layer": profile.layer("label")})
                t.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)
        elif s.kind == "tool":
            role, path, at = item.tools[s.index]
            if path is not None:
                _add_path(msp, _started(path, s), profile.layer(role), r12)
            else:
                msp.add_point(at, dxfattribs={"layer": profile.layer(role)})
        elif s.kind == "hole":
            _add_path(msp, _started(item.inner[s.index], s), profile.layer("inner_cut"), r12)
        else:
            _add_path(msp, _started(item.outer, s), profile.layer("outer_cut"), r12)


def _started(path: CurvePath, step: Step) -> CurvePath:
    """The path entered at the vertex the plan chose (circles start where CAD starts them)."""
    if not path.closed or is_full_circle(path) is not None:
        return path
    return start_at(path, step.start)
