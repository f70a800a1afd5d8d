"""The overlap tracker's arrays: pair and static-hazard losses, GLS weights, per-copy sums.

Sparrow's ``CollisionTracker`` (arXiv 2509.13329, Algorithms 1 and 8; ``src/quantify/tracker.rs``):
``pair`` float64[n, n] holds the engine's pole overlap proxy between two copies, ``ext`` float64[n,
S] the proxy of each copy with each static hazard (the exterior, each zone, each closed hide), so
that guided-local-search weights grow on the very defect a piece keeps sitting on. ``w_pair`` and
``w_ext`` are those weights (>= 1), ``sp`` and ``se`` the per-copy sums. The arithmetic lives in
:mod:`leathernest.search.kernels.separate` (one implementation, used by the Numba separator and by
every Python caller); this class owns the arrays, snapshots them and checks them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leathernest.search.kernels.records import Losses


@dataclass(frozen=True)
class TrackerSnapshot:
    """Saved losses (weights are kept on restore, as Sparrow's ``restore_but_keep_weights``)."""

    pair: np.ndarray
    ext: np.ndarray
    sp: np.ndarray
    se: np.ndarray


class Tracker:
    """Pair and static overlap of the copies in an engine, with GLS weights."""

    def __init__(self, n: int, n_static: int) -> None:
        self.pair = np.zeros((n, n))
        self.ext = np.zeros((n, n_static))
        self.w_pair = np.ones((n, n))
        self.w_ext = np.ones((n, n_static))
        self.sp = np.zeros(n)
        self.se = np.zeros(n)

    @property
    def arrays(self) -> Losses:
        """The kernels' record of these arrays."""
        return Losses(self.pair, self.ext, self.w_pair, self.w_ext, self.sp, self.se)

    def reset_weights(self) -> None:
        """All weights back to 1 (a new separation starts without history)."""
        self.w_pair.fill(1.0)
        self.w_ext.fill(1.0)

    def colliding(self, live: np.ndarray) -> np.ndarray:
        """Live copies with a positive loss."""
        return np.flatnonzero((live != 0) & ((self.sp + self.se) > 0.0))

    def total(self, live: np.ndarray) -> float:
        """Total unweighted loss (each pair once)."""
        m = live != 0
        return float(self.se[m].sum() + 0.5 * self.sp[m].sum())

    def save(self) -> TrackerSnapshot:
        """Copy of the losses."""
        return TrackerSnapshot(self.pair.copy(), self.ext.copy(), self.sp.copy(), self.se.copy())

    def restore(self, snap: TrackerSnapshot) -> None:
        """Back to saved losses, keeping the current weights."""
        self.pair[:] = snap.pair
        self.ext[:] = snap.ext
        self.sp[:] = snap.sp
        self.se[:] = snap.se
