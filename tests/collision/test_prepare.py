"""Conservative offsets and poles of prepared shapes."""

from __future__ import annotations

import shapely
from collision_strategies import PROFILE, outlines
from hypothesis import given
from hypothesis import strategies as st

from leathernest.collision.prepare import erode, inflate, outline_polygon, poles_of, prepare

DISTANCES = st.sampled_from([0.01, 0.5, 1.0, 3.0])


@PROFILE
@given(outlines(), DISTANCES)
def test_inflated_outline_contains_the_true_offset(outline, d):
    poly = outline_polygon(outline)
    grown = inflate(poly, d)
    assert grown.contains(poly)
    # every point of the original is at least d from the grown boundary: the true offset is inside
    assert shapely.distance(poly, grown.boundary) >= d * (1 - 1e-12)


@PROFILE
@given(outlines(), DISTANCES)
def test_eroded_region_lies_inside_the_true_erosion(outline, d):
    poly = outline_polygon(outline)
    shrunk = erode(poly, d)
    if shrunk.is_empty:
        return
    assert poly.contains(shrunk)
    assert shapely.distance(shrunk, poly.boundary) >= d * (1 - 1e-12)


@PROFILE
@given(outlines())
def test_poles_lie_strictly_inside_the_shape(outline):
    poly = outline_polygon(outline)
    poles = poles_of(poly)
    assert poles.shape[0] == 3
    assert poles.shape[1] >= 1
    for x, y, r in poles.T:
        c = shapely.Point(x, y)
        assert poly.contains(c)
        assert shapely.distance(c, poly.boundary) >= r
    # the first pole is (up to shapely's tolerance) the largest inscribed circle
    assert poles[2, 0] >= 0.98 * poles[2].max()


def test_prepared_shape_variants_share_arrays_when_margin_covers_half_gap():
    from leathernest.collision.fixtures import square

    same = prepare(square(), gap_mm=2.0, margin_mm=1.0)
    assert same.same
    two = prepare(square(), gap_mm=2.0, margin_mm=0.25)
    assert not two.same
    assert two.for_stock.polygon.area < two.for_pieces.polygon.area
    assert not same.for_pieces.xy.flags.writeable
