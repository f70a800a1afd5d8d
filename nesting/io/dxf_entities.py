"""DXF entities to plain geometry: bulge paths in millimetres, texts and points, with their origin.

Every supported entity becomes a :class:`Segment` (a :class:`~leathernest.model.CurvePath` in world
coordinates, already scaled to mm) that remembers its handle, its layer and the top-level group it
came from (each top-level INSERT is a group of its own, loose model-space entities are group 0).

Blocks are read once each, in their own coordinates, and every INSERT places that content with its
transformation matrix (``Insert.matrix44``: base point, scale, rotation, mirror, extrusion; MINSERT
arrays through ``multi_insert``). A transform that keeps circles circles (rotation, translation,
uniform scale, mirror) keeps LINE/ARC/bulges exact, a mirror flipping every bulge's sign; any other
(unequal x and y scale, a tilted block) turns arcs into ellipses, so such content is flattened first
and marked ``freeform``. Reading each block once makes a fan of nested blocks cost what its result
costs, and the size of a block's content is known before any copy is made, which is what the limits
below are checked against: nothing the file asks for is expanded beyond them.

Limits (documented in the README; each is a one-line :class:`~leathernest.errors.DxfError`):
:data:`MAX_BLOCK_DEPTH` levels of nested blocks, :data:`MAX_ENTITIES` entities after every block and
array is expanded, :data:`MAX_VERTICES` vertices after flattening. A block that inserts itself is an
error too. Entities with coordinates beyond :data:`MAX_COORD_MM`, bulges beyond :data:`MAX_BULGE`,
non-finite values or an ARC with equal start and end angles are skipped with a warning each.

Lines, arcs, circles and polylines keep true arcs (bulges). Ellipses, splines and anything not lying
in the xy plane are flattened with vertices on the curve (``freeform``); ``Segment.error`` says how
far their chords may lie from the curve, and the caller widens them by that much for a safe polygon.

ezdxf is imported inside functions only (house style: heavy optional parts load late).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from leathernest.errors import DxfError
from leathernest.io.dxf_curves import arc_geometry, flatten_path, segment_count
from leathernest.limits import MAX_RING_VERTICES
from leathernest.model import CurvePath

# Nested block references deeper than this are an error: real files nest two or three levels.
MAX_BLOCK_DEPTH = 32
# Entities after expanding every block reference and MINSERT array, loose ones included, and
# vertices of all contours after flattening. A drawing at either limit (49,000 squares; 435
# circles of 2,221 vertices) imports in about 45 s and under 800 MB on the project machine
# (2 shared cores under load): these two bound the importer's time and memory.
MAX_ENTITIES = 50_000
MAX_VERTICES = 1_000_000
# Coordinates beyond this (1000 km) are not a pattern or a hide; such entities are skipped.
MAX_COORD_MM = 1e9
# |bulge| = tan(theta / 4): 1e4 is an arc of 359.98 degrees. Larger values are noise or an attack.
MAX_BULGE = 1e4
# Points of one SPLINE, checked before ezdxf builds the curve: fitting a spline through its fit
# points solves a dense system (5,000 points: 650 MB and 6 s; 100,000 would take 24 GB), and the
# control points set the flattening's work. Vertices of one contour entity (a polyline), checked
# before its path is made: a nesting ring may have at most MAX_RING_VERTICES (leathernest.limits).
MAX_FIT_POINTS = 2_000
MAX_CONTROL_POINTS = MAX_RING_VERTICES
MAX_CONTOUR_VERTICES = MAX_RING_VERTICES
# Spline and ellipse flattening starts from this many segments per span (ezdxf's default).
FLATTEN_START_SEGMENTS = 8
# Flattening never asks for a finer chord than this share of the curve's own size: bounds the
# vertices of huge curves; the error stays stated in Segment.error.
MIN_REL_FLATTEN = 1e-6
# Two points closer than this (relative to the larger coordinate) are one point.
SAME_POINT_REL = 1e-12

CURVE_TYPES = frozenset({"LINE", "ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE", "ELLIPSE", "SPLINE"})


@dataclass(frozen=True, slots=True, eq=False)
class Segment:
    """A contour piece from one entity, in mm, with where it came from.

    ``error``: how far the vertices and chords of a flattened (freeform) path may lie from the drawn
    curve, mm; 0 for exact lines and arcs.
    """

    path: CurvePath
    handle: str
    layer: str
    group: int
    freeform: bool = False
    error: float = 0.0


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
    non_planar: list[tuple[str, str, str]] = field(default_factory=list)  # handle, layer, type


class SkipEntity(Exception):  # noqa: N818 - a signal, not an error of the program
    """An entity that cannot be used: skipped with an import issue of this code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class _Content:
    """A block's geometry in its own units, with its nested blocks kept as references.

    Layer "0" inherits the inserting INSERT's layer. ``size`` and ``vertices`` count everything
    the block expands to, copies of nested blocks included, without making those copies.
    """

    segments: list[Segment] = field(default_factory=list)
    texts: list[TextItem] = field(default_factory=list)
    points: list[PointItem] = field(default_factory=list)
    children: list[tuple[_Content, _Affine, str]] = field(default_factory=list)  # map, layer
    size: int = 0
    vertices: int = 0
    height: int = 0  # levels of nested blocks inside


