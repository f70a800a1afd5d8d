"""Seeded generator of realistic hides: outline, backbone, grade zones and defects.

Why: the bundled Baldacci hides are few and carry no backbone; tests, demos and benchmarks need any
number of hides that look and behave like the cutting room's: an irregular outline with legs, neck
and belly edges, the best leather in the croupon along the backbone, poorer shoulder, belly, neck
and legs, and the defects real leather has (holes, scratches, healed scars, veins, tick-bite
clusters, brands) in the amounts the trade grades by. Sizes and zone shares follow
``leather_domain.md`` (sections 1 and 2, sources given per preset below); the defect kinds, their
shapes and the quality presets ``clean``, ``typical`` and ``poor`` are in
:mod:`leathernest.generators.defects`.

Geometry, in millimetres, x right, y up, the backbone running roughly along +x from tail to neck:

1. An outline in polar form around the hide's centre: a slightly boxy superellipse of the preset's
   aspect, plus Gaussian lobes for the four legs, the neck and the tail, dips at the armpits and
   flanks, and a few random low Fourier harmonics. A radius function of the angle always gives a
   simple ring. A cow side is the half of such a hide on one side of the backbone, closed by the
   straight backbone cut.
2. A gentle bend y += c·x² and a small tilt (both bijections of the plane, so the ring stays
   simple), then a scale to the drawn area, then a shift so the bounding box starts at (0, 0).
3. Grade zones, disjoint: shoulder (grade 3), belly and neck (grade 2), legs (grade 1); the
   croupon/butt along the rear of the backbone is left unmarked, i.e. best grade. The literature
   gives butt 13 % + bend 30 % of a hide as the best parts, shoulder 32 %, head and belly 25 %
   [S32]; the generated croupon is 27-38 % of the hide.
4. Defects (:func:`leathernest.generators.defects.draw_defects`), each inside the hide and free to
   overlap the zones (a point takes the lowest grade of the zones covering it), until they cover the
   share of the area the quality preset asks for.

Everything is drawn from one ``numpy.random.Generator`` seeded with the given seed, so a seed gives
the same hide on every machine. Uses numpy and shapely; ezdxf only inside :func:`write_hide_dxf`.
The module is somewhat over the house's ~400 lines: generator and its two writers stay together so
that the file formats of a generated hide are documented in one place.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from leathernest.errors import InputError
from leathernest.generators.defects import DEFECT_LABELS, QUALITIES, Quality, Regions, draw_defects
from leathernest.io.atomic import write_atomic
from leathernest.io.job_json import job_to_json
from leathernest.model import Hide, Job, Outline, Zone

SQFT_M2 = 0.09290304  # one square foot in m²

# Grades of the anatomical zones. The croupon is unmarked: the best grade ("A" in the pattern
# library), then shoulder, belly/neck, legs; 0 is never usable (defects:
# leathernest.generators.defects).
GRADE_SHOULDER = 3
GRADE_BELLY_NECK = 2
GRADE_LEG = 1
ZONE_LABELS = ("shoulder", "belly_neck", "leg")
QUALITY_NAMES = tuple(QUALITIES)
DEFECT_LABELS = DEFECT_LABELS  # re-exported: the labels of defect zones

# Pieces of zones smaller than this are dropped (mm²): slivers from clipping, below any piece size.
MIN_ZONE_MM2 = 4.0


@dataclass(frozen=True)
class HideSpec:
    """Parameters of one kind of hide; ranges are (low, high), drawn uniformly per hide.

    Attributes
    ----------
    kind : str
        ``"calf"``, ``"goat"`` or ``"cow_side"`` (a half hide cut along the backbone).
    area_m2 : (float, float)
        Gross area of the generated outline.
    aspect : (float, float)
        Length along the backbone over width across it, leg tips excluded, of the full skin.
    leg_scale : (float, float)
        How far the legs reach out, relative to the body's half width.
    croupon_length, croupon_width : (float, float)
        The unmarked best area: its share of the body length from the tail, and its half width
        relative to the body's half width. ``shoulder_end`` ends the shoulder (share of length).
    brand_weight : float
        Multiplies the quality preset's weight of brands: cattle are branded, goats are not.
    price_per_m2 : float
        Written into the hide (a project assumption: US$4-7/sq ft wholesale for cowhide,
        ``leather_domain.md`` section 4, i.e. 43-75 per m²).
    n_vertices : int
        Points on the outline (Baldacci's simplified hides have 59-96, the detailed 1,077-1,883).
    """

    kind: str
    area_m2: tuple[float, float]
    aspect: tuple[float, float]
    leg_scale: tuple[float, float]
    croupon_length: tuple[float, float] = (0.55, 0.62)
    croupon_width: tuple[float, float] = (0.55, 0.65)
    shoulder_end: tuple[float, float] = (0.80, 0.86)
    brand_weight: float = 0.0
    price_per_m2: float = 60.0
    n_vertices: int = 200

    def __post_init__(self) -> None:
        if self.kind not in ("calf", "goat", "cow_side"):
            raise InputError(f"unknown hide kind {self.kind!r}", hint="use calf, goat or cow_side")
        for name in ("area_m2", "aspect", "leg_scale", "croupon_length", "croupon_width",
                     "shoulder_end"):
            lo, hi = getattr(self, name)
            if not (0 <= lo <= hi):
                raise InputError(f"hide spec {name}: need 0 <= low <= high, got ({lo}, {hi})")
        if self.area_m2[0] <= 0 or self.aspect[0] <= 0:
            raise InputError("hide spec: area and aspect must be positive")
        if self.brand_weight < 0:
            raise InputError(f"hide spec: brand_weight must be >= 0, got {self.brand_weight}")
        if self.n_vertices < 24:
            raise InputError(f"hide spec: n_vertices must be >= 24, got {self.n_vertices}")


# Presets. Sizes from leather_domain.md section 1: calf skin for small goods ~1 m² (a listing:
# 1.06 m²; a 16 sq ft skin) [S66][S67]; goat 3-9 sq ft [S26]; cow side 21-26 sq ft [S24][S21].
# Shapes: a cow hide ~2 m long by ~1.8 m wide leg to leg [S22]; Baldacci hides fill 63-74 % of their
# bounding box. Brands are for cattle (defectgen: brands on the butt); calves less often (L).
PRESETS: dict[str, HideSpec] = {
    "calf": HideSpec("calf", area_m2=(0.85, 1.4), aspect=(1.25, 1.45), leg_scale=(0.30, 0.45),
                     brand_weight=0.5, price_per_m2=75.0),
    "goat": HideSpec("goat", area_m2=(3 * SQFT_M2, 9 * SQFT_M2), aspect=(1.3, 1.55),
                     leg_scale=(0.35, 0.55), brand_weight=0.0, price_per_m2=60.0),
    "cow_side": HideSpec("cow_side", area_m2=(21 * SQFT_M2, 26 * SQFT_M2), aspect=(1.1, 1.3),
                         leg_scale=(0.28, 0.40), brand_weight=1.0, price_per_m2=50.0,
                         n_vertices=240),
}
KINDS = tuple(PRESETS)


@dataclass(frozen=True)
class GeneratedHide:
    """A generated hide with what the model does not keep: a label per zone, the spec and seed."""

    hide: Hide
    labels: tuple[str, ...]  # one per zone of ``hide.zones``: shoulder, belly_neck, leg, hole, ...
    spec: HideSpec
    seed: int
    quality: Quality

    @property
    def defect_share(self) -> float:
        """Share of the hide's area under defect zones (their union), 0.05 = 5 %."""
        defects = [Polygon(z.outline.outer, list(z.outline.holes))
                   for z, lab in zip(self.hide.zones, self.labels, strict=True)
                   if lab in DEFECT_LABELS]
        return shapely.union_all(defects).area / self.hide.area if defects else 0.0

    def zones_labelled(self, label: str) -> list[Zone]:
        """The zones carrying ``label``."""
        return [z for z, lab in zip(self.hide.zones, self.labels, strict=True) if lab == label]


# -------------------------------------------------------------------------------------------------
# Outline


def _bump(theta: np.ndarray, at: float, width: float) -> np.ndarray:
    """A Gaussian bump of unit height over angles, periodic in 2π."""
    d = np.angle(np.exp(1j * (theta - at)))
    return np.exp(-0.5 * (d / width) ** 2)


def _radius_fn(rng: np.random.Generator, spec: HideSpec):
    """Draw the shape parameters and return r(θ) for a unit-width skin (half width 1)."""
    aspect = rng.uniform(*spec.aspect)
    squareness = rng.uniform(2.1, 2.5)  # superellipse exponent: skins are a little boxy
    legs = []
    for side in (1.0, -1.0):  # left and right are drawn apart: real skins are not symmetric
        fore = math.radians(rng.uniform(42, 54))
        hind = math.radians(rng.uniform(128, 140))
        legs.append((side * fore, rng.uniform(*spec.leg_scale), rng.uniform(0.08, 0.11)))
        legs.append((side * hind, rng.uniform(*spec.leg_scale) * 1.15, rng.uniform(0.09, 0.12)))
    dips = []
    for side in (1.0, -1.0):
        dips.append((side * math.radians(rng.uniform(16, 24)), rng.uniform(0.04, 0.09), 0.12))
        dips.append((side * math.radians(rng.uniform(85, 100)), rng.uniform(0.03, 0.07), 0.40))
        dips.append((side * math.radians(rng.uniform(160, 168)), rng.uniform(0.03, 0.07), 0.08))
    neck = rng.uniform(0.00, 0.05)
    tail = rng.uniform(0.05, 0.12)
    harmonics = [(k, rng.normal(0, 0.02 / k), rng.uniform(0, 2 * math.pi)) for k in range(2, 9)]

    def radius(theta: np.ndarray, with_legs: bool = True) -> np.ndarray:
        c, s = np.abs(np.cos(theta)), np.abs(np.sin(theta))
        base = ((c / aspect) ** squareness + s**squareness) ** (-1.0 / squareness)
        f = 1.0 + neck * _bump(theta, 0.0, 0.5) + tail * _bump(theta, math.pi, 0.04)
        for at, h, w in legs if with_legs else ():  # a tapering lobe on a broad flare
            f = f + h * (_bump(theta, at, w) + 0.25 * _bump(theta, at, 2.5 * w)) / base
        for at, h, w in dips:
            f = f - h * _bump(theta, at, w)
        for k, amp, phase in harmonics:
            f = f + amp * np.cos(k * theta + phase)
        return base * np.maximum(f, 0.2)

    return radius, aspect


def _leg_tips(radius, half: bool) -> list[tuple[float, float]]:
    """Polar positions (angle, radius) of the leg tips: local maxima of r(θ) away from the axis."""
    theta = np.linspace(-math.pi, math.pi, 2881)
    r = radius(theta)
    peaks = (r > np.roll(r, 1)) & (r >= np.roll(r, -1))
    tips = []
    for t, rr in zip(theta[peaks], r[peaks], strict=True):
        a = abs(t)
        if (0.45 < a < 1.0 or 2.2 < a < 2.75) and (not half or t > 0):
            tips.append((float(t), float(rr)))
    return tips


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygons of a shapely result, slivers dropped."""
    if geom.is_empty:
        return []
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    return [p for p in parts if isinstance(p, Polygon) and p.area >= MIN_ZONE_MM2]


def _zone(poly: Polygon, grade: int, what: str) -> Zone:
    return Zone(Outline.of(np.asarray(poly.exterior.coords)[:-1],
                           [np.asarray(h.coords)[:-1] for h in poly.interiors], what=what), grade)


class _Frame:
    """The map from the unit skin (half width 1, backbone on the x axis) to millimetres."""

    def __init__(self, bend: float, tilt_rad: float, scale: float) -> None:
        self.bend, self.scale = bend, scale
        self.c, self.s = math.cos(tilt_rad), math.sin(tilt_rad)
        self.shift = np.zeros(2)

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        x = pts[:, 0]
        y = pts[:, 1] + self.bend * x * x
        x, y = x * self.scale, y * self.scale
        out = np.column_stack([self.c * x - self.s * y, self.s * x + self.c * y])
        return out - self.shift

    def poly(self, pts: np.ndarray) -> Polygon:
        """A polygon from unit-frame points (dense enough that the bend stays smooth)."""
        return shapely.make_valid(Polygon(self(pts))).buffer(0)


def _densify(pts: np.ndarray, step: float = 0.02) -> np.ndarray:
    """Points along a closed unit-frame ring at most ``step`` apart (so the bend maps it well)."""
    out = []
    for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        n = max(1, math.ceil(float(np.hypot(*(b - a))) / step))
        out.append(a + (b - a) * np.arange(n)[:, None] / n)
    return np.vstack(out)


def _regions(spec: HideSpec, rng: np.random.Generator, radius, aspect: float, half: bool,
             frame: _Frame, hide: Polygon) -> list[tuple[Polygon, int, str]]:
    """Shoulder, belly/neck and leg zones in millimetres (the croupon stays unmarked)."""
    x_tail, x_neck = -float(radius(np.array([math.pi]))[0]), float(radius(np.array([0.0]))[0])
    length = x_neck - x_tail
    x_croupon = x_tail + rng.uniform(*spec.croupon_length) * length
    x_shoulder = x_tail + rng.uniform(*spec.shoulder_end) * length
    width = rng.uniform(*spec.croupon_width)
    phase = rng.uniform(0, 2 * math.pi)
    xs = np.linspace(x_tail - 0.3, x_shoulder, 60)
    mid = (x_tail + x_shoulder) / 2
    w = width * (1 - 0.3 * ((xs - mid) / (x_shoulder - x_tail) * 2) ** 2)
    w = w * (1 + 0.05 * np.sin(3 * xs + phase))
    lower = -np.full_like(w, 1.5) if half else -w
    core_ring = np.vstack([np.column_stack([xs, w]), np.column_stack([xs, lower])[::-1]])
    core = frame.poly(_densify(core_ring)).intersection(hide)
    rear = np.array([[x_tail - 3, -3], [x_croupon, -3], [x_croupon, 3], [x_tail - 3, 3]])
    shoulder = core.difference(frame.poly(_densify(rear)))
    # legs: what reaches beyond the body (the outline without its legs) near each leg tip
    t = np.linspace(-math.pi, math.pi, 360, endpoint=False)
    body = 0.97 * radius(t, with_legs=False)
    body_poly = frame.poly(np.column_stack([body * np.cos(t), body * np.sin(t)]))
    legs = []
    for at, _r in _leg_tips(radius, half):
        a = np.linspace(at - 0.3, at + 0.3, 16)
        fan = np.vstack([[0.0, 0.0], np.column_stack([4 * np.cos(a), 4 * np.sin(a)])])
        legs.append(frame.poly(_densify(fan, 0.1)))
    leg = shapely.union_all(legs).difference(body_poly).intersection(hide).difference(core)
    belly_neck = hide.difference(core).difference(leg)
    out = [(p, GRADE_SHOULDER, "shoulder") for p in _polygons(shoulder)]
    out += [(p, GRADE_BELLY_NECK, "belly_neck") for p in _polygons(belly_neck)]
    out += [(p, GRADE_LEG, "leg") for p in _polygons(leg)]
    return out


def _build(spec: HideSpec, quality: Quality, rng: np.random.Generator,
           hide_id: str) -> tuple[Hide, tuple[str, ...]]:
    """Draw one hide from ``rng``; see the module docstring for the steps."""
    half = spec.kind == "cow_side"
    radius, aspect = _radius_fn(rng, spec)
    if half:
        theta = np.linspace(0.0, math.pi, spec.n_vertices)
    else:
        theta = np.linspace(-math.pi, math.pi, spec.n_vertices, endpoint=False)
    r = radius(theta)
    unit = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    bend = 0.0 if half else rng.uniform(-0.02, 0.02)  # a side's backbone is its straight cut
    tilt = math.radians(rng.uniform(-2.0, 2.0))
    area_mm2 = rng.uniform(*spec.area_m2) * 1e6
    bent = unit.copy()
    bent[:, 1] += bend * unit[:, 0] ** 2  # as _Frame bends: measure the area after the bend
    unit_area = abs(Polygon(bent).area)
    frame = _Frame(bend, tilt, math.sqrt(area_mm2 / unit_area))
    frame.shift = frame(unit).min(axis=0)
    outer = frame(unit)
    hide = Polygon(outer)
    if not hide.is_valid:  # cannot happen for r(θ) > 0; guard the invariant all the same
        raise RuntimeError(f"generated hide {hide_id} is not simple; please report the seed")
    x_tail, x_neck = -float(radius(np.array([math.pi]))[0]), float(radius(np.array([0.0]))[0])
    if half:
        spine = np.array([[x_neck, 0.0], [x_tail, 0.0]])[::-1]
    else:
        spine = np.column_stack([np.linspace(x_tail + 0.05, x_neck - 0.05, 24), np.zeros(24)])
    backbone = frame(spine)
    zones = _regions(spec, rng, radius, aspect, half, frame, hide)
    length = x_neck - x_tail
    rump_ring = np.array([[x_tail + 0.08 * length, 0.2], [x_tail + 0.35 * length, 0.2],
                          [x_tail + 0.35 * length, 0.65], [x_tail + 0.08 * length, 0.65]])
    rump = frame.poly(_densify(rump_ring))
    if not half and rng.random() < 0.5:  # brands go on either hip
        rump = frame.poly(_densify(rump_ring * [1, -1]))
    belly = shapely.union_all([p for p, g, _ in zones if g == GRADE_BELLY_NECK])
    shoulder = shapely.union_all([p for p, g, _ in zones if g == GRADE_SHOULDER])
    inner = hide.buffer(-15.0)
    regions = Regions(inner=inner, belly=belly.buffer(-10.0).intersection(inner),
                      belly_shoulder=belly.union(shoulder).buffer(-10.0).intersection(inner),
                      rump=rump.intersection(inner))
    zones += [(p, g, lab) for p, g, lab in draw_defects(rng, quality, hide, regions,
                                                         spec.brand_weight)
              if p.area >= MIN_ZONE_MM2]
    model_zones = tuple(_zone(p, g, f"hide {hide_id} zone {k} ({lab})")
                        for k, (p, g, lab) in enumerate(zones))
    out = Hide(id=hide_id, outline=Outline.of(outer, what=f"hide {hide_id}"), zones=model_zones,
               backbone=backbone, price_per_m2=spec.price_per_m2)
    return out, tuple(lab for _, _, lab in zones)


# -------------------------------------------------------------------------------------------------
# Public API


def generate(kind: str = "calf", seed: int = 0, *, quality: str | Quality = "typical",
             hide_id: str | None = None, area_m2: float | None = None,
             spec: HideSpec | None = None, **overrides: object) -> GeneratedHide:
    """Generate one hide.

    Parameters
    ----------
    kind : str
        A preset of :data:`PRESETS` (``calf``, ``goat``, ``cow_side``); ignored when ``spec`` is
        given.
    seed : int
        Seeds one ``numpy.random.Generator``; the same seed gives the same hide.
    quality : str or Quality
        How much of the hide is defective: ``clean``, ``typical`` (default) or ``poor``
        (:data:`leathernest.generators.defects.QUALITIES`), or a
        :class:`~leathernest.generators.defects.Quality` of one's own (``defectgen.NO_DEFECTS`` for
        none).
    hide_id : str, optional
        The hide's id; default ``f"{kind}-{seed}"``.
    area_m2 : float, optional
        Fix the gross area instead of drawing it from the preset's range.
    spec : HideSpec, optional
        A complete parameter set instead of a preset.
    **overrides
        Fields of :class:`HideSpec` replacing the preset's (e.g. ``n_holes=(0, 0)``).

    Returns
    -------
    GeneratedHide
        The model Hide (outline, zones, backbone, price) plus a label per zone.
    """
    if spec is None:
        if kind not in PRESETS:
            raise InputError(f"unknown hide kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
        spec = PRESETS[kind]
    if overrides:
        spec = dataclasses.replace(spec, **overrides)  # type: ignore[arg-type]
    if area_m2 is not None:
        if not (area_m2 > 0):
            raise InputError(f"area_m2 must be positive, got {area_m2}")
        spec = dataclasses.replace(spec, area_m2=(area_m2, area_m2))
    if seed < 0:
        raise InputError(f"seed must be >= 0, got {seed}")
    if isinstance(quality, str):
        if quality not in QUALITIES:
            raise InputError(f"unknown hide quality {quality!r}",
                             hint=f"use one of {', '.join(QUALITY_NAMES)}")
        quality = QUALITIES[quality]
    rng = np.random.default_rng(seed)
    hide, labels = _build(spec, quality, rng, hide_id or f"{spec.kind}-{seed}")
    return GeneratedHide(hide, labels, spec, seed, quality)


def generate_hide(kind: str = "calf", seed: int = 0, **kwargs: object) -> Hide:
    """Generate one hide and return only the model Hide (see :func:`generate`)."""
    return generate(kind, seed, **kwargs).hide  # type: ignore[arg-type]


def generate_hides(kind: str = "calf", n: int = 1, seed: int = 0, **kwargs: object) -> list[Hide]:
    """Generate ``n`` hides with seeds ``seed``, ``seed + 1``, ... (ids ``kind-seed``)."""
    return [generate_hide(kind, seed + i, **kwargs) for i in range(n)]


# -------------------------------------------------------------------------------------------------
# Writers


class Labelled(Protocol):
    """A hide with a label per zone: a generated hide, or one captured from a photo."""

    @property
    def hide(self) -> Hide:
        """The hide."""
        ...

    @property
    def labels(self) -> tuple[str, ...]:
        """One label per zone of the hide."""
        ...


def job_json(job: Job, generated: Sequence[Labelled] = ()) -> dict:
    """The job in the leathernest job format, with each generated hide's zone labels added.

    The labels (``shoulder``, ``belly_neck``, ``leg``, and the defect kinds ``hole``,
    ``scratch``, ``healed_scar``, ``vein``, ``tick_bites``, ``brand``; a captured hide's
    ``marked_defect``, ``marked_zone``) are the schema's optional zone ``label``; readers ignore
    them. ``generated`` may hold anything with a ``hide`` and ``labels`` (a captured hide too).
    """
    data = job_to_json(job)
    labels: Mapping[str, tuple[str, ...]] = {g.hide.id: g.labels for g in generated}
    for raw in data.get("hides", []):
        for zone, label in zip(raw["zones"], labels.get(raw["id"], ()), strict=False):
            zone["label"] = label
    return data


def write_job_json(path: str | Path, job: Job, generated: Sequence[Labelled] = ()) -> Path:
    """Write :func:`job_json` atomically (two-space indent, one point per line kept compact)."""
    text = json.dumps(job_json(job, generated), indent=1, separators=(",", ":"))
    return write_atomic(path, _compact_points(text) + "\n")


def _compact_points(text: str) -> str:
    """Put each [x, y] pair of an indented JSON text on one line (files stay diffable and small)."""
    import re

    return re.sub(r"\[\s*(-?[\d.eE+-]+),\s*(-?[\d.eE+-]+)\s*\]", r"[\1,\2]", text)


def write_hide_dxf(path: str | Path, hide: Hide | GeneratedHide) -> Path:
    """Write one hide as DXF R2000 in millimetres (``$INSUNITS`` 4), one layer per meaning.

    Layers: ``HIDE`` the outline (closed LWPOLYLINE; holes of the outline also on ``HIDE``, inside
    it), ``GRADE<n>`` each zone of grade n (closed LWPOLYLINEs: the zone's outer ring, then its
    holes), so defects of grade 0 are on ``GRADE0``; ``BACKBONE`` the backbone (open LWPOLYLINE,
    tail to neck). Written with fixed metadata, so the same hide gives the same bytes.
    """
    import io

    import ezdxf

    h = hide.hide if isinstance(hide, GeneratedHide) else hide
    before = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        doc = ezdxf.new("R2000", setup=False)
        doc.header["$INSUNITS"] = 4
        doc.header["$MEASUREMENT"] = 1
        msp = doc.modelspace()
        doc.layers.add("HIDE")
        for ring in (h.outline.outer, *h.outline.holes):
            msp.add_lwpolyline(ring.tolist(), close=True, dxfattribs={"layer": "HIDE"})
        for z in h.zones:
            layer = f"GRADE{z.grade}"
            if layer not in doc.layers:
                doc.layers.add(layer)
            for ring in (z.outline.outer, *z.outline.holes):
                msp.add_lwpolyline(ring.tolist(), close=True, dxfattribs={"layer": layer})
        if h.backbone is not None:
            doc.layers.add("BACKBONE")
            msp.add_lwpolyline(h.backbone.tolist(), close=False, dxfattribs={"layer": "BACKBONE"})
        buf = io.StringIO()
        doc.write(buf)
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = before
    return write_atomic(path, buf.getvalue())
