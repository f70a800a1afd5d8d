"""Cutter-ready DXF: one file per hide copy (or for the strip), true arcs, tool layers, cut order.

What a cutting table needs (leather_domain.md, sections 5 and 6):

- millimetres with ``$INSUNITS`` = 4; R2000 (LWPOLYLINE with bulges) by default, R12 (POLYLINE with
  bulges) for old controllers;
- one layer per tool: outer cut, inner cut-outs, punches, notches, pen marks, creases, labels, and
  the hide's edge and defects as non-cutting reference; a *cutter profile* maps these roles to the
  layer names (and colours) a machine expects, e.g. the AAMA numbers;
- true geometry: arcs stay bulges and circles stay CIRCLEs, moved exactly by the placement (a mirror
  flips every bulge's sign, see :func:`leathernest.io.dxf_curves.place_path`); contours closed,
  outer contours counter-clockwise and cut-outs clockwise;
- order: reference first, then everything drawn with the pen (marks are made before the leather is
  freed), then for each piece its punches, notches and cut-outs before its outer contour, so the
  part does not shift; pieces in the order of an OR-Tools route from the table's lower-left corner
  (:mod:`leathernest.ordering.route`). Each outer contour starts at its vertex nearest that corner.

Pieces without ``cut_paths`` are cut along their polygon outline. Files are written atomically
(:func:`leathernest.io.atomic.write_atomic`). ezdxf and ortools load inside functions only.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from leathernest.errors import InputError
from leathernest.io.atomic import write_atomic
from leathernest.io.dxf_curves import is_full_circle, orient_path, place_path, start_at
from leathernest.model import CurvePath, FeatureKind, Job, Piece, Placement, Solution

ROLES = (
    "outer_cut", "inner_cut", "punch", "notch", "pen", "crease", "label", "grain", "hide", "defect",
)  # fmt: skip
DEFAULT_LAYERS: dict[str, tuple[str, int]] = {
    "outer_cut": ("CUT_OUTER", 1), "inner_cut": ("CUT_INNER", 5), "punch": ("PUNCH", 6),
    "notch": ("NOTCH", 4), "pen": ("PEN", 3), "crease": ("CREASE", 2), "label": ("LABEL", 7),
    "grain": ("GRAIN", 8), "hide": ("REF_HIDE", 8), "defect": ("REF_DEFECT", 30),
}  # fmt: skip
# The ASTM D6673 / AAMA numbers for the same roles (leather_domain.md, section 5).
AAMA_LAYERS: dict[str, str] = {
    "outer_cut": "1", "inner_cut": "11", "punch": "13", "notch": "4", "pen": "8",
    "crease": "14", "label": "15", "grain": "7",
}  # fmt: skip
# Label text height, mm: small enough for the text to stay inside the piece (see _place), within
# bounds a person can read and a pen can draw.
LABEL_MIN_MM, LABEL_MAX_MM = 1.5, 12.0
# Routing time per file, seconds, when the caller gives none.
ROUTE_TIME_LIMIT_S = 1.0

_FEATURE_ROLE = {
    FeatureKind.PUNCH: "punch",
    FeatureKind.NOTCH: "notch",
    FeatureKind.MARK: "pen",
    FeatureKind.CREASE: "crease",
    FeatureKind.GRAIN: "grain",
    FeatureKind.MIRROR_LINE: "pen",
}


@dataclass(frozen=True, slots=True)
class CutterProfile:
    """Layer name and colour (ACI) per role."""

    name: str
    layers: Mapping[str, tuple[str, int]]

    @staticmethod
    def of(name: str, layers: Mapping[str, object] | None = None) -> CutterProfile:
        """Defaults overridden by ``layers`` (role -> name, or {"name": .., "color": ..})."""
        out = dict(DEFAULT_LAYERS)
        for role, spec in (layers or {}).items():
            if role not in ROLES:
                raise InputError(f"cutter profile: unknown role {role!r}", hint=f"roles: {ROLES}")
            if isinstance(spec, str):
                out[role] = (spec, out[role][1])
            elif isinstance(spec, Mapping) and "name" in spec:
                out[role] = (str(spec["name"]), int(spec.get("color", out[role][1])))
            else:
                raise InputError(f"cutter profile: role {role!r} needs a layer name")
        return CutterProfile(name, out)


DEFAULT_PROFILE = CutterProfile.of("generic")
AAMA_PROFILE = CutterProfile.of("aama", AAMA_LAYERS)


def load_cutter_profile(path: str | Path) -> CutterProfile:
    """Read a profile JSON: ``{"name": "...", "layers": {"outer_cut": "KNIFE", ...}}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read cutter profile ({exc})", path=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict):
        raise InputError("cutter profile must be an object with a 'layers' object", path=str(path))
    return CutterProfile.of(str(data.get("name", Path(path).stem)), data.get("layers"))


