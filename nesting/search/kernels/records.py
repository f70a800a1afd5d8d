"""The search's arrays as named records: a layout as the search kernels see it.

:class:`~leathernest.search.layout.Layout` builds one :class:`LayoutArrays` record from the
collision engine's :class:`~leathernest.collision.records.Engine`, the items' pools and its own
placements and losses; every search kernel takes it whole and reads what it needs by name.

The parts are ``typing.NamedTuple`` records (Numba compiles them as tuples); the whole layout is
a Numba *structref* (:func:`pack_layout`), a pointer to them. Passing a tuple of some ninety
arrays into a kernel cost about 1.2 s of compiling per kernel that took it, and 18 µs per call from
Python (measured: a kernel reading one member of the tuple compiled in 1.3 s, of the structref in
0.04 s; a call took 0.6 µs).

Placement rows are float64[n, 6] ``(rotation_deg, mirrored, x, y, row, a)``: x, y is the copy's
centroid (shapes are centred), ``row`` the orientation row it uses and ``a`` the angle parameter
within that row (:mod:`leathernest.geometry.orient`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import types
from numba.core.extending import overload
from numba.experimental import structref

from leathernest.collision.jit import EXACT, kernel


class ShapePool(NamedTuple):
    """One variant (for pieces or for the stock) of every piece's shape, pooled."""

    xy: np.ndarray  # float64[2, V]
    rings: np.ndarray  # int64[*]: ring offsets of every shape, relative to its first vertex
    poles: np.ndarray  # float64[3, P]
    index: np.ndarray  # int64[shapes, 6]: (v0, n_vertices, r0, n_rings + 1, p0, n_poles)


class Pools(NamedTuple):
    """The shapes of every copy: both variants, and which shape a copy has."""

    for_pieces: ShapePool
    for_stock: ShapePool
    same: np.ndarray  # uint8[shapes]: the stock sees the pieces' variant
    shape_of: np.ndarray  # int64[n]: the shape of copy k


class ItemArrays(NamedTuple):
    """Per copy: convex hull, orientation rows, move parameters, and whether it is in play."""

    hull_xy: np.ndarray  # float64[2, H]: hulls of all pieces (stock variant), pooled
    hull_idx: np.ndarray  # int64[n, 2]: (start, count) of copy k's hull
    rows: np.ndarray  # float64[R, 6]: orientation rows of all copies
    rows_idx: np.ndarray  # int64[n, 2]: (start, count) of copy k's rows
    params: np.ndarray  # float64[n, N_PARAMS]: move parameters (search.kernels.sample)
    cross: np.ndarray  # uint8[n]: copy k may move to another container on its own
    live: np.ndarray  # uint8[n]: copy k is in play


class Sheet(NamedTuple):
    """The containers and the backbones: where a copy may be sampled and how it turns there."""

    cbox: np.ndarray  # float64[C, 4]: usable box of each container
    closed: np.ndarray  # uint8[C]: containers out of play (samples never go there)
    cell_container: np.ndarray  # int64[cells]: the container of each grid cell, or -1
    grid: np.ndarray  # float64[4]
    dims: np.ndarray  # int64[2]
    bb_off: np.ndarray  # int64[C + 1]: backbone vertices of container c (search.kernels.field)
    bb_xy: np.ndarray  # float64[2, B]
    bb_s: np.ndarray  # float64[B]: arc length at each vertex
    bb_mid: np.ndarray  # float64[B]: arc length at each segment's midpoint
    bb_ang: np.ndarray  # float64[B]: unwrapped angle of each segment (radians)


class Losses(NamedTuple):
    """The overlap tracker: proxies per pair and per static hazard, GLS weights, per-copy sums."""

    pair: np.ndarray  # float64[n, n]
    ext: np.ndarray  # float64[n, S]
    w_pair: np.ndarray  # float64[n, n]
    w_ext: np.ndarray  # float64[n, S]
    sp: np.ndarray  # float64[n]: sum of pair[k]
    se: np.ndarray  # float64[n]: sum of ext[k]


@structref.register
class LayoutType(types.StructRef):
    """The Numba type of a :class:`LayoutArrays` (its fields typed as they were packed)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


class LayoutArrays(structref.StructRefProxy):
    """A whole layout for the search kernels (built by :func:`pack_layout`; fields read-only).

    Fields: ``engine`` (:class:`~leathernest.collision.records.Engine`), ``masks`` uint8[G, S]
    (the engine's grade masks), ``grade_of`` int64[n] (copy k's row of masks), ``pools``
    (:class:`Pools`), ``items`` (:class:`ItemArrays`), ``sheet`` (:class:`Sheet`), ``losses``
    (:class:`Losses`), ``place`` float64[n, 6] (placement rows), ``ones_s`` float64[S] and
    ``ones_k`` float64[n] (unit weights, for feasibility queries), ``out_ids`` int64[S + n] and
    ``out_vals`` float64[S + n] (the hazards a single query hit and by how much), ``work``
    int64[1] (collision evaluations so far, the unit of the work budget).
    """


LAYOUT_FIELDS = ("engine", "masks", "grade_of", "pools", "items", "sheet", "losses", "place",
                 "ones_s", "ones_k", "out_ids", "out_vals", "work")
structref.define_boxing(LayoutType, LayoutArrays)


def _new_layout(engine, masks, grade_of, pools, items, sheet, losses, place, ones_s, ones_k,
                out_ids, out_vals, work):  # pragma: no cover - only Numba calls it
    raise NotImplementedError("compiled by pack_layout")


@overload(_new_layout)
def _new_layout_impl(engine, masks, grade_of, pools, items, sheet, losses, place, ones_s, ones_k,
                     out_ids, out_vals, work):
    typ = LayoutType(list(zip(LAYOUT_FIELDS, (engine, masks, grade_of, pools, items, sheet,
                                              losses, place, ones_s, ones_k, out_ids, out_vals,
                                              work), strict=True)))

    def impl(engine, masks, grade_of, pools, items, sheet, losses, place, ones_s, ones_k,
             out_ids, out_vals, work):
        r = structref.new(typ)
        r.engine = engine
        r.masks = masks
        r.grade_of = grade_of
        r.pools = pools
        r.items = items
        r.sheet = sheet
        r.losses = losses
        r.place = place
        r.ones_s = ones_s
        r.ones_k = ones_k
        r.out_ids = out_ids
        r.out_vals = out_vals
        r.work = work
        return r

    return impl


@kernel(EXACT)
def pack_layout(engine, masks, grade_of, pools, items, sheet, losses, place, ones_s, ones_k,
                out_ids, out_vals, work) -> LayoutArrays:
    """One :class:`LayoutArrays` holding the given records and arrays (see its fields)."""
    return _new_layout(engine, masks, grade_of, pools, items, sheet, losses, place, ones_s,
                       ones_k, out_ids, out_vals, work)


__all__ = ["LAYOUT_FIELDS", "ItemArrays", "LayoutArrays", "Losses", "Pools", "ShapePool", "Sheet",
           "pack_layout"]
