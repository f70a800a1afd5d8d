"""Read pattern pieces, hides and hand layouts from DXF files of any writer (CAD, CAM, AAMA).

Public API: :func:`read_drawing` (the one reader every DXF goes through: loading, units, blocks,
limits, warnings), :func:`read_pattern_dxf` (pieces) and :func:`read_hide_dxf` (a hide with zones
and backbone); :mod:`leathernest.io.dxf_layout` reads hand layouts with :func:`read_drawing` too.
Results come with an :class:`~leathernest.io.dxf_report.ImportReport` of coded issues (each with
layer and handles); a file that cannot be used raises :class:`~leathernest.errors.DxfError`
naming the file and, where there is one, the layer and handle. Loading follows ezdxf's split
(house style, section 4): ``ezdxf.readfile`` first, ``ezdxf.recover.readfile`` when that fails.

The pipeline: units -> entities to bulge paths in mm (:mod:`dxf_entities`: blocks, limits) ->
planar graph of the cut layers (:mod:`dxf_graph`: noding, faces, outlines and holes, leftovers) ->
safe polygons, features, names (:mod:`dxf_pieces`) -> model. A file with some closed outlines and
some open contours imports the closed ones and reports each open contour; only a file with no
usable outline is an error.

ASTM D6673 / AAMA convention (detected by its ``Piece Name:`` / ``Style Name:`` texts): each block
is one piece and its layers are numbers: 1 boundary, 11 internal cut-outs, 13 drill holes, 4 and
80-83 notches, 8 internal lines, 14 sew lines, 7 grain line, 6 mirror line; 2, 3, 5, 9, 10, 12 and
84-87 are points, grading and validation curves and are ignored. Units come from the ``Units:`` text
(ENGLISH = inch, METRIC = mm). Graded sizes stacked in one file become one piece each (id
``name-size``, ``Piece.size`` the size, ``Piece.product`` the style name).

Units: ``--units`` override, else ``$INSUNITS`` as written in the file (ezdxf fills in a default for
files without a HEADER, so the raw file is checked), else the AAMA text, else millimetres with an
``UNITS_UNKNOWN`` warning. ``$MEASUREMENT`` is only quoted in that warning: many R12 writers leave
it at 0 (imperial) in metric drawings, so scaling by it would break more files than it fixes. An
undefined ``$INSUNITS`` code is an error.

Limits: files up to :data:`MAX_FILE_MB` MB; ``close_gaps_mm`` up to :data:`MAX_CLOSE_GAPS_MM`;
block depth, expanded entities and vertices as in :mod:`leathernest.io.dxf_entities`.
"""

from __future__ import annotations

import fnmatch
import functools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leathernest.errors import DxfError, InputError
from leathernest.io.dxf_entities import Extracted, extract
from leathernest.io.dxf_graph import Contour, PlanarGraph, Region, closed_regions, merged_lines
from leathernest.io.dxf_pieces import (
    FEATURE_OF_ROLE,
    Found,
    Role,
    attach,
    make_piece,
    region_polygon,
)
from leathernest.io.dxf_report import ImportReport, IssueCode
from leathernest.model import FeatureKind, Hide, Outline, Piece, Zone

