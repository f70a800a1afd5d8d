"""DXF entities to plain geometry: bulge paths in millimetres, texts and points, with their origin.

Every supported entity becomes a :class:`Segment` (a :class:`~leathernest.model.CurvePath` in world
coordinates, already scaled to mm) that remembers its handle, its layer and the top-level group it
came from (each top-level INSERT is a group of its own, loose model-space entities are group 0).
INSERTs are exploded with ezdxf's ``virtual_entities`` (nested, scaled, rotated and mirrored blocks,
MINSERT arrays), which keeps LINE/ARC/LWPOLYLINE as such; a mirrored block gives arcs whose
extrusion points down (-z), which is why every arc and bulge goes through its OCS here.

Lines, arcs, circles and polylines keep true arcs (bulges). Ellipses, splines and anything not lying
in the xy plane are flattened (``freeform``): their vertices lie on the curve and the caller widens
them by the flattening tolerance when it needs a safe polygon.

ezdxf is imported inside functions only (house style: heavy optional parts load late).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from leathernest.model import CurvePath

# Blocks nested deeper than this are skipped with an issue: real files nest two or three levels; a
# self-referencing block (broken file) would otherwise recurse forever.
MAX_BLOCK_DEPTH = 16
# An exploded MINSERT array larger than this is skipped: it would be a hang, not a pattern file.
MAX_VIRTUAL_ENTITIES = 200_000
# Spline and ellipse flattening starts from this many segments per span (ezdxf's default).
FLATTEN_START_SEGMENTS = 8
# Two points closer than this (relative to the larger coordinate) are one point.
SAME_POINT_REL = 1e-12

CURVE_TYPES = frozenset({"LINE", "ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE", "ELLIPSE", "SPLINE"})


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """A contour piece from one entity, in mm, with where it came from."""

    path: CurvePath
    handle: str
    layer: str
    group: int
    freeform: bool = False


@dataclass(frozen=True, slots=True)
class TextItem:
    """A TEXT or MTEXT string with its insertion point (mm)."""

    text: str
    at: tuple[float, float]
    layer: str
    group: int
    handle: str


@dataclass(frozen=True, slots=True)
class PointItem:
    """A POINT entity (AAMA notches and drill holes are often points)."""

    at: tuple[float, float]
    layer: str
    group: int
    handle: str


@dataclass
class Extracted:
    """Everything the importer uses from a document, plus what it skipped."""

    segments: list[Segment] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    points: list[PointItem] = field(default_factory=list)
    group_names: dict[int, str] = field(default_factory=dict)
    ignored: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # code, handle, layer, msg


def _handle(entity: object, fallback: str) -> str:
    src = getattr(entity, "source_of_copy", None)
    for e in (entity, src):
        h = getattr(getattr(e, "dxf", None), "handle", None) if e is not None else None
        if h:
            return str(h)
    return fallback


def _extrusion_sign(entity: object) -> float | None:
    """+1 or -1 when the entity's plane is the xy plane (either side), None when tilted."""
    ex = entity.dxf.get("extrusion", (0.0, 0.0, 1.0))  # type: ignore[attr-defined]
    x, y, z = float(ex[0]), float(ex[1]), float(ex[2])
    norm = math.sqrt(x * x + y * y + z * z) or 1.0
    if abs(x) / norm > 1e-9 or abs(y) / norm > 1e-9:
        return None
    return 1.0 if z > 0 else -1.0


def _xy(points: object, scale: float) -> np.ndarray:
    arr = np.array([(float(p[0]), float(p[1])) for p in points], dtype=np.float64)  # type: ignore[attr-defined]
    return arr.reshape(-1, 2) * scale