def _handle(entity: object, fallback: str) -> str:
    h = getattr(getattr(entity, "dxf", None), "handle", None)
    return str(h) if h else fallback


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


def _flatten_distance(entity: object, tol: float) -> float:
    """Ezdxf's flattening distance: the tolerance, but not finer than the curve's size allows."""
    from ezdxf import bbox

    try:
        box = bbox.extents([entity], fast=True)  # type: ignore[list-item]
        size = float(box.size.magnitude) if box.has_data else 0.0
    except Exception:  # ezdxf cannot size it: flatten at the tolerance
        size = 0.0
    return max(tol, MIN_REL_FLATTEN * size) if math.isfinite(size) else tol


def _freeform(entity: object, tol: float) -> tuple[np.ndarray, bool, float]:
    """Flatten a curve via ezdxf.path (tilted planes, fitted polylines): points, closed, error."""
    from ezdxf import path as ezpath

    p = ezpath.make_path(entity)  # type: ignore[arg-type]
    d = _flatten_distance(entity, tol)
    pts = _xy(p.flattening(d, segments=FLATTEN_START_SEGMENTS), 1.0)
    closed = bool(p.is_closed) or (len(pts) > 2 and np.allclose(pts[0], pts[-1]))
    return pts, closed, d


def entity_paths(entity: object, tol: float) -> list[tuple[CurvePath, bool, float]]:
    """The entity as bulge paths in its drawing units: (path, freeform, error) items.

    ``tol`` is the flattening tolerance in drawing units. Unsupported types give []; an entity that
    cannot be used raises :class:`SkipEntity`.
    """
    kind = entity.dxftype()  # type: ignore[attr-defined]
    sign = _extrusion_sign(entity) if kind in ("ARC", "CIRCLE", "LWPOLYLINE", "POLYLINE") else 1.0
    if sign is None:
        pts, closed, d = _freeform(entity, tol)
        return _as_freeform(pts, closed, d)
    if kind == "LINE":
        pts = _xy([entity.dxf.start, entity.dxf.end], 1.0)  # type: ignore[attr-defined]
        return [(CurvePath.polyline(pts, False), False, 0.0)] if np.any(pts[0] != pts[1]) else []
    if kind == "ARC":
        return _arc(entity, sign)
    if kind == "CIRCLE":
        ocs = entity.ocs()  # type: ignore[attr-defined]
        c = ocs.to_wcs(entity.dxf.center)  # type: ignore[attr-defined]
        r = float(entity.dxf.radius)  # type: ignore[attr-defined]
        if not r > 0:
            raise SkipEntity("DEGENERATE", f"radius {r:g}: skipped")
        return [(_circle(float(c[0]), float(c[1]), r), False, 0.0)]
    if kind == "LWPOLYLINE":
        ocs = entity.ocs()  # type: ignore[attr-defined]
        elev = float(entity.dxf.get("elevation", 0.0))  # type: ignore[attr-defined]
        _check_vertices(len(entity))  # type: ignore[arg-type]
        raw = list(entity.get_points("xyb"))  # type: ignore[attr-defined]
        if len(raw) < 2:
            return []
        wcs = ocs.points_to_wcs([(p[0], p[1], elev) for p in raw])
        return _poly(_xy(wcs, 1.0), np.array([p[2] for p in raw]) * sign, entity.closed)  # type: ignore[attr-defined]
    if kind == "POLYLINE":
        return _polyline(entity, sign, tol)
    if kind in ("ELLIPSE", "SPLINE"):
        if kind == "SPLINE":
            _check_spline(entity)
        tool = entity.construction_tool()  # type: ignore[attr-defined]
        d = _flatten_distance(entity, tol)
        pts = _xy(tool.flattening(d, segments=FLATTEN_START_SEGMENTS), 1.0)
        if kind == "ELLIPSE":
            span = (float(entity.dxf.end_param) - float(entity.dxf.start_param)) % (2 * math.pi)  # type: ignore[attr-defined]
            closed = span < 1e-9 or abs(span - 2 * math.pi) < 1e-9
        else:
            closed = bool(entity.closed)  # type: ignore[attr-defined]
        closed = closed or (len(pts) > 2 and bool(np.allclose(pts[0], pts[-1], atol=1e-9)))
        return _as_freeform(pts, closed, d)
    return []