# Chord tolerance for flattening arcs, ellipses and splines, mm. Below a drag knife's repeatability
# (about 0.1 mm) and the 0.2-0.5 mm of digitising tablets (leather_domain.md, section 1); a 100 mm
# circle gets about 100 vertices.
CHORD_TOL_MM = 0.05
# Endpoints of loose entities closer than this share a node, relative to the drawing's diagonal:
# 1e-5 of a 2 m hide is 0.02 mm, far above float rounding of writers that print 4-6 decimals and far
# below any gap a person would draw on purpose. Larger gaps need close_gaps_mm.
CHAIN_REL_TOL = 1e-5
CHAIN_MIN_TOL_MM = 1e-6
# Largest file read: ezdxf holds about 15 bytes per byte of DXF and parses about 1.5 MB/s on the
# project machine, so 50 MB is under a minute and a gigabyte.
MAX_FILE_MB = 50
# Largest gap that close_gaps_mm may close: wider gaps are drawing errors to fix in CAD.
MAX_CLOSE_GAPS_MM = 100.0

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
# Files that are something else under a .dxf name: refused before ezdxf's recover mode, which
# would read the DXF text inside an uncompressed archive as if it were the file.
_NOT_DXF = (
    (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"), (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"), (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"AC10", "a DWG drawing (AutoCAD's own format)"),
)
# An imported face smaller than this, or with no disc of this diameter inside, is no piece: a
# knife cannot cut it, and it is a drawing's rounding or a units mistake (1e-9 mm² of outline).
MIN_PIECE_AREA_MM2 = 1.0
MIN_PIECE_WIDTH_MM = 0.2
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
    sample_size: str | None = None  # AAMA "Sample Size:" text: the size the pattern was made in

    @property
    def sizes(self) -> tuple[str, ...]:
        """The graded sizes found, in the order of the file (empty when the file names none)."""
        return tuple(dict.fromkeys(p.size for p in self.pieces if p.size))


@dataclass(frozen=True, slots=True)
class HideImport:
    """A hide read from a DXF and the report."""

    hide: Hide
    report: ImportReport


@dataclass(frozen=True, slots=True)
class Drawing:
    """A DXF file read once: its entities in mm, every text (for conventions), the report."""

    ext: Extracted
    texts: tuple[str, ...]
    report: ImportReport
    chord_tol_mm: float

    def chain_tol(self) -> float:
        """Ends closer than this are one node: :data:`CHAIN_REL_TOL` of the drawing's diagonal."""
        if not self.ext.segments:
            return CHAIN_MIN_TOL_MM
        pts = np.vstack([s.path.points for s in self.ext.segments])
        diag = float(np.hypot(*(pts.max(axis=0) - pts.min(axis=0))))
        return max(CHAIN_REL_TOL * diag, CHAIN_MIN_TOL_MM)

    def graph(self, segments, close_gaps_mm: float) -> PlanarGraph:
        """The planar graph of some of the drawing's segments."""
        return PlanarGraph(
            segments, self.chain_tol(), close_gaps_mm, self.chord_tol_mm, self.report
        )


def names_the_file(func: Callable) -> Callable:
    """Every InputError out of a reader names the file it read (the first argument)."""

    @functools.wraps(func)
    def wrapper(path, *args, **kwargs):
        try:
            return func(path, *args, **kwargs)
        except InputError as exc:
            if exc.path:
                raise
            raise InputError(
                exc.message, path=str(path), location=exc.location, hint=exc.hint
            ) from None

    return wrapper


# -------------------------------------------------------------------------------------------------
# Reading and units


