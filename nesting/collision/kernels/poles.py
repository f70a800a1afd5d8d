"""The pole overlap proxy: a smooth, cheap loss for two shapes known to collide (FAST).

After Sparrow's overlap proxy (Gardeyn and Wauters, arXiv 2509.13329, section on quantifying
collisions; ``src/quantify/overlap_proxy.rs``): every shape carries a few inscribed circles (poles);
the loss of a colliding pair sums, over pole pairs, a penetration depth ``pd = r_a + r_b - d``
passed through a decay that stays positive (so that the loss is > 0 whenever the exact test says
collision, even when no two poles overlap) and is C1 at ``pd = eps``. Each term is weighted by the
smaller radius, so the loss has the unit mm² and big circles count more than slivers.

These kernels are only ever called after an EXACT kernel has decided that the pair collides; they
return a loss, never a decision, which is why FAST is safe here.
"""

from __future__ import annotations

import math

from leathernest.collision.jit import FAST, kernel

# Width of the smooth transition, relative to the smaller pole radius: below pd = eps the term
# decays
# as eps²/(2 eps - pd) instead of going to zero. 0.05 keeps the loss of a barely-colliding pair
# small
# next to one pole penetrating by its own radius, yet far above float64 noise.
EPS_FRAC = 0.05


@kernel(FAST)
def decay(pd: float, eps: float) -> float:
    """Pd when pd >= eps, else eps²/(2 eps - pd): positive, increasing, C1 at pd = eps."""
    if pd >= eps:
        return pd
    return eps * eps / (2.0 * eps - pd)


@kernel(FAST)
def pole_pair_proxy(ap, a0: int, a1: int, bp, b0: int, b1: int) -> float:
    """Decayed overlap summed over poles a0..a1 of ap and b0..b1 of bp (float64[3, n]: x, y, r)."""
    total = 0.0
    for i in range(a0, a1):
        ax, ay, ar = ap[0, i], ap[1, i], ap[2, i]
        for j in range(b0, b1):
            dx = ax - bp[0, j]
            dy = ay - bp[1, j]
            rmin = min(ar, bp[2, j])
            pd = ar + bp[2, j] - math.sqrt(dx * dx + dy * dy)
            total += rmin * decay(pd, EPS_FRAC * rmin)
    return total


@kernel(FAST)
def box_exterior_proxy(tp, n_poles: int, box, tbbox) -> float:
    """Loss of a shape sticking out of the box (x0, y0, x1, y1) of a strip or a hide's usable bbox.

    Per pole, the depth beyond the box of the circle (radius minus signed distance inside) through
    the
    decay; plus how far the shape's bbox sticks out, times its largest pole radius, so that a corner
    outside the box pulls the shape back even when all poles are deep inside.
    """
    total = 0.0
    rmax = 0.0
    for i in range(n_poles):
        x, y, r = tp[0, i], tp[1, i], tp[2, i]
        rmax = max(rmax, r)
        sd = min(min(x - box[0], box[2] - x), min(y - box[1], box[3] - y))
        total += r * decay(r - sd, EPS_FRAC * r)
    excess = (
        max(0.0, box[0] - tbbox[0])
        + max(0.0, tbbox[2] - box[2])
        + max(0.0, box[1] - tbbox[1])
        + max(0.0, tbbox[3] - box[3])
    )
    return total + rmax * excess


@kernel(FAST)
def wall_proxy(tp, n_poles: int, wall, reach: float) -> float:
    """Loss of a shape past a wall ``n . v <= d`` (wall = (nx, ny, d)), reach = max of n . v.

    As :func:`box_exterior_proxy` for one side: per pole, its depth beyond the wall through the
    decay; plus how far the shape reaches past it, times its largest pole radius.
    """
    total = 0.0
    rmax = 0.0
    for i in range(n_poles):
        r = tp[2, i]
        rmax = max(rmax, r)
        sd = wall[2] - (wall[0] * tp[0, i] + wall[1] * tp[1, i])
        total += r * decay(r - sd, EPS_FRAC * r)
    return total + rmax * max(0.0, reach - wall[2])
