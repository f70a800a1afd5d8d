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
from leathernest.search.kernels.rng import next_int
from leathernest.search.kernels.sample import (
    evaluate,
    hull_bbox,
    sample_angle,
    sample_in,
)

# directions of the slide: left, down, down-left, up-left, down-right
_DIRS = np.array([[-1.0, 0.0], [0.0, -1.0], [-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]])
SLIDE_MIN_REL = 1e-3  # the slide stops when its step falls below this share of the piece size
N_KEEP = 3  # feasible samples slid per call


@njit(cache=True, nogil=True, fastmath=EXACT)
def _key(hxy, h0: int, hn: int, pos, w: float, bb) -> float:
    hull_bbox(hxy, h0, hn, pos[0], pos[1] != 0.0, bb)
    return (pos[2] + bb[2]) + w * (pos[3] + bb[3])


@njit(cache=True, nogil=True, fastmath=EXACT)
def _slide(ea, hxy, h0: int, hn: int, rows, pos, key: float, w: float, size: float, ctx, smp, lout, trial, bb,
           work) -> float:
    """Pattern search towards smaller keys over feasible positions; returns the final key."""
    step = 0.25 * size
    while step > SLIDE_MIN_REL * size:
        moved = False
        for d in range(_DIRS.shape[0]):
            for c in range(6):
                trial[c] = pos[c]
            trial[2] += step * _DIRS[d, 0]
            trial[3] += step * _DIRS[d, 1]
            if evaluate(ea, rows, trial, 0.0, ctx, smp, lout, work) != 0.0:
                continue
            k = _key(hxy, h0, hn, trial, w, bb)
            if k < key:
                key = k
                for c in range(6):
                    pos[c] = trial[c]
                moved = True
                break
        if not moved:
            step *= 0.5
    return key


@njit(cache=True, nogil=True, fastmath=EXACT)
def place_lbf(ea, hxy, h0: int, hn: int, rows, sbox, n_samples: int, w: float, size: float, ctx, rng, out,
              work) -> bool:
    """Best feasible placement (into out float64[6]) of a piece in the sampling box sbox.

    sbox float64[4] lies within one container (a strip's box clipped near the layout's right
    edge, or a hide copy's usable box). Orientation rows are visited in turn, angle parameters
    drawn uniformly within ranges. w weighs the top edge in the gravity key, size is the piece's
    larger side (slide steps). False when no sample was feasible.
    """
    m = rows.shape[0]
    keep = np.empty((N_KEEP, 6))
    keys = np.full(N_KEEP, math.inf)
    smp = np.empty((1, 4))
    lout = np.empty(1)
    bb = np.empty(4)
    cand = np.empty(6)
    trial = np.empty(6)
    n_kept = 0
    start = next_int(rng, m)
    for i in range(n_samples):
        j = (start + i) % m
        a = sample_angle(rows, j, rng)
        if not sample_in(hxy, h0, hn, rows, j, a, sbox, ctx, rng, cand, bb):
            continue
        if evaluate(ea, rows, cand, 0.0, ctx, smp, lout, work) != 0.0:
            continue
        k = _key(hxy, h0, hn, cand, w, bb)
        if n_kept == N_KEEP and k >= keys[N_KEEP - 1]:
            continue
        pos = min(n_kept, N_KEEP - 1)
        while pos > 0 and keys[pos - 1] > k:
            keep[pos, :] = keep[pos - 1, :]
            keys[pos] = keys[pos - 1]
            pos -= 1
        keep[pos, :] = cand
        keys[pos] = k
        n_kept = min(n_kept + 1, N_KEEP)
    if n_kept == 0:
        return False
    best = math.inf
    for t in range(n_kept):
        for c in range(6):
            cand[c] = keep[t, c]
        k = _slide(ea, hxy, h0, hn, rows, cand, keys[t], w, size, ctx, smp, lout, trial, bb, work)
        if k < best:
            best = k
            for c in range(6):
                out[c] = cand[c]
    return True
