"""Hand layouts for trainee scoring: placed outlines read from a solution JSON or a DXF.

A hand layout is what a trainee drew: outlines in the hide's coordinates, perhaps named, perhaps
with a transform. It is an external representation (as jagua-rs keeps ``ext_repr.rs`` apart from
its entities): :mod:`leathernest.scoring.score` turns it into :class:`~leathernest.model.Placement`
values by matching each outline to a job piece.

Accepted JSON (``.json`` or anything that is not ``.dxf``): an object with ``placements``, each
either a full leathernest placement (``item_id`` and ``translation``, with optional
``rotation_deg``, ``mirrored``, ``copy``, ``bin_id``, ``hide_copy``) or a hand-made one that gives
only ``polygon`` (the placed outer ring, absolute coordinates) and optionally ``item_id`` or
``name``, ``holes``, ``copy``, ``bin_id``, ``hide_copy``. A solution written by ``leathernest nest``
is a valid hand layout. DXF files are read by :mod:`leathernest.io.dxf_layout`, through the same
DXF reader as patterns and hides.

Imports numpy and the model; ezdxf only inside :func:`read_hand_layout` for DXF files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leathernest.errors import InputError, JobFileError
from leathernest.io.jsonfile import load_json
from leathernest.model import Outline


@dataclass(frozen=True, slots=True)
class GivenTransform:
    """A placement transform stated in the file (degrees, mirror about local y, then translate)."""

    rotation_deg: float
    mirrored: bool
    x: float
    y: float


@dataclass(frozen=True, slots=True, eq=False)
class HandOutline:
    """One placed outline of a hand layout, as the file gives it.

    ``outline`` is the placed shape in absolute coordinates (None when only a transform is given);
    ``name`` the piece id or name the file states (None: match by shape); ``hide`` the hide id the
    file states (None: decided by the matcher); ``source`` says where in the file it came from, for
    messages (``$.placements[3]``, ``layer CUT, handle 2F``).
    ``hide_hint`` marks a hide taken from a DXF layer name: used when a hide has that id, ignored
    otherwise (a layer called ``0`` or ``CUT`` names no hide).
    """

    source: str
    outline: Outline | None = None
    name: str | None = None
    copy: int | None = None
    hide: str | None = None
    hide_copy: int = 0
    transform: GivenTransform | None = None
    hide_hint: bool = False  # True: ``hide`` is only a layer name, ignored when no hide has that id


@dataclass(frozen=True, slots=True, eq=False)
class HandLayout:
    """Every outline of a hand layout, what the reader skipped (with why), units and warnings."""

    path: str
    outlines: tuple[HandOutline, ...]
    skipped: tuple[str, ...] = ()
    units: str = "mm"  # the drawing unit the file declared (DXF $INSUNITS or AAMA text), for hints
    warnings: tuple[str, ...] = ()  # what the DXF reader noticed (units assumed, recover mode)


def read_hand_layout(path: str | Path) -> HandLayout:
    """Read a hand layout from a DXF (by suffix) or a JSON file; bad files raise InputError."""
    p = Path(path)
    if p.suffix.lower() == ".dxf":
        # Lazy: an import cycle (dxf_layout builds this module's HandLayout).
        from leathernest.io.dxf_layout import read_layout_dxf

        layout = read_layout_dxf(p)
    else:
        layout = read_hand_json(p)
    if not layout.outlines:
        skipped = ""
        if layout.skipped:
            skipped = f" ({len(layout.skipped)} skipped, first: {layout.skipped[0]})"
        raise InputError(f"no placed outlines found{skipped}", path=str(path),
                         hint="a hand layout needs closed polylines (DXF) or \"placements\" (JSON)")
    return layout


def _number(value: object, where: str, path: str) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise JobFileError(f"expected a number, got {value!r}", path=path, location=where) from None
    if not math.isfinite(out):
        raise JobFileError("expected a finite number", path=path, location=where)
    return out


def _outline(entry: dict, where: str, path: str) -> Outline | None:
    if "polygon" not in entry:
        return None
    try:
        holes = [np.asarray(h, dtype=np.float64) for h in entry.get("holes", [])]
        return Outline.of(np.asarray(entry["polygon"], dtype=np.float64), holes, what="polygon")
    except (TypeError, ValueError) as exc:
        msg = exc.message if isinstance(exc, InputError) else str(exc)
        raise JobFileError(f"bad polygon ({msg})", path=path, location=f"{where}.polygon",
                           hint="give the placed outer ring as [[x, y], ...]") from None


def _entry(entry: object, where: str, path: str) -> HandOutline:
    if not isinstance(entry, dict):
        raise JobFileError("expected an object", path=path, location=where)
    outline = _outline(entry, where, path)
    raw_name = entry.get("item_id", entry.get("name"))
    name = None if raw_name is None else str(raw_name)
    transform = None
    if "translation" in entry and name is not None:
        t = entry["translation"]
        if not isinstance(t, list | tuple) or len(t) != 2:
            raise JobFileError("translation must be [x, y]", path=path,
                               location=f"{where}.translation")
        transform = GivenTransform(
            _number(entry.get("rotation_deg", 0.0), f"{where}.rotation_deg", path),
            bool(entry.get("mirrored", False)),
            _number(t[0], f"{where}.translation[0]", path),
            _number(t[1], f"{where}.translation[1]", path),
        )
    if outline is None and transform is None:
        raise JobFileError("a placement needs \"polygon\", or \"item_id\" with \"translation\"",
                           path=path, location=where,
                           hint="give the placed outline, or the piece and its transform")
    copy = entry.get("copy")
    hide = entry.get("bin_id", entry.get("hide_id"))
    try:
        return HandOutline(
            source=where, outline=outline, name=name,
            copy=None if copy is None else int(copy),
            hide=None if hide is None else str(hide),
            hide_copy=int(entry.get("hide_copy", 0)), transform=transform,
        )
    except (TypeError, ValueError):
        raise JobFileError("copy and hide_copy must be integers", path=path,
                           location=where) from None


def read_hand_json(path: str | Path) -> HandLayout:
    """Read a hand layout from JSON (see the module docstring for the accepted fields)."""
    return hand_layout_from_json(load_json(path, layout=True), str(path))


def hand_layout_from_json(data: object, shown: str) -> HandLayout:
    """A hand layout from parsed JSON (a file's or a request body's, ``shown`` in messages)."""
    if not isinstance(data, dict) or not isinstance(data.get("placements"), list):
        raise JobFileError("not a layout: expected an object with a \"placements\" list",
                           path=shown, location="$",
                           hint="pass a solution.json, a hand-made layout JSON or a DXF")
    outlines = tuple(_entry(e, f"$.placements[{i}]", shown)
                     for i, e in enumerate(data["placements"]))
    return HandLayout(shown, outlines)