@dataclass(frozen=True, slots=True)
class CutFile:
    """One written file: what is on it and the head's idle travel between pieces."""

    path: Path
    hide_id: str | None
    hide_copy: int
    order: tuple[tuple[str, int], ...]  # (piece id, copy) in cutting order
    travel_mm: float
    unoptimised_travel_mm: float


@dataclass
class _Placed:
    placement: Placement
    piece: Piece
    outer: CurvePath
    inner: list[CurvePath] = field(default_factory=list)
    features: list[tuple[str, CurvePath | None, tuple[float, float] | None]] = field(
        default_factory=list
    )
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


def _place(piece: Piece, pl: Placement) -> _Placed:
    from shapely.geometry import Polygon
    from shapely.ops import polylabel

    from leathernest.io.dxf_curves import flatten_path

    args = (pl.rotation_deg, pl.mirrored, pl.x, pl.y)
    outer, inner = _outline_paths(piece)
    outer = orient_path(place_path(outer, *args), ccw=True)
    inner = [orient_path(place_path(p, *args), ccw=False) for p in inner if p.closed]
    # Enter the outer contour at its vertex nearest the table's lower-left corner.
    k = int(np.argmin(outer.points[:, 0] + outer.points[:, 1]))
    item = _Placed(pl, piece, start_at(outer, k), inner)
    for f in piece.features:
        role = _FEATURE_ROLE.get(f.kind)
        if role is None:
            continue
        path = place_path(f.path, *args) if f.path is not None else None
        at = None
        if f.at is not None and f.path is None:
            from leathernest.transform import place_points

            p = place_points(np.array([f.at], dtype=np.float64), *args)[0]
            at = (float(p[0]), float(p[1]))
        item.features.append((role, path, at))
    poly = Polygon(flatten_path(outer, 0.1, on_curve=True))
    if poly.is_valid and poly.area > 0:
        pole = polylabel(poly, tolerance=max(0.1, math.sqrt(poly.area) / 100))
        room = poly.exterior.distance(pole)  # radius of a circle inside the piece
        text = f"{piece.name} #{pl.copy + 1}"
        # A centred text line is about 0.6 x height x characters wide; keep it inside that
        # circle (the pen must not draw on a neighbour), but never below a readable size.
        height = min(LABEL_MAX_MM, 0.5 * room, 1.6 * room / (0.6 * len(text)))
        height = max(LABEL_MIN_MM, height)
        item.label = (text, (pole.x, pole.y), height)
    return item


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


def _new_doc(dxfversion: str, profile: CutterProfile):
    import ezdxf

    doc = ezdxf.new(dxfversion=dxfversion)
    doc.header["$MEASUREMENT"] = 1
    if dxfversion != "R12":
        doc.units = ezdxf.units.MM
    for name, color in profile.layers.values():
        if name not in doc.layers:
            doc.layers.add(name, color=color)
    return doc


