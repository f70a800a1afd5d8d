"""The overlap tracker and the separator loop in Numba: a whole separation without Python.

Sparrow's separator (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms 5, 8 and 9;
``src/optimizer/separator.rs``, ``src/quantify/tracker.rs``), a descendant of the guided local
search of Egeblad, Nielsen and Odgaard (2007) and the overlap minimisation of Imamichi, Yagiura and
Nagamochi (2009). In each iteration every colliding piece, in random order, moves to the best
position :func:`~leathernest.search.kernels.sample.search_position` finds for its weighted
overlap; then the guided-local-search weights grow on the pairs that still overlap. Iterations
without a new lowest overlap count towards a limit; when it is reached the attempt ends with a
strike (unless it improved the overlap by 2 %), the layout rolls back to the least-overlapping one
seen (keeping the learned weights), and the next attempt starts. The run ends at zero overlap, at
the strike limit, or when its work budget for this call is spent; in that case it returns and a
later call resumes exactly where it stopped, so the sequence of moves does not depend on how the
work is cut into calls (the Python side polls the clock between calls).

Tracker arrays (``trk``): ``pair`` float64[n, n] proxy between two copies, ``ext`` float64[n, S]
proxy of each copy with each static hazard, weights ``w_pair`` and ``w_ext`` (>= 1), and the
per-copy sums ``sp`` (pair) and ``se`` (static) so that a copy's loss is O(1) to read. Moving copy
k recomputes row and column k from one exact query.

Shapes (``shp``): pools of every piece shape, (pxy, prings, ppoles, pidx, sxy, srings, spoles,
sidx, same, shape_of): the variant for other pieces (p*) and for the stock (s*), each index row
int64[6] = (v0, nv, r0, nr + 1, p0, np) of one shape, same uint8[shapes], shape_of int64[n].
Engine (``eng``): (st, dy, g, dims, sc, masks uint8[G, S], grade_of int64[n], ones_s, ones_k,
out_ids, out_vals). Items (``itm``): (hull_xy, hull_idx int64[n, 2], rows float64[*, 6], rows_idx
int64[n, 2], params float64[n, N_PARAMS], cross uint8[n], live uint8[n]); ``live`` marks the
copies in play.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from leathernest.collision.jit import EXACT
from leathernest.collision.kernels.batch import overlap_one
from leathernest.collision.kernels.dynamic import set_key
from leathernest.search.kernels.rng import shuffle
from leathernest.search.kernels.sample import search_position

GLS_MIN_INC = 1.2  # weight factor for the mildest colliding pair (Sparrow consts.rs)
GLS_MAX_INC = 2.0  # ... for the worst one
GLS_DECAY = 0.95  # factor for pairs that no longer collide; weights never drop below 1
IMPROVE = 0.98  # an attempt that does not lower the overlap by 2 % is a strike (Sparrow)

# separator state (int64[8] / float64[4]) and statuses
S_PHASE, S_STRIKES, S_NO_IMPROVE, S_ITERS, S_MOVES, S_FIRST_ITER = 0, 1, 2, 3, 4, 5
F_BEST, F_START = 0, 1
DONE_FEASIBLE, DONE_FAILED, PAUSED = 0, 1, 2
# cfg float64[4]: iterations without improvement before a strike, strikes, most iterations of
# one separation (0: no limit), (unused)
C_NO_IMPROVE, C_STRIKES, C_MAX_ITERS = 0, 1, 2


@njit(cache=True, nogil=True, fastmath=EXACT)
def shape_args(k: int, shp) -> tuple:
    """(spp, sps, same) of copy k: its shape's ranges in the pools, in the form kernels take."""
    s = shp[9][k]
    i = shp[3][s]
    j = shp[7][s]
    spp = (shp[0], i[0], i[1], shp[1][i[2] : i[2] + i[3]], shp[2], i[4], i[5])
    sps = (shp[4], j[0], j[1], shp[5][j[2] : j[2] + j[3]], shp[6], j[4], j[5])
    return spp, sps, shp[8][s] != 0


@njit(cache=True, nogil=True, fastmath=EXACT)
def engine_args(k: int, shp, eng, w_static, w_piece) -> tuple:
    """The batch-kernel tuple for copy k (its shapes, the engine, its weights)."""
    spp, sps, same = shape_args(k, shp)
    return (spp, sps, same, eng[0], eng[1], eng[2], eng[3], eng[5][eng[6][k]], k, eng[4],
            w_static, w_piece)


@njit(cache=True, nogil=True, fastmath=EXACT)
def rows_of(k: int, itm):
    """Orientation rows of copy k (a view of the pool)."""
    r = itm[3][k]
    return itm[2][r[0] : r[0] + r[1]]


