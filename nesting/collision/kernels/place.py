"""Apply a placement to a prepared shape's arrays (EXACT: placed coordinates decide feasibility).

The transform is the one of :mod:`leathernest.geometry.transform`, operation for operation, so a kernel and
the validator see the same float64 coordinates: mirror x -> -x, rotate counter-clockwise by the
angle about the local origin, translate. ``cos``/``sin`` are computed by the caller from
``math.radians``.
"""

from __future__ import annotations

from numba import njit

from leathernest.collision.jit import EXACT


@njit(cache=True, nogil=True, fastmath=EXACT)
def place_shape(sxy, sp, c: float, s: float, mirrored: bool, tx: float, ty: float, txy, tp, tbbox):
    """Place vertices sxy (float64[2, n]) and poles sp (float64[3, p]) into txy, tp.

    The bbox of the placed vertices goes into tbbox (float64[4]).

    txy: float64[2, >= n] and tp: float64[3, >= p] are caller-owned scratch; tbbox: float64[4].
    """
    place_into(sxy, sp, c, s, mirrored, tx, ty, txy, 0, tp, 0, tbbox)


@njit(cache=True, nogil=True, fastmath=EXACT)
def place_into(
    sxy,
    sp,
    c: float,
    s: float,
    mirrored: bool,
    tx: float,
    ty: float,
    dxy,
    vbase: int,
    dp,
    pbase: int,
    bbox_row,
) -> None:
    """Place a shape into the engine's pools: vertices at dxy[:, vbase:], poles at dp[:, pbase:].

    :func:`place_shape` is this with both offsets 0; bbox_row is the float64[4] row receiving
    the bbox.
    """
    n = sxy.shape[1]
    x0 = y0 = 1e308
    x1 = y1 = -1e308
    sign = -1.0 if mirrored else 1.0
    for i in range(n):
        x = sign * sxy[0, i]
        y = sxy[1, i]
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
    for i in range(sp.shape[1]):
        x = sign * sp[0, i]
        y = sp[1, i]
        dp[0, pbase + i] = c * x - s * y + tx
        dp[1, pbase + i] = s * x + c * y + ty
        dp[2, pbase + i] = sp[2, i]
