"""Defects of generated hides: valid shapes on every seed, statistics as the presets state."""

from collections import Counter

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from leathernest.errors import InputError
from leathernest.generators import defects as defectgen
from leathernest.generators import hides as hidegen
from leathernest.generators.defects import DEFECT_KINDS, LINE_KINDS, QUALITIES, Quality

SEEDS = range(10)


def _poly(outline) -> Polygon:
    return Polygon(outline.outer, list(outline.holes))


@pytest.fixture(scope="module")
def population():
    """Ten hides of every kind and quality: the sweep and the sample for the statistics."""
    return {(kind, q): [hidegen.generate(kind, s, quality=q) for s in SEEDS]
            for kind in hidegen.KINDS for q in QUALITIES}


def _defects(g):
    return [(z, lab) for z, lab in zip(g.hide.zones, g.labels, strict=True)
            if lab in DEFECT_KINDS]


@pytest.mark.parametrize(("kind", "seed"), [("calf", 109), ("goat", 109), ("cow_side", 37)])
@pytest.mark.parametrize("quality", list(QUALITIES))
def test_seeds_that_once_crashed_give_valid_hides(kind, seed, quality):
    g = hidegen.generate(kind, seed, quality=quality)  # raised a GEOS TopologyException
    for z, _lab in _defects(g):
        assert _poly(z.outline).is_valid


def test_every_hide_of_the_sweep_is_valid_with_defects_inside(population):
    for hides in population.values():
        for g in hides:
            hide = _poly(g.hide.outline).buffer(1e-6 * max(g.hide.outline.bbox))
            for z, lab in _defects(g):
                zp = _poly(z.outline)
                assert zp.is_valid, (g.hide.id, lab, shapely.is_valid_reason(zp))
                assert hide.contains(zp), (g.hide.id, lab)
                assert z.grade == DEFECT_KINDS[lab].grade


def test_shapes_are_valid_on_thousands_of_draws():
    # the old blob drew sorted random angles and self-intersected when a gap exceeded 180°
    rng = np.random.default_rng(0)
    for label, shape in defectgen.SHAPES.items():
        for _ in range(200):
            geom = shape(rng, 0.0, 0.0)
            assert geom.is_valid, label
            assert geom.area > 0, label
    for _ in range(2000):
        assert defectgen.star_blob(rng, 0.0, 0.0, 5.0, int(rng.integers(3, 16))).is_valid


@pytest.mark.parametrize("quality", list(QUALITIES))
def test_defective_share_stays_in_the_band_of_its_satra_grades(population, quality):
    # clean = grade A (cutting value 95.1-100 %), typical = B-C, poor = D-F [S37][S38]
    lo, hi = QUALITIES[quality].share
    for kind in hidegen.KINDS:
        shares = [g.defect_share for g in population[(kind, quality)]]
        assert all(lo - 1e-9 <= s <= hi + 1e-9 for s in shares), (kind, shares)
        assert np.ptp(shares) > 0.2 * (hi - lo), (kind, shares)  # drawn across the band


@pytest.mark.parametrize("quality", list(QUALITIES))
def test_line_defects_per_m2_and_their_mix_follow_the_preset(population, quality):
    q = QUALITIES[quality]
    counts: Counter = Counter()
    for hides in (population[(k, quality)] for k in hidegen.KINDS):
        for g in hides:
            lines = [lab for _z, lab in _defects(g) if lab in LINE_KINDS]
            area = g.hide.area / 1e6
            assert q.lines_per_m2[0] * area - 1 <= len(lines) <= q.lines_per_m2[1] * area + 1
            counts.update(lines)
    total = sum(counts.values())
    for label, expected in q.mix(LINE_KINDS).items():
        assert counts[label] / total == pytest.approx(expected, abs=0.1), (label, counts)


def test_worse_presets_have_more_defects_and_more_defective_area(population):
    for kind in hidegen.KINDS:
        mean_share = [np.mean([g.defect_share for g in population[(kind, q)]])
                      for q in ("clean", "typical", "poor")]
        mean_count = [np.mean([len(_defects(g)) for g in population[(kind, q)]])
                      for q in ("clean", "typical", "poor")]
        assert mean_share == sorted(mean_share)
        assert mean_count == sorted(mean_count)


def test_defect_shapes_and_sizes_match_the_documented_ranges(population):
    widths: dict[str, list[float]] = {k: [] for k in DEFECT_KINDS}
    spans: dict[str, list[float]] = {k: [] for k in DEFECT_KINDS}
    for hides in population.values():
        for g in hides:
            for z, lab in _defects(g):
                p = _poly(z.outline)
                x0, y0, x1, y1 = p.bounds
                spans[lab].append(max(x1 - x0, y1 - y0))
                widths[lab].append(2 * p.area / p.exterior.length)  # ~ width of a thin shape
    assert max(spans["hole"]) <= 20.0
    assert np.median(widths["scratch"]) <= 3.0  # thin ...
    assert np.median(spans["scratch"]) >= 40.0  # ... and long
    assert np.median(widths["vein"]) <= 4.0
    assert 3.0 <= np.median(widths["healed_scar"]) <= 8.0
    assert 60.0 <= np.median(spans["tick_bites"]) <= 300.0
    assert max(spans["brand"]) <= 190.0  # 60-150 mm box, strokes and 4 mm added
    assert all(len(v) > 5 for k, v in spans.items() if k != "brand")
    assert len(spans["brand"]) > 3


def _along_backbone(g, point: Point) -> float:
    bb = LineString(g.hide.backbone)
    return bb.project(point) / bb.length  # 0 at the tail, 1 at the neck


def test_tick_bites_sit_on_the_belly_and_brands_on_the_rump(population):
    on_belly, ticks, brand_pos = 0, 0, []
    for (kind, _q), hides in population.items():
        for g in hides:
            soft = shapely.union_all([_poly(z.outline) for z in g.zones_labelled("belly_neck")]
                                     + [_poly(z.outline) for z in g.zones_labelled("leg")])
            for z in g.zones_labelled("tick_bites"):
                ticks += 1
                on_belly += soft.contains(_poly(z.outline).centroid)
            brand_pos += [_along_backbone(g, _poly(z.outline).centroid)
                          for z in g.zones_labelled("brand")]
            if kind == "goat":
                assert not g.zones_labelled("brand")  # goats are not branded
            assert len(g.zones_labelled("brand")) <= defectgen.MAX_BRANDS
    assert on_belly >= 0.8 * ticks  # ticks mainly on the belly areas [X3]
    assert brand_pos
    assert max(brand_pos) < 0.45  # brands on the butt [X3]


def test_no_defects_and_invalid_presets():
    g = hidegen.generate("calf", 1, quality=defectgen.NO_DEFECTS)
    assert not _defects(g)
    assert g.defect_share == 0.0
    with pytest.raises(InputError):
        Quality("x", (0.2, 0.1))
    with pytest.raises(InputError):
        Quality("x", (0.01, 0.02), (1, 2), {"mole": 1})
    with pytest.raises(InputError):
        Quality("x", (0.01, 0.02), (1, 2), {"hole": 1})  # no patch kind to reach the share
    with pytest.raises(InputError):
        Quality("x", (0.0, 0.0), (1, 2), {"tick_bites": 1})  # lines but no line kind
