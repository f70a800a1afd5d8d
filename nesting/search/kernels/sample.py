"""The position search of one piece: samples over its container and around it, then refinement.

One call of :func:`search_position` does, for one piece, what Sparrow's ``search_placement`` does
(Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithm 6 and Figure 7): evaluate the
current placement, a few samples focused around it and a few over its container, keep the best few
distinct ones, refine each by an adaptive coordinate descent (steps grow by 1.1 on success and
halve on failure; axes x, y, both diagonals and, for a rotation range, a "wiggle" of the angle),
then refine the best once more with finer steps. Every evaluation is the engine's weighted overlap
proxy with an upper bound, so a sample stops as soon as it is worse than the best kept one. Moving
one piece to its position of least weighted overlap is also the heart of Egeblad, Nielsen and
Odgaard (2007) and Imamichi, Yagiura and Nagamochi (2009).

Containers: the sheet's containers (hide copies, or the strip; a
:class:`~leathernest.search.kernels.records.Sheet`) have usable boxes ``cbox`` and a ``closed``
flag. Samples over the container go to the piece's own container, or, with probability
``P_CROSS`` (for pieces allowed to change hides), to a random other open one: a move between hides
is one more sample.

Conventions. A placement row is float64[6] ``(rotation_deg, mirrored, x, y, row, a)``: x, y is the
piece's centroid (shapes are centred), ``row`` the orientation row it uses and ``a`` the angle
parameter within that row (:mod:`leathernest.geometry.orient`: the rotation itself for FIXED and
CHECKED rows, the offset from the backbone's reference for ALONG rows). ``hxy[:, h0:h0 + hn]`` is
the convex hull of the stock-inflated outline (a range of a pool, as for shapes), for the rotated
bounding box that keeps samples inside a container. ``lay.work`` counts evaluated samples (the
unit of the work budget).
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.collision.jit import EXACT, kernel
from leathernest.collision.kernels.query import query
from leathernest.search.kernels.copies import hull_range, probe_of, rows_of
from leathernest.search.kernels.field import container_at, reference_rad
from leathernest.search.kernels.rng import next_int, next_u01

DEG = math.pi / 180.0
RAD = 180.0 / math.pi
MODE_FIXED, MODE_ALONG, MODE_CHECKED = 0.0, 1.0, 2.0  # as leathernest.geometry.orient
# params layout of search_position (float64[N_PARAMS])
P_N_CONTAINER, P_N_FOCUS, P_N_CD, P_MIN_DIM, P_UNIQUE = 0, 1, 2, 3, 4
P_PRE_T0, P_PRE_T1, P_PRE_R0, P_PRE_R1 = 5, 6, 7, 8
P_FIN_T0, P_FIN_T1, P_FIN_R0, P_FIN_R1 = 9, 10, 11, 12
P_CROSS = 13  # probability that a container sample goes to another open container
P_SIZE = 14  # the piece's larger side (steps of the constructive slide)
P_CD_GROW, P_CD_SHRINK = 15, 16  # coordinate-descent step factors after a success / a failure
N_PARAMS = 17


@kernel(EXACT)
def hull_bbox(hxy, h0: int, hn: int, rot_deg: float, mirrored: bool, out) -> None:
    """Bbox (out float64[4]) of hull vertices hxy[:, h0:h0+hn] mirrored (x -> -x), then rotated."""
    a = rot_deg * DEG
    c, s = math.cos(a), math.sin(a)
    out[0] = math.inf
    out[1] = math.inf
    out[2] = -math.inf
    out[3] = -math.inf
    for i in range(h0, h0 + hn):
        x = -hxy[0, i] if mirrored else hxy[0, i]
        y = hxy[1, i]
        px = c * x - s * y
        py = s * x + c * y
        out[0] = min(out[0], px)
        out[1] = min(out[1], py)
        out[2] = max(out[2], px)
        out[3] = max(out[3], py)


@kernel(EXACT)
def materialize(rows, j: int, a: float, x: float, y: float, sheet) -> float:
    """The rotation (degrees) of angle parameter a in row j at centroid (x, y); NaN if not allowed.

    FIXED: a itself; ALONG: the backbone's reference at (x, y) plus a; CHECKED: a, if the grain
    lies within the row's tolerance of the reference there.
    """
    mode = rows[j, 3]
    if mode == MODE_FIXED:
        return a
    c = container_at(x, y, sheet.grid, sheet.dims, sheet.cell_container, sheet.cbox)
    ref = reference_rad(c, x, y, sheet.bb_off, sheet.bb_xy, sheet.bb_s, sheet.bb_mid,
                        sheet.bb_ang) * RAD
    if mode == MODE_ALONG:
        return ref + a
    d = abs(rows[j, 4] + a - ref) % 180.0
    d = min(d, 180.0 - d)
    if d <= rows[j, 5]:
        return a
    return math.nan


@kernel(EXACT)
def _report(best, best_loss, n_kept: int, cand, loss: float, unique: float) -> int:
    """Keep cand among the best distinct samples (sorted ascending); returns the new count."""
    if not math.isfinite(loss):
        return n_kept
    for i in range(n_kept):
        if (
            best[i, 4] == cand[4]
            and abs(best[i, 2] - cand[2]) < unique
            and abs(best[i, 3] - cand[3]) < unique
        ):
            if loss >= best_loss[i]:
                return n_kept
            for c in range(best.shape[1]):
                best[i, c] = cand[c]
            best_loss[i] = loss
            while i > 0 and best_loss[i - 1] > best_loss[i]:
                for c in range(best.shape[1]):
                    t = best[i - 1, c]
                    best[i - 1, c] = best[i, c]
                    best[i, c] = t
                tl = best_loss[i - 1]
                best_loss[i - 1] = best_loss[i]
                best_loss[i] = tl
                i -= 1
            return n_kept
    return keep_best(best, best_loss, n_kept, cand, loss)


@kernel(EXACT)
def keep_best(rows, keys, n: int, row, key: float) -> int:
    """Insert row with key into rows[:n] sorted by keys (at most len(rows) kept); the new n.

    Element loops rather than row slices: a slice assignment pulls Numba's broadcasting and its
    error formatting into every kernel that uses it (about a second of compiling each).
    """
    cap = rows.shape[0]
    if n == cap and key >= keys[cap - 1]:
        return n
    pos = min(n, cap - 1)
    while pos > 0 and keys[pos - 1] > key:
        for c in range(rows.shape[1]):
            rows[pos, c] = rows[pos - 1, c]
        keys[pos] = keys[pos - 1]
        pos -= 1
    for c in range(rows.shape[1]):
        rows[pos, c] = row[c]
    keys[pos] = key
    return min(n + 1, cap)


@kernel(EXACT)
def pick_container(cur_c: int, cross: bool, p_cross: float, sheet, rng) -> int:
    """The container of a container sample: the piece's own, or (sometimes) another open one."""
    closed = sheet.closed
    n = closed.shape[0]
    stay = cur_c >= 0 and closed[cur_c] == 0
    if stay and (not cross or n == 1 or next_u01(rng) >= p_cross):
        return cur_c
    n_open = 0
    for c in range(n):
        if closed[c] == 0 and c != cur_c:
            n_open += 1
    if n_open == 0:
        return cur_c if stay else -1
    k = next_int(rng, n_open)
    for c in range(n):
        if closed[c] == 0 and c != cur_c:
            if k == 0:
                return c
            k -= 1
    return -1