def write_cutter_dxf(
    job: Job,
    solution: Solution,
    out_dir: str | Path,
    *,
    profile: CutterProfile = DEFAULT_PROFILE,
    dxfversion: str = "R2000",
    route_time_limit_s: float = ROUTE_TIME_LIMIT_S,
    route_solution_limit: int | None = None,
) -> list[CutFile]:
    """Write one cutter DXF per hide copy (or one for the strip) into ``out_dir``.

    Returns, per file, the cutting order and the head's travel between piece start points with the
    OR-Tools route and with the solution's own order (``unoptimised_travel_mm``).
    """
    from leathernest.ordering.route import order_points

    version = dxfversion.upper()
    if version not in ("R12", "R2000", "R2004", "R2007", "R2010", "R2013", "R2018"):
        raise InputError(f"unsupported DXF version {dxfversion!r}", hint="use R2000 or R12")
    out = Path(out_dir)
    files: list[CutFile] = []
    taken: set[str] = set()
    for lay in solution.layouts:
        placed = [_place(job.piece(pl.piece_id), pl) for pl in lay.placements]
        corner, reference = _reference(job, solution, lay.hide_id)
        starts = np.array([p.outer.points[0] for p in placed], dtype=np.float64).reshape(-1, 2)
        route = order_points(
            starts, corner, time_limit_s=route_time_limit_s, solution_limit=route_solution_limit
        )
        ordered = [placed[i] for i in route.order]
        doc = _new_doc(version, profile)
        _write_layout(doc, ordered, reference, profile, version == "R12")
        if lay.hide_id is None:
            name = f"{_slug(job.name)}_strip.dxf"
        else:
            name = f"{_slug(job.name)}_{_slug(lay.hide_id)}_{lay.hide_copy}.dxf"
        name = _unique(name, taken)
        target = write_atomic(out / name, base64.b64decode(doc.encode_base64()))
        order = tuple((p.placement.piece_id, p.placement.copy) for p in ordered)
        files.append(
            CutFile(target, lay.hide_id, lay.hide_copy, order, route.length_mm,
                    route.unoptimised_length_mm)
        )  # fmt: skip
    return files


def _reference(job: Job, solution: Solution, hide_id: str | None):
    """Start corner and reference contours (role, path) for a hide or the strip."""
    refs: list[tuple[str, CurvePath]] = []
    if hide_id is None:
        height = getattr(job.stock, "height", 0.0)
        length = solution.strip_length or 0.0
        if length > 0:
            rect = np.array([[0, 0], [length, 0], [length, height], [0, height]], dtype=float)
            refs.append(("hide", CurvePath.polyline(rect, True)))
        return (0.0, 0.0), refs
    hide = next(h for h in job.hides if h.id == hide_id)
    refs.append(("hide", CurvePath.polyline(hide.outline.outer, True)))
    refs.extend(("defect", CurvePath.polyline(h, True)) for h in hide.outline.holes)
    refs.extend(("defect", CurvePath.polyline(z.outline.outer, True)) for z in hide.zones)
    x0, y0, _, _ = hide.outline.bbox
    return (x0, y0), refs


def _write_layout(
    doc, ordered: list[_Placed], reference, profile: CutterProfile, r12: bool
) -> None:
    from ezdxf.enums import TextEntityAlignment

    msp = doc.modelspace()
    layer = {role: spec[0] for role, spec in profile.layers.items()}
    for role, path in reference:
        _add_path(msp, path, layer[role], r12)
    # Pen pass: marks, creases, grain lines and labels before any cut frees the leather.
    for item in ordered:
        for role, path, _ in item.features:
            if role in ("pen", "crease", "grain") and path is not None:
                _add_path(msp, path, layer[role], r12)
        if item.label is not None:
            text, (x, y), h = item.label
            t = msp.add_text(text, height=h, dxfattribs={"layer": layer["label"]})
            t.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)
    # Tool pass, piece by piece: punches, notches, cut-outs, then the outer contour.
    for item in ordered:
        for wanted in ("punch", "notch"):
            for role, path, at in item.features:
                if role != wanted:
                    continue
                if path is not None:
                    _add_path(msp, path, layer[role], r12)
                elif at is not None:
                    msp.add_point(at, dxfattribs={"layer": layer[role]})
        for path in item.inner:
            _add_path(msp, path, layer["inner_cut"], r12)
        _add_path(msp, item.outer, layer["outer_cut"], r12)
