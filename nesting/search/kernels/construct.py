"""Constructive placement of one piece: the best feasible position by a gravity key, in one call.

The bottom-left idea of the constructive heuristics surveyed by Bennell and Oliveira (2008), done
the way jagua-rs's LBF constructor samples it: many uniform samples of the piece's allowed
orientations over a box of its container, each tested exactly (loss 0 is feasible: the proxy is
positive for every collision), the feasible ones ranked by a *gravity key* (the far corner of the
piece's rotated bbox, ``x1 + w * y1``: leftwards first, then down), and the best few slid further
by a shrinking pattern search that only accepts feasible positions with a smaller key.

One kernel call per (piece, container), so a complete layout of a few hundred pieces costs a few
hundred calls, not a Python loop over samples.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from leathernest.collision.jit import EXACT
from leathernest.collision.kernels.batch import batch_feasible
from leathernest.search.kernels.rng import next_int, next_u01
from leathernest.search.kernels.sample import (
    hull_bbox,
    materialize,
    sample_angle,
    sample_in,
)

# directions of the slide: left, down, down-left, up-left, down-right
_DIRS = np.array([[-1.0, 0.0], [0.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
SLIDE_MIN_REL = 1e-3  # the slide stops when its step falls below this share of the piece size
N_KEEP = 3  # feasible samples slid per call
# Angles of a rotation range are mostly drawn from a grid (a full turn in steps of 360 / 16, a
# partial range at its ends and three points between): pieces cut from a hide fit best square to
# each other, and the old packer's 16 angles beat uniform angles. The rest are uniform.
GRID_TURN = 16
GRID_RANGE = 3
GRID_SHARE = 0.75


@njit(cache=True, nogil=True, fastmath=EXACT)
def _key(hxy, h0: int, hn: int, pos, w: float, bb) -> float:
    hull_bbox(hxy, h0, hn, pos[0], pos[1] != 0.0, bb)
    return (pos[2] + bb[2]) + w * (pos[3] + bb[3])


@njit(cache=True, nogil=True, fastmath=EXACT)
def _slide(ea, hxy, h0: int, hn: int, rows, pos, key: float, w: float, size: float, ctx, smp,
           lout, trial, bb, work) -> float:
    """Pattern search towards smaller keys over feasible positions; returns the final key.

    The five directions of a step are tested in one call (smp float64[5, 4], trial [5, 6]).
    """
    step = 0.25 * size
    row = int(pos[4])
    while step > SLIDE_MIN_REL * size:
        m = 0
        for d in range(_DIRS.shape[0]):
            for c in range(6):
                trial[m, c] = pos[c]
            trial[m, 2] += step * _DIRS[d, 0]
            trial[m, 3] += step * _DIRS[d, 1]
            rot = materialize(rows, row, trial[m, 5], trial[m, 2], trial[m, 3], ctx)
            if not math.isfinite(rot):
                continue
            trial[m, 0] = rot
            for c in range(4):
                smp[m, c] = trial[m, c]
            m += 1
        moved = False
        if m > 0:
            feasible(ea, smp[:m], lout, work)
            for t in range(m):
                if lout[t] == 0.0:
                    continue
                k = _key(hxy, h0, hn, trial[t], w, bb)
                if k < key:
                    key = k
                    for c in range(6):
                        pos[c] = trial[t, c]
                    moved = True
                    break
        if not moved:
            step *= 0.5
    return key


@njit(cache=True, nogil=True, fastmath=EXACT)
def feasible(ea, smp, out, work) -> None:
    """out[i] = 1.0 where sample i is feasible (exact, first collision stops it), else 0.0."""
    work[0] += smp.shape[0]
    batch_feasible(ea[0], ea[1], ea[2], smp, ea[3], ea[4], ea[5], ea[6], ea[7], ea[8], ea[9],
                   out)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _grid_angle(rows, j: int, rng) -> float:
    """An angle parameter of row j: mostly from the grid (see GRID_SHARE), else uniform."""
    lo, hi = rows[j, 0], rows[j, 1]
    if hi <= lo or next_u01(rng) >= GRID_SHARE:
        return sample_angle(rows, j, rng)
    if hi - lo >= 360.0 - 1e-9:
        return lo + 360.0 * next_int(rng, GRID_TURN) / GRID_TURN
    return lo + (hi - lo) * next_int(rng, GRID_RANGE) / (GRID_RANGE - 1)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _keep(keep, keys, n_kept: int, row, kk: float) -> int:
    """Insert row with key kk into the N_KEEP lowest keys so far (sorted); the new count."""
    if n_kept == N_KEEP and kk >= keys[N_KEEP - 1]:
        return n_kept
    pos = min(n_kept, N_KEEP - 1)
    while pos > 0 and keys[pos - 1] > kk:
        keep[pos, :] = keep[pos - 1, :]
        keys[pos] = keys[pos - 1]
        pos -= 1
    keep[pos, :] = row
    keys[pos] = kk
    return min(n_kept + 1, N_KEEP)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _slide_best(ea, hxy, h0: int, hn: int, rows, keep, keys, n_kept: int, w: float, size: float,
                ctx, smp, lout, trial, bb, cand, out, work) -> bool:
    """Slide each kept placement down and left; the lowest key goes to out. False if none kept."""
    if n_kept == 0:
        return False
    best = math.inf
    for t in range(n_kept):
        for c in range(6):
            cand[c] = keep[t, c]
        kk = _slide(ea, hxy, h0, hn, rows, cand, keys[t], w, size, ctx, smp, lout, trial, bb,
                    work)
        if kk < best:
            best = kk
            for c in range(6):
                out[c] = cand[c]
    return True


@njit(cache=True, nogil=True, fastmath=EXACT)
def place_lbf(ea, hxy, h0: int, hn: int, rows, sbox, n_samples: int, w: float, size: float, ctx,
              rng, out, work) -> bool:
    """Best feasible placement (into out float64[6]) of a piece in the sampling box sbox.

    sbox float64[4] lies within one container (a strip's box clipped near the layout's right
    edge, or a hide copy's usable box). Orientation rows are visited in turn, angle parameters
    drawn uniformly within ranges; all samples are tested in one call. w weighs the top edge in
    the gravity key, size is the piece's larger side (slide steps). False when no sample was
    feasible.
    """
    m = rows.shape[0]
    keep = np.empty((N_KEEP, 6))
    keys = np.full(N_KEEP, math.inf)
    smp = np.empty((max(n_samples, 5), 4))
    meta = np.empty((max(n_samples, 1), 6))
    lout = np.empty(max(n_samples, 5))
    bb = np.empty(4)
    cand = np.empty(6)
    trial = np.empty((5, 6))
    start = next_int(rng, m)
    k = 0
    for i in range(n_samples):
        j = (start + i) % m
        a = _grid_angle(rows, j, rng)
        if not sample_in(hxy, h0, hn, rows, j, a, sbox, ctx, rng, cand, bb):
            continue
        rot = materialize(rows, j, a, cand[2], cand[3], ctx)
        if not math.isfinite(rot):
            continue
        cand[0] = rot
        for c in range(6):
            meta[k, c] = cand[c]
        for c in range(4):
            smp[k, c] = cand[c]
        k += 1
    if k == 0:
        return False
    feasible(ea, smp[:k], lout, work)
    n_kept = 0
    for i in range(k):
        if lout[i] == 0.0:
            continue
        n_kept = _keep(keep, keys, n_kept, meta[i], _key(hxy, h0, hn, meta[i], w, bb))
    return _slide_best(ea, hxy, h0, hn, rows, keep, keys, n_kept, w, size, ctx, smp, lout,
                       trial, bb, cand, out, work)


@njit(cache=True, nogil=True, fastmath=EXACT)
def place_bl(ea, hxy, h0: int, hn: int, rows, sbox, grid: int, turn_angles: int, w: float,
             size: float, ctx, rng, out, work) -> bool:
    """Bottom-left placement (into out float64[6]): the lowest-key feasible grid point, slid.

    For every allowed angle (a full turn in turn_angles steps from a random offset, a partial
    range at GRID_RANGE points, a fixed angle as it is), the positions of a grid x grid lattice
    (jittered within its cells) over the box the piece's rotated bbox may take inside sbox are
    sorted by the gravity key and tested in chunks, lowest key first, until one is feasible: the
    bottom-left rule of the constructive heuristics surveyed by Bennell and Oliveira (2008), as
    the first packer of this project did it. An angle whose lowest key cannot beat the best
    point found so far is skipped, and so is the rest of a scan once its keys pass it. The best
    candidates (at most N_KEEP) are slid; False when none is feasible. Cost: what the first
    feasible point takes, at most angles x grid² tests.
    """
    m = rows.shape[0]
    keep = np.empty((N_KEEP, 6))
    keys = np.full(N_KEEP, math.inf)
    g2 = grid * grid
    chunk = 64
    px = np.empty(g2)
    py = np.empty(g2)
    kv = np.empty(g2)
    smp = np.empty((chunk, 4))
    lout = np.empty(chunk)
    bb = np.empty(4)
    cand = np.empty(6)
    trial = np.empty((5, 6))
    n_kept = 0
    off = next_u01(rng)
    for j in range(m):
        lo, hi = rows[j, 0], rows[j, 1]
        if hi <= lo:
            n_ang = 1
        elif hi - lo >= 360.0 - 1e-9:
            n_ang = turn_angles
        else:
            n_ang = GRID_RANGE
        mir = rows[j, 2]
        for t in range(n_ang):
            if hi <= lo:
                a = lo
            elif n_ang == turn_angles and hi - lo >= 360.0 - 1e-9:
                a = lo + 360.0 * (t + off) / n_ang
            else:
                a = lo + (hi - lo) * t / (GRID_RANGE - 1)
            mx = 0.5 * (sbox[0] + sbox[2])
            my = 0.5 * (sbox[1] + sbox[3])
            rot = materialize(rows, j, a, mx, my, ctx)
            if not math.isfinite(rot):
                rot = a
            hull_bbox(hxy, h0, hn, rot, mir != 0.0, bb)
            xlo, xhi = sbox[0] - bb[0], sbox[2] - bb[2]
            ylo, yhi = sbox[1] - bb[1], sbox[3] - bb[3]
            if xlo > xhi or ylo > yhi:
                continue
            if n_kept > 0 and (xlo + bb[2]) + w * (ylo + bb[3]) >= keys[0]:
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
                    kv[q] = (x + bb[2]) + w * (y + bb[3])
                    q += 1
            order = np.argsort(kv)
            found = False
            for s0 in range(0, g2, chunk):
                if n_kept > 0 and kv[order[s0]] >= keys[0]:
                    break
                n = 0
                for s in range(s0, min(s0 + chunk, g2)):
                    i = order[s]
                    r2 = materialize(rows, j, a, px[i], py[i], ctx)
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
                feasible(ea, smp[:n], lout[:n], work)
                for u in range(n):
                    if lout[u] == 0.0:
                        continue
                    cand[0] = smp[u, 0]
                    cand[1] = mir
                    cand[2] = smp[u, 2]
                    cand[3] = smp[u, 3]
                    cand[4] = j
                    cand[5] = a
                    n_kept = _keep(keep, keys, n_kept, cand, kv[order[int(pos_of[u])]])
                    found = True
                    break
                if found:
                    break
    return _slide_best(ea, hxy, h0, hn, rows, keep, keys, n_kept, w, size, ctx, smp, lout,
                       trial, bb, cand, out, work)