def _check_spline(entity: object) -> None:
    """Refuse a SPLINE whose point counts are beyond the limits, before ezdxf fits or flattens."""
    fit = int(entity.dxf.get("n_fit_points", 0) or 0)  # type: ignore[attr-defined]
    fit = max(fit, len(entity.fit_points))  # type: ignore[attr-defined]
    if fit > MAX_FIT_POINTS:
        raise SkipEntity("BAD_ENTITY", f"{fit:,} fit points, beyond the importer's limit of "
                         f"{MAX_FIT_POINTS:,}")
    control = len(entity.control_points)  # type: ignore[attr-defined]
    if control > MAX_CONTROL_POINTS:
        raise SkipEntity("BAD_ENTITY", f"{control:,} control points, beyond the importer's "
                         f"limit of {MAX_CONTROL_POINTS:,}")


def _check_vertices(n: int) -> None:
    if n > MAX_CONTOUR_VERTICES:
        raise SkipEntity("BAD_ENTITY", f"{n:,} vertices, beyond the limit of "
                         f"{MAX_CONTOUR_VERTICES:,} for one contour")


def _circle(cx: float, cy: float, r: float) -> CurvePath:
    return CurvePath(np.array([[cx + r, cy], [cx - r, cy]]), np.ones(2), True)


def _as_freeform(pts: np.ndarray, closed: bool, error: float):
    bulges = np.zeros(len(pts))
    if closed:
        pts, bulges = _drop_closing_duplicate(pts, bulges)
    if len(pts) < 2:
        return []
    return [(CurvePath(pts, bulges, closed and len(pts) >= 3), True, error)]


def _poly(pts: np.ndarray, bulges: np.ndarray, closed: bool):
    bulges = np.asarray(bulges, dtype=np.float64)
    if not (np.isfinite(bulges).all() and np.all(np.abs(bulges) <= MAX_BULGE)):
        worst = float(np.max(np.abs(bulges))) if np.isfinite(bulges).all() else float("nan")
        raise SkipEntity(
            "BAD_ENTITY", f"bulge {worst:.3g} out of range (|bulge| <= {MAX_BULGE:g}): skipped"
        )
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
    return [(CurvePath(pts, bulges, closed), False, 0.0)]


