"""Constructive placement of one piece: the best feasible position by a gravity key, in one call.

The bottom-left idea of the constructive heuristics surveyed by Bennell and Oliveira (2008), done
the way jagua-rs's LBF constructor samples it: many uniform samples of the piece's allowed
orientations over a box of its container, each tested exactly (loss 0 is feasible: the proxy is
positive for every collision), the feasible ones ranked by a *gravity key*, and the best few slid
further by a shrinking pattern search that only accepts feasible positions with a smaller key.

Gravity follows an axis ``a`` per call (a unit vector; ``b`` is ``a`` turned by 90 degrees): the
key of a placement is how far the piece reaches along ``a`` plus ``w`` times how far it reaches
along ``b``, so pieces pack towards the ``-a`` end first, then towards ``-b``. A strip packs
leftwards (``a`` = x); a hide packs towards the end of its axis that the search compresses it to
(:mod:`leathernest.search.hides`).

One kernel call per (piece, container), so a complete layout of a few hundred pieces costs a few
hundred calls, not a Python loop over samples. The kernels take the layout as one
:class:`~leathernest.search.kernels.records.LayoutArrays` record and test feasibility only (a
probe in feasibility mode: the first collision stops a sample).
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.kernels.query import query
from leathernest.search.kernels.copies import hull_range, probe_of, rows_of
from leathernest.search.kernels.rng import next_int, next_u01
from leathernest.search.kernels.sample import (
    DEG,
    P_SIZE,
    hull_bbox,
    keep_best,
    materialize,
    sample_angle,
    sample_in,
)

# directions of the slide in (a, b) terms: -a, -b, -a-b, -a+b, a-b (left, down, down-left, up-left,
# down-right for a strip)
_DIRS = np.array([[-1.0, 0.0], [0.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
# cc float64[N_CC], from :class:`leathernest.config.ConstructConfig` (its fields say why): lattice
# points per axis, angles of a full turn, the gravity key's weight w of b against a, feasible
# candidates slid per call, points of a partial angle range, share of grid angles among LBF
# samples, the slide's last step relative to the piece size
CC_GRID, CC_TURN, CC_W, CC_KEEP, CC_RANGE, CC_SHARE, CC_SLIDE = 0, 1, 2, 3, 4, 5, 6
N_CC = 7


@kernel(EXACT)
def _reach(hxy, h0: int, hn: int, rot_deg: float, mirrored: bool, ax: float, ay: float,
           out) -> None:
    """How far the hull reaches along a (out[0]) and along b = a turned 90 degrees (out[1]).

    The hull as placed at the origin with rotation rot_deg (mirrored first): the maxima of a . v
    and b . v over its vertices.
    """
    c, s = math.cos(rot_deg * DEG), math.sin(rot_deg * DEG)
    out[0] = -math.inf
    out[1] = -math.inf
    for i in range(h0, h0 + hn):
        x = -hxy[0, i] if mirrored else hxy[0, i]
        y = hxy[1, i]
        px = c * x - s * y
        py = s * x + c * y
        out[0] = max(out[0], ax * px + ay * py)
        out[1] = max(out[1], ax * py - ay * px)


@kernel(EXACT)
def _key(hxy, h0: int, hn: int, pos, w: float, axis, ext) -> float:
    """The gravity key of placement row pos (see the module docstring)."""
    ax, ay = axis[0], axis[1]
    _reach(hxy, h0, hn, pos[0], pos[1] != 0.0, ax, ay, ext)
    return (ext[0] + ax * pos[2] + ay * pos[3]) + w * (ext[1] + ax * pos[3] - ay * pos[2])


@kernel(EXACT)
def _grid_angle(rows, j: int, rng, cc) -> float:
    """An angle parameter of row j: mostly from the grid (share cc[CC_SHARE]), else uniform."""
    lo, hi = rows[j, 0], rows[j, 1]
    if hi <= lo or next_u01(rng) >= cc[CC_SHARE]:
        return sample_angle(rows, j, rng)
    if hi - lo >= 360.0 - 1e-9:
        turn = int(cc[CC_TURN])
        return lo + 360.0 * next_int(rng, turn) / turn
    n_range = int(cc[CC_RANGE])
    return lo + (hi - lo) * next_int(rng, n_range) / (n_range - 1)


@kernel(EXACT)
def _slide_best(lay, k: int, keep, keys, n_kept: int, cc, axis, smp, lout, out) -> bool:
    """Slide each kept placement down and left; the lowest key goes to out. False if none kept.

    The slide is a pattern search towards smaller keys over feasible positions: the five
    directions of a step are tested in one call; a step that finds no better position halves.
    """
    if n_kept == 0:
        return False
    items, work = lay.items, lay.work
    probe = probe_of(lay.pools, lay.masks, lay.grade_of, k, False, lay.ones_s, lay.ones_k)
    no_ids, no_vals = lay.out_ids[:0], lay.out_vals[:0]
    hxy = items.hull_xy
    h0, hn = hull_range(items, k)
    rows = rows_of(items, k)
    size = items.params[k, P_SIZE]
    w = cc[CC_W]
    ax, ay = axis[0], axis[1]
    ext = np.empty(2)
    pos = np.empty(6)
    trial = np.empty((_DIRS.shape[0], 6))
    best = math.inf
    for t in range(n_kept):
        for c in range(6):
            pos[c] = keep[t, c]
        key = keys[t]
        step = 0.25 * size
        row = int(pos[4])
        while step > cc[CC_SLIDE] * size:
            m = 0
            for d in range(_DIRS.shape[0]):
                for c in range(6):
                    trial[m, c] = pos[c]
                da, db = _DIRS[d, 0], _DIRS[d, 1]  # along a and b
                trial[m, 2] += step * (da * ax - db * ay)
                trial[m, 3] += step * (da * ay + db * ax)
                rot = materialize(rows, row, trial[m, 5], trial[m, 2], trial[m, 3], lay.sheet)
                if not math.isfinite(rot):
                    continue
                trial[m, 0] = rot
                for c in range(4):
                    smp[m, c] = trial[m, c]
                m += 1
            moved = False
            if m > 0:
                work[0] += m
                query(probe, smp[:m], lay.engine, math.inf, 1, lout, no_ids, no_vals)
                for u in range(m):
                    if lout[u] == 0.0:
                        continue
                    kk = _key(hxy, h0, hn, trial[u], w, axis, ext)
                    if kk < key:
                        key = kk
                        for c in range(6):
                            pos[c] = trial[u, c]
                        moved = True
                        break
            if not moved:
                step *= 0.5
        if key < best:
            best = key
            for c in range(6):
                out[c] = pos[c]
    return True


@kernel(EXACT)
def place_lbf(lay, k: int, sbox, n_samples: int, cc, axis, rng, out) -> bool:
    """Best feasible placement (into out float64[6]) of copy k in the sampling box sbox.

    sbox float64[4] lies within one container (a strip's box clipped near the layout's right
    edge, or a hide copy's usable box). Orientation rows are visited in turn, angle parameters
    drawn mostly from a grid (:func:`_grid_angle`); all samples are tested in one call. cc holds
    the weight of b against a in the gravity key along axis (float64[2]) and the other
    :class:`~leathernest.config.ConstructConfig` values. False when no sample was feasible.
    """
    items, sheet, work = lay.items, lay.sheet, lay.work
    hxy = items.hull_xy
    h0, hn = hull_range(items, k)
    rows = rows_of(items, k)
    m = rows.shape[0]
    w = cc[CC_W]
    n_keep = int(cc[CC_KEEP])
    keep = np.empty((n_keep, 6))
    keys = np.full(n_keep, math.inf)
    smp = np.empty((max(n_samples, 5), 4))
    meta = np.empty((max(n_samples, 1), 6))
    lout = np.empty(max(n_samples, 5))
    bb = np.empty(4)
    ext = np.empty(2)
    cand = np.empty(6)
    start = next_int(rng, m)
    q = 0
    for i in range(n_samples):
        j = (start + i) % m
        a = _grid_angle(rows, j, rng, cc)
        if not sample_in(hxy, h0, hn, rows, j, a, sbox, sheet, rng, cand, bb):
            continue
        rot = materialize(rows, j, a, cand[2], cand[3], sheet)
        if not math.isfinite(rot):
            continue
        cand[0] = rot
        for c in range(6):
            meta[q, c] = cand[c]
        for c in range(4):
            smp[q, c] = cand[c]
        q += 1
    if q == 0:
        return False
    work[0] += q
    probe = probe_of(lay.pools, lay.masks, lay.grade_of, k, False, lay.ones_s, lay.ones_k)
    query(probe, smp[:q], lay.engine, math.inf, 1, lout, lay.out_ids[:0], lay.out_vals[:0])
    n_kept = 0
    for i in range(q):
        if lout[i] == 0.0:
            continue
        n_kept = keep_best(keep, keys, n_kept, meta[i], _key(hxy, h0, hn, meta[i], w, axis, ext))
    return _slide_best(lay, k, keep, keys, n_kept, cc, axis, smp, lout, out)


@kernel(EXACT)
def place_bl(lay, k: int, sbox, cc, axis, rng, out) -> bool:
    """Bottom-left placement (into out float64[6]): the lowest-key feasible grid point, slid.

    For every allowed angle (a full turn in cc[CC_TURN] steps from a random offset, a partial
    range at cc[CC_RANGE] points, a fixed angle as it is), the positions of a grid x grid lattice
    (jittered within its cells) over the box the piece's rotated bbox may take inside sbox are
    sorted by the gravity key and tested in chunks, lowest key first, until one is feasible: the
    bottom-left rule of the constructive heuristics surveyed by Bennell and Oliveira (2008), as
    the first packer of this project did it. An angle whose lowest key cannot beat the best
    point found so far is skipped, and so is the rest of a scan once its keys pass it. The best
    candidates (at most cc[CC_KEEP]) are slid; False when none is feasible. Cost: what the first
    feasible point takes, at most angles x grid² tests.
    """
    items, sheet, work = lay.items, lay.sheet, lay.work
    probe = probe_of(lay.pools, lay.masks, lay.grade_of, k, False, lay.ones_s, lay.ones_k)
    no_ids, no_vals = lay.out_ids[:0], lay.out_vals[:0]
    hxy = items.hull_xy
    h0, hn = hull_range(items, k)
    rows = rows_of(items, k)
    m = rows.shape[0]
    grid, turn_angles, n_range = int(cc[CC_GRID]), int(cc[CC_TURN]), int(cc[CC_RANGE])
    w = cc[CC_W]
    n_keep = int(cc[CC_KEEP])
    keep = np.empty((n_keep, 6))
    keys = np.full(n_keep, math.inf)
    g2 = grid * grid
    chunk = 64
    px = np.empty(g2)
    py = np.empty(g2)
    kv = np.empty(g2)
    smp = np.empty((chunk, 4))
    lout = np.empty(chunk)
    bb = np.empty(4)
    ext = np.empty(2)
    ax, ay = axis[0], axis[1]
    cand = np.empty(6)
    n_kept = 0
    off = next_u01(rng)
    for j in range(m):
        lo, hi = rows[j, 0], rows[j, 1]
        if hi <= lo:
            n_ang = 1
        elif hi - lo >= 360.0 - 1e-9:
            n_ang = turn_angles
        else:
            n_ang = n_range
        mir = rows[j, 2]
        for t in range(n_ang):
            if hi <= lo:
                a = lo
            elif n_ang == turn_angles and hi - lo >= 360.0 - 1e-9:
                a = lo + 360.0 * (t + off) / n_ang
            else:
                a = lo + (hi - lo) * t / (n_range - 1)
            mx = 0.5 * (sbox[0] + sbox[2])
            my = 0.5 * (sbox[1] + sbox[3])
            rot = materialize(rows, j, a, mx, my, sheet)
            if not math.isfinite(rot):
                rot = a
            hull_bbox(hxy, h0, hn, rot, mir != 0.0, bb)
            xlo, xhi = sbox[0] - bb[0], sbox[2] - bb[2]
            ylo, yhi = sbox[1] - bb[1], sbox[3] - bb[3]
            if xlo > xhi or ylo > yhi:
                continue
            _reach(hxy, h0, hn, rot, mir != 0.0, ax, ay, ext)
            # the key is linear in the position: its least over the box is at a corner
            low = math.inf
            for cx in (xlo, xhi):
                for cy in (ylo, yhi):
                    low = min(low, ext[0] + ax * cx + ay * cy + w * (ext[1] + ax * cy - ay * cx))
            if n_kept > 0 and low >= keys[0]:
                continue  # this angle cannot beat the best point found
            dx = (xhi - xlo) / grid
            dy = (yhi - ylo) / grid
            q = 0
            for ix in range(grid):
                for iy in range(grid):
                    x = xlo + (ix + next_u01(rng)) * dx
                    y = ylo + (iy + next_u01(rng)) * dy
                    px[q] = x
                    py[q] = y
                    kv[q] = (ext[0] + ax * x + ay * y) + w * (ext[1] + ax * y - ay * x)
                    q += 1
            order = np.argsort(kv)
            found = False
            for s0 in range(0, g2, chunk):
                if n_kept > 0 and kv[order[s0]] >= keys[0]:
                    break
                n = 0
                for s in range(s0, min(s0 + chunk, g2)):
                    i = order[s]
                    r2 = materialize(rows, j, a, px[i], py[i], sheet)
                    if not math.isfinite(r2):
                        continue
                    meta_i = s  # keep the sorted position in the sample's slot
                    smp[n, 0] = r2
                    smp[n, 1] = mir
                    smp[n, 2] = px[i]
                    smp[n, 3] = py[i]
                    lout[n] = meta_i
                    n += 1
                if n == 0:
                    continue
                pos_of = lout[:n].copy()
                work[0] += n
                query(probe, smp[:n], lay.engine, math.inf, 1, lout[:n], no_ids, no_vals)
                for u in range(n):
                    if lout[u] == 0.0:
                        continue
                    cand[0] = smp[u, 0]
                    cand[1] = mir
                    cand[2] = smp[u, 2]
                    cand[3] = smp[u, 3]
                    cand[4] = j
                    cand[5] = a
                    n_kept = keep_best(keep, keys, n_kept, cand, kv[order[int(pos_of[u])]])
                    found = True
                    break
                if found:
                    break
    return _slide_best(lay, k, keep, keys, n_kept, cc, axis, smp, lout, out)
