"""Numba kernels of the strip search: the position search of one piece (sampling + refinement).

One call of :func:`search_position` does, for one piece of the layout, what Sparrow's
``search_placement`` does (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithm 6 and
Figure 7): evaluate the current placement, a few samples focused around it and a few over the
whole strip, keep the best few distinct ones, refine each by an adaptive coordinate descent
(steps grow by 1.1 on success and halve on failure, axes x, y, both diagonals and, for continuous
rotation, a "wiggle" of the angle), then refine the best once more with finer steps. Every
evaluation is the engine's weighted overlap proxy with an upper bound (``batch_loss``), so a
sample stops as soon as it is worse than the best kept one. The same idea of moving one piece to
the position of least weighted overlap is the heart of Egeblad, Nielsen and Odgaard (2007) and
Imamichi, Yagiura and Nagamochi (2009); they search it exactly along axes, Sparrow by sampling.

Running the whole search in one kernel call matters here: a coordinate descent takes about a
hundred tiny evaluations, and a Python loop would spend most of its time in call overhead.

Conventions: a placement row is float64[5] (rotation_deg, mirrored 0/1, x, y, orientation row).
Orientation rows ``orients`` float64[m, 3] are (lo_deg, hi_deg, mirrored): lo == hi is one
allowed angle, lo < hi a closed range (free rotation is (0, 360)). ``hull`` float64[2, h] is the
convex hull of the piece as the stock sees it (local coordinates), used for the rotated bounding
box that keeps samples inside the strip. ``rng`` uint64[1] is the state of a xorshift64*
generator, so a run is reproducible from its seed whatever thread runs it.

Imports numpy, numba, math and the collision kernels it drives (search -> collision); the
kernels are EXACT because they call the collision tests.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from leathernest.collision.jit import EXACT
from leathernest.collision.kernels.batch import batch_loss

DEG = math.pi / 180.0
# params layout of search_position (float64[13])
P_N_CONTAINER, P_N_FOCUS, P_N_CD, P_MIN_DIM, P_UNIQUE = 0, 1, 2, 3, 4
P_PRE_T0, P_PRE_T1, P_PRE_R0, P_PRE_R1 = 5, 6, 7, 8
P_FIN_T0, P_FIN_T1, P_FIN_R0, P_FIN_R1 = 9, 10, 11, 12
N_PARAMS = 13
CD_STEP_SUCCESS = 1.1  # Sparrow's coordinate-descent step factors (consts.rs)
CD_STEP_FAIL = 0.5


@njit(cache=True, nogil=True, fastmath=EXACT)
def next_u01(rng) -> float:
    """A uniform float in [0, 1) from the xorshift64* state rng (uint64[1]), advanced in place."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    y = (x * np.uint64(2685821657736338717)) >> np.uint64(11)
    return float(y) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True, fastmath=EXACT)
def next_int(rng, n: int) -> int:
    """A uniform int in [0, n)."""
    k = int(next_u01(rng) * n)
    return min(k, n - 1)


@njit(cache=True, nogil=True, fastmath=EXACT)
def hull_bbox(hull, rot_deg: float, mirrored: bool, out) -> None:
    """Bbox (out float64[4]) of hull (float64[2, h]) mirrored (x -> -x), then rotated ccw."""
    a = rot_deg * DEG
    c, s = math.cos(a), math.sin(a)
    out[0] = math.inf
    out[1] = math.inf
    out[2] = -math.inf
    out[3] = -math.inf
    for i in range(hull.shape[1]):
        x = -hull[0, i] if mirrored else hull[0, i]
        y = hull[1, i]
        px = c * x - s * y
        py = s * x + c * y
        out[0] = min(out[0], px)
        out[1] = min(out[1], py)
        out[2] = max(out[2], px)
        out[3] = max(out[3], py)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _sample_angle(orients, j: int, rng) -> float:
    lo, hi = orients[j, 0], orients[j, 1]
    if hi > lo:
        return lo + next_u01(rng) * (hi - lo)
    return lo


