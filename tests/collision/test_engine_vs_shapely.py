"""The kernels' answers against shapely on the same (inflated, eroded) geometry."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from collision_strategies import PROFILE, near_boundary, outlines, placed, placements
from hypothesis import example, given
from hypothesis import strategies as st

from leathernest.collision.engine import CollisionEngine
from leathernest.collision.fixtures import square, tiny_hide
from leathernest.model import Hide, Outline, Zone

TOL = 1e-9  # boundary distance below which kernel and shapely may disagree (float64 rounding)


def _strip(gap=0.0, margin=0.0):
    return CollisionEngine.for_strip(200.0, 200.0, gap_mm=gap, margin_mm=margin, max_pieces=8)


@PROFILE
@given(outlines(), outlines(), placements, placements, st.sampled_from([0.0, 0.5, 2.0]))
def test_piece_piece_feasibility_agrees_with_shapely(a, b, pa, pb, gap):
    eng = _strip(gap)
    sa, sb = eng.prepare(a), eng.prepare(b)
    pa = (pa[0], pa[1], pa[2] + 100, pa[3] + 100)
    pb = (pb[0], pb[1], pb[2] + 100, pb[3] + 100)
    eng.add(3, sa, *pa)
    got = eng.feasible(sb, *pb)
    ga = placed(sa.for_pieces.polygon, *pa)
    gb = placed(sb.for_pieces.polygon, *pb)
    want = not ga.intersects(gb)
    if got != want:
        assert near_boundary(ga, gb, TOL), (got, want, shapely.distance(ga.boundary, gb.boundary))
    ov = eng.overlap(sb, *pb)
    assert (ov.total > 0) == (not got)
    assert (ov.ids.size > 0) == (not got)
    assert np.all(ov.values > 0)


@PROFILE
@given(
    outlines(),
    placements,
    st.sampled_from([(0.0, 0.0), (1.0, 1.0), (2.0, 0.25), (0.5, 3.0)]),
    st.integers(0, 3),
)
@example(Outline.of([(-5, -5), (5, -5), (5, 5), (-5, 5)]), (0.0, False, 75.0, 65.0), (0.0, 0.0), 1)
def test_hide_feasibility_agrees_with_shapely(a, pa, gap_margin, min_grade):
    gap, margin = gap_margin
    hide = _hide_with_zones()
    eng = CollisionEngine.for_hide(hide, gap_mm=gap, margin_mm=margin, max_pieces=4)
    s = eng.prepare(a)
    pa = (pa[0], pa[1], pa[2] * 4 + 50, pa[3] * 4 + 45)
    mask = eng.mask_for(min_grade or None)
    got = eng.feasible(s, *pa, mask=mask)
    g = placed(s.for_stock.polygon, *pa)
    usable, zones = _reference_stock(eng)
    hits_ext = not usable.contains_properly(g)
    hits_zone = [z.intersects(g) for z, m in zip(zones, mask[1:], strict=True) if m]
    want = not (hits_ext or any(hits_zone))
    if got != want:
        tolerated = near_boundary(g, usable, TOL) or any(
            near_boundary(g, z, TOL) for z, m in zip(zones, mask[1:], strict=True) if m
        )
        assert tolerated, (got, want)
    ov = eng.overlap(s, *pa, mask=mask)
    assert (ov.total > 0) == (not got)


def _hide_with_zones() -> Hide:
    outer = [(0, 0), (60, -5), (100, 0), (105, 50), (100, 90), (50, 80), (0, 90), (5, 45)]
    holes = [[(70, 60), (80, 60), (80, 70), (70, 70)], [(20, 20), (30, 22), (25, 30)]]
    zones = (
        Zone(Outline.of([(10, 60), (20, 60), (20, 70), (10, 70)]), 0),
        Zone(
            Outline.of([(40, 40), (60, 40), (60, 50), (40, 50)], [[(45, 42), (55, 42), (50, 48)]]),
            2,
        ),
        Zone(Outline.of([(90, 10), (120, 10), (120, 30), (90, 30)]), 1),
    )
    return Hide("h", Outline.of(outer, holes), zones)


def _reference_stock(eng: CollisionEngine):
    """The static hazards as shapely geometry, rebuilt from the engine's arrays."""
    st_ = eng.static
    polys = []
    for h in range(st_.n_hazards):
        rings = [
            st_.xy[:, st_.rings[r] : st_.rings[r + 1]].T
            for r in range(st_.hz_ring[h], st_.hz_ring[h + 1])
        ]
        # even-odd union of rings: symmetric difference of their polygons
        geom = shapely.Polygon()
        for r in rings:
            geom = geom.symmetric_difference(shapely.Polygon(r))
        polys.append(geom)
    return polys[0], polys[1:]


