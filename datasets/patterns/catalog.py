"""The leather-goods pattern library, drawn for leathernest (MIT): five products as pattern pieces.

Each piece is drawn in millimetres with its lower-left corner at the origin, boundary
counter-clockwise with true arcs (bulges), and carries what a cutting room needs: quantity per
product, minimum grade, grain direction and tolerance, left/right pairing, notches, punches,
internal lines and cut-outs. ``draw_patterns.py`` writes these pieces as ASTM D6673 / AAMA-style DXF
files, and :func:`product_pieces` turns them into :class:`leathernest.model.Piece` values for jobs.

Sizes follow common retail dimensions and the thickness ranges of ``leather_domain.md`` section 1
(wallets 0.8-1.2 mm, bags 1.6-2.0 mm, belts 3.2-4 mm). Grades: A is the best (the hide's unmarked
croupon), then B, C, D; see :data:`GRADE_MIN`. Exterior panels and straps ask for A, hidden
linings and reinforcements for C or D (``leather_domain.md`` section 2).

Imports numpy and the model only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leathernest.datasets.patterns.geometry import QUARTER, flatten, path, rounded_rect, slot
from leathernest.model import (
    FREE_ROTATION,
    CurvePath,
    Feature,
    FeatureKind,
    Grain,
    Mirror,
    Outline,
    Piece,
)

# Letter grade in the DXF ("Grade: B") -> the piece's min_grade in a job. A needs the unmarked best
# leather (min_grade None); B, C, D may also lie on hide zones of grade 3, 2, 1. The hide generator
# (leathernest.generators.hides) grades shoulder 3, belly and neck 2, legs 1, defects 0 or 1.
GRADE_MIN: dict[str, int | None] = {"A": None, "B": 3, "C": 2, "D": 1}

# Depth of a slit notch cut into the boundary, mm.
NOTCH_MM = 3.0


@dataclass(frozen=True)
class PatternPiece:
    """One pattern piece of a product, as drawn (mm, local origin at the lower-left)."""

    name: str  # short id within the product, e.g. "exterior"
    boundary: CurvePath  # closed, counter-clockwise, bulges for arcs
    quantity: int  # pieces cut per product; for a pair, both hands together (always even)
    grade: str  # "A" (best) .. "D"
    pair: bool = False  # cut as left/right mirrored pairs from the same hide
    grain_deg: float | None = 0.0  # grain line direction in the drawing, None = no grain line
    grain_tol_deg: float = 10.0
    cutouts: tuple[CurvePath, ...] = ()  # internal cut-outs (ASTM layer 11), holes of the outline
    lines: tuple[CurvePath, ...] = ()  # internal lines: folds, stitch guides (layer 8), not cut
    notches: tuple[tuple[tuple[float, float], tuple[float, float]], ...] = ()  # slits (layer 4)
    punches: tuple[tuple[float, float, float], ...] = ()  # x, y, radius (layer 13)
    priority: int = 0  # higher is placed first: long straps need the backbone run before panels

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the boundary's vertices, mm."""
        span = np.ptp(flatten(self.boundary), axis=0)
        return float(span[0]), float(span[1])

    def grain_line(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """A grain line through the piece's centre, 60 % of its extent along the grain."""
        if self.grain_deg is None:
            return None
        pts = flatten(self.boundary)
        c = (pts.min(axis=0) + pts.max(axis=0)) / 2
        d = np.array([np.cos(np.radians(self.grain_deg)), np.sin(np.radians(self.grain_deg))])
        proj = (pts - c) @ d
        half = 0.3 * float(proj.max() - proj.min())
        a, b = c - half * d, c + half * d
        return (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))


@dataclass(frozen=True)
class Product:
    """A leather-goods product: its pieces and the leather it is made from."""

    name: str
    title: str
    material: str
    thickness_mm: float
    pieces: tuple[PatternPiece, ...] = field(default_factory=tuple)

    def piece(self, name: str) -> PatternPiece:
        """The piece called ``name`` (KeyError when unknown)."""
        for p in self.pieces:
            if p.name == name:
                return p
        raise KeyError(name)


