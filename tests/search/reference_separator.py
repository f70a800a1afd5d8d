"""A Python reference of the separator loop (Sparrow's Algorithm 9), move for move.

It walks the same algorithm as :func:`leathernest.search.kernels.separate.separate` in Python,
calling the shared building blocks one move at a time (the position search, the tracker, the
weights, the generator), so the Numba loop can be tested for making exactly the same moves.
"""

from __future__ import annotations

import numpy as np

from leathernest.config import SeparatorConfig
from leathernest.search.kernels import separate as ksep
from leathernest.search.kernels.rng import shuffle
from leathernest.search.separate import separator_array


def separate_reference(lay, cfg: SeparatorConfig, rng) -> tuple[bool, int]:
    """(feasible, moves) after running Algorithm 9 on the layout in Python."""
    no_improve_limit, strikes_limit = cfg.iter_no_improve, cfg.strikes
    improve, kcfg = cfg.improve, separator_array(cfg)
    arrays = lay.arrays
    trk = lay.tracker.arrays
    place = lay.place
    n = place.shape[0]
    out = np.empty(6)
    order = np.empty(n, dtype=np.int64)
    best_loss = ksep.total_loss(trk, lay.live)
    best = place.copy()
    moves = 0
    if best_loss == 0.0:
        return True, 0
    strikes = 0
    start_loss = best_loss
    while strikes < strikes_limit:
        no_improve = 0
        while no_improve < no_improve_limit:
            live, sp, se = lay.live, trk.sp, trk.se
            m = 0
            for k in range(n):
                if live[k] and sp[k] + se[k] > 0.0:
                    order[m] = k
                    m += 1
            shuffle(rng, order, m)
            for t in range(m):
                k = int(order[t])
                if sp[k] + se[k] > 0.0:
                    ksep.move_copy(arrays, k, rng, out)
                    moves += 1
            loss = ksep.total_loss(trk, live)
            if loss == 0.0:
                return True, moves
            if loss < best_loss:
                if loss < improve * best_loss:
                    no_improve = 0
                best_loss = loss
                best = place.copy()
            else:
                no_improve += 1
            ksep.update_weights(trk, live, kcfg)
        strikes = strikes + 1 if start_loss * improve <= best_loss else 0
        ksep.restore_layout(arrays, best)
        start_loss = best_loss
    return False, moves
