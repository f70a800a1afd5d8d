"""Hypothesis strategies and shapely references for the collision tests."""

from __future__ import annotations

import math

import numpy as np
import shapely
from hypothesis import strategies as st
from shapely.geometry import Polygon

from leathernest.geometry.transform import place_ring
from leathernest.model import Outline


@st.composite
def star_rings(draw, n_min: int = 3, n_max: int = 12, r_min: float = 2.0, r_max: float = 10.0):
    """A star-shaped (so simple), usually concave ring around the origin, float64 (n, 2)."""
    n = draw(st.integers(n_min, n_max))
    cuts = sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n, unique=True)))
    angles = [2 * math.pi * c for c in cuts]
    if angles[-1] - angles[0] > 2 * math.pi - 1e-3 or len(set(np.round(angles, 6))) < n:
        angles = [2 * math.pi * k / n for k in range(n)]
    radii = draw(st.lists(st.floats(r_min, r_max), min_size=n, max_size=n))
    return np.array(
        [(r * math.cos(a), r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    )


@st.composite
def outlines(draw, holes: bool = True):
    """A star-shaped outline, sometimes with a star-shaped hole inside its inner radius."""
    outer = draw(star_rings())
    r_in = float(np.min(np.hypot(outer[:, 0], outer[:, 1])))
    hole_list = []
    if holes and draw(st.booleans()):
        # the hole lies inside the disc of radius r_in * cos(pi / 3), which a star with all radii
        # >= r_in contains when its angular gaps are below 2 pi / 3: check and skip otherwise
        hole = draw(star_rings(3, 6, 0.2 * r_in, 0.45 * r_in))
        if Polygon(outer).contains(Polygon(hole)):
            hole_list.append(hole)
    poly = Polygon(outer, hole_list)
    if not poly.is_valid or poly.area < 1e-3:
        outer = np.array([(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)])
        hole_list = []
    return Outline.of(outer, hole_list)


ANGLES = st.one_of(st.sampled_from([0.0, 90.0, 180.0, 270.0, 45.0]), st.floats(-360.0, 360.0))
placements = st.tuples(ANGLES, st.booleans(), st.floats(-15.0, 15.0), st.floats(-15.0, 15.0))


def placed(geom, rotation_deg: float, mirrored: bool, x: float, y: float):
    """A shapely polygon/multipolygon under the placement, with leathernest.geometry.transform."""
    out = []
    for p in shapely.get_parts(geom):
        args = (rotation_deg, mirrored, x, y)
        ext = place_ring(np.asarray(p.exterior.coords)[:-1], *args)
        ints = [place_ring(np.asarray(h.coords)[:-1], *args) for h in p.interiors]
        out.append(Polygon(ext, ints))
    return out[0] if len(out) == 1 else shapely.MultiPolygon(out)


def near_boundary(a, b, tol: float) -> bool:
    """Whether the boundaries of a and b come within tol (a disagreement there is tolerated)."""
    return shapely.distance(a.boundary, b.boundary) <= tol


def _profile():
    """Hypothesis settings: derandomized CI default; LEATHERNEST_HYPOTHESIS=thorough for
    5000/test."""
    import os

    from hypothesis import HealthCheck, settings

    thorough = os.environ.get("LEATHERNEST_HYPOTHESIS") == "thorough"
    return settings(
        derandomize=not thorough,
        deadline=None,
        max_examples=5000 if thorough else 250,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )


PROFILE = _profile()