def load_document(path: str | Path) -> tuple[object, ImportReport, bytes]:
    """Open a DXF with ezdxf (readfile, then recover); every failure is a DxfError."""
    import ezdxf
    from ezdxf import recover

    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_MB * 1_000_000:
            raise DxfError(
                f"the file is {size / 1e6:.0f} MB: larger than the importer's limit of "
                f"{MAX_FILE_MB} MB",
                path=name,
                hint="split the drawing, or save it without unused blocks and layers",
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise DxfError(f"cannot read the file ({exc.strerror})", path=name) from None
    if not raw.strip():
        raise DxfError("the file is empty", path=name, hint="export the drawing again as DXF")
    head = raw[:65536]
    for magic, what in _NOT_DXF:
        if raw.startswith(magic):
            raise DxfError(f"not a DXF file: it is {what}", path=name,
                           hint="unpack or export the drawing as DXF and import that")
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
            except Exception:  # a damaged text is no reason to reject the file
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
                f"unknown unit {override!r}",
                path=report.path,
                hint=f"use one of {', '.join(sorted(UNIT_NAMES))}",
            )
        report.units = report.unit = key
        return UNIT_NAMES[key]
    code = None
    if b"$INSUNITS" in raw:
        m = _INSUNITS_RE.search(raw)
        try:
            code = int(m.group(1)) if m else int(doc.header.get("$INSUNITS", 0) or 0)  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            code = -1
    if code is not None and code != 0:
        if code not in MM_PER_INSUNITS:
            raise DxfError(
                f"$INSUNITS {code} is not a defined unit code",
                path=report.path,
                hint="pass --units mm (or in, cm, m) to say what the drawing unit is",
            )
        from ezdxf import units as ezunits

        report.units = f"$INSUNITS {code}"
        report.unit = str(ezunits.decode(code) or f"$INSUNITS {code}")
        return MM_PER_INSUNITS[code]
    for t in texts:
        m = _AAMA_UNITS_RE.match(t)
        if m:
            metric = m.group(1).lower() == "metric"
            report.units = report.unit = "mm" if metric else "in"
            report.add(IssueCode.UNITS_FROM_TEXT, f"units from the text {t.strip()!r}")
            return 1.0 if metric else 25.4
    meas = _MEASUREMENT_RE.search(raw)
    extra = ""
    if meas and int(meas.group(1)) == 0:
        extra = " ($MEASUREMENT says imperial; pass --units in if the drawing is in inches)"
    report.units = "mm (assumed)"
    report.unit = "mm"
    report.add(
        IssueCode.UNITS_UNKNOWN,
        "the file states no drawing unit; read as millimetres - pass --units to override" + extra,
    )
    return 1.0


def check_close_gaps(close_gaps_mm: float, path: str) -> None:
    """``close_gaps_mm`` must be a finite distance from 0 to :data:`MAX_CLOSE_GAPS_MM`."""
    if not (math.isfinite(close_gaps_mm) and 0.0 <= close_gaps_mm <= MAX_CLOSE_GAPS_MM):
        raise InputError(
            f"close-gaps-mm must be from 0 to {MAX_CLOSE_GAPS_MM:g} mm, got {close_gaps_mm!r}",
            path=path,
            hint="gaps wider than that are drawing errors: close them in CAD",
        )


@names_the_file
def read_drawing(
    path: str | Path, *, units: str | None = None, chord_tol_mm: float = CHORD_TOL_MM
) -> Drawing:
    """Load a DXF, resolve its units and expand its blocks: the one reader of every DXF.

    Raises
    ------
    DxfError
        Not a DXF, unreadable, truncated, an undefined unit, or over a limit (names the file).
    """
    doc, report, raw = load_document(path)
    texts = _all_texts(doc)
    scale = resolve_units(raw, doc, units, texts, report)
    report.scale_to_mm = scale
    ext = extract(doc, scale, chord_tol_mm, str(path))
    for code, handle, layer, msg in ext.failures:
        report.add(IssueCode(code), msg, layer, (handle,))
    if ext.non_planar:
        kinds = ", ".join(sorted({k for _h, _l, k in ext.non_planar}))
        _handle, first_layer, _kind = ext.non_planar[0]
        report.add(IssueCode.NON_PLANAR,
                   f"{len(ext.non_planar)} 3D entit{'y' if len(ext.non_planar) == 1 else 'ies'} "
                   f"({kinds}) leave the drawing plane (their z varies): projected onto xy - a "
                   "pattern is drawn flat; check that this is not a 3D survey or model",
                   first_layer, tuple(h for h, _l, _k in ext.non_planar[:10]))
    report.ignored.update(ext.ignored)
    if ext.ignored:
        kinds = ", ".join(f"{k} x{v}" for k, v in sorted(ext.ignored.items()))
        report.add(IssueCode.IGNORED_ENTITIES, f"no cut geometry in {kinds}")
    return Drawing(ext, tuple(texts), report, chord_tol_mm)


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


def _text_value(texts: tuple[str, ...], key: str) -> str | None:
    pattern = re.compile(rf"^\s*{key}\s*:\s*(.*?)\s*$", re.I)
    for t in texts:
        m = pattern.match(t)
        if m and m.group(1):
            return m.group(1)
    return None