@njit(cache=True, nogil=True, fastmath=EXACT)
def _axis_value(lo: float, hi: float, rng) -> float:
    if lo >= hi:
        return 0.5 * (lo + hi)
    return lo + next_u01(rng) * (hi - lo)


@njit(cache=True, nogil=True, fastmath=EXACT)
def _report(best, best_loss, n_kept: int, cand, loss: float, unique: float) -> int:
    """Keep cand among the best distinct samples (sorted ascending); returns the new count."""
    if not math.isfinite(loss):
        return n_kept
    cap = best.shape[0]
    for i in range(n_kept):
        if (
            best[i, 4] == cand[4]
            and abs(best[i, 2] - cand[2]) < unique
            and abs(best[i, 3] - cand[3]) < unique
        ):
            if loss >= best_loss[i]:
                return n_kept
            # replace the similar sample, then restore the order
            best[i, :] = cand
            best_loss[i] = loss
            while i > 0 and best_loss[i - 1] > best_loss[i]:
                tmp = best[i - 1, :].copy()
                best[i - 1, :] = best[i, :]
                best[i, :] = tmp
                tl = best_loss[i - 1]
                best_loss[i - 1] = best_loss[i]
                best_loss[i] = tl
                i -= 1
            return n_kept
    if n_kept == cap and loss >= best_loss[cap - 1]:
        return n_kept
    pos = min(n_kept, cap - 1)
    while pos > 0 and best_loss[pos - 1] > loss:
        best[pos, :] = best[pos - 1, :]
        best_loss[pos] = best_loss[pos - 1]
        pos -= 1
    best[pos, :] = cand
    best_loss[pos] = loss
    return min(n_kept + 1, cap)


@njit(cache=True, nogil=True, fastmath=EXACT)
def eval_samples(ea, samples, ub: float, out) -> int:
    """Weighted losses of samples (float64[k, 4]) into out; best index or -1 (all above ub).

    ea is the engine tuple (spp, sps, same, st, dy, g, dims, mask, ignore, sc, w_static, w_piece).
    """
    return batch_loss(
        ea[0], ea[1], ea[2], samples, ea[3], ea[4], ea[5], ea[6], ea[7], ea[8], ea[9],
        ea[10], ea[11], ub, out,
    )


@njit(cache=True, nogil=True, fastmath=EXACT)
def coord_descent(ea, orients, pos, loss: float, t0: float, t1: float, r0: float, r1: float,
                  rng, smp, lout) -> float:
    """Refine pos (float64[5], changed in place) to a local minimum; returns its loss.

    Adaptive coordinate descent after Sparrow's ``refine_coord_desc``: two candidates either side
    along a random axis; a success grows that axis's step by 1.1, anything else halves it and
    picks a new axis; stop when every step is below its limit. The wiggle axis exists only when
    the current orientation row is a range, and keeps the angle inside it.
    """
    row = int(pos[4])
    lo, hi = orients[row, 0], orients[row, 1]
    wiggle = hi > lo
    n_axes = 6 if wiggle else 4
    sx, sy, sr = t0, t0, r0
    axis = next_int(rng, n_axes)
    while (sx >= t1 or sy >= t1 or (wiggle and sr >= r1)) and loss > 0.0:
        for k in range(2):
            smp[k, 0] = pos[0]
            smp[k, 1] = pos[1]
            smp[k, 2] = pos[2]
            smp[k, 3] = pos[3]
        if axis == 0:
            smp[0, 2] += sx
            smp[1, 2] -= sx
        elif axis == 1:
            smp[0, 3] += sy
            smp[1, 3] -= sy
        elif axis == 2:
            smp[0, 2] += sx
            smp[0, 3] += sy
            smp[1, 2] -= sx
            smp[1, 3] -= sy
        elif axis == 3:
            smp[0, 2] -= sx
            smp[0, 3] += sy
            smp[1, 2] += sx
            smp[1, 3] -= sy
        else:
            smp[0, 0] = min(pos[0] + sr, hi)
            smp[1, 0] = max(pos[0] - sr, lo)
        b = eval_samples(ea, smp, loss, lout)
        better = False
        if b >= 0:
            better = lout[b] < loss
            loss = lout[b]
            for c in range(4):
                pos[c] = smp[b, c]
        m = CD_STEP_SUCCESS if better else CD_STEP_FAIL
        if axis == 0:
            sx *= m
        elif axis == 1:
            sy *= m
        elif axis <= 3:
            sx *= math.sqrt(m)
            sy *= math.sqrt(m)
        else:
            sr *= m
        if not better:
            axis = next_int(rng, n_axes)
    return loss