@njit(cache=True, nogil=True, fastmath=EXACT)
def _row_sum(pair, j: int) -> float:
    t = 0.0
    for i in range(pair.shape[1]):
        t += pair[j, i]
    return t


@njit(cache=True, nogil=True, fastmath=EXACT)
def tracker_row(k: int, shp, eng, trk, place, live) -> None:
    """Recompute what copy k hits (after it moved, or was put in or taken out of play).

    The per-copy sums of every copy whose pair with k changed are summed afresh rather than
    updated by differences, so a copy that collides with nothing has a loss of exactly 0 (drift
    could otherwise leave a tiny, even negative, loss that never resolves).
    """
    pair, ext, sp, se = trk[0], trk[1], trk[4], trk[5]
    n = pair.shape[0]
    marks = np.zeros(n, dtype=np.uint8)
    for j in range(n):
        if pair[k, j] != 0.0:
            pair[j, k] = 0.0
            pair[k, j] = 0.0
            marks[j] = 1
    for h in range(ext.shape[1]):
        ext[k, h] = 0.0
    if live[k] != 0:
        spp, sps, same = shape_args(k, shp)
        smp = place[k : k + 1]  # a C-contiguous row (the kernel reads its first 4 columns)
        out_ids, out_vals = eng[9], eng[10]
        _t, m = overlap_one(spp, sps, same, smp, eng[0], eng[1], eng[2], eng[3],
                            eng[5][eng[6][k]], k, eng[4], eng[7], eng[8], out_ids, out_vals)
        for i in range(m):
            hid, v = out_ids[i], out_vals[i]
            if hid >= 0:
                if live[hid] == 0:
                    continue
                pair[k, hid] = v
                pair[hid, k] = v
                marks[hid] = 1
            else:
                ext[k, -1 - hid] += v
    se_k = 0.0
    for h in range(ext.shape[1]):
        se_k += ext[k, h]
    se[k] = se_k
    sp[k] = _row_sum(pair, k)
    for j in range(n):
        if marks[j] != 0:
            sp[j] = _row_sum(pair, j)


@njit(cache=True, nogil=True, fastmath=EXACT)
def total_loss(trk, live) -> float:
    """Total unweighted overlap (each pair once)."""
    sp, se = trk[4], trk[5]
    t = 0.0
    for k in range(sp.shape[0]):
        if live[k] != 0:
            t += se[k] + 0.5 * sp[k]
    return t


@njit(cache=True, nogil=True, fastmath=EXACT)
def update_weights(trk, live) -> None:
    """Sparrow's Algorithm 8: grow weights of overlapping pairs by severity, decay the others."""
    pair, ext, w_pair, w_ext = trk[0], trk[1], trk[2], trk[3]
    n, s = pair.shape[0], ext.shape[1]
    worst = 0.0
    for i in range(n):
        if live[i] == 0:
            continue
        for j in range(n):
            worst = max(worst, pair[i, j])
        for h in range(s):
            worst = max(worst, ext[i, h])
    span = GLS_MAX_INC - GLS_MIN_INC
    for i in range(n):
        if live[i] == 0:
            continue
        for j in range(n):
            v = pair[i, j]
            f = GLS_MIN_INC + span * (v / worst) if v > 0.0 else GLS_DECAY
            w_pair[i, j] = max(w_pair[i, j] * f, 1.0)
        for h in range(s):
            v = ext[i, h]
            f = GLS_MIN_INC + span * (v / worst) if v > 0.0 else GLS_DECAY
            w_ext[i, h] = max(w_ext[i, h] * f, 1.0)


@njit(cache=True, nogil=True, fastmath=EXACT)
def move_copy(k: int, shp, eng, itm, trk, place, ctx, rng, out, work) -> bool:
    """Move copy k to the best position found for its weighted overlap; False if it stayed."""
    params, cross, live = itm[4], itm[5], itm[6]
    ea = engine_args(k, shp, eng, trk[3][k], trk[2][k])
    h = itm[1][k]
    v = search_position(ea, itm[0], h[0], h[1], rows_of(k, itm), place[k], True, cross[k] != 0,
                        params[k], ctx, rng, out, work)
    if not math.isfinite(v):
        return False
    for c in range(6):
        place[k, c] = out[c]
    put_copy(k, shp, eng, place)
    tracker_row(k, shp, eng, trk, place, live)
    return True


