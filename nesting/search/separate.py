"""Separator: move colliding pieces to positions of least weighted overlap until none collide.

Sparrow's separator (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms 5 and 9;
``src/optimizer/separator.rs``), itself a descendant of the guided local search of Egeblad,
Nielsen and Odgaard (2007) and of the overlap minimisation of Imamichi, Yagiura and Nagamochi
(2009): in each iteration every colliding piece, in random order, is moved to the best position
:func:`leathernest.search.kernels.search_position` finds for its weighted overlap; then the GLS
weights are updated. Iterations without a new lowest (unweighted) overlap count towards a limit;
when it is reached the attempt ends with a strike (unless it improved the overlap by 2 %), the
layout rolls back to the least-overlapping one seen, and a new attempt starts with the weights it
has learned. It stops at zero overlap, at the strike limit, at the iteration budget or when the
stop token fires.

Imports numpy and the search modules; numba only through :mod:`leathernest.search.kernels`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from leathernest.search import kernels as sk
from leathernest.search.state import NestState, StateSnapshot
from leathernest.search.stop import StopToken
from leathernest.search.tracker import Tracker, TrackerSnapshot

# Costly self-checks (recompute the tracker after every iteration), read once: house style 2.
CHECKS = os.environ.get("NESTING_CHECKS") == "1"


@dataclass(frozen=True)
class SeparatorConfig:
    """Limits and sampling of one separation (Sparrow's defaults scaled to a Python driver)."""

    iter_no_improve: int = 200  # iterations without a new lowest overlap before a strike
    strikes: int = 3  # attempts without a 2 % improvement before giving up
    # Samples per move: Sparrow uses 50 + 25 and refines 3; with a slower evaluation, fewer
    # samples and more moves did better in 15 s runs on shirts and dagli (0.82-0.85 against
    # 0.79-0.83 density; noisy, one seed each).
    n_container: int = 25  # samples over the whole strip per move
    n_focus: int = 15  # samples around the current position per move
    n_refine: int = 2  # best samples refined by coordinate descent
    unique_frac: float = 0.05  # samples closer than this x the piece's min side are "the same"
    # coordinate descent: t0, t1 (times the piece's smaller side), r0, r1 (degrees)
    pre_steps: tuple[float, float, float, float] = (0.25, 0.02, 5.0, 1.0)
    fin_steps: tuple[float, float, float, float] = (0.01, 0.001, 0.5, 0.05)

    def params(self, min_dim: float) -> np.ndarray:
        """The float64 parameter vector of :func:`search_position` for one piece."""
        p = np.zeros(sk.N_PARAMS)
        p[sk.P_N_CONTAINER] = self.n_container
        p[sk.P_N_FOCUS] = self.n_focus
        p[sk.P_N_CD] = self.n_refine
        p[sk.P_MIN_DIM] = min_dim
        p[sk.P_UNIQUE] = self.unique_frac * min_dim
        p[sk.P_PRE_T0 : sk.P_PRE_R1 + 1] = self.pre_steps
        p[sk.P_FIN_T0 : sk.P_FIN_R1 + 1] = self.fin_steps
        return p


@dataclass
class Budget:
    """Counts work so that tests (and reproducible runs) can stop on iterations, not seconds."""

    max_iterations: int = 10**12
    iterations: int = 0
    moves: int = 0

    @property
    def spent(self) -> bool:
        """Whether the iteration budget is used up."""
        return self.iterations >= self.max_iterations


def engine_args(state: NestState, k: int, tracker: Tracker) -> tuple:
    """The kernel tuple for moving copy k (the engine's arrays, this copy's GLS weights)."""
    return state.engine.kernel_args(state.shape(k), k, tracker.w_ext[k], tracker.w_pair[k])


class Separator:
    """Resolves the overlap of a :class:`NestState` at its current strip length."""

    def __init__(self, state: NestState, tracker: Tracker, cfg: SeparatorConfig,
                 rng: np.random.Generator) -> None:
        self.state = state
        self.tracker = tracker
        self.cfg = cfg
        self.rng = rng
        self.kstate = np.array([rng.integers(1, 2**63 - 1)], dtype=np.uint64)
        items = state.items
        self.params = [cfg.params(float(items.min_dims[k])) for k in range(items.n)]
        self.out = np.zeros(5)

    def move(self, k: int) -> None:
        """Move copy k to the best position found for its weighted overlap."""
        st = self.state
        v = sk.search_position(
            engine_args(st, k, self.tracker),
            st.items.hulls[st.items.shape_of[k]],
            st.items.orients[k],
            st.place[k],
            st.engine.static.box,
            self.params[k],
            self.kstate,
            self.out,
        )
        if math.isfinite(v):
            st.put(k, self.out.copy())
            self.tracker.update(st.engine, k)

    def move_colliding(self, budget: Budget) -> None:
        """Algorithm 5: every colliding piece, in random order, gets a chance to move."""
        cands = self.tracker.colliding()
        self.rng.shuffle(cands)
        for k in cands.tolist():
            if self.tracker.loss_of(k) > 0.0:
                self.move(k)
                budget.moves += 1

    def separate(self, stop: StopToken, budget: Budget) -> tuple[bool, StateSnapshot,
                                                                   TrackerSnapshot]:
        """Algorithm 9: (feasible, best layout, its losses); the state is left at the best."""
        tr = self.tracker
        best_loss = tr.total()
        best = (self.state.save(), tr.save())
        if best_loss == 0.0:
            return True, *best
        strikes = 0
        while strikes < self.cfg.strikes and not stop.stopped() and not budget.spent:
            no_improve = 0
            start_loss = tr.total()
            while no_improve < self.cfg.iter_no_improve:
                if stop.stopped() or budget.spent:
                    break
                self.move_colliding(budget)
                budget.iterations += 1
                if CHECKS:
                    tr.check(self.state.engine, self.state.placed_keys())
                loss = tr.total()
                if loss == 0.0:
                    return True, self.state.save(), tr.save()
                if loss < best_loss:
                    if loss < 0.98 * best_loss:
                        no_improve = 0
                    best_loss = loss
                    best = (self.state.save(), tr.save())
                else:
                    no_improve += 1
                tr.update_weights()
            strikes = strikes + 1 if start_loss * 0.98 <= best_loss else 0
            self.state.restore(best[0])
            tr.restore(best[1])
        return False, *best
