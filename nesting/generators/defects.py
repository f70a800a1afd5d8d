"""Defects of generated hides: kinds, shapes, sizes, where they sit, and quality presets.

Why: a generated hide is only good for teaching and benchmarking when it carries the defects real
leather has, in realistic amounts. Kinds follow the published taxonomy of Yeh and Perng (2001,
quoted in Pistori et al. [S34]): holes, thin lines (veins), strips and irregulars (scratches,
scars, tick damage) and patterns (brands). Amounts follow how the trade grades skins: *cutting
value* = 100 − % defective area [S38], with the SATRA cuttability grades A 95.1-100, B 93, C 88,
D 83, E 78, F 73 % [S37] (``leather_domain.md`` section 2). A quality preset therefore fixes the
**defective share of the hide's area** (the union of its defect zones, whatever their grade):

======== ================================ ===============================================
preset   defective share of the area      meaning
======== ================================ ===============================================
clean    0.5-4.9 %                        SATRA grade A (cutting value 95.1-100 %) [S37]
typical  5-12 %                           grades B-C (93 %, 88 %): fewer than 10 % of US
                                          hides reach the top grade [X1]
poor     13-27 %                          grades D-F (83, 78, 73 %) [S37]
======== ================================ ===============================================

Defect kinds (``DEFECT_KINDS``). Shapes follow the taxonomy; sizes and the mix are our assumption
(L) where no source gives a figure:

============ ===== ============================================= ==================================
label        grade shape, size                                   where; source
============ ===== ============================================= ==================================
hole         0     star-shaped blob 3-15 mm across               anywhere; "holes (grub holes,
                                                                 bullet marks)" [S34]
scratch      0     open scratch: wandering line 1.5-3 mm wide,   anywhere; barbed wire, thorns,
                   60-350 mm long                                horns [X2]; "irregulars" [S34]
healed_scar  1     healed scar: wandering line 3-8 mm wide,      anywhere; scars [S32][S44]
                   40-250 mm long
vein         2     branching line 2-4 mm wide, 100-400 mm long   belly and shoulder; "thin lines
                   (1-3 side branches)                           (veins)" [S34]
tick_bites   1     8-60 pits in a patch 40-180 mm across (the    belly and neck; tick bites
                   patch's hull, 2 mm added)                     [S36], mainly on the belly [X3]
brand        0     2-4 hot-iron strokes in a 60-150 mm box (the  rump, off the backbone; "patterns
                   box's hull, 4 mm added)                       (brands)" [S34], butt [X3]
============ ===== ============================================= ==================================

Grades are those of the pattern library: 0 never usable, 1 hidden parts only, 2 linings and
gussets; a point takes the lowest grade of the zones covering it. Brands are drawn on cattle only
(the ``brand_weight`` of a :class:`leathernest.generators.hides.HideSpec`: 1 for cow sides, 0.5 for
calf, 0 for goat).

Sources not in ``leather_domain.md``:
[X1] Western Producer, "Leather companies face tough task finding quality hides" (of 26.5 million
US hides, less than 10 % made the top grade; brands and insect pitting the costliest defects),
https://www.producer.com/news/leather-companies-face-tough-task-finding-quality-hides ;
[X2] Colourlock, "Leather natural markings" (horn blows, barbed-wire and thorn scars, tick bites),
https://www.colourlock.com/blog/Leather-natural-markings/ ;
[X3] PRLog (2009), "Leather defect" (ticks mainly in the belly areas; brands usually in the butt),
reproduced at https://www.papercamp.com/essay/93644/Business .

How a hide gets its defects (:func:`draw_defects`): draw a target share uniformly in the preset's
band; then, until the union of the defects reaches it, pick a kind by the preset's weights, draw
one defect of that kind inside its region, and keep it unless it would push the share past the
band's top. Every shape is valid by construction (star-shaped rings, buffered lines, convex hulls),
so no overlay can fail on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from leathernest.errors import InputError

# Grades written for defects (see the module docstring).
GRADE_BLOCKED = 0
GRADE_HIDDEN = 1
GRADE_LINING = 2


@dataclass(frozen=True)
class DefectKind:
    """One kind of defect: its zone grade and the region of the hide it is drawn in."""

    label: str
    grade: int
    region: str  # "any", "belly" (belly and neck), "belly_shoulder" or "rump"


DEFECT_KINDS: dict[str, DefectKind] = {
    "hole": DefectKind("hole", GRADE_BLOCKED, "any"),
    "scratch": DefectKind("scratch", GRADE_BLOCKED, "any"),
    "healed_scar": DefectKind("healed_scar", GRADE_HIDDEN, "any"),
    "vein": DefectKind("vein", GRADE_LINING, "belly_shoulder"),
    "tick_bites": DefectKind("tick_bites", GRADE_HIDDEN, "belly"),
    "brand": DefectKind("brand", GRADE_BLOCKED, "rump"),
}
DEFECT_LABELS = tuple(DEFECT_KINDS)
MAX_BRANDS = 2  # a hide carries one or two brands, not a field of them
MAX_DEFECTS = 600  # hard cap on draws per hide (a bound, never reached by the presets)


LINE_KINDS = ("hole", "scratch", "healed_scar", "vein")  # drawn by count
PATCH_KINDS = ("tick_bites", "brand")  # drawn until the share is reached


@dataclass(frozen=True)
class Quality:
    """A quality preset: how much of the hide is defective, and how the defects are made up.

    Attributes
    ----------
    name : str
        ``clean``, ``typical``, ``poor`` or a caller's own.
    share : (float, float)
        Target share of the hide's area covered by defect zones (0.05 = 5 %), drawn uniformly.
    lines_per_m2 : (float, float)
        Holes, scratches, healed scars and veins per m² of hide, drawn uniformly.
    weights : Mapping[str, float]
        Relative frequency of each kind: among the line kinds (drawn by count) and among the
        patch kinds (tick-bite clusters and brands, drawn until the share is reached).
    """

    name: str
    share: tuple[float, float]
    lines_per_m2: tuple[float, float] = (0.0, 0.0)
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lo, hi = self.share
        if not (0.0 <= lo <= hi < 0.6):
            raise InputError(f"quality {self.name}: share must satisfy 0 <= low <= high < 0.6, "
                             f"got ({lo}, {hi})")
        if not (0.0 <= self.lines_per_m2[0] <= self.lines_per_m2[1] <= 100.0):
            raise InputError(f"quality {self.name}: lines_per_m2 must satisfy "
                             f"0 <= low <= high <= 100, got {self.lines_per_m2}")
        unknown = set(self.weights) - set(DEFECT_KINDS)
        if unknown:
            raise InputError(f"quality {self.name}: unknown defect kinds {sorted(unknown)}",
                             hint=f"use {', '.join(DEFECT_LABELS)}")
        if any(w < 0 for w in self.weights.values()):
            raise InputError(f"quality {self.name}: weights must be >= 0")
        if hi > 0 and not any(self.weights.get(k, 0) > 0 for k in PATCH_KINDS):
            raise InputError(f"quality {self.name}: a positive share needs a patch kind "
                             f"({', '.join(PATCH_KINDS)}) of positive weight")
        if self.lines_per_m2[1] > 0 and not any(self.weights.get(k, 0) > 0 for k in LINE_KINDS):
            raise InputError(f"quality {self.name}: lines need a line kind "
                             f"({', '.join(LINE_KINDS)}) of positive weight")

    def mix(self, kinds: tuple[str, ...], brand_weight: float = 1.0) -> dict[str, float]:
        """The normalised frequencies of ``kinds`` (brands scaled by ``brand_weight``)."""
        w = {k: self.weights.get(k, 0.0) * (brand_weight if k == "brand" else 1.0) for k in kinds}
        total = sum(w.values())
        return {k: v / total for k, v in w.items() if v > 0} if total > 0 else {}


QUALITIES: dict[str, Quality] = {
    "clean": Quality("clean", (0.005, 0.049), (2.0, 5.0),
                     {"hole": 2, "scratch": 2, "healed_scar": 3, "vein": 3,
                      "tick_bites": 3, "brand": 1}),
    "typical": Quality("typical", (0.05, 0.12), (4.0, 9.0),
                       {"hole": 3, "scratch": 3, "healed_scar": 3, "vein": 2,
                        "tick_bites": 4, "brand": 1}),
    "poor": Quality("poor", (0.13, 0.27), (7.0, 14.0),
                    {"hole": 4, "scratch": 4, "healed_scar": 3, "vein": 1,
                     "tick_bites": 5, "brand": 1}),
}
NO_DEFECTS = Quality("none", (0.0, 0.0))


@dataclass(frozen=True)
class Regions:
    """Where defects may go, in millimetres: the hide shrunk by a rim, and its anatomical parts."""

    inner: BaseGeometry  # the hide 15 mm in from its edge
    belly: BaseGeometry  # belly and neck (may be empty)
    belly_shoulder: BaseGeometry
    rump: BaseGeometry  # a hip of the croupon, off the backbone

    def of(self, name: str) -> BaseGeometry:
        """The region called ``name``, the whole inner hide when that part is empty or tiny."""
        got = self.inner if name == "any" else getattr(self, name)
        return got if got.area > 0.02 * self.inner.area else self.inner


# -------------------------------------------------------------------------------------------------
# Shapes (all valid by construction)


def star_blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int = 10) -> Polygon:
    """A lumpy blob: radii 0.7-1.3 r at strictly increasing angles (star-shaped, hence simple)."""
    step = 2 * math.pi / n
    a = np.arange(n) * step + rng.uniform(-0.35, 0.35, n) * step
    rr = r * rng.uniform(0.7, 1.3, n)
    return Polygon(np.column_stack([cx + rr * np.cos(a), cy + rr * np.sin(a)]))


def wander(rng: np.random.Generator, x: float, y: float, length: float, heading: float,
           turn_sd: float = 0.22, steps: int = 9) -> np.ndarray:
    """A polyline of ``steps`` segments from (x, y), turning a little at each vertex."""
    turns = heading + np.cumsum(rng.normal(0.0, turn_sd, steps))
    seg = length / steps
    path = np.cumsum(seg * np.column_stack([np.cos(turns), np.sin(turns)]), axis=0)
    return np.vstack([[x, y], np.array([x, y]) + path])


def _line(pts: np.ndarray, width: float) -> Polygon:
    return LineString(pts).buffer(width / 2, quad_segs=2)


def _hole(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    return star_blob(rng, x, y, rng.uniform(1.5, 7.5))


def _scratch(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    pts = wander(rng, x, y, rng.uniform(60.0, 350.0), rng.uniform(0, 2 * math.pi))
    return _line(pts, rng.uniform(1.5, 3.0))


def _healed_scar(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    pts = wander(rng, x, y, rng.uniform(40.0, 250.0), rng.uniform(0, 2 * math.pi), 0.3)
    return _line(pts, rng.uniform(3.0, 8.0))


def _vein(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    width = rng.uniform(2.0, 4.0)
    heading = rng.uniform(0, 2 * math.pi)
    trunk = wander(rng, x, y, rng.uniform(100.0, 400.0), heading, 0.15, 12)
    parts = [_line(trunk, width)]
    for _ in range(int(rng.integers(1, 4))):
        bx, by = trunk[int(rng.integers(2, len(trunk) - 1))]
        side = heading + rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.0)
        branch = wander(rng, bx, by, rng.uniform(40.0, 160.0), side, 0.2, 6)
        parts.append(_line(branch, 0.7 * width))
    return shapely.union_all(parts)


def _tick_bites(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    spread = rng.uniform(60.0, 300.0) / 4  # ~95 % of the pits within the stated patch size
    pits = rng.normal([x, y], spread, size=(int(rng.integers(8, 61)), 2))
    return MultiPoint(pits).convex_hull.buffer(2.0, quad_segs=3)


def _brand(rng: np.random.Generator, x: float, y: float) -> BaseGeometry:
    box = rng.uniform(60.0, 150.0)
    strokes = []
    for _ in range(int(rng.integers(2, 5))):
        a = rng.uniform(-box / 2, box / 2, 2)
        b = rng.uniform(-box / 2, box / 2, 2)
        centre = np.array([x, y])
        strokes.append(LineString([a + centre, b + centre]).buffer(rng.uniform(4.0, 8.0) / 2))
    return shapely.union_all(strokes).convex_hull.buffer(4.0, quad_segs=3)


SHAPES = {"hole": _hole, "scratch": _scratch, "healed_scar": _healed_scar, "vein": _vein,
          "tick_bites": _tick_bites, "brand": _brand}


# -------------------------------------------------------------------------------------------------
# Drawing


def _inside_point(rng: np.random.Generator, region: BaseGeometry) -> tuple[float, float]:
    """A uniform random point of ``region`` (rejection sampling in its bounding box)."""
    x0, y0, x1, y1 = region.bounds
    for _ in range(40):
        xs, ys = rng.uniform(x0, x1, 64), rng.uniform(y0, y1, 64)
        inside = np.flatnonzero(shapely.contains_xy(region, xs, ys))
        if len(inside):
            return float(xs[inside[0]]), float(ys[inside[0]])
    c = region.representative_point()
    return c.x, c.y


def _largest(geom: BaseGeometry) -> Polygon | None:
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and g.area > 0]
    return max(parts, key=lambda p: p.area) if parts else None


def _pick(rng: np.random.Generator, mix: Mapping[str, float]) -> str:
    kinds = list(mix)
    return kinds[int(rng.choice(len(kinds), p=np.array([mix[k] for k in kinds])))]


def draw_defects(rng: np.random.Generator, quality: Quality, hide: Polygon, regions: Regions,
                 brand_weight: float = 1.0) -> list[tuple[Polygon, int, str]]:
    """Draw the line defects by count, then patches until the share drawn from the band is met.

    Returns ``(polygon, grade, label)`` per defect, each one polygon inside ``hide`` (a defect
    reaching past the edge keeps its largest part inside). A defect that would push the share past
    the band's top is skipped; see the module docstring.
    """
    lo, hi = quality.share
    area_m2 = hide.area / 1e6
    n_lines = round(rng.uniform(*quality.lines_per_m2) * area_m2)
    target = rng.uniform(lo, hi) * hide.area
    region = {name: regions.of(name) for name in ("any", "belly", "belly_shoulder", "rump")}
    for r in region.values():
        shapely.prepare(r)
    out: list[tuple[Polygon, int, str]] = []
    covered: BaseGeometry = Polygon()

    def add(label: str) -> bool:
        nonlocal covered
        x, y = _inside_point(rng, region[DEFECT_KINDS[label].region])
        poly = _largest(SHAPES[label](rng, x, y).intersection(hide))
        if poly is None:
            return False
        grown = covered.union(poly)
        if grown.area > hi * hide.area:
            return False  # would overshoot the band: skip it
        covered = grown
        out.append((poly, DEFECT_KINDS[label].grade, label))
        return True

    lines = quality.mix(LINE_KINDS)
    for _ in range(n_lines if lines else 0):
        add(_pick(rng, lines))
    patches = quality.mix(PATCH_KINDS, brand_weight)
    brands = 0
    for _ in range(MAX_DEFECTS):
        if covered.area >= target or not patches:
            break
        label = _pick(rng, patches)
        if label == "brand" and brands >= MAX_BRANDS:
            continue
        brands += add(label) and label == "brand"
    return out


def defect_share(zones: list[tuple[Polygon, int, str]], hide: Polygon) -> float:
    """The share of ``hide`` covered by the union of the defect zones."""
    defects = [p for p, _g, lab in zones if lab in DEFECT_KINDS]
    return shapely.union_all(defects).area / hide.area if defects else 0.0
