"""The backbone's reference direction in Numba.

:mod:`leathernest.geometry.backbone` is the numpy form and the definition; a test holds the two
equal.

Backbones of all containers are pooled: container c owns vertices ``off[c] .. off[c + 1]`` of
``xy`` float64[2, V] with arc lengths ``s``; segment i (vertex i to i + 1) has its midpoint's arc
length in ``mid[i]`` and its unwrapped angle (radians) in ``ang[i]`` (entries at a container's last
vertex are unused). A container with fewer than two vertices has the x axis as reference.
"""

from __future__ import annotations

import math

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.kernels.grid import cell_of


@kernel(EXACT)
def container_at(x: float, y: float, g, dims, cell_container, container_box) -> int:
    """The container whose usable bbox holds (x, y), or -1 (grid lookup, then the box test)."""
    nx = dims[0]
    c = cell_container[cell_of(y, g[1], g[3], dims[1]) * nx + cell_of(x, g[0], g[2], nx)]
    if c < 0:
        return -1
    b = container_box[c]
    if b[0] <= x <= b[2] and b[1] <= y <= b[3]:
        return c
    return -1


@kernel(EXACT)
def reference_rad(c: int, x: float, y: float, off, xy, s, mid, ang) -> float:
    """Reference direction (radians, unwrapped) of container c at (x, y); 0 for c < 0."""
    if c < 0:
        return 0.0
    v0, v1 = off[c], off[c + 1]
    n_seg = v1 - v0 - 1
    if n_seg < 1:
        return 0.0
    if n_seg == 1:
        return ang[v0]
    best_d = math.inf
    best_s = 0.0
    for i in range(v0, v1 - 1):
        ax, ay = xy[0, i], xy[1, i]
        ex, ey = xy[0, i + 1] - ax, xy[1, i + 1] - ay
        ll = ex * ex + ey * ey
        t = ((x - ax) * ex + (y - ay) * ey) / ll
        t = min(max(t, 0.0), 1.0)
        px, py = ax + t * ex - x, ay + t * ey - y
        d = px * px + py * py
        if d < best_d:
            best_d = d
            best_s = s[i] + t * (s[i + 1] - s[i])
    last = v1 - 2
    if best_s <= mid[v0]:
        return ang[v0]
    if best_s >= mid[last]:
        return ang[last]
    for i in range(v0, last):
        if mid[i] <= best_s < mid[i + 1]:
            f = (best_s - mid[i]) / (mid[i + 1] - mid[i])
            return ang[i] + f * (ang[i + 1] - ang[i])
    return ang[last]
