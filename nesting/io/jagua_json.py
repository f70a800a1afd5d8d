"""Reader of the jagua-rs instance JSON (strip and bin packing).

This is the format of the ESICUP and Baldacci instances as Sparrow and jagua-rs publish them.

Semantics (``datasets/README.md``): ``strip_height`` makes a strip job; ``bins`` a hide job whose
bins are hides with ``stock`` copies, ``cost``, holes (inner rings) and quality ``zones``. Quality
maps to our grade one to one (0 is a hole, higher is better, the unmarked hide is the best). An
item's ``min_quality`` becomes ``min_grade``; an item without it needs the best grade, as jagua-rs
documents. Absent ``allowed_orientations`` means free rotation. Item ``zones`` (quality inside a
piece) are not supported; they are reported, not silently dropped. The ``dxf`` fields name files
that are not shipped and are ignored.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from leathernest.errors import InputError, JobFileError
from leathernest.geometry.shapes import check_outline, check_rings
from leathernest.limits import MAX_COORD_MM
from leathernest.model import (
    FREE_ROTATION,
    Hide,
    Job,
    Objective,
    Outline,
    Piece,
    Rotations,
    Strip,
    Zone,
)


def is_jagua(data: object) -> bool:
    """Whether parsed JSON looks like a jagua-rs instance (rather than a leathernest job)."""
    return isinstance(data, dict) and "format" not in data and "items" in data


def _points(raw: object, where: str, path: str | None) -> np.ndarray:
    arr = np.asarray(raw, float)
    if arr.size and not bool((np.abs(arr) <= MAX_COORD_MM).all()):
        raise JobFileError(f"coordinates beyond ±{MAX_COORD_MM:g} mm", path=path, location=where,
                           hint="check the units")
    return arr


def _outline(shape: dict, where: str, path: str | None) -> Outline:
    if shape["type"] == "simple_polygon":
        outer, inner = _points(shape["data"], where, path), []
    else:
        data = shape["data"]
        outer = _points(data["outer"], where, path)
        inner = [_points(h, where, path) for h in data.get("inner", [])]
    try:
        return Outline.of(outer, inner, what=where)
    except InputError as exc:
        raise JobFileError(
            exc.message.removeprefix(f"{where}: "), path=path, location=where
        ) from None


def read_jagua(
    data: dict, path: str | None, name: str, warn: Callable[[str], None] | None = None
) -> Job:
    """Convert a parsed, schema-checked jagua-rs instance into a Job."""
    pieces = []
    for i, item in enumerate(data["items"]):
        where = f"$.items[{i}]"
        outline = _outline(item["shape"], f"{where}.shape", path)
        try:
            check_outline(outline, f"item {item['id']}")
        except InputError as exc:
            raise JobFileError(exc.message, path=path, location=where, hint=exc.hint) from None
        orientations = item.get("allowed_orientations")
        if orientations is not None and len(orientations) == 0:
            raise JobFileError("allowed_orientations is empty: no rotation is allowed",
                               path=path, location=f"{where}.allowed_orientations",
                               hint="list at least one angle, or leave the key out for free "
                                    "rotation")
        rotations = (
            FREE_ROTATION
            if orientations is None
            else Rotations(angles_deg=tuple(float(a) for a in orientations))
        )
        min_q = item.get("min_quality")
        if item.get("zones") and warn is not None:
            warn(f"{path}: {where}: item quality zones are not supported and were ignored")
        pieces.append(
            Piece(
                id=str(item["id"]),
                outline=outline,
                demand=int(item["demand"]),
                min_grade=None if min_q is None else max(1, int(min_q)),
                rotations=rotations,
                value=item.get("value"),
            )
        )
    if "strip_height" in data:
        stock: tuple[Hide, ...] | Strip = Strip(float(data["strip_height"]))
        objective = Objective.MIN_LENGTH
    else:
        stock = tuple(_hide(b, i, path) for i, b in enumerate(data["bins"]))
        objective = Objective.MIN_COST
    try:
        return Job(name=name, pieces=tuple(pieces), stock=stock, objective=objective)
    except InputError as exc:
        raise JobFileError(exc.message, path=path, hint=exc.hint) from None


def _hide(b: dict, i: int, path: str | None) -> Hide:
    where = f"$.bins[{i}]"
    outline = _outline(b["shape"], f"{where}.shape", path)
    try:
        check_rings(outline, f"bin {b['id']}")
    except InputError as exc:
        raise JobFileError(exc.message, path=path, location=where, hint=exc.hint) from None
    zones = []
    for k, z in enumerate(b.get("zones", [])):
        zwhere = f"{where}.zones[{k}]"
        zoutline = _outline(z["shape"], f"{zwhere}.shape", path)
        try:
            check_rings(zoutline, f"zone {k} of bin {b['id']}")
        except InputError as exc:
            raise JobFileError(exc.message, path=path, location=zwhere, hint=exc.hint) from None
        zones.append(Zone(zoutline, int(z["quality"])))
    return Hide(
        id=str(b["id"]),
        outline=outline,
        zones=tuple(zones),
        cost=float(b["cost"]) if "cost" in b else None,
        stock=int(b.get("stock", 1)),
    )