def _drop_closing_duplicate(pts: np.ndarray, bulges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(pts) > 2:
        span = float(np.abs(pts).max()) or 1.0
        if np.all(np.abs(pts[0] - pts[-1]) <= SAME_POINT_REL * span):
            return pts[:-1], bulges[:-1]
    return pts, bulges


def _freeform(entity: object, scale: float, tol_mm: float) -> tuple[np.ndarray, bool]:
    """Flatten a curve via ezdxf.path (tilted planes, fitted polylines): points, closed."""
    from ezdxf import path as ezpath

    p = ezpath.make_path(entity)  # type: ignore[arg-type]
    pts = _xy(p.flattening(tol_mm / scale, segments=FLATTEN_START_SEGMENTS), scale)
    closed = bool(p.is_closed) or (len(pts) > 2 and np.allclose(pts[0], pts[-1]))
    return pts, closed


def entity_paths(entity: object, scale: float, tol_mm: float) -> list[tuple[CurvePath, bool]]:
    """The entity as bulge paths in mm: a list of (path, freeform). Unsupported types give []."""
    kind = entity.dxftype()  # type: ignore[attr-defined]
    sign = _extrusion_sign(entity) if kind in ("ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE") else 1.0
    if sign is None:
        pts, closed = _freeform(entity, scale, tol_mm)
        return _as_freeform(pts, closed)
    if kind == "LINE":
        pts = _xy([entity.dxf.start, entity.dxf.end], scale)  # type: ignore[attr-defined]
        return [(CurvePath.polyline(pts, False), False)] if np.any(pts[0] != pts[1]) else []
    if kind == "ARC":
        return _arc(entity, scale, sign)
    if kind == "CIRCLE":
        ocs = entity.ocs()  # type: ignore[attr-defined]
        c = ocs.to_wcs(entity.dxf.center)  # type: ignore[attr-defined]
        r = float(entity.dxf.radius) * scale  # type: ignore[attr-defined]
        if not r > 0:
            return []
        cx, cy = float(c[0]) * scale, float(c[1]) * scale
        pts = np.array([[cx + r, cy], [cx - r, cy]])
        return [(CurvePath(pts, np.array([1.0, 1.0]), True), False)]
    if kind == "LWPOLYLINE":
        ocs = entity.ocs()  # type: ignore[attr-defined]
        elev = float(entity.dxf.get("elevation", 0.0))  # type: ignore[attr-defined]
        raw = list(entity.get_points("xyb"))  # type: ignore[attr-defined]
        if len(raw) < 2:
            return []
        wcs = ocs.points_to_wcs([(p[0], p[1], elev) for p in raw])
        return _poly(_xy(wcs, scale), np.array([p[2] for p in raw]) * sign, entity.closed)  # type: ignore[attr-defined]
    if kind == "POLYLINE":
        return _polyline(entity, scale, sign, tol_mm)
    if kind in ("ELLIPSE", "SPLINE"):
        tool = entity.construction_tool()  # type: ignore[attr-defined]
        pts = _xy(tool.flattening(tol_mm / scale, segments=FLATTEN_START_SEGMENTS), scale)
        if kind == "ELLIPSE":
            span = (float(entity.dxf.end_param) - float(entity.dxf.start_param)) % (2 * math.pi)  # type: ignore[attr-defined]
            closed = span < 1e-9 or abs(span - 2 * math.pi) < 1e-9
        else:
            closed = bool(entity.closed)  # type: ignore[attr-defined]
        closed = closed or (len(pts) > 2 and bool(np.allclose(pts[0], pts[-1], atol=1e-9)))
        return _as_freeform(pts, closed)
    return []


def _as_freeform(pts: np.ndarray, closed: bool) -> list[tuple[CurvePath, bool]]:
    bulges = np.zeros(len(pts))
    if closed:
        pts, bulges = _drop_closing_duplicate(pts, bulges)
    if len(pts) < 2:
        return []
    return [(CurvePath(pts, bulges, closed and len(pts) >= 3), True)]


def _poly(pts: np.ndarray, bulges: np.ndarray, closed: bool) -> list[tuple[CurvePath, bool]]:
    bulges = np.asarray(bulges, dtype=np.float64)
    # Drop repeated vertices (their zero-length segment carries no geometry).
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts, bulges = pts[keep], bulges[keep]
    if closed:
        pts, bulges = _drop_closing_duplicate(pts, bulges)
    if len(pts) < 2 or (closed and len(pts) == 2 and not np.any(bulges)):
        return []
    if not closed:
        bulges = bulges.copy()
        bulges[-1] = 0.0
    return [(CurvePath(pts, bulges, closed), False)]


def _arc(entity: object, scale: float, sign: float) -> list[tuple[CurvePath, bool]]:
    sweep = (float(entity.dxf.end_angle) - float(entity.dxf.start_angle)) % 360.0  # type: ignore[attr-defined]
    r = float(entity.dxf.radius) * scale  # type: ignore[attr-defined]
    if not r > 0:
        return []
    if sweep < 1e-9 or sweep > 360.0 - 1e-9:
        # A full-turn ARC: write it as the circle it is.
        ocs = entity.ocs()  # type: ignore[attr-defined]
        c = ocs.to_wcs(entity.dxf.center)  # type: ignore[attr-defined]
        cx, cy = float(c[0]) * scale, float(c[1]) * scale
        return [(CurvePath(np.array([[cx + r, cy], [cx - r, cy]]), np.ones(2), True), False)]
    pts = _xy([entity.start_point, entity.end_point], scale)  # type: ignore[attr-defined]
    bulge = math.tan(math.radians(sweep) / 4.0) * sign
    return [(CurvePath(pts, np.array([bulge, 0.0]), False), False)]


def _polyline(entity: object, scale: float, sign: float, tol_mm: float):
    mode = entity.get_mode()  # type: ignore[attr-defined]
    if mode in ("AcDbPolyFaceMesh", "AcDbPolygonMesh"):
        return []
    flags = int(entity.dxf.get("flags", 0))  # type: ignore[attr-defined]
    fitted = flags & (2 | 4)  # CURVE_FIT_VERTICES_ADDED | SPLINE_FIT_VERTICES_ADDED
    if fitted:
        pts, closed = _freeform(entity, scale, tol_mm)
        return _as_freeform(pts, closed)
    verts = [v for v in entity.vertices if not (int(v.dxf.get("flags", 0)) & 16)]  # type: ignore[attr-defined]
    if len(verts) < 2:
        return []
    if mode == "AcDb3dPolyline":
        pts = _xy([v.dxf.location for v in verts], scale)
        return _poly(pts, np.zeros(len(pts)), bool(entity.is_closed))  # type: ignore[attr-defined]
    ocs = entity.ocs()  # type: ignore[attr-defined]
    elev = entity.dxf.get("elevation", (0.0, 0.0, 0.0))  # type: ignore[attr-defined]
    z = float(elev[2]) if hasattr(elev, "__len__") else float(elev)
    wcs = ocs.points_to_wcs([(v.dxf.location[0], v.dxf.location[1], z) for v in verts])
    bulges = np.array([float(v.dxf.get("bulge", 0.0)) for v in verts]) * sign
    return _poly(_xy(wcs, scale), bulges, bool(entity.is_closed))  # type: ignore[attr-defined]


def _text(entity: object, scale: float) -> tuple[str, tuple[float, float]] | None:
    kind = entity.dxftype()  # type: ignore[attr-defined]
    if kind == "TEXT":
        text = entity.plain_text()  # type: ignore[attr-defined]
        at = entity.ocs().to_wcs(entity.dxf.insert)  # type: ignore[attr-defined]
    elif kind == "MTEXT":
        text = entity.plain_text()  # type: ignore[attr-defined]
        at = entity.dxf.insert  # type: ignore[attr-defined]
    else:
        return None
    return str(text).strip(), (float(at[0]) * scale, float(at[1]) * scale)


def extract(entities: object, scale: float, tol_mm: float) -> Extracted:
    """Walk model-space entities (exploding INSERTs) into segments, texts and points in mm."""
    out = Extracted()
    budget = [MAX_VIRTUAL_ENTITIES]
    group = 0
    for entity in entities:  # type: ignore[attr-defined]
        if entity.dxftype() == "INSERT":
            group += 1
            out.group_names[group] = str(entity.dxf.get("name", ""))
            _visit(entity, entity.dxf.layer, group, 0, scale, tol_mm, out, budget, entity)
        else:
            _visit(entity, entity.dxf.layer, 0, 0, scale, tol_mm, out, budget, None)
    return out


def _visit(entity, layer, group, depth, scale, tol_mm, out: Extracted, budget, top) -> None:
    kind = entity.dxftype()
    top_handle = _handle(top, "?") if top is not None else "?"
    handle = _handle(entity, top_handle)
    own = str(entity.dxf.get("layer", "0"))
    eff_layer = layer if (own == "0" and depth > 0) else own
    if kind == "INSERT":
        if depth >= MAX_BLOCK_DEPTH:
            out.failures.append(("BLOCK_TOO_DEEP", handle, eff_layer, "blocks nested too deep"))
            return
        try:
            inserts = list(entity.multi_insert()) if entity.mcount > 1 else [entity]
            children = [c for ins in inserts for c in ins.virtual_entities()]
        except Exception as exc:  # a broken block must not stop the rest of the file
            out.failures.append(("BAD_ENTITY", handle, eff_layer, f"INSERT: {exc}"))
            return
        budget[0] -= len(children)
        if budget[0] < 0:
            out.failures.append(("TOO_MANY_ENTITIES", handle, eff_layer, "block array too large"))
            return
        for child in children:
            _visit(child, eff_layer, group, depth + 1, scale, tol_mm, out, budget, top)
        return
    try:
        if kind in CURVE_TYPES:
            for path, freeform in entity_paths(entity, scale, tol_mm):
                if not np.isfinite(path.points).all() or not np.isfinite(path.bulges).all():
                    out.failures.append(("BAD_ENTITY", handle, eff_layer, f"{kind}: not finite"))
                    continue
                out.segments.append(Segment(path, handle, eff_layer, group, freeform))
        elif kind in ("TEXT", "MTEXT"):
            t = _text(entity, scale)
            if t and t[0]:
                out.texts.append(TextItem(t[0], t[1], eff_layer, group, handle))
        elif kind == "POINT":
            loc = entity.dxf.location
            at = (float(loc[0]) * scale, float(loc[1]) * scale)
            out.points.append(PointItem(at, eff_layer, group, handle))
        else:
            out.ignored[kind] += 1
    except Exception as exc:  # ezdxf raises many kinds on malformed entities; report and go on
        out.failures.append(("BAD_ENTITY", handle, eff_layer, f"{kind}: {exc}"))