def _hline(x0: float, x1: float, y: float) -> CurvePath:
    return CurvePath.polyline([[x0, y], [x1, y]], closed=False)


def _vline(x: float, y0: float, y1: float) -> CurvePath:
    return CurvePath.polyline([[x, y0], [x, y1]], closed=False)


def _fold_notches(x: float, h: float) -> tuple:
    """Slit notches where a vertical fold line at ``x`` meets the bottom and top edges."""
    return (((x, 0.0), (x, NOTCH_MM)), ((x, h), (x, h - NOTCH_MM)))


def _slanted_pocket(w: float, h_low: float, h_high: float, r: float) -> CurvePath:
    """A pocket whose top edge falls from right (h_high) to left (h_low): left hand of a pair."""
    return path([
        (r, 0.0, 0.0), (w - r, 0.0, QUARTER), (w, r, 0.0),
        (w, h_high, 0.0), (0.0, h_low, 0.0), (0.0, r, QUARTER),
    ])


def bifold_wallet() -> Product:
    """Bifold wallet, closed 113 x 95 mm: exterior, lining, three card pockets a side, stiffener."""
    w, h = 225.0, 95.0
    return Product("bifold_wallet", "Bifold wallet", "calf", 1.0, (
        PatternPiece("exterior", rounded_rect(w, h, 6.0), 1, "A", grain_tol_deg=10.0,
                     lines=(_vline(w / 2, 0.0, h),), notches=_fold_notches(w / 2, h)),
        PatternPiece("lining", rounded_rect(w - 4, h - 4, 5.0), 1, "C", grain_tol_deg=15.0,
                     lines=(_vline((w - 4) / 2, 0.0, h - 4),),
                     notches=_fold_notches((w - 4) / 2, h - 4)),
        PatternPiece("card_pocket", _slanted_pocket(105.0, 52.0, 62.0, 4.0), 6, "C", pair=True,
                     grain_tol_deg=15.0, lines=(_hline(4.0, 101.0, 8.0),),
                     notches=(((52.5, 0.0), (52.5, NOTCH_MM)),)),
        PatternPiece("stiffener", rounded_rect(20.0, h - 6, 2.0), 1, "D", grain_deg=90.0,
                     grain_tol_deg=30.0),
    ))


def _thumb_cut_back(w: float, h: float, r: float, thumb_r: float) -> CurvePath:
    """A rounded rectangle whose top edge has a concave half-circle thumb cut at its centre."""
    cx = w / 2
    return path([
        (r, 0.0, 0.0), (w - r, 0.0, QUARTER), (w, r, 0.0), (w, h - r, QUARTER), (w - r, h, 0.0),
        (cx + thumb_r, h, -1.0), (cx - thumb_r, h, 0.0), (r, h, QUARTER), (0.0, h - r, 0.0),
        (0.0, r, QUARTER),
    ])


def card_holder() -> Product:
    """Card holder, 100 x 70 mm: front, back with thumb cut, divider, a pair of slanted pockets."""
    return Product("card_holder", "Card holder", "calf", 1.0, (
        PatternPiece("front", rounded_rect(100.0, 70.0, 6.0), 1, "A",
                     notches=(((50.0, 70.0), (50.0, 70.0 - NOTCH_MM)),)),
        PatternPiece("back", _thumb_cut_back(100.0, 70.0, 6.0, 12.0), 1, "B"),
        PatternPiece("divider", rounded_rect(100.0, 62.0, (6.0, 6.0, 0.0, 0.0)), 1, "C",
                     grain_tol_deg=20.0),
        PatternPiece("side_pocket", _slanted_pocket(100.0, 40.0, 52.0, 6.0), 2, "B", pair=True,
                     grain_tol_deg=15.0),
    ))