def _arc(entity: object, sign: float):
    start, end = float(entity.dxf.start_angle), float(entity.dxf.end_angle)  # type: ignore[attr-defined]
    r = float(entity.dxf.radius)  # type: ignore[attr-defined]
    if not (r > 0 and math.isfinite(start) and math.isfinite(end)):
        raise SkipEntity("DEGENERATE", f"radius {r:g}: skipped")
    if abs(end - start) < 1e-9:
        # Writers differ on what this means (nothing, or a full turn); cutting a hole on a guess
        # is worse than leaving it out with a warning.
        raise SkipEntity(
            "DEGENERATE",
            f"start and end angle are equal ({start:g} deg): no sweep, skipped "
            "- draw a CIRCLE if a full circle is meant",
        )
    sweep = (end - start) % 360.0
    ocs = entity.ocs()  # type: ignore[attr-defined]
    if sweep < 1e-9 or sweep > 360.0 - 1e-9:
        # The angles differ by whole turns (0 and 360): a full circle.
        c = ocs.to_wcs(entity.dxf.center)  # type: ignore[attr-defined]
        return [(_circle(float(c[0]), float(c[1]), r), False, 0.0)]
    pts = _xy([entity.start_point, entity.end_point], 1.0)  # type: ignore[attr-defined]
    bulge = math.tan(math.radians(sweep) / 4.0) * sign
    return [(CurvePath(pts, np.array([bulge, 0.0]), False), False, 0.0)]


def _polyline(entity: object, sign: float, tol: float):
    mode = entity.get_mode()  # type: ignore[attr-defined]
    if mode in ("AcDbPolyFaceMesh", "AcDbPolygonMesh"):
        return []
    flags = int(entity.dxf.get("flags", 0))  # type: ignore[attr-defined]
    fitted = flags & (2 | 4)  # CURVE_FIT_VERTICES_ADDED | SPLINE_FIT_VERTICES_ADDED
    _check_vertices(len(entity.vertices))  # type: ignore[attr-defined]
    if fitted:
        pts, closed, d = _freeform(entity, tol)
        return _as_freeform(pts, closed, d)
    verts = [v for v in entity.vertices if not (int(v.dxf.get("flags", 0)) & 16)]  # type: ignore[attr-defined]
    if len(verts) < 2:
        return []
    if mode == "AcDb3dPolyline":
        pts = _xy([v.dxf.location for v in verts], 1.0)
        return _poly(pts, np.zeros(len(pts)), bool(entity.is_closed))  # type: ignore[attr-defined]
    ocs = entity.ocs()  # type: ignore[attr-defined]
    elev = entity.dxf.get("elevation", (0.0, 0.0, 0.0))  # type: ignore[attr-defined]
    z = float(elev[2]) if hasattr(elev, "__len__") else float(elev)
    wcs = ocs.points_to_wcs([(v.dxf.location[0], v.dxf.location[1], z) for v in verts])
    bulges = np.array([float(v.dxf.get("bulge", 0.0)) for v in verts]) * sign
    return _poly(_xy(wcs, 1.0), bulges, bool(entity.is_closed))  # type: ignore[attr-defined]


def _non_planar(entity: object, kind: str) -> bool:
    """Whether a LINE, 3D polyline or SPLINE leaves its plane (its z varies): a 3D drawing."""
    try:
        if kind == "LINE":
            zs = [float(entity.dxf.start[2]), float(entity.dxf.end[2])]  # type: ignore[attr-defined]
        elif kind == "POLYLINE" and entity.get_mode() == "AcDb3dPolyline":  # type: ignore[attr-defined]
            zs = [float(v.dxf.location[2]) for v in entity.vertices]  # type: ignore[attr-defined]
        elif kind == "SPLINE":
            pts = list(entity.control_points) or list(entity.fit_points)  # type: ignore[attr-defined]
            zs = [float(p[2]) for p in pts]
        else:
            return False
    except Exception:  # an entity ezdxf cannot read is reported where it is used
        return False
    return bool(zs) and max(zs) - min(zs) > 1e-9 * max(1.0, max(abs(z) for z in zs))


