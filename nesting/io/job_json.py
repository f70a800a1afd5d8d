"""The leathernest job format (JSON).

Everything the model can say, checked against ``schemas/job.schema.json`` (shipped in the package).

A job file looks like::

    {"format": "leathernest-job", "version": 1, "name": "wallets", "gap_mm": 2, "margin_mm": 3,
     "pieces": [{"id": "front", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]], "demand": 2,
                 "min_grade": 3, "grain": {"direction_deg": 0, "tolerance_deg": 10},
                 "mirror": "pair", "rotations": "free"}],
     "hides": [{"id": "calf-1", "outline": [...], "zones": [{"grade": 0, "outline": [...]}],
                "backbone": [[0, 300], [900, 300]], "price_per_m2": 45.0}]}

``units`` (mm, cm, m, in) scales every coordinate into millimetres; ``gap_mm``, ``margin_mm`` and
the optional ``edge_margin_mm`` and ``defect_margin_mm`` (both default to ``margin_mm``) are
millimetres whatever the units.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from leathernest.errors import InputError, JobFileError
from leathernest.geometry.shapes import check_outline, check_rings
from leathernest.limits import MAX_COORD_MM
from leathernest.model import (
    FREE_ROTATION,
    CurvePath,
    Feature,
    FeatureKind,
    Grain,
    Hide,
    Job,
    Mirror,
    Objective,
    Outline,
    Piece,
    Rotations,
    Strip,
    Zone,
)

UNIT_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "in": 25.4}


def is_job(data: object) -> bool:
    """Whether parsed JSON declares itself a leathernest job."""
    return isinstance(data, dict) and data.get("format") == "leathernest-job"


def _points(raw: object, scale: float, where: str, path: str | None) -> np.ndarray:
    """Points in mm; coordinates beyond the limit are refused before any area is computed.

    1e308 would otherwise overflow into infinities and a misleading "zero area".
    """
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.asarray(raw, float) * scale
    if arr.size and not bool((np.abs(arr) <= MAX_COORD_MM).all()):
        raise JobFileError(f"coordinates beyond ±{MAX_COORD_MM:g} mm (after units)", path=path,
                           location=where, hint="check the units")
    return arr


def _outline(raw: object, scale: float, where: str, path: str | None) -> Outline:
    if isinstance(raw, dict):
        holes = [_points(h, scale, f"{where}.holes[{k}]", path)
                 for k, h in enumerate(raw.get("holes", []))]
        outer = _points(raw["outer"], scale, f"{where}.outer", path)
    else:
        holes, outer = [], _points(raw, scale, where, path)
    try:
        return Outline.of(outer, holes, what=where)
    except InputError as exc:
        raise JobFileError(
            exc.message.removeprefix(f"{where}: "), path=path, location=where
        ) from None


def _path(raw: dict, scale: float) -> CurvePath:
    pts = _points(raw["points"], scale, "a cut path or feature", None)
    bulges = np.asarray(raw.get("bulges", [0.0] * len(pts)), float)
    return CurvePath(pts, bulges, bool(raw.get("closed", False)))


def _rotations(raw: object) -> Rotations:
    if raw is None or raw == "free":
        return FREE_ROTATION
    if isinstance(raw, list):
        return Rotations(angles_deg=tuple(float(a) for a in raw))
    assert isinstance(raw, dict)
    return Rotations(
        angles_deg=tuple(float(a) for a in raw.get("angles", [])),
        ranges_deg=tuple((float(lo), float(hi)) for lo, hi in raw.get("ranges", [])),
    )


def _piece(raw: dict, scale: float, where: str, path: str | None) -> Piece:
    outline = _outline(raw["outline"], scale, f"{where}.outline", path)
    check_outline(outline, f"piece {raw['id']}", path)
    grain = raw.get("grain")
    features = []
    for f in raw.get("features", []):
        at = f.get("at")
        features.append(
            Feature(
                kind=FeatureKind(f["kind"]),
                path=_path(f["path"], scale) if "path" in f else None,
                text=f.get("text", ""),
                at=None if at is None else (at[0] * scale, at[1] * scale),
                layer=f.get("layer", ""),
            )
        )
    return Piece(
        id=str(raw["id"]),
        name=raw.get("name", ""),
        outline=outline,
        demand=int(raw.get("demand", 1)),
        min_grade=raw.get("min_grade"),
        rotations=_rotations(raw.get("rotations")),
        grain=None if grain is None else Grain(**grain),
        mirror=Mirror(raw.get("mirror", "no")),
        group=raw.get("group"),
        product=raw.get("product"),
        size=raw.get("size"),
        priority=int(raw.get("priority", 0)),
        optional=bool(raw.get("optional", False)),
        value=raw.get("value"),
        features=tuple(features),
        cut_paths=tuple(_path(c, scale) for c in raw.get("cut_paths", [])),
    )


def _hide(raw: dict, scale: float, where: str, path: str | None) -> Hide:
    outline = _outline(raw["outline"], scale, f"{where}.outline", path)
    check_rings(outline, f"hide {raw['id']}", path)
    zones = []
    for k, z in enumerate(raw.get("zones", [])):
        zw = f"{where}.zones[{k}]"
        zo = _outline(z["outline"], scale, f"{zw}.outline", path)
        check_rings(zo, f"zone {k} of hide {raw['id']}", path)
        zones.append(Zone(zo, int(z["grade"])))
    backbone = raw.get("backbone")
    return Hide(
        id=str(raw["id"]),
        name=raw.get("name", ""),
        outline=outline,
        zones=tuple(zones),
        backbone=None if backbone is None else _points(backbone, scale, f"{where}.backbone",
                                                       path),
        price_per_m2=raw.get("price_per_m2"),
        cost=raw.get("cost"),
        stock=int(raw.get("stock", 1)),
    )


def _optional_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def read_job(data: dict, path: str | None, name: str) -> Job:
    """Convert a parsed, schema-checked job file into a Job."""
    scale = UNIT_MM[data.get("units", "mm")]
    pieces = []
    for i, raw in enumerate(data["pieces"]):
        where = f"$.pieces[{i}]"
        try:
            pieces.append(_piece(raw, scale, where, path))
        except JobFileError:
            raise
        except InputError as exc:
            raise JobFileError(exc.message, path=path, location=where, hint=exc.hint) from None
    if "strip" in data:
        stock: tuple[Hide, ...] | Strip = Strip(float(data["strip"]["height"]) * scale)
    else:
        hides = []
        for i, raw in enumerate(data["hides"]):
            where = f"$.hides[{i}]"
            try:
                hides.append(_hide(raw, scale, where, path))
            except JobFileError:
                raise
            except InputError as exc:
                raise JobFileError(exc.message, path=path, location=where, hint=exc.hint) from None
        stock = tuple(hides)
    objective = data.get("objective")
    try:
        return Job(
            name=data.get("name", name),
            pieces=tuple(pieces),
            stock=stock,
            gap_mm=float(data.get("gap_mm", 0.0)),
            margin_mm=float(data.get("margin_mm", 0.0)),
            edge_margin_mm=_optional_float(data.get("edge_margin_mm")),
            defect_margin_mm=_optional_float(data.get("defect_margin_mm")),
            time_limit_s=float(data.get("time_limit_s", 60.0)),
            seed=int(data.get("seed", 0)),
            objective=None if objective is None else Objective(objective),
        )
    except InputError as exc:
        raise JobFileError(exc.message, path=path, hint=exc.hint) from None


# --------------------------------------------------------------------------------------------------
# Writing


def _ring(ring: np.ndarray) -> list[list[float]]:
    return [[float(x), float(y)] for x, y in ring]


def _outline_json(o: Outline) -> object:
    if not o.holes:
        return _ring(o.outer)
    return {"outer": _ring(o.outer), "holes": [_ring(h) for h in o.holes]}


def _path_json(c: CurvePath) -> dict:
    return {"points": _ring(c.points), "bulges": [float(b) for b in c.bulges], "closed": c.closed}


def _rotations_json(r: Rotations) -> object:
    if r.free:
        return "free"
    if not r.ranges_deg:
        return list(r.angles_deg)
    return {"angles": list(r.angles_deg), "ranges": [list(x) for x in r.ranges_deg]}


def _piece_json(p: Piece) -> dict:
    out: dict = {"id": p.id, "name": p.name, "outline": _outline_json(p.outline),
                 "demand": p.demand, "min_grade": p.min_grade,
                 "rotations": _rotations_json(p.rotations), "mirror": p.mirror.value}
    if p.grain is not None:
        out["grain"] = {"direction_deg": p.grain.direction_deg,
                        "tolerance_deg": p.grain.tolerance_deg, "across": p.grain.across}
    if p.group is not None:
        out["group"] = p.group
    if p.product is not None:
        out["product"] = p.product
    if p.size is not None:
        out["size"] = p.size
    if p.priority:
        out["priority"] = p.priority
    if p.optional:
        out["optional"] = True
    if p.value is not None:
        out["value"] = p.value
    if p.features:
        feats = []
        for f in p.features:
            fj: dict = {"kind": f.kind.value}
            if f.path is not None:
                fj["path"] = _path_json(f.path)
            if f.text:
                fj["text"] = f.text
            if f.at is not None:
                fj["at"] = [f.at[0], f.at[1]]
            if f.layer:
                fj["layer"] = f.layer
            feats.append(fj)
        out["features"] = feats
    if p.cut_paths:
        out["cut_paths"] = [_path_json(c) for c in p.cut_paths]
    return out


def _hide_json(h: Hide) -> dict:
    out: dict = {"id": h.id, "name": h.name, "outline": _outline_json(h.outline),
                 "zones": [{"grade": z.grade, "outline": _outline_json(z.outline)}
                           for z in h.zones],
                 "stock": h.stock}
    if h.backbone is not None:
        out["backbone"] = _ring(h.backbone)
    if h.price_per_m2 is not None:
        out["price_per_m2"] = h.price_per_m2
    if h.cost is not None:
        out["cost"] = h.cost
    return out


def job_to_json(job: Job) -> dict:
    """The job as a JSON-ready dict in the leathernest job format (millimetres)."""
    out: dict = {"format": "leathernest-job", "version": 1, "name": job.name, "units": "mm",
                 "gap_mm": job.gap_mm, "margin_mm": job.margin_mm,
                 "time_limit_s": job.time_limit_s, "seed": job.seed,
                 "objective": job.objective.value if job.objective else None,
                 "pieces": [_piece_json(p) for p in job.pieces]}
    if out["objective"] is None:
        del out["objective"]
    for key in ("edge_margin_mm", "defect_margin_mm"):
        if getattr(job, key) is not None:
            out[key] = getattr(job, key)
    if isinstance(job.stock, Strip):
        out["strip"] = {"height": job.stock.height}
    else:
        out["hides"] = [_hide_json(h) for h in job.stock]
    return out


def job_fingerprint(job: Job) -> str:
    """A hash of what a layout depends on, its pieces and its stock (16 hex digits of SHA-256).

    Solution files record it so that a layout checked against another job is recognised as such.
    Gap, margin, name and limits are left out: they do not make a job another job.
    """
    data = job_to_json(job)
    core = {"pieces": data["pieces"], "stock": data.get("hides", data.get("strip"))}
    text = json.dumps(core, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
