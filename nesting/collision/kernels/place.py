"""Apply a placement to a shape's arrays (EXACT: placed coordinates decide feasibility).

The transform is the one of :mod:`leathernest.geometry.transform`, operation for operation, so a
kernel and the validator see the same float64 coordinates: mirror x -> -x, rotate counter-clockwise
by the angle about the local origin, translate. ``cos``/``sin`` are computed by the caller from the
angle in radians (degrees x pi / 180, as ``math.radians``).

Shapes are given as a pool and a range (``sxy`` float64[2, *] from vertex ``v0``, ``n`` of them;
``sp`` float64[3, *] from pole ``p0``, ``m`` of them), so one pool of many pieces and the arrays of
one prepared shape (range 0..n) are the same array type, and every kernel has one specialisation.
"""

from __future__ import annotations

from leathernest.collision.jit import EXACT, kernel


@kernel(EXACT)
def place_into(sxy, v0: int, n: int, sp, p0: int, m: int, c: float, s: float, mirrored: bool,
               tx: float, ty: float, dxy, vbase: int, dp, pbase: int, bbox_row) -> None:
    """Place vertices sxy[:, v0:v0+n] and poles sp[:, p0:p0+m] into dxy[:, vbase:], dp[:, pbase:].

    The bbox of the placed vertices goes into bbox_row (float64[4]).
    """
    x0 = y0 = 1e308
    x1 = y1 = -1e308
    sign = -1.0 if mirrored else 1.0
    for i in range(n):
        x = sign * sxy[0, v0 + i]
        y = sxy[1, v0 + i]
        px = c * x - s * y + tx
        py = s * x + c * y + ty
        dxy[0, vbase + i] = px
        dxy[1, vbase + i] = py
        x0 = min(x0, px)
        x1 = max(x1, px)
        y0 = min(y0, py)
        y1 = max(y1, py)
    bbox_row[0] = x0
    bbox_row[1] = y0
    bbox_row[2] = x1
    bbox_row[3] = y1
    for i in range(m):
        x = sign * sp[0, p0 + i]
        y = sp[1, p0 + i]
        dp[0, pbase + i] = c * x - s * y + tx
        dp[1, pbase + i] = s * x + c * y + ty
        dp[2, pbase + i] = sp[2, p0 + i]