def _text(entity: object) -> tuple[str, tuple[float, float]] | None:
    kind = entity.dxftype()  # type: ignore[attr-defined]
    if kind == "TEXT":
        text = entity.plain_text()  # type: ignore[attr-defined]
        at = entity.ocs().to_wcs(entity.dxf.insert)  # type: ignore[attr-defined]
    elif kind == "MTEXT":
        text = entity.plain_text()  # type: ignore[attr-defined]
        at = entity.dxf.insert  # type: ignore[attr-defined]
    else:
        return None
    return str(text).strip(), (float(at[0]), float(at[1]))


# -------------------------------------------------------------------------------------------------
# Placing content with a 2D affine transform


@dataclass(frozen=True, slots=True)
class _Affine:
    """Row-vector 2D affine map ``p @ lin + shift`` (ezdxf's Matrix44 convention).

    ``det``, ``stretch`` (the largest factor a length can grow by) and ``conformal`` (circles stay
    circles) are computed once: every copied segment asks for them.
    """

    lin: np.ndarray  # 2 x 2
    shift: np.ndarray  # 2
    det: float
    stretch: float
    conformal: bool

    @staticmethod
    def make(lin: np.ndarray, shift: np.ndarray) -> _Affine:
        (a, b), (c, d) = lin.tolist()
        g00, g11, g01 = a * a + b * b, c * c + d * d, a * c + b * d
        half = (g00 + g11) / 2.0
        spread = math.sqrt(max(((g00 - g11) / 2.0) ** 2 + g01 * g01, 0.0))
        stretch = math.sqrt(max(half + spread, 0.0))
        conformal = half > 0 and spread <= 1e-9 * half
        return _Affine(lin, shift, a * d - b * c, stretch, conformal)

    @staticmethod
    def of(matrix: object) -> _Affine:
        rows = [tuple(float(v) for v in r) for r in matrix.rows()]  # type: ignore[attr-defined]
        return _Affine.make(
            np.array([[rows[0][0], rows[0][1]], [rows[1][0], rows[1][1]]]),
            np.array([rows[3][0], rows[3][1]]),
        )

    @staticmethod
    def scaling(s: float) -> _Affine:
        return _Affine.make(np.eye(2) * s, np.zeros(2))

    def then(self, other: _Affine) -> _Affine:
        """The map that applies this one, then ``other``."""
        return _Affine.make(self.lin @ other.lin, self.shift @ other.lin + other.shift)

    def point(self, at: tuple[float, float]) -> tuple[float, float]:
        x, y = at
        (a, b), (c, d) = self.lin
        return float(x * a + y * c + self.shift[0]), float(x * b + y * d + self.shift[1])


def _place_segment(seg: Segment, m: _Affine, tol: float) -> Segment:
    path = seg.path
    freeform, error = seg.freeform, seg.error
    if m.conformal or not np.any(path.bulges):
        bulges = -path.bulges if m.det < 0 else path.bulges
        pts = path.points @ m.lin + m.shift
    else:
        # Arcs under an unequal scale are ellipses: flatten in block units so that the chords
        # stay within tol after the stretch, then map the vertices.
        stretch = m.stretch or 1.0
        flat = flatten_path(path, tol / stretch, on_curve=True)
        pts, bulges = flat @ m.lin + m.shift, np.zeros(len(flat))
        freeform, error = True, max(error, tol / stretch)
    return Segment(
        CurvePath(pts, bulges, path.closed),
        seg.handle,
        seg.layer,
        seg.group,
        freeform,
        error * (m.stretch or 1.0),
    )