@kernel(EXACT)
def sample_in(hxy, h0: int, hn: int, rows, j: int, a: float, cbox_row, sheet, rng, cand,
              bb) -> bool:
    """A uniform position for row j / parameter a in a container box (False if none fits).

    The box is shrunk by the rotated hull's bbox, taken at the rotation the row gives at the
    box's centre (the backbone's reference turns slowly, so the box stays close for ALONG rows).
    """
    mx = 0.5 * (cbox_row[0] + cbox_row[2])
    my = 0.5 * (cbox_row[1] + cbox_row[3])
    rot = materialize(rows, j, a, mx, my, sheet)
    if not math.isfinite(rot):
        rot = a
    mir = rows[j, 2] != 0.0
    hull_bbox(hxy, h0, hn, rot, mir, bb)
    xlo, xhi = cbox_row[0] - bb[0], cbox_row[2] - bb[2]
    ylo, yhi = cbox_row[1] - bb[1], cbox_row[3] - bb[3]
    if xlo > xhi or ylo > yhi:
        return False
    cand[1] = 1.0 if mir else 0.0
    cand[2] = xlo + next_u01(rng) * (xhi - xlo)
    cand[3] = ylo + next_u01(rng) * (yhi - ylo)
    cand[4] = j
    cand[5] = a
    return True


@kernel(EXACT)
def sample_angle(rows, j: int, rng) -> float:
    """A uniform angle parameter of row j."""
    lo, hi = rows[j, 0], rows[j, 1]
    if hi > lo:
        return lo + next_u01(rng) * (hi - lo)
    return lo