def zip_pouch() -> Product:
    """Zip pouch, 210 x 135 mm: front, back, two linings, zip end tabs and a zip pull."""
    w, h = 210.0, 135.0
    panel = rounded_rect(w, h, (15.0, 15.0, 3.0, 3.0))
    centre = (((w / 2, 0.0), (w / 2, NOTCH_MM)), ((w / 2, h), (w / 2, h - NOTCH_MM)))
    pull = path([(6.0, 0.0, 0.0), (64.0, 0.0, 1.0), (64.0, 12.0, 0.0), (6.0, 12.0, 1.0)])
    return Product("zip_pouch", "Zip pouch", "calf", 1.2, (
        PatternPiece("front", panel, 1, "A", notches=centre),
        PatternPiece("back", panel, 1, "B", notches=centre),
        PatternPiece("lining", rounded_rect(w - 4, h - 4, (13.0, 13.0, 2.0, 2.0)), 2, "D",
                     grain_tol_deg=30.0),
        PatternPiece("zip_tab", rounded_rect(30.0, 24.0, 4.0), 2, "C", grain_tol_deg=20.0,
                     lines=(_vline(15.0, 0.0, 24.0),), notches=_fold_notches(15.0, 24.0)),
        PatternPiece("zip_pull", pull, 1, "B", grain_tol_deg=5.0,
                     punches=((8.0, 6.0, 2.0),), lines=(_vline(35.0, 0.0, 12.0),)),
    ))


def tote_bag() -> Product:
    """Tote bag, 380 x 330 x 120 mm: front, back, gussets, base, handles, inner pocket."""
    w, h = 380.0, 330.0
    rivets = ((80.0, 300.0, 2.0), (80.0, 280.0, 2.0), (300.0, 300.0, 2.0), (300.0, 280.0, 2.0))
    handle_at = (((80.0, h), (80.0, h - NOTCH_MM)), ((300.0, h), (300.0, h - NOTCH_MM)))
    bottom = (((w / 2, 0.0), (w / 2, NOTCH_MM)),)
    gusset = path([(0.0, 0.0, 0.0), (120.0, 0.0, 0.0), (110.0, h, 0.0), (10.0, h, 0.0)])
    handle = path([(14.0, 0.0, 0.0), (586.0, 0.0, 1.0), (586.0, 28.0, 0.0), (14.0, 28.0, 1.0)])
    handle_rivets = ((20.0, 14.0, 2.0), (45.0, 14.0, 2.0), (555.0, 14.0, 2.0), (580.0, 14.0, 2.0))
    return Product("tote_bag", "Tote bag", "cow", 1.8, (
        PatternPiece("front", rounded_rect(w, h, (20.0, 20.0, 0.0, 0.0)), 1, "A",
                     grain_deg=90.0, grain_tol_deg=10.0, notches=handle_at + bottom,
                     punches=rivets),
        PatternPiece("back", rounded_rect(w, h, (20.0, 20.0, 0.0, 0.0)), 1, "B",
                     grain_deg=90.0, grain_tol_deg=10.0, notches=handle_at + bottom,
                     punches=rivets),
        PatternPiece("gusset", gusset, 2, "B", grain_deg=90.0, grain_tol_deg=10.0,
                     lines=(_vline(60.0, 0.0, h),), notches=_fold_notches(60.0, h)),
        PatternPiece("base", rounded_rect(w, 120.0, 20.0), 1, "C", grain_tol_deg=15.0,
                     punches=((20.0, 20.0, 3.0), (360.0, 20.0, 3.0), (20.0, 100.0, 3.0),
                              (360.0, 100.0, 3.0))),
        PatternPiece("handle", handle, 2, "A", grain_tol_deg=5.0, punches=handle_rivets,
                     priority=1),
        PatternPiece("inner_pocket", rounded_rect(200.0, 160.0, (8.0, 8.0, 0.0, 0.0)), 1, "D",
                     grain_deg=90.0, grain_tol_deg=30.0, lines=(_hline(0.0, 200.0, 150.0),)),
    ))