@njit(cache=True, nogil=True, fastmath=EXACT)
def search_position(ea, hull, orients, cur, box, params, rng, out) -> float:
    """Best placement found for one piece (into out float64[5]); returns its weighted loss.

    cur float64[5] is the current placement, box float64[4] the usable box of the strip (the
    engine's, for the stock inflation). params float64[N_PARAMS]: see the P_* indices. After
    Sparrow's ``search_placement`` (arXiv 2509.13329, Algorithm 6).
    """
    n_cont = int(params[P_N_CONTAINER])
    n_focus = int(params[P_N_FOCUS])
    n_cd = max(int(params[P_N_CD]), 1)
    unique = params[P_UNIQUE]
    m = orients.shape[0]
    best = np.empty((n_cd, 5))
    best_loss = np.full(n_cd, math.inf)
    smp = np.empty((2, 4))
    lout = np.empty(2)
    bb = np.empty(4)
    cand = np.empty(5)
    for c in range(5):
        cand[c] = cur[c]
    for c in range(4):
        smp[0, c] = cur[c]
    eval_samples(ea, smp[:1], math.inf, lout)
    n_kept = _report(best, best_loss, 0, cand, lout[0], unique)
    hull_bbox(hull, cur[0], cur[1] != 0.0, bb)
    half_w = 0.5 * (bb[2] - bb[0])
    half_h = 0.5 * (bb[3] - bb[1])
    for i in range(n_focus + n_cont):
        if n_kept > 0 and best_loss[0] == 0.0:
            break
        j = next_int(rng, m)
        rot = _sample_angle(orients, j, rng)
        mir = orients[j, 2] != 0.0
        hull_bbox(hull, rot, mir, bb)
        xlo, xhi = box[0] - bb[0], box[2] - bb[2]
        ylo, yhi = box[1] - bb[1], box[3] - bb[3]
        if i < n_focus:
            xlo, xhi = max(xlo, cur[2] - half_w), min(xhi, cur[2] + half_w)
            ylo, yhi = max(ylo, cur[3] - half_h), min(yhi, cur[3] + half_h)
            if xlo > xhi or ylo > yhi:
                continue
        cand[0] = rot
        cand[1] = 1.0 if mir else 0.0
        cand[2] = _axis_value(xlo, xhi, rng)
        cand[3] = _axis_value(ylo, yhi, rng)
        cand[4] = j
        for c in range(4):
            smp[0, c] = cand[c]
        ub = best_loss[n_cd - 1] if n_kept == n_cd else math.inf
        eval_samples(ea, smp[:1], ub, lout)
        n_kept = _report(best, best_loss, n_kept, cand, lout[0], unique)
    min_dim = params[P_MIN_DIM]
    top = math.inf
    for k in range(n_kept):
        for c in range(5):
            cand[c] = best[k, c]
        v = best_loss[k]
        if v > 0.0:
            v = coord_descent(ea, orients, cand, v, min_dim * params[P_PRE_T0],
                              min_dim * params[P_PRE_T1], params[P_PRE_R0], params[P_PRE_R1],
                              rng, smp, lout)
        if v < top:
            top = v
            for c in range(5):
                out[c] = cand[c]
    if top > 0.0 and math.isfinite(top):
        top = coord_descent(ea, orients, out, top, min_dim * params[P_FIN_T0],
                            min_dim * params[P_FIN_T1], params[P_FIN_R0], params[P_FIN_R1],
                            rng, smp, lout)
    return top
