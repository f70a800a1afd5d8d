"""The query kernels: feasibility, per-hazard overlap and batched sample evaluation.

A query shape comes as two variants (tuples ``(xy float64[2, n], rings int64[r + 1], poles
float64[3, p])`` in local coordinates): ``spp``, inflated for other pieces, and ``sps``, inflated
for
the stock (they differ only when the margin is below half the gap; ``same`` says they are one).
Scratch
``sc`` is a tuple owned by the engine: 0 txy float64[2, *]; 1 tp float64[3, *]; 2 txy2; 3 tp2;
4 tbbox float64[4]; 5 tbbox2 float64[4]; 6 parity uint8[S]; 7 hit uint8[S]; 8 qr int64[4]; 9 keys
int64[K]. Hazard ids in results: static hazard h is ``-1 - h``, a placed piece is its key (>= 0).

Samples for the batch kernels are float64[N, 4] rows (rotation_deg, mirrored 0/1, x, y). A sample
with
a non-finite value is infeasible with loss inf (kernels do not raise).

These kernels are EXACT (they decide collisions) and call the FAST proxies of
:mod:`leathernest.collision.kernels.poles` only for the loss of pairs already known to collide.
"""

from __future__ import annotations

import math

from numba import njit

from leathernest.collision.jit import EXACT
from leathernest.collision.kernels.grid import cell_range
from leathernest.collision.kernels.place import place_shape
from leathernest.collision.kernels.poles import box_exterior_proxy, pole_pair_proxy
from leathernest.collision.kernels.query import piece_hits_piece, static_hits

DEG = math.pi / 180.0  # the same factor as math.radians


@njit(cache=True, nogil=True, fastmath=EXACT)
def _place_both(spp, sps, same, rot_deg, mirrored, tx, ty, sc):
    a = rot_deg * DEG
    c, s = math.cos(a), math.sin(a)
    place_shape(spp[0], spp[2], c, s, mirrored, tx, ty, sc[0], sc[1], sc[4])
    if not same:
        place_shape(sps[0], sps[2], c, s, mirrored, tx, ty, sc[2], sc[3], sc[5])


@njit(cache=True, nogil=True, fastmath=EXACT)
def _stock_view(spp, sps, same, sc):
    """The placed variant seen by the stock: arrays (txy, rings, tp, n_poles, tbbox)."""
    if same:
        return sc[0], spp[1], sc[1], spp[2].shape[1], sc[4]
    return sc[2], sps[1], sc[3], sps[2].shape[1], sc[5]


@njit(cache=True, nogil=True, fastmath=EXACT)
def _any_piece_hit(spp, dy, g, dims, ignore, sc) -> bool:
    txy, tp, tbbox, qr = sc[0], sc[1], sc[4], sc[8]
    active, dbbox, cells, items, count = dy[0], dy[9], dy[10], dy[11], dy[12]
    cell_range(tbbox, g, dims, qr)
    nx = dims[0]
    for cy in range(qr[1], qr[3] + 1):
        for cx in range(qr[0], qr[2] + 1):
            c = cy * nx + cx
            for t in range(count[c]):
                k = items[c, t]
                if k == ignore or active[k] == 0:
                    continue
                if max(cells[k, 0], qr[0]) != cx or max(cells[k, 1], qr[1]) != cy:
                    continue
                b = dbbox[k]
                if b[0] > tbbox[2] or b[2] < tbbox[0] or b[1] > tbbox[3] or b[3] < tbbox[1]:
                    continue
                if piece_hits_piece(txy, spp[1], tbbox, tp, spp[2].shape[1], dy, k):
                    return True
    return False


@njit(cache=True, nogil=True, fastmath=EXACT)
def _static_loss(spp, sps, same, st, g, dims, mask, sc, w_static, h: int) -> float:
    """Unweighted loss of static hazard h, known to collide with the placed shape."""
    _txy, _rings, tp, n_tp, tbbox = _stock_view(spp, sps, same, sc)
    poles, hz_pole, box = st[5], st[6], st[13]
    v = 0.0
    if h == 0:
        v += box_exterior_proxy(tp, n_tp, box, tbbox)
    v += pole_pair_proxy(tp, 0, n_tp, poles, hz_pole[h], hz_pole[h + 1])
    return v


