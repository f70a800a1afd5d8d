"""The separator: resolve the overlap of a layout by moving colliding pieces (Sparrow, in Numba).

The loop itself (Algorithm 9 of Sparrow, arXiv 2509.13329: moves of Algorithm 5, GLS weights of
Algorithm 8, strikes and rollback) runs inside :func:`leathernest.search.kernels.separate.separate`.
This wrapper feeds it work in chunks, charges the work to the stop token, polls the clock and the
interrupt between chunks, and keeps the Python side of the engine in step. Strips and hides use
the same separator: what differs is only which containers are open and which copies are in play.
"""

from __future__ import annotations

import numpy as np

from leathernest.config import SeparatorConfig
from leathernest.search.kernels import separate as ksep
from leathernest.search.layout import Layout
from leathernest.search.stop import StopToken

# Evaluations per kernel call: about 0.05 s of work on one core, so the clock and Ctrl-C are
# looked at often enough for a time limit to hold within a fraction of a second.
CHUNK = 20_000


def separator_array(cfg: SeparatorConfig) -> np.ndarray:
    """The kernel's cfg vector (without the work cap, which depends on the pieces in play)."""
    out = np.zeros(ksep.N_CFG)
    out[ksep.C_NO_IMPROVE] = cfg.iter_no_improve
    out[ksep.C_STRIKES] = cfg.strikes
    out[ksep.C_GLS_MIN], out[ksep.C_GLS_MAX] = cfg.gls_min_inc, cfg.gls_max_inc
    out[ksep.C_GLS_DECAY], out[ksep.C_IMPROVE] = cfg.gls_decay, cfg.improve
    return out


class Separator:
    """Separates a :class:`Layout` at its current containers (strip length, open hides)."""

    def __init__(self, layout: Layout, cfg: SeparatorConfig, rng: np.ndarray) -> None:
        self.layout = layout
        self.configure(cfg)
        self.rng = rng  # uint64[1], the search's kernel generator (shared, advanced in place)
        self.state = np.zeros(8, dtype=np.int64)
        self.fstate = np.zeros(4)
        self.best_place = np.zeros_like(layout.place)

    def configure(self, cfg: SeparatorConfig) -> None:
        """How hard the next separations try."""
        self.cfg = separator_array(cfg)
        self.max_work_per_piece = cfg.max_work_per_piece

    @property
    def moves(self) -> int:
        """Piece moves made by this separator so far."""
        return int(self.state[ksep.S_MOVES])

    @property
    def iterations(self) -> int:
        """Separator iterations made so far."""
        return int(self.state[ksep.S_ITERS])

    def separate(self, stop: StopToken) -> bool:
        """Run until no overlap is left (True) or the attempt fails or the stop token fires.

        On False the layout is the least-overlapping one found.
        """
        lay = self.layout
        self.state[ksep.S_PHASE] = 0
        self.cfg[ksep.C_MAX_WORK] = self.max_work_per_piece * int(lay.live.sum())
        while True:
            budget = min(CHUNK, stop.work_left)
            before = int(lay.work[0])
            status = ksep.separate(lay.arrays, self.best_place, self.cfg, self.state, self.fstate,
                                   self.rng, budget)
            stop.charge(int(lay.work[0]) - before)
            if status != ksep.PAUSED:
                break
            if stop.stopped():
                ksep.restore_layout(lay.arrays, self.best_place)
                self.state[ksep.S_PHASE] = 0
                status = ksep.DONE_FAILED
                break
        lay.sync_engine()
        return status == ksep.DONE_FEASIBLE