# -------------------------------------------------------------------------------------------------
# Patterns


@names_the_file
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
        Free ends closer than this to another end or an edge are joined (0 to
        :data:`MAX_CLOSE_GAPS_MM`).

    Raises
    ------
    DxfError
        Not a DXF, unreadable, truncated, over a limit, or no usable closed outline (names file,
        layer, handle).
    """
    check_close_gaps(close_gaps_mm, str(path))
    drawing = read_drawing(path, units=units, chord_tol_mm=chord_tol_mm)
    report, ext = drawing.report, drawing.ext
    # The convention needs both its system texts and its numbered boundary layer.
    aama = any(_AAMA_TAG_RE.match(t) for t in drawing.texts) and any(
        s.layer == "1" for s in ext.segments
    )
    report.convention = "aama" if aama else "generic"
    roles = pattern_roles(_layers(ext), aama, layer_map, str(path))
    cut = [s for s in ext.segments if roles[s.layer] in (Role.CUT, Role.CUTOUT)]
    cutouts = frozenset(layer for layer, r in roles.items() if r is Role.CUTOUT)
    batches = (
        [[s for s in cut if s.group == g] for g in sorted({s.group for s in cut})]
        if aama
        else [cut]
    )
    regions: list[Region] = []
    contours: list[tuple[Contour, FeatureKind, bool]] = []
    for batch in batches:
        graph = drawing.graph(batch, close_gaps_mm)
        found_regions = graph.regions(cutouts)
        _report_merged(found_regions, report)
        regions.extend(found_regions)
        contours.extend((c, FeatureKind.MARK, True) for c in graph.leftovers(found_regions))
    for s in ext.segments:
        kind = FEATURE_OF_ROLE.get(roles[s.layer])
        if kind is not None:
            c = Contour(s.path, s.path.closed, (s.handle,), s.layer, s.group, s.freeform)
            contours.append((c, kind, False))
    found = attach(
        regions, contours, ext.points, ext.texts, roles, chord_tol_mm, report, same_group=aama
    )
    product = (_text_value(drawing.texts, "style name") if aama else None) or Path(path).stem
    pieces = _pieces(regions, found, ext, aama, report, chord_tol_mm, product)
    if not pieces:
        raise _no_outline(report)
    sample = _text_value(drawing.texts, "sample size") if aama else None
    return PatternImport(tuple(pieces), report, sample)


def _report_merged(regions: list[Region], report: ImportReport) -> None:
    for r in regions:
        if r.n_faces > 1:
            report.add(
                IssueCode.OVERLAPPING_OUTLINES,
                f"{r.n_faces} closed faces form one piece: outlines overlap or touch, or lines "
                "cross the piece; their union is cut",
                r.layer,
                r.handles,
            )


def _pieces(
    regions: list[Region],
    found: list[Found],
    ext: Extracted,
    aama: bool,
    report: ImportReport,
    tol: float,
    product: str,
) -> list[Piece]:
    stem = Path(report.path).stem
    pieces: list[Piece] = []
    used: set[str] = set()
    tried: dict[str, int] = {}  # base id -> the last suffix tried: naming stays linear
    for k, (region, f) in enumerate(zip(regions, found, strict=True)):
        block = ext.group_names.get(region.group, "")
        name = f.name or (block if block and not block.startswith("*") else f"{stem}-{k + 1}")
        base = f"{name}-{f.size}" if f.size and aama else name
        pid, n = base, tried.get(base, 1) + 1
        while pid in used:
            pid, n = f"{base}-{n}", n + 1
        tried[base] = n - 1
        used.add(pid)
        if aama:
            _check_half_pattern(region, f, report, pid)
        piece = make_piece(pid, region, f, name, tol, product)
        if piece is None:
            report.add(
                IssueCode.DEGENERATE, f"piece {pid}: no usable area", region.layer, region.handles
            )
            continue
        small = _too_small(piece)
        if small:
            report.add(IssueCode.DEGENERATE, f"piece {pid}: {small}: not a piece",
                       region.layer, region.handles)
            continue
        pieces.append(piece)
    return pieces


def _too_small(piece: Piece) -> str:
    """Why a piece is below the importer's minimum size (area, inscribed width), or ''."""
    import shapely
    from shapely.geometry import Polygon

    if piece.area < MIN_PIECE_AREA_MM2:
        return f"area {piece.area:.3g} mm² below the minimum of {MIN_PIECE_AREA_MM2:g} mm²"
    poly = Polygon(piece.outline.outer, list(piece.outline.holes))
    width = 2.0 * shapely.maximum_inscribed_circle(poly, MIN_PIECE_WIDTH_MM / 10).length
    if width < MIN_PIECE_WIDTH_MM:
        return (f"no disc of {MIN_PIECE_WIDTH_MM:g} mm fits inside it (widest {width:.3g} mm): "
                "a knife cannot cut it")
    return ""