@njit(cache=True, nogil=True, fastmath=EXACT)
def put_copy(k: int, shp, eng, place) -> None:
    """Move copy k's shape in the engine to place[k] (it must be listed in the grid)."""
    i = shp[3][shp[9][k]]
    ok = set_key(k, shp[0], i[0], i[1], shp[2], i[4], i[5], place[k, 0], place[k, 1] != 0.0,
                 place[k, 2], place[k, 3], eng[1], eng[2], eng[3], True)
    assert ok


@njit(cache=True, nogil=True, fastmath=EXACT)
def move_colliding(shp, eng, itm, trk, place, ctx, rng, out, order, work) -> int:
    """Algorithm 5: every colliding copy, in random order, gets a chance to move; moves made."""
    live, sp, se = itm[6], trk[4], trk[5]
    n = 0
    for k in range(live.shape[0]):
        if live[k] != 0 and sp[k] + se[k] > 0.0:
            order[n] = k
            n += 1
    shuffle(rng, order, n)
    moved = 0
    for t in range(n):
        k = order[t]
        if sp[k] + se[k] > 0.0:
            move_copy(k, shp, eng, itm, trk, place, ctx, rng, out, work)
            moved += 1
    return moved


@njit(cache=True, nogil=True, fastmath=EXACT)
def restore_layout(shp, eng, itm, trk, place, saved) -> None:
    """Move every live copy whose placement differs from saved back to it; losses recomputed."""
    live = itm[6]
    n = place.shape[0]
    changed = np.zeros(n, dtype=np.uint8)
    for k in range(n):
        if live[k] == 0:
            continue
        diff = False
        for c in range(6):
            if place[k, c] != saved[k, c]:
                diff = True
        if diff:
            for c in range(6):
                place[k, c] = saved[k, c]
            put_copy(k, shp, eng, place)
            changed[k] = 1
    for k in range(n):
        if changed[k] != 0:
            tracker_row(k, shp, eng, trk, place, live)


@njit(cache=True, nogil=True, fastmath=EXACT)
def separate(shp, eng, itm, trk, place, best_place, ctx, cfg, state, fstate, rng, budget: int,
             work) -> int:
    """Algorithm 9 until zero overlap, the strike limit, or budget evaluations in this call.

    state int64[8] / fstate float64[4] carry the attempt across calls (S_PHASE 0: not started).
    On DONE_FEASIBLE the layout has zero overlap; on DONE_FAILED it is the least-overlapping one
    found (best_place); PAUSED means call again to continue.
    """
    live = itm[6]
    n = place.shape[0]
    out = np.empty(6)
    order = np.empty(n, dtype=np.int64)
    start = work[0]
    if state[S_PHASE] == 0:
        loss = total_loss(trk, live)
        fstate[F_BEST] = loss
        for k in range(n):
            for c in range(6):
                best_place[k, c] = place[k, c]
        if loss == 0.0:
            return DONE_FEASIBLE
        state[S_PHASE] = 1
        state[S_STRIKES] = 0
        state[S_NO_IMPROVE] = 0
        state[S_FIRST_ITER] = state[S_ITERS]
        fstate[F_START] = loss
    while state[S_STRIKES] < cfg[C_STRIKES]:
        while state[S_NO_IMPROVE] < cfg[C_NO_IMPROVE]:
            if cfg[C_MAX_ITERS] > 0 and state[S_ITERS] - state[S_FIRST_ITER] >= cfg[C_MAX_ITERS]:
                state[S_STRIKES] = int(cfg[C_STRIKES])  # out of iterations: give up
                break
            if work[0] - start >= budget:
                return PAUSED
            state[S_MOVES] += move_colliding(shp, eng, itm, trk, place, ctx, rng, out, order,
                                             work)
            state[S_ITERS] += 1
            loss = total_loss(trk, live)
            if loss == 0.0:
                state[S_PHASE] = 0
                return DONE_FEASIBLE
            if loss < fstate[F_BEST]:
                if loss < IMPROVE * fstate[F_BEST]:
                    state[S_NO_IMPROVE] = 0
                fstate[F_BEST] = loss
                for k in range(n):
                    for c in range(6):
                        best_place[k, c] = place[k, c]
            else:
                state[S_NO_IMPROVE] += 1
            update_weights(trk, live)
        if state[S_STRIKES] >= cfg[C_STRIKES]:
            pass  # the iteration limit ended the run
        elif fstate[F_START] * IMPROVE <= fstate[F_BEST]:
            state[S_STRIKES] += 1
        else:
            state[S_STRIKES] = 0
        restore_layout(shp, eng, itm, trk, place, best_place)
        state[S_NO_IMPROVE] = 0
        fstate[F_START] = fstate[F_BEST]
    state[S_PHASE] = 0
    return DONE_FAILED
