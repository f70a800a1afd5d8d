"""Read pattern pieces and hides from DXF files of any writer (CAD, CAM, ASTM D6673 / AAMA).

Public API: :func:`read_pattern_dxf` (pieces) and :func:`read_hide_dxf` (a hide with zones and
backbone); both return the result with an :class:`~leathernest.io.dxf_report.ImportReport` of coded
issues, and raise :class:`~leathernest.errors.DxfError` (file, layer, handle, hint) for a file that
cannot be used. Reading follows ezdxf's split (house style, section 4): ``ezdxf.readfile`` first,
``ezdxf.recover.readfile`` when that fails, and every parser failure becomes a ``DxfError``.

The pipeline: units -> entities to bulge paths in mm (:mod:`dxf_entities`) -> chaining of loose
segments (:mod:`dxf_chain`) -> rings, holes, overlaps and features (:mod:`dxf_pieces`) -> model.

ASTM D6673 / AAMA convention (detected by its ``Piece Name:`` / ``Style Name:`` texts): each block
is one piece and its layers are numbers: 1 boundary, 11 internal cut-outs, 13 drill holes, 4 and
80-83 notches, 8 internal lines, 14 sew lines, 7 grain line, 6 mirror line; 2, 3, 5, 9, 10, 12 and
84-87 are points, grading and validation curves and are ignored. Units come from the ``Units:`` text
(ENGLISH = inch, METRIC = mm). Graded sizes stacked in one file become one piece each (id
``name-size``).

Units: ``--units`` override, else ``$INSUNITS`` as written in the file (ezdxf fills in a default for
files without a HEADER, so the raw file is checked), else the AAMA text, else millimetres with an
``UNITS_UNKNOWN`` warning. ``$MEASUREMENT`` is only quoted in that warning: many R12 writers leave
it at 0 (imperial) in metric drawings, so scaling by it would break more files than it fixes. An
undefined ``$INSUNITS`` code is an error.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon

from leathernest.errors import DxfError, InputError
from leathernest.io.dxf_chain import Chain, chain_segments
from leathernest.io.dxf_entities import Extracted, extract
from leathernest.io.dxf_pieces import (
    Role,
    attach,
    build_rings,
    make_piece,
    nest_rings,
    regions_from_rings,
    safe_polygon,
)
from leathernest.io.dxf_report import ImportReport, IssueCode
from leathernest.model import Hide, Outline, Piece, Zone

# Chord tolerance for flattening arcs, ellipses and splines, mm. Below a drag knife's repeatability
# (about 0.1 mm) and the 0.2-0.5 mm of digitising tablets (leather_domain.md, section 1); a 100 mm
# circle gets about 100 vertices.
CHORD_TOL_MM = 0.05
# Endpoints of loose entities closer than this share a node, relative to the drawing's diagonal:
# 1e-5 of a 2 m hide is 0.02 mm, far above float rounding of writers that print 4-6 decimals and far
# below any gap a person would draw on purpose. Larger gaps need close_gaps_mm.
CHAIN_REL_TOL = 1e-5
CHAIN_MIN_TOL_MM = 1e-6

# Millimetres per $INSUNITS code (AutoCAD's list; 0 is "unitless").
MM_PER_INSUNITS: dict[int, float] = {
    1: 25.4, 2: 304.8, 3: 1_609_344.0, 4: 1.0, 5: 10.0, 6: 1000.0, 7: 1e6, 8: 25.4e-6,
    9: 0.0254, 10: 914.4, 11: 1e-7, 12: 1e-6, 13: 1e-3, 14: 100.0, 15: 1e4, 16: 1e5, 17: 1e12,
    18: 1.495978707e14, 19: 9.4607304725808e18, 20: 3.0856775814913673e19,
    21: 1200.0 / 3937.0 * 1000.0, 22: 100.0 / 3937.0 * 1000.0, 23: 3600.0 / 3937.0 * 1000.0,
    24: 6336.0 / 3937.0 * 1e6,
}  # fmt: skip
UNIT_NAMES: dict[str, float] = {
    "mm": 1.0, "cm": 10.0, "dm": 100.0, "m": 1000.0, "in": 25.4, "inch": 25.4, "ft": 304.8,
    "yd": 914.4, "um": 1e-3,
}  # fmt: skip
_INSUNITS_RE = re.compile(rb"\$INSUNITS\s*\r?\n\s*70\s*\r?\n\s*(-?\d+)")
_MEASUREMENT_RE = re.compile(rb"\$MEASUREMENT\s*\r?\n\s*70\s*\r?\n\s*(-?\d+)")
_AAMA_UNITS_RE = re.compile(r"^\s*units\s*:\s*(metric|english)", re.I)
_AAMA_TAG_RE = re.compile(r"^\s*(piece name|style name)\s*:", re.I)

AAMA_ROLES: dict[str, Role] = {
    "1": Role.CUT, "11": Role.CUTOUT, "13": Role.PUNCH, "4": Role.NOTCH, "80": Role.NOTCH,
    "81": Role.NOTCH, "82": Role.NOTCH, "83": Role.NOTCH, "8": Role.MARK, "14": Role.MARK,
    "7": Role.GRAIN, "6": Role.MIRROR, "15": Role.TEXT,
}  # fmt: skip
# Layers that never hold cut geometry in any writer.
ALWAYS_IGNORED = ("defpoints",)


@dataclass(frozen=True, slots=True)
class PatternImport:
    """Pieces read from a pattern DXF and the report of what was found and fixed."""

    pieces: tuple[Piece, ...]
    report: ImportReport


@dataclass(frozen=True, slots=True)
class HideImport:
    """A hide read from a DXF and the report."""

    hide: Hide
    report: ImportReport


# -------------------------------------------------------------------------------------------------
# Reading and units


def load_document(path: str | Path) -> tuple[object, ImportReport, bytes]:
    """Open a DXF with ezdxf (readfile, then recover); every failure is a DxfError."""
    import ezdxf
    from ezdxf import recover

    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DxfError(f"cannot read the file ({exc.strerror})", path=name) from None
    if not raw.strip():
        raise DxfError("the file is empty", path=name, hint="export the drawing again as DXF")
    head = raw[:65536]
    if not (raw.startswith(b"AutoCAD Binary DXF") or b"SECTION" in head.upper()):
        raise DxfError(
            "not a DXF file (no SECTION header)", path=name, hint="export the drawing as DXF"
        )
    report = ImportReport(path=name)
    try:
        doc = ezdxf.readfile(p)
    except Exception:  # ezdxf raises DXFStructureError, ValueError, UnicodeError, ...
        try:
            doc, auditor = recover.readfile(p)
        except Exception as exc:
            raise DxfError(
                f"cannot be parsed as DXF ({type(exc).__name__}: {_short(exc)})",
                path=name,
                hint=_truncation_hint(raw) or "open and save it again in a CAD program",
            ) from None
        report.add(
            IssueCode.RECOVERED,
            f"ezdxf.readfile failed; read in recover mode ({len(auditor.fixes)} fixes)",
        )
    report.dxf_version = str(getattr(doc, "dxfversion", ""))
    return doc, report, raw


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else ""


def _truncation_hint(raw: bytes) -> str:
    if b"EOF" not in raw[-64:]:
        return "the file ends without an EOF marker: it looks truncated; copy it again"
    return ""


def _all_texts(doc: object) -> list[str]:
    out: list[str] = []
    for layout in (doc.modelspace(), *doc.blocks):  # type: ignore[attr-defined]
        for e in layout.query("TEXT MTEXT"):
            try:
                out.append(str(e.plain_text()))
            except Exception:
                continue
    return out


def resolve_units(
    raw: bytes, doc: object, override: str | None, texts: list[str], report: ImportReport
) -> float:
    """Millimetres per drawing unit; records the decision (and any warning) in the report."""
    if override is not None:
        key = override.strip().lower()
        if key not in UNIT_NAMES:
            raise InputError(
                f"unknown unit {override!r}", hint=f"use one of {', '.join(sorted(UNIT_NAMES))}"
            )
        report.units = key
        return UNIT_NAMES[key]
    code = None
    if b"$INSUNITS" in raw:
        m = _INSUNITS_RE.search(raw)
        code = int(m.group(1)) if m else doc.header.get("$INSUNITS", None)  # type: ignore[attr-defined]
    if code is not None and code != 0:
        if code not in MM_PER_INSUNITS:
            raise DxfError(
                f"$INSUNITS {code} is not a defined unit code",
                path=report.path,
                hint="pass --units mm (or in, cm, m) to say what the drawing unit is",
            )
        report.units = f"$INSUNITS {code}"
        return MM_PER_INSUNITS[code]
    for t in texts:
        m = _AAMA_UNITS_RE.match(t)
        if m:
            metric = m.group(1).lower() == "metric"
            report.units = "mm" if metric else "in"
            report.add(IssueCode.UNITS_FROM_TEXT, f"units from the text {t.strip()!r}")
            return 1.0 if metric else 25.4
    meas = _MEASUREMENT_RE.search(raw)
    extra = ""
    if meas and int(meas.group(1)) == 0:
        extra = " ($MEASUREMENT says imperial; pass --units in if the drawing is in inches)"
    report.units = "mm (assumed)"
    report.add(
        IssueCode.UNITS_UNKNOWN,
        "the file states no drawing unit; read as millimetres - pass --units to override" + extra,
    )
    return 1.0


# -------------------------------------------------------------------------------------------------
# Layer roles


def _match(layer: str, layer_map: Mapping[str, str]) -> str | None:
    low = layer.lower()
    for pattern, role in layer_map.items():
        if pattern.lower() == low:
            return role
    for pattern, role in layer_map.items():
        if fnmatch.fnmatchcase(low, pattern.lower()):
            return role
    return None


def pattern_roles(
    layers: set[str], aama: bool, layer_map: Mapping[str, str] | None, path: str
) -> dict[str, Role]:
    """The role of every layer: the user's map first, then the convention's defaults."""
    out: dict[str, Role] = {}
    for layer in layers:
        user = _match(layer, layer_map) if layer_map else None
        if user is not None:
            try:
                out[layer] = Role(user.lower())
            except ValueError:
                raise InputError(
                    f"layer map: unknown role {user!r} for layer {layer!r}",
                    path=path,
                    hint=f"roles: {', '.join(r.value for r in Role)}",
                ) from None
        elif layer.lower() in ALWAYS_IGNORED:
            out[layer] = Role.IGNORE
        elif aama:
            out[layer] = AAMA_ROLES.get(layer.strip(), Role.IGNORE)
        else:
            out[layer] = Role.CUT
    return out


def _layers(ext: Extracted) -> set[str]:
    return (
        {s.layer for s in ext.segments}
        | {t.layer for t in ext.texts}
        | {p.layer for p in ext.points}
    )


def _chain_tol(ext: Extracted, close_gaps_mm: float) -> float:
    if not ext.segments:
        return max(CHAIN_MIN_TOL_MM, close_gaps_mm)
    pts = np.vstack([s.path.points for s in ext.segments])
    diag = float(np.hypot(*(pts.max(axis=0) - pts.min(axis=0))))
    return max(CHAIN_REL_TOL * diag, CHAIN_MIN_TOL_MM, close_gaps_mm)


def _prepare(path, units, chord_tol_mm):
    doc, report, raw = load_document(path)
    texts = _all_texts(doc)
    scale = resolve_units(raw, doc, units, texts, report)
    report.scale_to_mm = scale
    ext = extract(doc.modelspace(), scale, chord_tol_mm)  # type: ignore[attr-defined]
    for code, handle, layer, msg in ext.failures:
        report.add(IssueCode(code), msg, layer, (handle,))
    report.ignored.update(ext.ignored)
    if ext.ignored:
        kinds = ", ".join(f"{k} x{v}" for k, v in sorted(ext.ignored.items()))
        report.add(IssueCode.IGNORED_ENTITIES, f"no cut geometry in {kinds}")
    return report, ext, texts


# -------------------------------------------------------------------------------------------------
# Patterns


def read_pattern_dxf(
    path: str | Path,
    *,
    units: str | None = None,
    layer_map: Mapping[str, str] | None = None,
    chord_tol_mm: float = CHORD_TOL_MM,
    close_gaps_mm: float = 0.0,
) -> PatternImport:
    """Read the pattern pieces of a DXF file.

    Parameters
    ----------
    path
        The DXF file (ASCII or binary, any version ezdxf reads or recovers).
    units
        Drawing unit override (``mm``, ``cm``, ``m``, ``in``, ``ft``, ...).
    layer_map
        Layer name or glob pattern -> role (``cut``, ``cutout``, ``punch``, ``notch``, ``mark``,
        ``crease``, ``grain``, ``mirror``, ``text``, ``ignore``), matched case-insensitively,
        exact names before patterns. Unmapped layers keep their default role: by the AAMA table for
        AAMA files, ``cut`` otherwise.
    chord_tol_mm
        Flattening tolerance; the nesting polygon contains the true outline (holes only shrink).
    close_gaps_mm
        Endpoints closer than this are joined when chaining loose entities.

    Raises
    ------
    DxfError
        Not a DXF, unreadable, truncated, or no usable closed outline (names file, layer, handle).
    """
    report, ext, texts = _prepare(path, units, chord_tol_mm)
    # The convention needs both its system texts and its numbered boundary layer.
    aama = any(_AAMA_TAG_RE.match(t) for t in texts) and any(s.layer == "1" for s in ext.segments)
    report.convention = "aama" if aama else "generic"
    roles = pattern_roles(_layers(ext), aama, layer_map, str(path))
    segments = [s for s in ext.segments if roles[s.layer] is not Role.IGNORE]
    chains = chain_segments(segments, _chain_tol(ext, close_gaps_mm))
    eps = _chain_tol(ext, close_gaps_mm) * 2
    if aama:
        regions = []
        for group in sorted({c.group for c in chains}):
            sub = [c for c in chains if c.group == group]
            rings = nest_rings(build_rings(sub, roles, chord_tol_mm, report), eps, report)
            regions.extend(regions_from_rings(rings, chord_tol_mm, report))
    else:
        rings = nest_rings(build_rings(chains, roles, chord_tol_mm, report), eps, report)
        regions = regions_from_rings(rings, chord_tol_mm, report)
    found = attach(
        regions, chains, ext.points, ext.texts, roles, chord_tol_mm, report, same_group=aama
    )
    pieces = _pieces(regions, found, ext, aama, report)
    if not pieces:
        raise _no_outline(report)
    return PatternImport(tuple(pieces), report)


def _pieces(regions, found, ext: Extracted, aama: bool, report: ImportReport) -> list[Piece]:
    stem = Path(report.path).stem
    pieces: list[Piece] = []
    used: set[str] = set()
    for k, (region, f) in enumerate(zip(regions, found, strict=True)):
        block = ext.group_names.get(region.group, "")
        name = f.name or (block if block and not block.startswith("*") else f"{stem}-{k + 1}")
        base = f"{name}-{f.size}" if f.size and aama else name
        pid, n = base, 2
        while pid in used:
            pid, n = f"{base}-{n}", n + 1
        used.add(pid)
        if aama:
            _check_half_pattern(region, f, report, pid)
        piece = make_piece(pid, region, f, name, report.path)
        if piece is None:
            report.add(
                IssueCode.DEGENERATE, f"piece {pid}: no usable area", region.layer, region.handles
            )
            continue
        pieces.append(piece)
    return pieces


def _check_half_pattern(region, found, report: ImportReport, pid: str) -> None:
    from shapely.geometry import LineString

    boundary = region.polygon.exterior
    for feat in found.features:
        if feat.kind.value != "mirror_line" or feat.path is None:
            continue
        line = LineString(feat.path.points)
        if boundary.buffer(max(1e-3 * line.length, 1e-6)).contains(line):
            report.add(
                IssueCode.HALF_PATTERN,
                f"piece {pid}: mirror line on the boundary - drawn as a half, nested as drawn",
                feat.layer,
                region.handles[:1],
            )
            return


def _no_outline(report: ImportReport) -> DxfError:
    bad = [i for i in report.issues if i.code is IssueCode.SELF_INTERSECTION]
    if bad:
        first = bad[0]
        return DxfError(
            f"no usable outline: {len(bad)} closed contour(s) cross themselves",
            path=report.path,
            layer=first.layer,
            handle=first.handles[0] if first.handles else None,
            hint="redraw the outline so that no edge crosses another",
        )
    opened = [i for i in report.issues if i.code is IssueCode.OPEN_CONTOUR]
    if opened:
        first = opened[0]
        m = re.search(r"gap ([0-9.e+-]+) mm", first.message)
        gap = float(m.group(1)) if m else 0.0
        hint = "close it in CAD" + (
            f" or pass --close-gaps-mm {max(gap * 1.1, gap + 0.01):.3g}" if gap > 0 else ""
        )
        return DxfError(
            f"no closed outline: open contour (gap {gap:.3g} mm)",
            path=report.path,
            layer=first.layer,
            handle=first.handles[0] if first.handles else None,
            hint=hint,
        )
    recovered = any(i.code is IssueCode.RECOVERED for i in report.issues)
    return DxfError(
        "no closed outline found (no LINE, ARC, CIRCLE, POLYLINE, ELLIPSE or SPLINE forms a ring)",
        path=report.path,
        hint="the file looks truncated or damaged; export it again"
        if recovered
        else "draw the piece outlines as closed contours, or map their layers with --layer-map",
    )


# -------------------------------------------------------------------------------------------------
# Hides


_HIDE_OUTLINE = re.compile(r"^(hide|outline|contour|border|skin)$", re.I)
_HIDE_DEFECT = re.compile(r"^(defects?|holes?|grade_?0)$", re.I)
_HIDE_GRADE = re.compile(r"^(?:grade|zone|quality|q)[ _-]?(\d+)$", re.I)
_HIDE_BACKBONE = re.compile(r"^(backbone|spine)$", re.I)


def hide_layer_role(layer: str, layer_map: Mapping[str, str] | None) -> str:
    """``outline``, ``backbone``, ``ignore``, ``grade<N>`` or ``unknown`` for a hide layer.

    Default naming (case-insensitive): HIDE / OUTLINE / CONTOUR / BORDER / SKIN for the hide's edge,
    DEFECT(S) / HOLE(S) / GRADE0 for grade-0 zones, GRADE<N> / ZONE<N> / Q<N> for grade N zones,
    BACKBONE / SPINE for the backbone line. The map's values use the same words
    (``defect`` = ``grade0``).
    """
    user = _match(layer, layer_map) if layer_map else None
    if user is not None:
        u = user.lower().strip()
        if u == "defect":
            return "grade0"
        if u in ("outline", "backbone", "ignore") or re.fullmatch(r"grade\d+", u):
            return u
        raise InputError(
            f"hide layer map: unknown role {user!r}",
            hint="use outline, backbone, ignore, defect or grade<N>",
        )
    if _HIDE_OUTLINE.match(layer):
        return "outline"
    if _HIDE_DEFECT.match(layer):
        return "grade0"
    m = _HIDE_GRADE.match(layer)
    if m:
        return f"grade{int(m.group(1))}"
    if _HIDE_BACKBONE.match(layer):
        return "backbone"
    return "unknown"


def read_hide_dxf(
    path: str | Path,
    *,
    units: str | None = None,
    layer_map: Mapping[str, str] | None = None,
    hide_id: str | None = None,
    chord_tol_mm: float = CHORD_TOL_MM,
    close_gaps_mm: float = 0.0,
) -> HideImport:
    """Read a digitised hide: outline, graded zones and defects, backbone line.

    The outline is the largest closed ring on an outline layer (or, when no layer is named so, on
    any layer without another role); other closed rings on outline layers become holes. The hide's
    edge is flattened inwards and zones outwards, so the usable leather is never overstated.
    """
    report, ext, _ = _prepare(path, units, chord_tol_mm)
    roles = {layer: hide_layer_role(layer, layer_map) for layer in _layers(ext)}
    segments = [s for s in ext.segments if roles[s.layer] != "ignore"]
    chains = chain_segments(segments, _chain_tol(ext, close_gaps_mm))
    has_outline_layer = any(r == "outline" for r in roles.values())
    edge_roles = ("outline",) if has_outline_layer else ("outline", "unknown")
    edge = [c for c in chains if c.closed and roles[c.layer] in edge_roles]
    rings = _closed_polys(edge, chord_tol_mm, report, grow=False)
    if not rings:
        raise DxfError(
            "no closed hide outline found",
            path=report.path,
            hint="draw the hide's edge as a closed contour on layer HIDE (or map it with "
            "--layer-map LAYER=outline)",
        )
    rings.sort(key=lambda r: -r[1].area)
    _outer_chain, outer = rings[0]
    holes = [
        safe_polygon(c, _ccw(c), chord_tol_mm, True)
        for c, p in rings[1:]
        if outer.contains(p.representative_point())
    ]
    region = outer.difference(shapely.union_all(holes)) if holes else outer
    zones: list[Zone] = []
    for c in chains:
        role = roles[c.layer]
        if not role.startswith("grade"):
            continue
        if not c.closed:
            report.add(
                IssueCode.OPEN_CONTOUR,
                f"open zone contour (gap {c.gap:.3g} mm)",
                c.layer,
                c.handles,
            )
            continue
        for _, poly in _closed_polys([c], chord_tol_mm, report, grow=True):
            zones.append(Zone(Outline.of(np.asarray(poly.exterior.coords)[:-1]), int(role[5:])))
    backbone = _backbone(chains, roles, chord_tol_mm)
    hid = hide_id or Path(str(path)).stem
    outline = _outline_of(region, f"hide {hid}", report)
    return HideImport(Hide(hid, outline, tuple(zones), backbone), report)


def _ccw(chain: Chain):
    from leathernest.io.dxf_curves import orient_path

    return orient_path(chain.path, ccw=True)


def _closed_polys(chains: list[Chain], tol: float, report: ImportReport, grow: bool):
    out = []
    for c in chains:
        from leathernest.io.dxf_curves import flatten_path

        path = _ccw(c)
        if not Polygon(flatten_path(path, tol, on_curve=True)).is_valid:
            report.add(
                IssueCode.SELF_INTERSECTION,
                "closed contour crosses itself; left out",
                c.layer,
                c.handles,
            )
            continue
        poly = safe_polygon(c, path, tol, grow)
        if isinstance(poly, Polygon) and poly.area > 0:
            out.append((c, poly))
    return out


def _backbone(chains: list[Chain], roles: dict[str, str], tol: float) -> np.ndarray | None:
    from leathernest.io.dxf_curves import flatten_path

    lines = [c for c in chains if roles[c.layer] == "backbone"]
    if not lines:
        return None
    best = max(lines, key=lambda c: float(np.sum(np.hypot(*np.diff(c.path.points, axis=0).T))))
    from leathernest.model import CurvePath

    return flatten_path(CurvePath(best.path.points, best.path.bulges, False), tol)


def _outline_of(region, what: str, report: ImportReport) -> Outline:
    if not isinstance(region, Polygon):
        region = max(getattr(region, "geoms", [region]), key=lambda g: g.area)
    try:
        return Outline.of(
            np.asarray(region.exterior.coords)[:-1],
            [np.asarray(i.coords)[:-1] for i in region.interiors],
            what=what,
        )
    except InputError as exc:
        raise DxfError(exc.message, path=report.path, hint="check the hide outline") from None
