"""Orientation and closed segment intersection (EXACT: these decide feasibility).

Semantics are those of closed sets, like shapely's ``intersects``: two segments that touch at a
point or overlap collinearly intersect. The kernels therefore count touching shapes as colliding,
which is conservative with respect to the validator (it never sees a layout the engine called
feasible while the pieces share a point).
"""

from __future__ import annotations

from leathernest.collision.jit import EXACT, kernel


@kernel(EXACT)
def orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    """Twice the signed area of (a, b, c): > 0 counter-clockwise, < 0 clockwise, 0 collinear."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@kernel(EXACT)
def _within(a: float, b: float, c: float) -> bool:
    """Whether c lies in the closed interval spanned by a and b."""
    if a <= b:
        return a <= c <= b
    return b <= c <= a


@kernel(EXACT)
def segments_intersect(
    ax: float, ay: float, bx: float, by: float, cx: float, cy: float, dx: float, dy: float
) -> bool:
    """Whether the closed segments ab and cd share a point (touching included)."""
    o1 = orient(ax, ay, bx, by, cx, cy)
    o2 = orient(ax, ay, bx, by, dx, dy)
    o3 = orient(cx, cy, dx, dy, ax, ay)
    o4 = orient(cx, cy, dx, dy, bx, by)
    if ((o1 > 0.0 and o2 < 0.0) or (o1 < 0.0 and o2 > 0.0)) and (
        (o3 > 0.0 and o4 < 0.0) or (o3 < 0.0 and o4 > 0.0)
    ):
        return True
    if o1 == 0.0 and _within(ax, bx, cx) and _within(ay, by, cy):
        return True
    if o2 == 0.0 and _within(ax, bx, dx) and _within(ay, by, dy):
        return True
    if o3 == 0.0 and _within(cx, dx, ax) and _within(cy, dy, ay):
        return True
    return o4 == 0.0 and _within(cx, dx, bx) and _within(cy, dy, by)
