"""Point in polygon by even-odd ray casting (EXACT: decides feasibility).

A point exactly on a boundary is never asked about: the callers test edges first, and a shape vertex
lying on the other shape's boundary is an edge intersection (closed semantics), so the answer here
is only needed for points strictly inside or outside, where ray casting is unambiguous.
"""

from __future__ import annotations

from leathernest.collision.jit import EXACT, kernel


@kernel(EXACT)
def crosses_ray(ax: float, ay: float, bx: float, by: float, px: float, py: float) -> bool:
    """Whether edge ab crosses the ray from p towards +x (half-open in y: vertices count once)."""
    if (ay > py) == (by > py):
        return False
    xint = ax + (py - ay) * (bx - ax) / (by - ay)
    return px < xint


@kernel(EXACT)
def polygon_contains_point(xy, rings, base: int, px: float, py: float) -> bool:
    """Even-odd containment of p in the polygon whose rings are rings[k]..rings[k+1] (+ base).

    xy: float64[2, n] vertex pool; rings: int64[r + 1] offsets relative to base. With outer rings
    and
    holes together, even-odd is the region of a valid polygon or multipolygon.
    """
    inside = False
    for r in range(rings.shape[0] - 1):
        s = base + rings[r]
        e = base + rings[r + 1]
        j = e - 1
        for i in range(s, e):
            if crosses_ray(xy[0, j], xy[1, j], xy[0, i], xy[1, i], px, py):
                inside = not inside
            j = i
    return inside


@kernel(EXACT)
def any_ring_start_inside(axy, a_rings, a_base: int, bxy, b_rings, b_base: int, bbox) -> bool:
    """Whether the first vertex of some ring of a lies inside polygon b (bbox: b's float64[4])."""
    for r in range(a_rings.shape[0] - 1):
        i = a_base + a_rings[r]
        px, py = axy[0, i], axy[1, i]
        if px < bbox[0] or px > bbox[2] or py < bbox[1] or py > bbox[3]:
            continue
        if polygon_contains_point(bxy, b_rings, b_base, px, py):
            return True
    return False
