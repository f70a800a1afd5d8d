"""Overlap tracker: the overlap proxy of every colliding pair, and guided-local-search weights.

Sparrow's ``CollisionTracker`` (Gardeyn, Vanden Berghe and Wauters, arXiv 2509.13329, Algorithms
1 and 8; ``src/quantify/tracker.rs``) in numpy: a symmetric matrix ``pair`` (float64[n, n]) of the
engine's pole overlap proxy between two copies, a vector ``ext`` (float64[n]) of the proxy with the
strip's exterior, and matching weight arrays ``w_pair`` and ``w_ext`` (>= 1). Moving copy k only
recomputes row and column k (one ``collisions_of`` query). The weights are the penalties of
guided local search (Voudouris and Tsang; used for nesting by Egeblad, Nielsen and Odgaard 2007 and
by Umetani et al. 2009): after each round of moves every colliding pair's weight grows by a factor
between 1.2 and 2.0, proportional to how bad its overlap is relative to the worst, and every other
weight decays by 0.95 towards 1, so pairs that keep overlapping are pushed apart ever harder.

Imports numpy and the engine; no numba.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leathernest.collision.engine import CollisionEngine

GLS_MIN_INC = 1.2  # weight factor for the mildest colliding pair (Sparrow consts.rs)
GLS_MAX_INC = 2.0  # ... for the worst one
GLS_DECAY = 0.95  # factor for pairs that no longer collide; weights never drop below 1


@dataclass(frozen=True)
class TrackerSnapshot:
    """Saved losses (weights are kept when restoring, as Sparrow's restore_but_keep_weights)."""

    pair: np.ndarray
    ext: np.ndarray


class Tracker:
    """Pairwise and exterior overlap of the copies in an engine, with GLS weights."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.pair = np.zeros((n, n))
        self.ext = np.zeros(n)
        self.w_pair = np.ones((n, n))
        self.w_ext = np.ones((n, 1))  # [k] is the static weight vector of copy k (one hazard)

    def reset_weights(self) -> None:
        """All weights back to 1."""
        self.w_pair.fill(1.0)
        self.w_ext.fill(1.0)

    def update(self, engine: CollisionEngine, k: int) -> None:
        """Recompute what copy k hits (after it moved)."""
        self.pair[k, :] = 0.0
        self.pair[:, k] = 0.0
        self.ext[k] = 0.0
        ov = engine.collisions_of(k)
        for hid, v in zip(ov.ids.tolist(), ov.values.tolist(), strict=True):
            if hid >= 0:
                self.pair[k, hid] = v
                self.pair[hid, k] = v
            else:
                self.ext[k] += v

    def rebuild(self, engine: CollisionEngine, keys: np.ndarray) -> None:
        """Recompute every loss (after the strip length or many pieces changed)."""
        self.pair.fill(0.0)
        self.ext.fill(0.0)
        for k in keys.tolist():
            self.update(engine, k)

    def loss_of(self, k: int) -> float:
        """Unweighted loss of copy k."""
        return float(self.ext[k] + self.pair[k].sum())

    def colliding(self) -> np.ndarray:
        """Copies with a positive loss."""
        return np.flatnonzero((self.ext > 0.0) | (self.pair > 0.0).any(axis=1))

    def total(self) -> float:
        """Total unweighted loss (each pair once)."""
        return float(self.ext.sum() + 0.5 * self.pair.sum())

    def weighted_total(self) -> float:
        """Total weighted loss (each pair once)."""
        return float((self.w_ext[:, 0] * self.ext).sum() + 0.5 * (self.w_pair * self.pair).sum())

    def update_weights(self) -> None:
        """Sparrow's Algorithm 8: grow weights of colliding pairs, decay the others."""
        worst = max(float(self.pair.max(initial=0.0)), float(self.ext.max(initial=0.0)))
        if worst <= 0.0:
            self.w_pair *= GLS_DECAY
            self.w_ext *= GLS_DECAY
        else:
            span = GLS_MAX_INC - GLS_MIN_INC
            f = np.where(self.pair > 0.0, GLS_MIN_INC + span * (self.pair / worst), GLS_DECAY)
            self.w_pair *= f
            fe = np.where(self.ext > 0.0, GLS_MIN_INC + span * (self.ext / worst), GLS_DECAY)
            self.w_ext[:, 0] *= fe
        np.maximum(self.w_pair, 1.0, out=self.w_pair)
        np.maximum(self.w_ext, 1.0, out=self.w_ext)

    def save(self) -> TrackerSnapshot:
        """Copy of the losses."""
        return TrackerSnapshot(self.pair.copy(), self.ext.copy())

    def restore(self, snap: TrackerSnapshot) -> None:
        """Back to saved losses, keeping the current weights."""
        self.pair[:] = snap.pair
        self.ext[:] = snap.ext

    def check(self, engine: CollisionEngine, keys: np.ndarray) -> None:
        """Assert the tracked losses equal a fresh recomputation (NESTING_CHECKS=1)."""
        pair, ext = self.pair.copy(), self.ext.copy()
        self.rebuild(engine, keys)
        assert np.allclose(pair, self.pair, rtol=1e-9, atol=1e-12), "tracker pair losses drifted"
        assert np.allclose(ext, self.ext, rtol=1e-9, atol=1e-12), "tracker exterior losses drifted"
