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

Every kernel here takes the layout as one :class:`~leathernest.search.kernels.records.
LayoutArrays` record. Moving copy k recomputes row and column k of the tracker from one exact
query.
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.kernels.dynamic import set_key
from leathernest.collision.kernels.query import query
from leathernest.search.kernels.copies import probe_of, shape_of
from leathernest.search.kernels.rng import shuffle
from leathernest.search.kernels.sample import search_position

# separator state (int64[8] / float64[4]) and statuses
S_PHASE, S_STRIKES, S_NO_IMPROVE, S_ITERS, S_MOVES, S_FIRST_WORK = 0, 1, 2, 3, 4, 5
F_BEST, F_START = 0, 1
DONE_FEASIBLE, DONE_FAILED, PAUSED = 0, 1, 2
# cfg float64[N_CFG], from :class:`leathernest.config.SeparatorConfig` (its fields say why):
# iterations without improvement before a strike, strikes, most work (collision evaluations) of
# one separation (0: no limit), the guided local search's weight factors (least and most growth,
# decay) and the share of the overlap an attempt must go below not to be a strike
C_NO_IMPROVE, C_STRIKES, C_MAX_WORK = 0, 1, 2
C_GLS_MIN, C_GLS_MAX, C_GLS_DECAY, C_IMPROVE = 3, 4, 5, 6
N_CFG = 7


@kernel(EXACT)
def _row_sum(pair, j: int) -> float:
    t = 0.0
    for i in range(pair.shape[1]):
        t += pair[j, i]
    return t


@kernel(EXACT)
def tracker_row(lay, k: int) -> None:
    """Recompute what copy k hits (after it moved, or was put in or taken out of play).

    The per-copy sums of every copy whose pair with k changed are summed afresh rather than
    updated by differences, so a copy that collides with nothing has a loss of exactly 0 (drift
    could otherwise leave a tiny, even negative, loss that never resolves).
    """
    trk, live = lay.losses, lay.items.live
    pair, ext, sp, se = trk.pair, trk.ext, trk.sp, trk.se
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
        out_ids, out_vals = lay.out_ids, lay.out_vals
        lout = np.empty(1)
        probe = probe_of(lay.pools, lay.masks, lay.grade_of, k, True, lay.ones_s, lay.ones_k)
        _best, m = query(probe, lay.place[k : k + 1], lay.engine, math.inf, 1, lout, out_ids,
                         out_vals)
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


@kernel(EXACT)
def total_loss(losses, live) -> float:
    """Total unweighted overlap (each pair once)."""
    sp, se = losses.sp, losses.se
    t = 0.0
    for k in range(sp.shape[0]):
        if live[k] != 0:
            t += se[k] + 0.5 * sp[k]
    return t


@kernel(EXACT)
def update_weights(losses, live, cfg) -> None:
    """Sparrow's Algorithm 8: grow weights of overlapping pairs by severity, decay the others."""
    pair, ext, w_pair, w_ext = losses.pair, losses.ext, losses.w_pair, losses.w_ext
    n, s = pair.shape[0], ext.shape[1]
    worst = 0.0
    for i in range(n):
        if live[i] == 0:
            continue
        for j in range(n):
            worst = max(worst, pair[i, j])
        for h in range(s):
            worst = max(worst, ext[i, h])
    low, decay = cfg[C_GLS_MIN], cfg[C_GLS_DECAY]
    span = cfg[C_GLS_MAX] - low
    for i in range(n):
        if live[i] == 0:
            continue
        for j in range(n):
            v = pair[i, j]
            f = low + span * (v / worst) if v > 0.0 else decay
            w_pair[i, j] = max(w_pair[i, j] * f, 1.0)
        for h in range(s):
            v = ext[i, h]
            f = low + span * (v / worst) if v > 0.0 else decay
            w_ext[i, h] = max(w_ext[i, h] * f, 1.0)


