"""Orientation and closed segment intersection (EXACT: these decide feasibility).

Semantics are those of closed sets, like shapely's ``intersects``: two segments that touch at a
point or overlap collinearly intersect. The kernels therefore count touching shapes as colliding,
which is conservative with respect to the validator (it never sees a layout the engine called
feasible while the pieces share a point).
"""

from __future__ import annotations

from numba import njit

from leathernest.collision.jit import EXACT


@njit(cache=True, nogil=True, fastmath=EXACT)
def orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    """Twice the signed area of (a, b, c): > 0 counter-clockwise, < 0 clockwise, 0 collinear."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _within(a: float, b: float, c: float) -> bool:
    """Whether c lies in the closed interval spanned by a and b."""
    if a <= b:
        return a <= c <= b
    return b <= c <= a


@njit(cache=True, nogil=True, fastmath=EXACT)
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


@njit(cache=True, nogil=True, fastmath=EXACT)
def rings_edges_intersect(
    axy, a_rings, a_base: int, bxy, b_rings, b_base: int, x0: float, y0: float, x1: float, y1: float
) -> bool:
    """Whether any edge of shape a meets any edge of shape b (both already placed).

    axy, bxy: float64[2, n] vertex pools; a_rings, b_rings: int64[r + 1] ring offsets relative to
    a_base, b_base in their pools. Only edges meeting the box (x0, y0, x1, y1), the intersection of
    the
    two shapes' bboxes, are compared: an intersection point must lie in both bboxes.
    """
    for ra in range(a_rings.shape[0] - 1):
        s = a_base + a_rings[ra]
        e = a_base + a_rings[ra + 1]
        for i in range(s, e):
            j = i + 1 if i + 1 < e else s
            px, py, qx, qy = axy[0, i], axy[1, i], axy[0, j], axy[1, j]
            if max(px, qx) < x0 or min(px, qx) > x1 or max(py, qy) < y0 or min(py, qy) > y1:
                continue
            for rb in range(b_rings.shape[0] - 1):
                t = b_base + b_rings[rb]
                f = b_base + b_rings[rb + 1]
                for k in range(t, f):
                    m = k + 1 if k + 1 < f else t
                    ux, uy, vx, vy = bxy[0, k], bxy[1, k], bxy[0, m], bxy[1, m]
                    if (
                        max(ux, vx) < min(px, qx)
                        or min(ux, vx) > max(px, qx)
                        or max(uy, vy) < min(py, qy)
                        or min(uy, vy) > max(py, qy)
                    ):
                        continue
                    if segments_intersect(px, py, qx, qy, ux, uy, vx, vy):
                        return True
    return False
