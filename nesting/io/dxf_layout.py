"""Read a hand layout from DXF: closed polylines placed on the hide, optionally named by a TEXT.

Kept deliberately small (the full pattern importer is :mod:`leathernest.io.dxf_in`, which merges
overlapping rings; a hand layout must keep them, because an overlap is what scoring has to find).
What it reads, on any layer and inside block references:

- closed LWPOLYLINE and 2D/3D POLYLINE entities (bulges flattened to ``CHORD_TOL_MM``); a polyline
  whose last point repeats its first counts as closed;
- TEXT and MTEXT: a text whose insertion point lies inside a ring names the piece of the smallest
  such ring, by id or name; a copy suffix (``front#1``, ``Card holder front #2``, as leathernest's
  cutter DXF labels pieces) is dropped, because the matcher numbers copies itself;
- the layer: a layer named after a hide id (``calf-1``, or ``calf-1#2`` for copy 2 of that hide)
  puts the outline on that hide.

Every ring becomes a :class:`~leathernest.io.hand_layout.HandOutline` without holes; the matcher
decides which rings are pieces, which are holes of a placed piece and which are the hide's own
outline, holes or zones drawn for reference. Units come from ``$INSUNITS`` (millimetres when the
file has none).

ezdxf is imported inside the functions (house style: optional heavy parts load late).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from leathernest.errors import DxfError, InputError
from leathernest.io.hand_layout import HandLayout, HandOutline
from leathernest.model import Outline

# Chord tolerance for flattening bulges (arcs) of polylines, mm: below a drag knife's repeatability
# (about 0.1 mm), and well inside the matcher's tolerance (leathernest.score.MATCH_TOL_MM).
CHORD_TOL_MM = 0.05
# Block references nest; deeper than this is a broken or hostile file.
MAX_BLOCK_DEPTH = 8
_COPY_RE = re.compile(r"^\s*(.*?)\s*#\s*(\d+)\s*$")


def _load(path: Path):
    import ezdxf
    from ezdxf import recover
    from ezdxf.lldxf.const import DXFStructureError

    if not path.exists():
        raise DxfError("file not found", path=str(path), hint="check the path")
    try:
        return ezdxf.readfile(path)
    except OSError as exc:
        raise DxfError(f"cannot read: {exc}", path=str(path)) from None
    except (DXFStructureError, ValueError, UnicodeDecodeError):
        pass
    try:
        doc, _auditor = recover.readfile(path)
    except (DXFStructureError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise DxfError(
            f"not a readable DXF ({str(exc).splitlines()[0][:120]})",
            path=str(path),
            hint="export the layout again as DXF (R12 or later)",
        ) from None
    return doc


def _scale(doc, raw: bytes, path: Path) -> tuple[float, str]:
    """(millimetres per drawing unit, unit name) from $INSUNITS (absent or 0: millimetres)."""
    from ezdxf import units

    if b"$INSUNITS" not in raw:
        return 1.0, "mm"
    code = int(doc.header.get("$INSUNITS", 0) or 0)
    if code == 0:
        return 1.0, "mm"
    try:
        return float(units.conversion_factor(code, units.MM)), str(units.decode(code))
    except (KeyError, IndexError, ValueError):
        raise DxfError(f"unknown $INSUNITS code {code}", path=str(path),
                       hint="set the drawing units to millimetres in CAD") from None


def split_copy(text: str) -> tuple[str, int | None]:
    """``"front#1"`` -> ``("front", 1)``; ``"front"`` -> ``("front", None)``."""
    m = _COPY_RE.match(text)
    if m and m.group(1):
        return m.group(1), int(m.group(2))
    return text.strip(), None


def _entities(space, depth: int = 0):
    """Entities of a layout, with block references expanded into their virtual entities."""
    for e in space:
        if e.dxftype() == "INSERT":
            if depth >= MAX_BLOCK_DEPTH:
                continue
            try:
                yield from _entities(e.virtual_entities(), depth + 1)
            except Exception:
                continue
        else:
            yield e


def _ring(e, scale: float) -> np.ndarray | None:
    """The closed ring of a polyline entity in mm, or None when it is open or degenerate."""
    from ezdxf import path as dxf_path

    kind = e.dxftype()
    if kind == "POLYLINE" and (e.is_poly_face_mesh or e.is_polygon_mesh):
        return None
    closed = e.closed if kind == "LWPOLYLINE" else e.is_closed
    path = dxf_path.make_path(e)
    pts = np.array(
        [(v.x, v.y) for v in path.flattening(CHORD_TOL_MM / max(scale, 1e-12))], dtype=np.float64
    )
    if len(pts) < 3:
        return None
    if not closed and not np.allclose(pts[0], pts[-1], rtol=0.0, atol=1e-9 * max(1.0, np.ptp(pts))):
        return None
    return pts * scale


def read_layout_dxf(path: str | Path) -> HandLayout:
    """Read a hand layout DXF (see the module docstring); unreadable files raise DxfError."""
    p = Path(path)
    doc = _load(p)
    scale, unit = _scale(doc, p.read_bytes(), p)
    rings: list[tuple[np.ndarray, str, str]] = []  # (points, layer, source)
    texts: list[tuple[str, float, float]] = []
    skipped: list[str] = []
    for e in _entities(doc.modelspace()):
        kind = e.dxftype()
        layer = str(e.dxf.get("layer", "0"))
        handle = str(e.dxf.get("handle", "?"))
        where = f"layer {layer}, handle {handle}"
        if kind in ("LWPOLYLINE", "POLYLINE"):
            try:
                ring = _ring(e, scale)
            except (ValueError, TypeError, IndexError) as exc:
                skipped.append(f"{where}: unreadable polyline ({exc})")
                continue
            if ring is None:
                skipped.append(f"{where}: open polyline ignored")
                continue
            rings.append((ring, layer, where))
        elif kind in ("TEXT", "MTEXT"):
            text = e.plain_text() if kind == "MTEXT" else str(e.dxf.get("text", ""))
            ins = e.dxf.get("insert")
            if text.strip() and ins is not None:
                texts.append((text.strip(), float(ins[0]) * scale, float(ins[1]) * scale))
    outlines = tuple(_outlines(rings, texts, skipped, str(path)))
    return HandLayout(str(path), outlines, tuple(skipped), unit)


def _outlines(rings, texts, skipped: list[str], path: str) -> list[HandOutline]:
    polys = []
    kept = []
    for pts, layer, where in rings:
        try:
            outline = Outline.of(pts, what=where)
        except InputError:
            skipped.append(f"{where}: ring with zero area ignored")
            continue
        poly = Polygon(outline.outer)
        if not poly.is_valid:
            raise DxfError(
                "a closed polyline crosses itself",
                path=path,
                layer=where.split(",")[0].removeprefix("layer "),
                handle=where.rsplit("handle ", 1)[-1],
                hint="redraw the piece outline so that no edge crosses another",
            )
        polys.append(poly)
        kept.append((outline, layer, where))
    names: dict[int, str] = {}
    if polys and texts:
        tree = shapely.STRtree(polys)
        for text, x, y in texts:
            inside = [int(i) for i in tree.query(Point(x, y), predicate="within")]
            if inside:
                smallest = min(inside, key=lambda i: polys[i].area)
                names.setdefault(smallest, text)
    out = []
    for i, (outline, layer, where) in enumerate(kept):
        name, copy = split_copy(names[i]) if i in names else (None, None)
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
    return out