@njit(cache=True, nogil=True, fastmath=EXACT)
def feasible_one(
    spp, sps, same, rot_deg, mirrored, tx, ty, st, dy, g, dims, mask, ignore, sc
) -> bool:
    """Whether the shape at the placement collides with nothing (static hazards, then pieces)."""
    if not (math.isfinite(rot_deg) and math.isfinite(tx) and math.isfinite(ty)):
        return False
    _place_both(spp, sps, same, rot_deg, mirrored, tx, ty, sc)
    txy, rings, _tp, _n, tbbox = _stock_view(spp, sps, same, sc)
    if static_hits(txy, rings, tbbox, st, g, dims, mask, sc[6], sc[7], True):
        return False
    return not _any_piece_hit(spp, dy, g, dims, ignore, sc)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _loss(
    spp, sps, same, st, dy, g, dims, mask, ignore, sc, w_static, w_piece, ub, out_ids, out_vals
) -> tuple:
    """Weighted loss of the already placed shape; per-hazard values into out_* when given (len > 0).

    Returns (weighted total or inf once it exceeds ub, number of hazards hit).
    """
    record = out_ids.shape[0] > 0
    txy, rings, _tp, _n, tbbox = _stock_view(spp, sps, same, sc)
    hit = sc[7]
    total = 0.0
    n = 0
    if static_hits(txy, rings, tbbox, st, g, dims, mask, sc[6], hit, False):
        for h in range(hit.shape[0]):
            if hit[h] != 0:
                v = _static_loss(spp, sps, same, st, g, dims, mask, sc, w_static, h)
                total += w_static[h] * v
                if record:
                    out_ids[n] = -1 - h
                    out_vals[n] = v
                n += 1
                if total > ub:
                    return math.inf, n
    txy, tp, tbbox, qr = sc[0], sc[1], sc[4], sc[8]
    n_tp = spp[2].shape[1]
    active, dpoles, pbase, n_poles = dy[0], dy[6], dy[7], dy[8]
    dbbox, cells, items, count = dy[9], dy[10], dy[11], dy[12]
    cell_range(tbbox, g, dims, qr)
    nx = dims[0]
    for cy in range(qr[1], qr[3] + 1):
        for cx in range(qr[0], qr[2] + 1):
            c = cy * nx + cx
            for t in range(count[c]):
                k = items[c, t]
                if k == ignore or active[k] == 0:
                    continue
                if max(cells[k, 0], qr[0]) != cx or max(cells[k, 1], qr[1]) != cy:
                    continue
                b = dbbox[k]
                if b[0] > tbbox[2] or b[2] < tbbox[0] or b[1] > tbbox[3] or b[3] < tbbox[1]:
                    continue
                if piece_hits_piece(txy, spp[1], tbbox, tp, n_tp, dy, k):
                    v = pole_pair_proxy(tp, 0, n_tp, dpoles, pbase[k], pbase[k] + n_poles[k])
                    total += w_piece[k] * v
                    if record:
                        out_ids[n] = k
                        out_vals[n] = v
                    n += 1
                    if total > ub:
                        return math.inf, n
    return total, n


@njit(cache=True, nogil=True, fastmath=EXACT)
def overlap_one(
    spp,
    sps,
    same,
    rot_deg,
    mirrored,
    tx,
    ty,
    st,
    dy,
    g,
    dims,
    mask,
    ignore,
    sc,
    w_static,
    w_piece,
    out_ids,
    out_vals,
) -> tuple:
    """Per-hazard overlap of the shape at the placement: (weighted total, hazards hit).

    out_ids int64[S + K] and out_vals float64[S + K] receive the hazard ids and unweighted losses.
    """
    if not (math.isfinite(rot_deg) and math.isfinite(tx) and math.isfinite(ty)):
        return math.inf, 0
    _place_both(spp, sps, same, rot_deg, mirrored, tx, ty, sc)
    return _loss(
        spp,
        sps,
        same,
        st,
        dy,
        g,
        dims,
        mask,
        ignore,
        sc,
        w_static,
        w_piece,
        math.inf,
        out_ids,
        out_vals,
    )


@njit(cache=True, nogil=True, fastmath=EXACT)
def batch_feasible(spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, out) -> int:
    """out[i] (uint8[N]) = 1 when sample i is feasible; returns how many are."""
    n_ok = 0
    for i in range(samples.shape[0]):
        ok = feasible_one(
            spp,
            sps,
            same,
            samples[i, 0],
            samples[i, 1] != 0.0,
            samples[i, 2],
            samples[i, 3],
            st,
            dy,
            g,
            dims,
            mask,
            ignore,
            sc,
        )
        out[i] = 1 if ok else 0
        n_ok += out[i]
    return n_ok


@njit(cache=True, nogil=True, fastmath=EXACT)
def batch_loss(
    spp, sps, same, samples, st, dy, g, dims, mask, ignore, sc, w_static, w_piece, upper_bound, out
) -> int:
    """out[i] (float64[N]) = weighted loss of sample i, inf once above the running bound.

    The bound starts at upper_bound and tightens to the best loss found so far (sparrow's
    ``evaluate_sample(dt, upper_bound)``), so later samples stop early. Returns the best index (-1
    if
    every sample is inf).
    """
    none_ids = sc[9][:0]
    none_vals = sc[1][0, :0]
    ub = upper_bound
    best = -1
    for i in range(samples.shape[0]):
        rot, tx, ty = samples[i, 0], samples[i, 2], samples[i, 3]
        if not (math.isfinite(rot) and math.isfinite(tx) and math.isfinite(ty)):
            out[i] = math.inf
            continue
        _place_both(spp, sps, same, rot, samples[i, 1] != 0.0, tx, ty, sc)
        v, _n = _loss(
            spp,
            sps,
            same,
            st,
            dy,
            g,
            dims,
            mask,
            ignore,
            sc,
            w_static,
            w_piece,
            ub,
            none_ids,
            none_vals,
        )
        out[i] = v
        if v <= ub and (best < 0 or v < out[best]):
            best = i
            ub = v
    return best