def _check_half_pattern(region: Region, found: Found, report: ImportReport, pid: str) -> None:
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


def _no_outline(report: ImportReport, what: str = "closed outline") -> DxfError:
    """The error for a file without a usable outline, naming the most telling issue."""

    def first(*codes: IssueCode):
        hits = [i for i in report.issues if i.code in codes]
        return hits[0] if hits else None, len(hits)

    def where(issue) -> dict:
        return {"layer": issue.layer, "handle": issue.handles[0] if issue.handles else None}

    bad, n = first(IssueCode.SELF_INTERSECTION)
    if bad is not None:
        return DxfError(
            f"no usable outline: {n} closed contour(s) cross themselves",
            path=report.path,
            hint="redraw the outline so that no edge crosses another",
            **where(bad),
        )
    opened, n = first(IssueCode.OPEN_CONTOUR)
    if opened is not None:
        gap = opened.gap_mm or 0.0
        hint = "close it in CAD" + (
            f" or pass --close-gaps-mm {max(gap * 1.1, gap + 0.01):.3g}"
            if 0 < gap <= MAX_CLOSE_GAPS_MM / 1.1
            else ""
        )
        more = f"; {n - 1} more open contour(s)" if n > 1 else ""
        return DxfError(
            f"no {what}: open contour (gap {gap:.3g} mm){more}",
            path=report.path,
            hint=hint,
            **where(opened),
        )
    skipped, n = first(IssueCode.BAD_ENTITY, IssueCode.DEGENERATE)
    if skipped is not None:
        return DxfError(
            f"no {what}: {n} entit{'y' if n == 1 else 'ies'} skipped, the first: "
            f"{skipped.message}",
            path=report.path,
            hint="repair or redraw the entity in CAD",
            **where(skipped),
        )
    stray, n = first(IssueCode.STRAY_LINE)
    if stray is not None:
        return DxfError(
            f"no {what}: {n} line(s) touch or cross each other but close no contour",
            path=report.path,
            hint="draw the outlines as closed contours",
            **where(stray),
        )
    recovered = any(i.code is IssueCode.RECOVERED for i in report.issues)
    return DxfError(
        f"no {what} found (no LINE, ARC, CIRCLE, POLYLINE, ELLIPSE or SPLINE forms a ring)",
        path=report.path,
        hint="the file looks truncated or damaged; export it again"
        if recovered
        else "draw the outlines as closed contours, or map their layers with --layer-map",
    )


# -------------------------------------------------------------------------------------------------
# Hides


_HIDE_OUTLINE = re.compile(r"^(hide|outline|contour|border|skin)$", re.I)
_HIDE_DEFECT = re.compile(r"^(defects?|holes?|grade_?0)$", re.I)
_HIDE_GRADE = re.compile(r"^(?:grade|zone|quality|q)[ _-]?(\d+)$", re.I)
_HIDE_BACKBONE = re.compile(r"^(backbone|spine)$", re.I)


def hide_layer_role(layer: str, layer_map: Mapping[str, str] | None, path: str = "") -> str:
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
            f"hide layer map: unknown role {user!r} for layer {layer!r}",
            path=path or None,
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


