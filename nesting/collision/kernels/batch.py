"""The query kernels: feasibility, per-hazard overlap and batched sample evaluation.

A query shape comes as two variants (tuples ``(xy float64[2, n], rings int64[r + 1], poles
float64[3, p])`` in local coordinates): ``spp``, inflated for other pieces, and ``sps``, inflated
for the stock (they differ only when the margin is below half the gap; ``same`` says they are one).
Scratch ``sc`` is a tuple owned by the engine: 0 txy float64[2, *]; 1 tp float64[3, *]; 2 txy2; 3
tp2; 4 tbbox float64[4]; 5 tbbox2 float64[4]; 6 parity uint8[S]; 7 hit uint8[S]; 8 qr int64[4]; 9
keys int64[K]. Hazard ids in results: static hazard h is ``-1 - h``, a placed piece is its key (>=
0).

Samples for the batch kernels are float64[N, >= 4] rows (rotation_deg, mirrored 0/1, x, y; further
columns, such as a layout row's, are ignored). A sample
with a non-finite value is infeasible with loss inf (kernels do not raise).

The public kernels take the engine's tuples and unpack them once; the per-sample helpers take every
array explicitly, because each tuple member read costs an atomic reference count (measured: a query
rejected by its bbox took 820 ns through tuples, 90 ns with plain arguments).

These kernels are EXACT (they decide collisions) and call the FAST proxies of
:mod:`leathernest.collision.kernels.poles` only for the loss of pairs already known to collide.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from leathernest.collision.jit import EXACT, ONE, ZERO
from leathernest.collision.kernels.grid import cell_of
from leathernest.collision.kernels.place import place_into
from leathernest.collision.kernels.poles import pole_pair_proxy
from leathernest.collision.kernels.query import (
    STATIC_HIT,
    STATIC_OVER,
    piece_hits_piece,
    static_eval,
)

DEG = math.pi / 180.0  # the same factor as math.radians


@njit(cache=True, nogil=True, fastmath=EXACT)
def _run(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, loss, w_static, w_piece,
         upper_bound, out, out_ids, out_vals, keep) -> tuple:
    """Evaluate every sample into out; returns (best index or -1, hazards hit by the last sample).

    Feasibility mode (loss False): out[i] = 1.0 when feasible, 0.0 at the first collision. Loss
    mode: out[i] = weighted loss, or inf once above the running bound (upper_bound, then the
    keep-th best loss so far, so the keep best samples are exact); ids and unweighted values of
    the hazards hit are recorded into out_ids/out_vals when they are not empty (single queries).

    The body is one function on purpose: CPython 3.11 passes a call with more than 30 arguments as
    a tuple, which costs Numba a reference count per member (a helper taking every array made a
    query 8x slower); the tuples are unpacked here once per call, not once per sample.
    """
    axy, av0, anv, arings, ap, ap0, anp = spp
    bxy, bv0, bnv, brings, bp, bp0, bnp = sps
    active, dxy, vbase, drings, rbase, n_rings = dy[0], dy[1], dy[2], dy[3], dy[4], dy[5]
    dpoles, pbase, n_poles, dbbox = dy[6], dy[7], dy[8], dy[9]
    cells, head, nxt, nkey = dy[10], dy[11], dy[12], dy[13]
    txy, tp, txy2, tp2, tb, tb2 = sc[0], sc[1], sc[2], sc[3], sc[4], sc[5]
    cnt, acc, qe = sc[11], sc[12], sc[13]
    record = out_ids.shape[0] > 0
    early = not loss
    nx, ny = dims[0], dims[1]
    n_tp = anp
    n_qp = bnp
    ub = upper_bound
    best = -1
    n = 0
    tops = np.full(max(keep, 1), math.inf)  # the keep best losses so far, ascending
    last_rot = math.nan
    c = 1.0
    s = 0.0
    for i in range(samples.shape[0]):
        rot_deg, tx, ty = samples[i, 0], samples[i, 2], samples[i, 3]
        n = 0
        if not (math.isfinite(rot_deg) and math.isfinite(tx) and math.isfinite(ty)):
            out[i] = math.inf if loss else 0.0
            continue
        if rot_deg != last_rot:  # samples of a move often share their angle
            last_rot = rot_deg
            a = rot_deg * DEG
            c, s = math.cos(a), math.sin(a)
        mirrored = samples[i, 1] != 0.0
        place_into(axy, av0, anv, ap, ap0, anp, c, s, mirrored, tx, ty, txy, ZERO, tp, ZERO, tb)
        if same:
            qxy, qrings, qp, qb = txy, arings, tp, tb
        else:
            place_into(bxy, bv0, bnv, bp, bp0, bnp, c, s, mirrored, tx, ty, txy2, ZERO, tp2, ZERO,
                       tb2)
            qxy, qrings, qp, qb = txy2, brings, tp2, tb2
        acc[0] = 0.0
        cnt[1] = n
        status = static_eval(qxy, qrings, qb, qp, n_qp, st, g, dims, mask, sc, early, w_static,
                             ub, acc, out_ids, out_vals, record)
        if status == STATIC_HIT:
            out[i] = 0.0
            continue
        if status == STATIC_OVER:
            out[i] = math.inf
            continue
        total = acc[0]
        n = cnt[1]
        stop = False
        qx0 = cell_of(tb[0], g[0], g[2], nx)
        qy0 = cell_of(tb[1], g[1], g[3], ny)
        qx1 = cell_of(tb[2], g[0], g[2], nx)
        qy1 = cell_of(tb[3], g[1], g[3], ny)
        for cy in range(qy0, qy1 + 1):
            for cx in range(qx0, qx1 + 1):
                node = head[cy * nx + cx]
                while node >= 0:
                    k = nkey[node]
                    node = nxt[node]
                    if k == ignore or active[k] == 0:
                        continue
                    # reference cell: a piece listed in several cells is tested once
                    if max(cells[k, 0], qx0) != cx or max(cells[k, 1], qy0) != cy:
                        continue
                    if (dbbox[k, 0] > tb[2] or dbbox[k, 2] < tb[0] or dbbox[k, 1] > tb[3]
                            or dbbox[k, 3] < tb[1]):
                        continue
                    if not piece_hits_piece(txy, arings, tb, tp, n_tp, dxy, vbase, drings, rbase,
                                            n_rings, dpoles, pbase, n_poles, dbbox, k, qe):
                        continue
                    if early:
                        stop = True
                        break
                    v = pole_pair_proxy(tp, 0, n_tp, dpoles, pbase[k], pbase[k] + n_poles[k])
                    total += w_piece[k] * v
                    if record:
                        out_ids[n] = k
                        out_vals[n] = v
                    n += 1
                    if total > ub:
                        stop = True
                        break
                if stop:
                    break
            if stop:
                break
        if early:
            out[i] = 0.0 if stop else 1.0
            continue
        if stop:
            out[i] = math.inf
            continue
        out[i] = total
        if best < 0 or total < out[best]:
            best = i
        if total < tops[keep - 1]:  # insert into the keep best; the bound is the worst of them
            j = keep - 1
            while j > 0 and tops[j - 1] > total:
                tops[j] = tops[j - 1]
                j -= 1
            tops[j] = total
            ub = min(upper_bound, tops[keep - 1])
    return best, n


@njit(cache=True, nogil=True, fastmath=EXACT)
def batch_feasible(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, out) -> int:
    """out[i] (float64[N]) = 1.0 when sample i is feasible, else 0.0; returns how many are.

    spp, sps: the shape's two variants; samples float64[N, 4]; see the module docstring.
    """
    none_ids = sc[9][:0]
    none_w = out[:0]
    _run(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, False, none_w, none_w,
         math.inf, out, none_ids, none_w, ONE)
    n_ok = 0
    for i in range(out.shape[0]):
        if out[i] != 0.0:
            n_ok += 1
    return n_ok


@njit(cache=True, nogil=True, fastmath=EXACT)
def batch_loss(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, w_static, w_piece,
               upper_bound, out) -> int:
    """out[i] (float64[N]) = weighted loss of sample i, inf once above the running bound.

    The bound starts at upper_bound and tightens to the best loss found so far (sparrow's
    ``evaluate_sample(dt, upper_bound)``), so later samples stop early. Returns the best index
    (-1 if every sample is inf). A feasible sample has loss 0.
    """
    none_ids = sc[9][:0]
    none_vals = out[:0]
    best, _n = _run(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, True, w_static,
                    w_piece, upper_bound, out, none_ids, none_vals, ONE)
    return best


@njit(cache=True, nogil=True, fastmath=EXACT)
def batch_loss_top(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, w_static,
                   w_piece, upper_bound, keep, out) -> int:
    """As :func:`batch_loss`, but the bound is the keep-th best loss so far.

    So the keep best samples come out exact (a search that refines its few best samples needs
    all of them, not only the best), and the rest still stop early. Returns the best index.
    """
    none_ids = sc[9][:0]
    none_vals = out[:0]
    best, _n = _run(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, True, w_static,
                    w_piece, upper_bound, out, none_ids, none_vals, keep)
    return best


@njit(cache=True, nogil=True, fastmath=EXACT)
def overlap_one(spp, sps, same, sample, st, dy, g, dims, mask, ignore, sc, w_static, w_piece,
                out_ids, out_vals) -> tuple:
    """Per-hazard overlap of the shape at one placement (sample float64[1, 4]).

    Returns (weighted total, hazards hit); out_ids int64[S + K] and out_vals float64[S + K] receive
    the hazard ids and unweighted losses.
    """
    out = np.empty(1)
    _best, n = _run(spp, sps, same, sample, st, dy, g, dims, mask, ignore, sc, True, w_static,
                    w_piece, math.inf, out, out_ids, out_vals, ONE)
    return out[0], n
