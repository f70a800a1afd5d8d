"""Conservative offsets and poles of prepared shapes."""

from __future__ import annotations

import numpy as np
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
    assert same.for_stock is same.for_pieces


@PROFILE
@given(outlines(), st.sampled_from([0.05, 0.5, 2.0]))
def test_simplification_only_grows_pieces_and_only_shrinks_hides(outline, tol):
    from leathernest.collision.simplify import simplify_inward, simplify_outward

    poly = outline_polygon(outline)
    grown = simplify_outward(poly, tol)
    assert grown.is_valid
    assert grown.covers(poly)
    assert shapely.hausdorff_distance(grown.boundary, poly.boundary) <= tol
    shrunk = simplify_inward(poly, tol)
    assert shrunk.is_valid
    assert poly.covers(shrunk)
    assert shapely.hausdorff_distance(shrunk.boundary, poly.boundary) <= tol
    assert len(shapely.get_coordinates(grown)) <= len(shapely.get_coordinates(poly))


def test_simplification_removes_vertices_of_a_wiggly_outline():
    from leathernest.collision.simplify import simplify_inward, simplify_outward

    t = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    r = 100 + 0.3 * np.sin(37 * t)
    poly = shapely.Polygon(np.c_[r * np.cos(t), r * np.sin(t)])
    grown = simplify_outward(poly, 1.0)
    shrunk = simplify_inward(poly, 1.0)
    assert len(grown.exterior.coords) < 250
    assert len(shrunk.exterior.coords) < 250
    assert grown.covers(poly)
    assert poly.covers(shrunk)