@names_the_file
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

    The outline is the largest region on the outline layers (or, when no layer is named so, on
    the layers without another role); closed contours inside it are its holes. The hide's edge is
    flattened inwards and its holes and zones outwards, so the usable leather is never overstated.
    """
    check_close_gaps(close_gaps_mm, str(path))
    drawing = read_drawing(path, units=units, chord_tol_mm=chord_tol_mm)
    report, ext = drawing.report, drawing.ext
    roles = {layer: hide_layer_role(layer, layer_map, str(path)) for layer in _layers(ext)}
    has_outline_layer = any(r == "outline" for r in roles.values())
    edge_roles = ("outline",) if has_outline_layer else ("outline", "unknown")
    unused = sorted(layer for layer, r in roles.items() if r == "unknown" and has_outline_layer)
    if unused:
        report.add(
            IssueCode.IGNORED_LAYER,
            f"layer(s) {', '.join(unused)} have no hide role (outline, defect, grade<N>, "
            "backbone): ignored - map them with --layer-map",
        )
    edge = [s for s in ext.segments if roles[s.layer] in edge_roles]
    graph = drawing.graph(edge, close_gaps_mm)
    regions = sorted(graph.regions(), key=lambda r: -r.polygon.area)
    graph.leftovers(regions)
    if not regions:
        err = _no_outline(report, "closed hide outline")
        err.hint = (
            "draw the hide's edge as a closed contour on layer HIDE (or map it with --layer-map "
            "LAYER=outline)" + (f"; {err.hint}" if "--close-gaps-mm" in err.hint else "")
        )
        raise DxfError(err.message, path=report.path, layer=err.layer, handle=err.handle,
                       hint=err.hint)  # fmt: skip
    if len(regions) > 1:
        report.add(
            IssueCode.IGNORED_OUTLINE,
            f"{len(regions) - 1} closed outline(s) beside the largest on the hide layers: "
            "ignored (one hide per file)",
            regions[1].layer,
            regions[1].handles,
        )
    hid = hide_id or Path(str(path)).stem
    poly = region_polygon(regions[0], chord_tol_mm, grow=False)
    outline = _outline_of(poly, f"hide {hid}", report)
    zones: list[Zone] = []
    for role in sorted({r for r in roles.values() if r.startswith("grade")}):
        # Closed zone outlines stay one zone each (zones may overlap); soups are chained.
        segs = [s for s in ext.segments if roles[s.layer] == role]
        zgraph = drawing.graph([s for s in segs if not s.path.closed], close_gaps_mm)
        zregions = zgraph.regions()
        zgraph.leftovers(zregions)
        for z in [*closed_regions(segs, chord_tol_mm, report), *zregions]:
            zpoly = region_polygon(z, chord_tol_mm, grow=True)
            try:
                ring = np.asarray(zpoly.exterior.coords)[:-1]
                zones.append(Zone(Outline.of(ring), int(role[5:])))
            except (InputError, AttributeError):  # no polygon, or no area left
                report.add(IssueCode.DEGENERATE, "zone with no usable area", z.layer, z.handles)
    backbone = _backbone([s for s in ext.segments if roles[s.layer] == "backbone"], chord_tol_mm)
    return HideImport(Hide(hid, outline, tuple(zones), backbone), report)


def _backbone(segments, tol: float) -> np.ndarray | None:
    lines = merged_lines(segments, tol)
    if not lines:
        return None
    return max(lines, key=lambda c: float(np.sum(np.hypot(*np.diff(c, axis=0).T))))


def _outline_of(region, what: str, report: ImportReport) -> Outline:
    if region is None:
        raise DxfError(f"{what}: no usable area", path=report.path, hint="check the hide outline")
    try:
        return Outline.of(
            np.asarray(region.exterior.coords)[:-1],
            [np.asarray(i.coords)[:-1] for i in region.interiors],
            what=what,
        )
    except InputError as exc:
        raise DxfError(exc.message, path=report.path, hint="check the hide outline") from None
