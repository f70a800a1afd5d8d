"""The one working state of every search: copies placed on the containers of one engine.

Strip packing and hide nesting share this state (the house style's ``NestState``; jagua-rs keeps one
``Layout`` under its strip and bin-packing problems): a :class:`Layout` holds the items, one
:class:`~leathernest.collision.engine.CollisionEngine` whose sheet holds every container (the
strip, or the hide copies in play), the placements as float64[n, 6] rows ``(rotation_deg, mirrored,
x, y, row, a)`` (see :mod:`leathernest.search.kernels.records`), which copies are in play
(``live``), and the overlap tracker. :class:`LayoutSnapshot` saves it cheaply (jagua-rs
``Layout.save/restore``: only the dynamic part is copied; GLS weights survive a restore, as
Sparrow's).

Every copy is registered in the engine once at the start (so its pool slots and grid nodes exist
before any kernel moves it) and then taken out of play until it is placed. The problem layers
(:mod:`leathernest.search.strip`, :mod:`leathernest.search.hides`) change the state only through
these methods and the kernels, which take the whole layout as one record (:attr:`Layout.arrays`).

Imports numpy, the engine, geometry and the search's own modules; numba only through the kernels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from leathernest.collision.engine import CollisionEngine, Snapshot
from leathernest.geometry.backbone import backbone_arrays
from leathernest.model import Hide
from leathernest.search.items import Items
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels import separate as ksep
from leathernest.search.kernels.records import ItemArrays, LayoutArrays, Sheet, pack_layout
from leathernest.search.tracker import Tracker, TrackerSnapshot


@dataclass(frozen=True)
class LayoutSnapshot:
    """A saved layout: engine state (open containers too), placements, who is in play, losses."""

    engine: Snapshot
    place: np.ndarray
    live: np.ndarray
    tracker: TrackerSnapshot

    @property
    def closed(self) -> np.ndarray:
        """uint8[C]: the containers out of play in this layout."""
        return self.engine.closed


def _backbones(containers: list[Hide | None], offsets: np.ndarray) -> tuple:
    """Pooled backbone arrays per container (see :mod:`leathernest.search.kernels.field`)."""
    xs, ss, mids, angs, off = [], [], [], [], [0]
    for c, h in enumerate(containers):
        bb = backbone_arrays(None if h is None else h.backbone, *offsets[c])
        v = bb.xy.shape[1]
        xs.append(bb.xy)
        ss.append(bb.s)
        mids.append(np.concatenate([bb.mid, [0.0]]) if v else np.zeros(0))
        angs.append(np.concatenate([bb.ang, [0.0]]) if v else np.zeros(0))
        off.append(off[-1] + v)
    return (np.array(off, dtype=np.int64),
            np.ascontiguousarray(np.concatenate(xs, axis=1)) if xs else np.zeros((2, 0)),
            np.concatenate(ss) if ss else np.zeros(0),
            np.concatenate(mids) if mids else np.zeros(0),
            np.concatenate(angs) if angs else np.zeros(0))


MAX_TRACKED = 3000  # copies above which no overlap tracker is kept (memory: 2 x n² float64)


class Layout:
    """The mutable layout: every copy registered in the engine under its index."""

    def __init__(self, items: Items, engine: CollisionEngine,
                 containers: list[Hide | None]) -> None:
        self.items = items
        self.engine = engine
        self.containers = containers  # per container: its hide (None for a strip)
        n = items.n
        self.place = np.zeros((n, 6), dtype=np.float64)
        self.live = np.zeros(n, dtype=np.uint8)
        # The overlap tracker is dense (n x n pairs): above MAX_TRACKED copies it is not kept and
        # the search stops at its complete first layout (see the README's limits).
        self.tracked = n <= MAX_TRACKED
        self.tracker = Tracker(n if self.tracked else 1, engine.static.n_hazards)
        self.work = np.zeros(1, dtype=np.int64)
        st = engine.static
        # pool slots, grid nodes and query scratch for every copy, before any kernel moves one
        engine.reserve(list(items.outline_shapes), items.pools.shape_of)
        rows = np.array([engine.grade_row(g) for g in items.grades], dtype=np.int64)
        self.grade_rows = rows[items.grade_of] if n else np.zeros(0, dtype=np.int64)
        self.sheet = Sheet(st.container_box, engine.closed, st.cell_container, st.g, st.dims,
                           *_backbones(containers, st.offsets))
        self.ones_s = np.ones(st.n_hazards)
        self.ones_k = np.ones(n)
        self._out_ids = np.zeros(st.n_hazards + n, dtype=np.int64)
        self._out_vals = np.zeros(st.n_hazards + n, dtype=np.float64)
        self._arrays: LayoutArrays | None = None
        self._packed_from: tuple = ()
        self._sampled: Sheet = self.sheet  # the containers moves sample (see sample_only)

    # -- the kernels' record ----------------------------------------------------------------------

    @property
    def arrays(self) -> LayoutArrays:
        """The whole layout as the search kernels take it.

        Packed once and again only when the engine reallocated its arrays (the record holds the
        arrays themselves, so every change to them is seen).
        """
        source = (self.engine.arrays, self.engine.masks, self._sampled)
        if self._arrays is None or any(a is not b for a, b in
                                       zip(source, self._packed_from, strict=True)):
            it = self.items
            items = ItemArrays(it.hull_xy, it.hull_idx, it.rows_pool, it.rows_idx, it.params,
                               it.cross, self.live)
            self._arrays = pack_layout(*source[:2], self.grade_rows, it.pools, items,
                                       self._sampled, self.tracker.arrays, self.place,
                                       self.ones_s, self.ones_k, self._out_ids, self._out_vals,
                                       self.work)
            self._packed_from = source
        return self._arrays

    def sample_only(self, allowed: np.ndarray | None) -> None:
        """Let the separator's moves sample only the allowed containers (None: every open one).

        A hide search compressing one hide keeps its pieces on it: a piece pushed into the
        overlap that jumped to another hide would only move the problem there.
        """
        self._sampled = self.sheet if allowed is None else self.sheet_with(allowed)

    def sheet_with(self, allowed: np.ndarray) -> Sheet:
        """The sheet with only the allowed containers open for sampling.

        The grade masks stay as they are: pieces already on the other containers still count.
        """
        return self.sheet._replace(closed=np.where(allowed, 0, 1).astype(np.uint8))

    # -- containers -------------------------------------------------------------------------------

    @property
    def n_containers(self) -> int:
        """Containers on the sheet (hide copies in play or not; 1 for a strip)."""
        return self.engine.static.n_containers

    def set_closed(self, c: int, closed: bool) -> None:
        """Take container c out of play, or back in."""
        self.engine.set_closed(c, closed)

    def container_of(self, k: int) -> int:
        """The container holding copy k's centroid (-1 if none or not in play)."""
        if not self.live[k]:
            return -1
        x, y = self.place[k, 2], self.place[k, 3]
        b = self.engine.static.container_box
        inside = np.flatnonzero((b[:, 0] <= x) & (x <= b[:, 2]) & (b[:, 1] <= y) & (y <= b[:, 3]))
        return int(inside[0]) if len(inside) else -1

    def on(self, c: int) -> np.ndarray:
        """Copies in play on container c."""
        return np.array([k for k in np.flatnonzero(self.live).tolist()
                         if self.container_of(k) == c], dtype=np.int64)

    # -- copies -----------------------------------------------------------------------------------

    def put(self, k: int, row: np.ndarray, track: bool = True) -> None:
        """Place (or move) copy k at row (float64[6]) and bring it into play."""
        self.place[k] = row
        r, m, x, y = float(row[0]), bool(row[1] != 0.0), float(row[2]), float(row[3])
        if self.engine.is_placed(k):
            self.engine.move(k, r, m, x, y)
        else:
            self.engine.add(k, self.items.shape(k), r, m, x, y)
        self.live[k] = 1
        if track:
            self.track(k)

    def relocate(self, k: int, x: float, y: float) -> bool:
        """Move copy k's centroid to (x, y), its rotation re-derived from its orientation row.

        A row that follows the backbone (ALONG) turns with it; a grain-checked row may not allow
        the new place: then nothing changes and False is returned. Losses are not updated.
        """
        row = self.place[k].copy()
        rot = ks.materialize(self.items.kernel_rows(k), int(row[4]), float(row[5]), x, y,
                             self.sheet)
        if not math.isfinite(rot):
            return False
        row[0], row[2], row[3] = rot, x, y
        self.put(k, row, track=False)
        return True

    def take(self, k: int) -> None:
        """Take copy k out of play (its losses vanish)."""
        if self.engine.is_placed(k):
            self.engine.remove(k)
        self.live[k] = 0
        self.track(k)

    def track(self, k: int) -> None:
        """Recompute copy k's losses (after it moved)."""
        if not self.tracked:
            return
        ksep.tracker_row(self.arrays, k)

    def rebuild_tracker(self) -> None:
        """Recompute every loss (after many copies or a strip length changed)."""
        if not self.tracked:
            return
        t = self.tracker
        t.pair.fill(0.0)
        t.ext.fill(0.0)
        t.sp.fill(0.0)
        t.se.fill(0.0)
        for k in np.flatnonzero(self.live).tolist():
            self.track(k)

    def sync_engine(self) -> None:
        """Tell the engine's Python side where the kernels moved the live copies."""
        self.engine.record_transforms(np.flatnonzero(self.live), self.place[:, :4])

    def total_loss(self) -> float:
        """Total unweighted overlap of the copies in play.

        0 when untracked: the layouts of an untracked search come from feasible placements only.
        """
        if not self.tracked:
            return 0.0
        return self.tracker.total(self.live)

    def live_keys(self) -> np.ndarray:
        """Copies in play."""
        return np.flatnonzero(self.live)

    # -- snapshots --------------------------------------------------------------------------------

    def save(self) -> LayoutSnapshot:
        """Snapshot of the layout (the strip length and open containers included)."""
        self.sync_engine()
        return LayoutSnapshot(self.engine.save(), self.place.copy(), self.live.copy(),
                              self.tracker.save())

    def restore(self, snap: LayoutSnapshot) -> None:
        """Return to a snapshot, keeping the GLS weights."""
        self.engine.restore(snap.engine)
        self.place[:] = snap.place
        self.live[:] = snap.live
        self.tracker.restore(snap.tracker)
