"""The collision engine's arrays as named records: what every kernel reads, by name.

The kernels take these records (``typing.NamedTuple``, which Numba compiles as plain tuples: named
access costs nothing at run time) instead of positional tuples. :class:`~leathernest.collision.
engine.CollisionEngine` builds them and is the only owner of the arrays; searches ask it for its
:attr:`~leathernest.collision.engine.CollisionEngine.arrays`.

Hazard ids: static hazard h is ``-1 - h`` in query results (hazard 0 is the exterior: the usable
region of every container, or a strip's box), a placed piece is its key (>= 0).

Kernels read a record's members into locals once per call: each member read of a record passed
down costs an atomic reference count, which matters in loops over samples (measured in round 2: a
query rejected by its bbox took 820 ns reading members per sample, 90 ns with locals).

:class:`Engine`, which every query takes, is a Numba *structref* (a pointer to its three records)
rather than a tuple of its fifty arrays: a tuple argument is flattened into every call, which cost
about a second of compiling per kernel that passed it on (see
:mod:`leathernest.search.kernels.records`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import types
from numba.core.extending import overload
from numba.experimental import structref

from leathernest.collision.jit import EXACT, kernel


class Shape(NamedTuple):
    """One outline of a piece in local coordinates: a range of vertex and pole pools.

    A prepared shape's own arrays (range 0..n) and a pool of many pieces have the same types, so
    every kernel compiles once for both.
    """

    xy: np.ndarray  # float64[2, *]: vertex pool
    v0: int  # first vertex
    n_vertices: int
    rings: np.ndarray  # int64[r + 1]: ring k is vertices v0 + rings[k] .. v0 + rings[k + 1]
    poles: np.ndarray  # float64[3, *]: pole pool (x, y, radius)
    p0: int  # first pole
    n_poles: int


class Static(NamedTuple):
    """The static hazards of a sheet (hide copies side by side, or a strip) and its grid.

    Read-only for queries, except ``box`` and ``container_box`` (a strip's length) and ``walls``.
    Hazards of kind 2 are walls: moving limits across a container, tested against ``walls``.
    """

    xy: np.ndarray  # float64[2, V]: vertices of every hazard ring
    rings: np.ndarray  # int64[R + 1]: offsets of the rings into xy
    hz_ring: np.ndarray  # int64[S + 1]: rings of hazard h are hz_ring[h] .. hz_ring[h + 1]
    kind: np.ndarray  # int8[S]: 0 exterior (blocks outside its rings), 1 zone (inside), 2 wall
    bbox: np.ndarray  # float64[S, 4]
    poles: np.ndarray  # float64[3, P]: poles of every hazard (the overlap proxy)
    hz_pole: np.ndarray  # int64[S + 1]: poles of hazard h
    edge_next: np.ndarray  # int64[V]: edge e runs from vertex e to edge_next[e]
    edge_hz: np.ndarray  # int64[V]: hazard of edge e
    cell_start: np.ndarray  # int64[cells + 1]: static edges per grid cell, CSR ...
    cell_edges: np.ndarray  # int64[*]: ... their indices
    row_start: np.ndarray  # int64[ny + 1]: edges per grid row (for ray casting), CSR ...
    row_edges: np.ndarray  # int64[*]
    box: np.ndarray  # float64[4]: bbox of every usable region (a strip's whole exterior)
    container_box: np.ndarray  # float64[C, 4]: bbox of each container's usable region
    cell_container: np.ndarray  # int64[cells]: the container whose frame holds a cell, or -1
    edge_container: np.ndarray  # int64[V]: container of each static edge
    hz_container: np.ndarray  # int64[S]: container of each hazard (-1: the exterior)
    cont_hz: np.ndarray  # int64[C + 1]: hazards of container c (hazard 0 belongs to none)
    ext_pole: np.ndarray  # int64[C + 1]: the exterior's poles around container c
    grid: np.ndarray  # float64[4]: x0, y0, 1 / cell width, 1 / cell height
    dims: np.ndarray  # int64[2]: nx, ny
    walls: np.ndarray  # float64[C, 3]: container c's wall n . v <= d as (nx, ny, d); d = inf: open
    wall_hz: np.ndarray  # int64[C]: the wall's hazard index, -1 when the container has none


class Placed(NamedTuple):
    """Placed pieces by key: pools of placed vertices and poles, and the cell lists of the grid."""

    active: np.ndarray  # uint8[K]: key is placed
    xy: np.ndarray  # float64[2, *]: placed vertices, key k from vbase[k]
    vbase: np.ndarray  # int64[K]
    rings: np.ndarray  # int64[*]: ring offsets relative to vbase, key k from rbase[k]
    rbase: np.ndarray  # int64[K]
    n_rings: np.ndarray  # int64[K]
    poles: np.ndarray  # float64[3, *]: placed poles, key k from pbase[k]
    pbase: np.ndarray  # int64[K]
    n_poles: np.ndarray  # int64[K]
    bbox: np.ndarray  # float64[K, 4]: of the placed (inflated) outline
    cells: np.ndarray  # int64[K, 4]: its clamped cell range
    head: np.ndarray  # int64[cells]: first node of each cell's list, or -1
    nxt: np.ndarray  # int64[N]: next node
    nkey: np.ndarray  # int64[N]: the key a node lists
    prv: np.ndarray  # int64[N]: previous node
    nbase: np.ndarray  # int64[K]: key k owns nodes nbase[k] .. nbase[k] + ncap[k]
    ncap: np.ndarray  # int64[K]


class Scratch(NamedTuple):
    """Buffers of one query (owned by one engine: an engine is not thread-safe)."""

    txy: np.ndarray  # float64[2, *]: the query's placed vertices (variant for pieces)
    tp: np.ndarray  # float64[3, *]: its placed poles
    txy2: np.ndarray  # float64[2, *]: the variant for the stock, when it differs
    tp2: np.ndarray  # float64[3, *]
    tbbox: np.ndarray  # float64[4]
    tbbox2: np.ndarray  # float64[4]
    parity: np.ndarray  # uint8[S]: ray-crossing parity per hazard (all 0 between queries)
    hit: np.ndarray  # uint8[S]: hazards already hit by this query (all 0 between queries)
    touched: np.ndarray  # int64[S]: which hazards were marked, to reset them
    counts: np.ndarray  # int64[2]: hazards marked, hazards recorded
    acc: np.ndarray  # float64[1]: the static loss being summed
    near: np.ndarray  # int64[2 * vertices]: a query's edges near one neighbour


@structref.register
class EngineType(types.StructRef):
    """The Numba type of an :class:`Engine`."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(t)) for name, t in fields)


class Engine(structref.StructRefProxy):
    """Everything a query reads besides the shape (built by :func:`pack_engine`).

    Fields: ``static`` (:class:`Static`), ``placed`` (:class:`Placed`), ``scratch``
    (:class:`Scratch`).
    """


structref.define_boxing(EngineType, Engine)


def _new_engine(static, placed, scratch):  # pragma: no cover - only Numba calls it
    raise NotImplementedError("compiled by pack_engine")


@overload(_new_engine)
def _new_engine_impl(static, placed, scratch):
    typ = EngineType([("static", static), ("placed", placed), ("scratch", scratch)])

    def impl(static, placed, scratch):
        r = structref.new(typ)
        r.static = static
        r.placed = placed
        r.scratch = scratch
        return r

    return impl


@kernel(EXACT)
def pack_engine(static, placed, scratch) -> Engine:
    """One :class:`Engine` holding the three records."""
    return _new_engine(static, placed, scratch)


class Probe(NamedTuple):
    """What is asked: a shape (two variants), which hazards block it, weights, and the mode.

    ``for_stock`` is ``for_pieces`` again when ``same``. In feasibility mode (``loss`` False) a
    query stops at the first collision and the weights are not read.
    """

    for_pieces: Shape
    for_stock: Shape
    same: bool
    mask: np.ndarray  # uint8[S]: 1 where static hazard h blocks this shape
    ignore: int  # a key left out of the query (the piece being moved), or -1
    w_static: np.ndarray  # float64[S]: weight per static hazard
    w_piece: np.ndarray  # float64[K]: weight per placed key
    loss: bool


__all__ = ["Engine", "Placed", "Probe", "Scratch", "Shape", "Static", "pack_engine"]