@kernel(EXACT)
def put_copy(pools, engine, place, k: int) -> None:
    """Move copy k's shape in the engine to its placement row (it must be listed in the grid)."""
    st = engine.static
    row = place[k]
    if not set_key(k, shape_of(pools.shape_of[k], pools.for_pieces), row[0], row[1] != 0.0,
                   row[2], row[3], engine.placed, st.grid, st.dims, True):
        raise RuntimeError("engine bug: a cell range larger than the key's node block")


@kernel(EXACT, inline="always")
def move_copy(lay, k: int, rng, out) -> bool:
    """Move copy k to the best position found for its weighted overlap; False if it stayed.

    Inlined into the separator (one call site) so that it costs no compiled unit of its own there.
    """
    trk = lay.losses
    v = search_position(lay, k, lay.place[k], True, lay.sheet, lay.items.params[k], trk.w_ext[k],
                        trk.w_pair[k], rng, out)
    if not math.isfinite(v):
        return False
    for c in range(6):
        lay.place[k, c] = out[c]
    put_copy(lay.pools, lay.engine, lay.place, k)
    tracker_row(lay, k)
    return True


@kernel(EXACT)
def restore_layout(lay, saved) -> None:
    """Move every live copy whose placement differs from saved back to it; losses recomputed."""
    place, live = lay.place, lay.items.live
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
            put_copy(lay.pools, lay.engine, place, k)
            changed[k] = 1
    for k in range(n):
        if changed[k] != 0:
            tracker_row(lay, k)


@kernel(EXACT)
def separate(lay, best_place, cfg, state, fstate, rng, budget: int) -> int:
    """Algorithm 9 until zero overlap, the strike limit, or budget evaluations in this call.

    state int64[8] / fstate float64[4] carry the attempt across calls (S_PHASE 0: not started).
    On DONE_FEASIBLE the layout has zero overlap; on DONE_FAILED it is the least-overlapping one
    found (best_place); PAUSED means call again to continue.
    """
    place, live, trk, work = lay.place, lay.items.live, lay.losses, lay.work
    sp, se = trk.sp, trk.se
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
        state[S_FIRST_WORK] = work[0]
        fstate[F_START] = loss
    while state[S_STRIKES] < cfg[C_STRIKES]:
        while state[S_NO_IMPROVE] < cfg[C_NO_IMPROVE]:
            if cfg[C_MAX_WORK] > 0 and work[0] - state[S_FIRST_WORK] >= cfg[C_MAX_WORK]:
                state[S_STRIKES] = int(cfg[C_STRIKES])  # out of work: give up
                break
            if work[0] - start >= budget:
                return PAUSED
            # Algorithm 5: every colliding copy, in random order, gets a chance to move
            m = 0
            for k in range(n):
                if live[k] != 0 and sp[k] + se[k] > 0.0:
                    order[m] = k
                    m += 1
            shuffle(rng, order, m)
            for t in range(m):
                k = order[t]
                if sp[k] + se[k] > 0.0:
                    move_copy(lay, k, rng, out)
                    state[S_MOVES] += 1
            state[S_ITERS] += 1
            loss = total_loss(trk, live)
            if loss == 0.0:
                state[S_PHASE] = 0
                return DONE_FEASIBLE
            if loss < fstate[F_BEST]:
                if loss < cfg[C_IMPROVE] * fstate[F_BEST]:
                    state[S_NO_IMPROVE] = 0
                fstate[F_BEST] = loss
                for k in range(n):
                    for c in range(6):
                        best_place[k, c] = place[k, c]
            else:
                state[S_NO_IMPROVE] += 1
            update_weights(trk, live, cfg)
        if state[S_STRIKES] >= cfg[C_STRIKES]:
            pass  # the work limit ended the run
        elif fstate[F_START] * cfg[C_IMPROVE] <= fstate[F_BEST]:
            state[S_STRIKES] += 1
        else:
            state[S_STRIKES] = 0
        restore_layout(lay, best_place)
        state[S_NO_IMPROVE] = 0
        fstate[F_START] = fstate[F_BEST]
    state[S_PHASE] = 0
    return DONE_FAILED