@kernel(EXACT)
def search_position(lay, k: int, cur, has_cur: bool, sheet, params, w_static, w_piece, rng,
                    out) -> float:
    """Best placement found for copy k (into out float64[6]); returns its weighted loss.

    lay: the :class:`~leathernest.search.kernels.records.LayoutArrays`; cur float64[6] the current
    placement (ignored unless has_cur: a piece being inserted samples its containers only); sheet
    the containers to sample (``lay.sheet``, or one with other containers closed); params the
    move's parameters (``lay.items.params[k]``, or an insertion's: see the P_* indices); w_static,
    w_piece the weights of the loss. After Sparrow's ``search_placement`` (arXiv 2509.13329,
    Algorithm 6). The focus and container samples are drawn first and evaluated in one call,
    bounded by the n_refine-th best loss; the best distinct ones are then refined by coordinate
    descent, and the best of all once more with finer steps. Returns inf (out untouched) when no
    sample was allowed.
    """
    items, eng, work = lay.items, lay.engine, lay.work
    probe = probe_of(lay.pools, lay.masks, lay.grade_of, k, True, w_static, w_piece)
    no_ids, no_vals = lay.out_ids[:0], lay.out_vals[:0]
    hxy = items.hull_xy
    h0, hn = hull_range(items, k)
    rows = rows_of(items, k)
    cross = items.cross[k] != 0
    n_cont = int(params[P_N_CONTAINER])
    n_focus = int(params[P_N_FOCUS]) if has_cur else 0
    n_cd = max(int(params[P_N_CD]), 1)
    unique = params[P_UNIQUE]
    m = rows.shape[0]
    cbox = sheet.cbox
    best = np.empty((n_cd, 6))
    best_loss = np.full(n_cd, math.inf)
    n_all = n_focus + n_cont
    smp = np.empty((max(n_all, 2), 4))
    meta = np.empty((max(n_all, 1), 6))
    lout = np.empty(max(n_all, 2))
    bb = np.empty(4)
    cand = np.empty(6)
    trial = np.empty((2, 6))
    n_kept = 0
    cur_c = -1
    half_w = half_h = 0.0
    if has_cur:
        for c in range(6):
            cand[c] = cur[c]
        v = math.inf
        rot = materialize(rows, int(cand[4]), cand[5], cand[2], cand[3], sheet)
        if math.isfinite(rot):
            cand[0] = rot
            smp[0, 0] = rot
            smp[0, 1] = cand[1]
            smp[0, 2] = cand[2]
            smp[0, 3] = cand[3]
            work[0] += 1
            query(probe, smp[:1], eng, math.inf, 1, lout[:1], no_ids, no_vals)
            v = lout[0]
        n_kept = _report(best, best_loss, 0, cand, v, unique)
        if n_kept > 0 and best_loss[0] == 0.0:
            for c in range(6):
                out[c] = best[0, c]
            return 0.0
        cur_c = container_at(cur[2], cur[3], sheet.grid, sheet.dims, sheet.cell_container, cbox)
        hull_bbox(hxy, h0, hn, cur[0], cur[1] != 0.0, bb)
        half_w = 0.5 * (bb[2] - bb[0])
        half_h = 0.5 * (bb[3] - bb[1])
    q = 0
    for i in range(n_all):
        j = next_int(rng, m)
        a = sample_angle(rows, j, rng)
        if i < n_focus:
            if cur_c < 0:
                continue
            b = cbox[cur_c]
            rot = materialize(rows, j, a, cur[2], cur[3], sheet)
            if not math.isfinite(rot):
                continue
            hull_bbox(hxy, h0, hn, rot, rows[j, 2] != 0.0, bb)
            xlo = max(b[0] - bb[0], cur[2] - half_w)
            xhi = min(b[2] - bb[2], cur[2] + half_w)
            ylo = max(b[1] - bb[1], cur[3] - half_h)
            yhi = min(b[3] - bb[3], cur[3] + half_h)
            if xlo > xhi or ylo > yhi:
                continue
            cand[1] = rows[j, 2]
            cand[2] = xlo + next_u01(rng) * (xhi - xlo)
            cand[3] = ylo + next_u01(rng) * (yhi - ylo)
            cand[4] = j
            cand[5] = a
        else:
            c = pick_container(cur_c, cross, params[P_CROSS], sheet, rng)
            if c < 0 or not sample_in(hxy, h0, hn, rows, j, a, cbox[c], sheet, rng, cand, bb):
                continue
        rot = materialize(rows, j, cand[5], cand[2], cand[3], sheet)
        if not math.isfinite(rot):
            continue
        cand[0] = rot
        for c in range(6):
            meta[q, c] = cand[c]
        smp[q, 0] = rot
        smp[q, 1] = cand[1]
        smp[q, 2] = cand[2]
        smp[q, 3] = cand[3]
        q += 1
    if q > 0:
        ub = best_loss[n_cd - 1] if n_kept == n_cd else math.inf
        work[0] += q
        query(probe, smp[:q], eng, ub, n_cd, lout, no_ids, no_vals)
        for i in range(q):
            n_kept = _report(best, best_loss, n_kept, meta[i], lout[i], unique)
    # Refinement: each kept sample with coarse steps (the lowest loss goes to out), then the best
    # once more with fine steps: adaptive coordinate descent after Sparrow's
    # ``refine_coord_desc``: two candidates either side along a random axis, evaluated in one
    # call; a success grows that axis's step by params[P_CD_GROW] (1.1), anything else shrinks
    # it by params[P_CD_SHRINK] (0.5) and picks a new axis; stop when every step is below its
    # limit. The wiggle axis exists only when the row is a range, and keeps the angle parameter
    # inside it.
    min_dim = params[P_MIN_DIM]
    top = math.inf
    for t in range(n_kept + 1):
        if t < n_kept:
            for c in range(6):
                cand[c] = best[t, c]
            loss = best_loss[t]
            t0, t1 = min_dim * params[P_PRE_T0], min_dim * params[P_PRE_T1]
            r0, r1 = params[P_PRE_R0], params[P_PRE_R1]
        else:
            if not (top > 0.0 and math.isfinite(top)):
                break
            for c in range(6):
                cand[c] = out[c]
            loss = top
            t0, t1 = min_dim * params[P_FIN_T0], min_dim * params[P_FIN_T1]
            r0, r1 = params[P_FIN_R0], params[P_FIN_R1]
        if loss > 0.0:
            row = int(cand[4])
            lo, hi = rows[row, 0], rows[row, 1]
            wiggle = hi > lo
            n_axes = 6 if wiggle else 4
            sx, sy, sr = t0, t0, r0
            axis = next_int(rng, n_axes)
            while (sx >= t1 or sy >= t1 or (wiggle and sr >= r1)) and loss > 0.0:
                mm = 0
                for side in range(2):
                    sg = 1.0 if side == 0 else -1.0
                    for c in range(6):
                        trial[mm, c] = cand[c]
                    if axis == 0:
                        trial[mm, 2] += sg * sx
                    elif axis == 1:
                        trial[mm, 3] += sg * sy
                    elif axis == 2:
                        trial[mm, 2] += sg * sx
                        trial[mm, 3] += sg * sy
                    elif axis == 3:
                        trial[mm, 2] -= sg * sx
                        trial[mm, 3] += sg * sy
                    else:
                        trial[mm, 5] = (min(cand[5] + sr, hi) if side == 0
                                        else max(cand[5] - sr, lo))
                    rot = materialize(rows, row, trial[mm, 5], trial[mm, 2], trial[mm, 3],
                                      sheet)
                    if not math.isfinite(rot):
                        continue
                    trial[mm, 0] = rot
                    smp[mm, 0] = rot
                    smp[mm, 1] = trial[mm, 1]
                    smp[mm, 2] = trial[mm, 2]
                    smp[mm, 3] = trial[mm, 3]
                    mm += 1
                better = False
                if mm > 0:
                    work[0] += mm
                    b, _n = query(probe, smp[:mm], eng, loss, 1, lout, no_ids, no_vals)
                    if b >= 0 and lout[b] < loss:
                        loss = lout[b]
                        better = True
                        for c in range(6):
                            cand[c] = trial[b, c]
                f = params[P_CD_GROW] if better else params[P_CD_SHRINK]
                if axis == 0:
                    sx *= f
                elif axis == 1:
                    sy *= f
                elif axis <= 3:
                    sx *= math.sqrt(f)
                    sy *= math.sqrt(f)
                else:
                    sr *= f
                if not better:
                    axis = next_int(rng, n_axes)
        if t < n_kept:
            if loss < top:
                top = loss
                for c in range(6):
                    out[c] = cand[c]
        else:
            top = loss
            for c in range(6):
                out[c] = cand[c]
    return top