def _grid_maps(insert: object) -> list[_Affine]:
    """The maps of every copy of a MINSERT array, as ezdxf's ``multi_insert`` places them.

    A copy's insertion point moves by (column x spacing, row x spacing), rotated by the
    INSERT's rotation in its OCS; the rest of the transform is the first copy's. Computing this
    here, rather than making a virtual INSERT per copy, keeps big arrays cheap.
    """
    dxf = insert.dxf  # type: ignore[attr-defined]
    base = _Affine.of(insert.matrix44())  # type: ignore[attr-defined]
    ocs = insert.ocs()  # type: ignore[attr-defined]
    origin = np.array(ocs.to_wcs((0.0, 0.0, 0.0)))[:2]
    ux = np.array(ocs.to_wcs((1.0, 0.0, 0.0)))[:2] - origin
    uy = np.array(ocs.to_wcs((0.0, 1.0, 0.0)))[:2] - origin
    rot = math.radians(float(dxf.get("rotation", 0.0)))
    cos, sin = math.cos(rot), math.sin(rot)
    dr, dc = float(dxf.get("row_spacing", 0.0)), float(dxf.get("column_spacing", 0.0))
    rows = int(dxf.get("row_count", 1)) if dr else 1
    cols = int(dxf.get("column_count", 1)) if dc else 1
    maps = []
    for r in range(rows):
        for c in range(cols):
            ox, oy = c * dc, r * dr
            x, y = ox * cos - oy * sin, ox * sin + oy * cos
            maps.append(_Affine(base.lin, base.shift + x * ux + y * uy, base.det, base.stretch,
                                base.conformal))  # fmt: skip
    return maps


def _vertex_count(path: CurvePath, tol: float) -> int:
    n = len(path.points)
    count = n
    for i in np.flatnonzero(path.bulges):
        p0, p1 = path.points[i], path.points[(i + 1) % n]
        if np.any(p0 != p1):
            _c, r, theta = arc_geometry(p0, p1, float(path.bulges[i]))
            count += segment_count(r, theta, tol)
    return count


# -------------------------------------------------------------------------------------------------
# Walking the document