def test_poles_lie_inside_their_shapes():
    hide = _hide_with_zones()
    eng = CollisionEngine.for_hide(hide, gap_mm=1.0, margin_mm=1.0)
    usable, zones = _reference_stock(eng)
    for h, geom in enumerate([None, *zones]):
        for j in range(eng.static.hz_pole[h], eng.static.hz_pole[h + 1]):
            x, y, r = eng.static.poles[:, j]
            c = shapely.Point(x, y)
            if geom is None:  # exterior poles lie outside the usable region
                assert not usable.contains(c)
                assert shapely.distance(c, usable) >= r * (1 - 1e-7)
            else:
                assert geom.contains(c)
                assert shapely.distance(c, geom.boundary) >= r * (1 - 1e-7)


@pytest.mark.parametrize(
    ("x", "y", "want"),
    [
        (20.0, 10.0, False),  # shared edge: touching collides (closed sets, as shapely intersects)
        (20.0, 20.0, False),  # shared corner
        (20.0, 15.0, False),  # collinear overlap of half an edge
        (20.0 + 1e-6, 10.0, True),  # a micron apart: clear
        (10.0, 10.0, False),  # identical placement
        (15.0, 12.0, False),  # overlapping
    ],
)
def test_touching_squares_collide_and_separated_do_not(x, y, want):
    eng = _strip()
    sq = eng.prepare(square())
    eng.add(0, sq, 0.0, False, 10.0, 10.0)
    assert eng.feasible(sq, 0.0, False, x, y) is want


def test_piece_exactly_filling_a_hole_collides_and_inside_hole_of_piece_is_clear():
    ring = Outline.of(
        [(-20, -20), (20, -20), (20, 20), (-20, 20)], [[(-5, -5), (5, -5), (5, 5), (-5, 5)]]
    )
    eng = _strip()
    frame = eng.prepare(ring)
    eng.add(0, frame, 0.0, False, 50.0, 50.0)
    assert not eng.feasible(eng.prepare(square(10.0)), 0.0, False, 50.0, 50.0)
    assert eng.feasible(eng.prepare(square(9.0)), 0.0, False, 50.0, 50.0)
    assert not eng.feasible(eng.prepare(square(9.0)), 0.0, False, 50.6, 50.0)
    # the frame around a placed small square
    eng2 = _strip()
    eng2.add(1, eng2.prepare(square(9.0)), 0.0, False, 50.0, 50.0)
    assert eng2.feasible(frame, 0.0, False, 50.0, 50.0)
    assert not eng2.feasible(frame, 0.0, False, 60.0, 50.0)


def test_gap_is_kept_between_pieces():
    eng = _strip(gap=2.0)
    sq = eng.prepare(square())
    eng.add(0, sq, 0.0, False, 10.0, 10.0)
    assert not eng.feasible(sq, 0.0, False, 21.99, 10.0)
    assert eng.feasible(sq, 0.0, False, 22.01, 10.0)


def test_margin_below_half_gap_keeps_both_clearances():
    # gap 4 (2 per piece), margin 0.5: strip edge clearance 0.5, piece clearance 4
    eng = _strip(gap=4.0, margin=0.5)
    sq = eng.prepare(square())
    assert not sq.same
    assert eng.feasible(sq, 0.0, False, 5.51, 5.51)
    assert not eng.feasible(sq, 0.0, False, 5.49, 50.0)
    eng.add(0, sq, 0.0, False, 5.51, 5.51)
    assert not eng.feasible(sq, 0.0, False, 5.51 + 13.99, 5.51)
    assert eng.feasible(sq, 0.0, False, 5.51 + 14.01, 5.51)


def test_zone_grades_follow_zone_blocks():
    eng = CollisionEngine.for_hide(tiny_hide(), max_pieces=2)
    sq = eng.prepare(square())
    on_grade2 = (0.0, False, 50.0, 45.0)
    assert not eng.feasible(sq, *on_grade2)  # min_grade None: every zone blocks
    assert eng.feasible(sq, *on_grade2, mask=eng.mask_for(1))
    assert eng.feasible(sq, *on_grade2, mask=eng.mask_for(2))
    assert not eng.feasible(sq, *on_grade2, mask=eng.mask_for(3))
    on_grade0 = (0.0, False, 15.0, 15.0)
    assert not eng.feasible(sq, *on_grade0, mask=eng.mask_for(1))


def test_nan_placement_is_infeasible_with_infinite_loss():
    eng = _strip()
    sq = eng.prepare(square())
    assert not eng.feasible(sq, float("nan"), False, 10.0, 10.0)
    samples = np.array([[0.0, 0.0, np.nan, 10.0], [0.0, 0.0, 50.0, 50.0]])
    _best, losses = eng.batch_loss(sq, samples)
    assert losses[0] == np.inf
    assert losses[1] == 0.0