def belt() -> Product:
    """Belt, 35 mm wide, size 90 (1200 mm strap): strap with tip, buckle slot and holes; keeper."""
    length, width = 1200.0, 35.0
    r = width / 2
    strap = path([(0.0, 0.0, 0.0), (length - r, 0.0, 1.0), (length - r, width, 0.0),
                  (0.0, width, 0.0)])
    holes = tuple((length - 120.0 - 25.0 * k, r, 2.25) for k in range(5))
    screws = ((15.0, r, 2.0), (95.0, r, 2.0))
    return Product("belt", "Belt", "cow (bend)", 3.5, (
        PatternPiece("strap", strap, 1, "A", grain_tol_deg=5.0, cutouts=(slot(55.0, r, 24.0, 5.0),),
                     lines=(_vline(55.0 - 30.0, 0.0, width),), punches=holes + screws,
                     notches=(((110.0, 0.0), (110.0, NOTCH_MM)),
                              ((110.0, width), (110.0, width - NOTCH_MM))), priority=2),
        PatternPiece("keeper", rounded_rect(100.0, 15.0, 0.0), 1, "B", grain_tol_deg=10.0),
    ))


def products() -> dict[str, Product]:
    """Every product of the library by name, in catalogue order."""
    return {p.name: p for p in (bifold_wallet(), card_holder(), zip_pouch(), tote_bag(), belt())}


# -------------------------------------------------------------------------------------------------
# Pieces for jobs


def _features(pp: PatternPiece) -> tuple[Feature, ...]:
    out: list[Feature] = []
    gl = pp.grain_line()
    if gl is not None:
        out.append(Feature(FeatureKind.GRAIN, CurvePath.polyline(gl, closed=False), layer="7"))
    out.extend(Feature(FeatureKind.MARK, line, layer="8") for line in pp.lines)
    out.extend(
        Feature(FeatureKind.NOTCH, CurvePath.polyline([a, b], closed=False), layer="4")
        for a, b in pp.notches
    )
    for x, y, r in pp.punches:
        circle = CurvePath(np.array([[x - r, y], [x + r, y]]), np.array([1.0, 1.0]), True)
        out.append(Feature(FeatureKind.PUNCH, circle, at=(x, y), layer="13"))
    out.extend(Feature(FeatureKind.CUTOUT, c, layer="11") for c in pp.cutouts)
    return tuple(out)


def to_piece(product: Product, pp: PatternPiece, n_products: int = 1, prefix: str = "") -> Piece:
    """The pattern piece as a model Piece for ``n_products`` products.

    A pair's demand counts pairs (the model cuts 2 x demand copies): ``quantity / 2`` per product.
    Punches are kept as features only: a few millimetres of scrap matter to the cutter, not to the
    nesting.
    """
    outer = flatten(pp.boundary)
    holes = [flatten(c) for c in pp.cutouts]
    pid = f"{prefix}{product.name}.{pp.name}"
    demand = (pp.quantity // 2 if pp.pair else pp.quantity) * n_products
    return Piece(
        id=pid,
        name=f"{product.title} {pp.name.replace('_', ' ')}",
        outline=Outline.of(outer, holes, what=pid),
        demand=demand,
        min_grade=GRADE_MIN[pp.grade],
        rotations=FREE_ROTATION,
        grain=None if pp.grain_deg is None else Grain(pp.grain_deg, pp.grain_tol_deg),
        mirror=Mirror.PAIR if pp.pair else Mirror.NO,
        priority=pp.priority,
        features=_features(pp),
        cut_paths=(pp.boundary, *pp.cutouts),
    )


def product_pieces(name: str, n_products: int = 1, prefix: str = "") -> list[Piece]:
    """Pieces for ``n_products`` of the product called ``name`` (KeyError when unknown)."""
    product = products()[name]
    return [to_piece(product, pp, n_products, prefix) for pp in product.pieces]