class _Reader:
    """Reads model space and each block once, checking the limits before anything is copied."""

    def __init__(self, doc: object, scale: float, tol_mm: float, path: str) -> None:
        self.doc = doc
        self.scale = scale
        self.tol_mm = tol_mm
        self.path = path
        self.out = Extracted()
        self.blocks: dict[str, _Content] = {}
        self.building: set[str] = set()
        self.total = 0  # entities of model space after expansion (the MAX_ENTITIES budget)
        self.vertices = 0

    # -- limits -----------------------------------------------------------------------------------

    def _check(self, entities: int, vertices: int, handle: str, layer: str) -> None:
        if entities > MAX_ENTITIES:
            raise DxfError(
                f"the drawing expands to more than {MAX_ENTITIES:,} entities (block references "
                "and MINSERT arrays included): the limit of the importer",
                path=self.path,
                layer=layer,
                handle=handle,
                hint="split the drawing, or explode and simplify its blocks in CAD",
            )
        if vertices > MAX_VERTICES:
            raise DxfError(
                f"the drawing has more than {MAX_VERTICES:,} contour vertices after flattening "
                f"curves to {self.tol_mm:g} mm: the limit of the importer",
                path=self.path,
                layer=layer,
                handle=handle,
                hint="simplify the splines or split the drawing",
            )

    def _fail(self, code: str, handle: str, layer: str, msg: str) -> None:
        self.out.failures.append((code, handle, layer, msg))

    def _too_deep(self, name: str, handle: str, layer: str) -> DxfError:
        return DxfError(
            f"blocks nested more than {MAX_BLOCK_DEPTH} levels deep (at block {name!r}): the "
            "limit of the importer",
            path=self.path,
            layer=layer,
            handle=handle,
            hint="explode the nested blocks in CAD",
        )

    # -- reading ----------------------------------------------------------------------------------

    def block(self, name: str, depth: int, handle: str, layer: str) -> _Content | None:
        """The content of block ``name`` (read once), or None when it is not defined.

        ``depth`` is the nesting level of the INSERT that asks (0: model space).
        """
        content = self.blocks.get(name)
        if content is None:
            if depth + 1 > MAX_BLOCK_DEPTH:
                raise self._too_deep(name, handle, layer)
            if name in self.building:
                raise DxfError(
                    f"block {name!r} inserts itself (a reference cycle)",
                    path=self.path,
                    layer=layer,
                    handle=handle,
                    hint="the file is damaged; explode or remove the block in CAD",
                )
            layout = self.doc.blocks.get(name)  # type: ignore[attr-defined]
            if layout is None:
                self._fail("BAD_ENTITY", handle, layer, f"INSERT of undefined block {name!r}")
                return None
            self.building.add(name)
            try:
                content = self.read(layout, depth + 1)
            finally:
                self.building.discard(name)
            self.blocks[name] = content
        if depth + 1 + content.height > MAX_BLOCK_DEPTH:
            raise self._too_deep(name, handle, layer)
        return content

    def read(self, entities: object, depth: int) -> _Content:
        """Entities of a layout (a block at nesting level ``depth``) in its own units."""
        content = _Content()
        tol = self.tol_mm / self.scale  # flattening tolerance in drawing units
        for entity in entities:  # type: ignore[attr-defined]
            kind = entity.dxftype()
            handle = _handle(entity, "?")
            layer = str(entity.dxf.get("layer", "0"))
            if kind == "INSERT":
                self._insert(entity, handle, layer, depth, content)
            else:
                self._entity(entity, kind, handle, layer, content, tol)
            self._check(content.size, content.vertices, handle, layer)
        return content

    def _entity(self, entity, kind, handle, layer, content: _Content, tol: float) -> None:
        """One entity into ``content``; an unusable one is a failure of the report."""
        n = len(content.segments)
        try:
            if kind in CURVE_TYPES and _non_planar(entity, kind):
                self.out.non_planar.append((handle, layer, kind))
            if kind in CURVE_TYPES:
                for path, freeform, error in entity_paths(entity, tol):
                    if not (np.isfinite(path.points).all() and np.isfinite(path.bulges).all()):
                        raise SkipEntity("BAD_ENTITY", "coordinates are not finite: skipped")
                    content.segments.append(Segment(path, handle, layer, 0, freeform, error))
            elif kind in ("TEXT", "MTEXT"):
                t = _text(entity)
                if t and t[0] and all(math.isfinite(v) for v in t[1]):
                    content.texts.append(TextItem(t[0], t[1], layer, 0, handle))
                    content.size += 1
            elif kind == "POINT":
                loc = entity.dxf.location
                at = (float(loc[0]), float(loc[1]))
                if all(math.isfinite(v) for v in at):
                    content.points.append(PointItem(at, layer, 0, handle))
                    content.size += 1
            else:
                self.out.ignored[kind] += 1
        except SkipEntity as exc:
            del content.segments[n:]
            self._fail(exc.code, handle, layer, f"{kind}: {exc}")
        except Exception as exc:  # ezdxf raises many kinds on malformed entities
            del content.segments[n:]
            self._fail("BAD_ENTITY", handle, layer, f"{kind}: {_short(exc)}")
        added = content.segments[n:]
        content.size += len(added)
        content.vertices += sum(_vertex_count(s.path, tol) for s in added)

    def _insert(self, entity, handle: str, layer: str, depth: int, content: _Content) -> None:
        """An INSERT (or MINSERT array) as references to its block: sizes add, nothing copies."""
        name = str(entity.dxf.get("name", ""))
        child = self.block(name, depth, handle, layer)
        if child is None:
            return
        try:
            copies = max(1, int(entity.mcount))
        except Exception as exc:  # a broken INSERT must not stop the rest of the file
            self._fail("BAD_ENTITY", handle, layer, f"INSERT: {_short(exc)}")
            return
        # A MINSERT of a million copies stops here, before a single copy is made.
        self._check(content.size + copies * child.size,
                    content.vertices + copies * child.vertices, handle, layer)  # fmt: skip
        try:
            maps = _grid_maps(entity) if copies > 1 else [_Affine.of(entity.matrix44())]
        except Exception as exc:  # a broken INSERT must not stop the rest of the file
            self._fail("BAD_ENTITY", handle, layer, f"INSERT: {_short(exc)}")
            return
        content.children.extend((child, m, layer) for m in maps)
        content.size += len(maps) * child.size
        content.vertices += len(maps) * child.vertices
        content.height = max(content.height, child.height + 1)

    # -- model space ------------------------------------------------------------------------------

    def model_space(self) -> Extracted:
        """Every model-space entity, blocks expanded, in mm; each top-level INSERT a group."""
        out = self.out
        to_mm = _Affine.scaling(self.scale)
        tol = self.tol_mm / self.scale
        group = 0
        for entity in self.doc.modelspace():  # type: ignore[attr-defined]
            kind = entity.dxftype()
            handle = _handle(entity, "?")
            layer = str(entity.dxf.get("layer", "0"))
            one = _Content()
            if kind == "INSERT":
                group += 1
                out.group_names[group] = str(entity.dxf.get("name", ""))
                try:
                    self._insert(entity, handle, layer, 0, one)
                    self._check(self.total + one.size, self.vertices + one.vertices, handle,
                                layer)  # fmt: skip
                except DxfError as exc:
                    # Name the model-space INSERT: that is what a user can select in CAD.
                    raise DxfError(
                        exc.message, path=self.path, layer=layer, handle=handle, hint=exc.hint
                    ) from None
                g = group
            else:
                self._entity(entity, kind, handle, layer, one, tol)
                self._check(self.total + one.size, self.vertices + one.vertices, handle, layer)
                g = 0
            self.total += one.size
            self.vertices += one.vertices
            self._emit(one, to_mm, layer, g)
        return out

    def _emit(self, content: _Content, m: _Affine, inherit: str, group: int) -> None:
        """Place a content (and, recursively, its nested blocks) into the result with map ``m``."""
        out = self.out
        for s in content.segments:
            placed = _place_segment(s, m, self.tol_mm)
            pts = placed.path.points
            layer = inherit if s.layer == "0" else s.layer
            if not np.isfinite(pts).all() or (pts.size and np.abs(pts).max() > MAX_COORD_MM):
                self._fail(
                    "BAD_ENTITY", s.handle, layer,
                    f"coordinates beyond +-{MAX_COORD_MM:g} mm (or not finite): skipped",
                )  # fmt: skip
                continue
            out.segments.append(
                Segment(placed.path, s.handle, layer, group, placed.freeform, placed.error)
            )
        for t in content.texts:
            layer = inherit if t.layer == "0" else t.layer
            out.texts.append(TextItem(t.text, m.point(t.at), layer, group, t.handle))
        for p in content.points:
            layer = inherit if p.layer == "0" else p.layer
            out.points.append(PointItem(m.point(p.at), layer, group, p.handle))
        for child, cm, insert_layer in content.children:
            self._emit(child, cm.then(m), inherit if insert_layer == "0" else insert_layer, group)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def extract(doc: object, scale: float, tol_mm: float, path: str = "") -> Extracted:
    """Model-space entities (block references expanded) as segments, texts and points in mm.

    Raises
    ------
    DxfError
        A limit of the module docstring is exceeded, or a block inserts itself.
    """
    # Coordinates may overflow (1e308 in inches): they are checked for finiteness and range
    # where they land, so numpy's warnings would only add lines to a one-line message.
    with np.errstate(over="ignore", invalid="ignore"):
        return _Reader(doc, scale, tol_mm, path).model_space()
