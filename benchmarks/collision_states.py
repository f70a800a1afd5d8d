"""Realistic states for the collision benchmarks: a dense shirts strip and a baldacci1 hide.

Layouts are built with a plain bottom-left fill on the engine itself (batch_feasible over a grid of
candidate positions, lowest x then lowest y); they are dense enough that near-feasible queries touch
several neighbours. Query sets: uniform random placements over the container ("random") and placed
pieces nudged by a small displacement with the piece itself ignored ("near").
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import shapely

from leathernest.collision.engine import CollisionEngine
from leathernest.geometry.transform import place_ring
from leathernest.io.instance import load_job


@dataclass
class State:
    name: str
    engine: CollisionEngine
    shapes: list  # PreparedShape per piece type
    placed: list  # (key, type index, rotation_deg, mirrored, x, y)
    bounds: tuple[float, float, float, float]
    angles: tuple[float, ...]


def _bottom_left(eng, shapes, order, angles, xs, ys, key0=0):
    placed = []
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    flat = np.c_[gx.ravel(), gy.ravel()]
    for t in order:
        best = None
        for a in angles:
            samples = np.c_[np.full(len(flat), a), np.zeros(len(flat)), flat].astype(np.float64)
            ok = eng.batch_feasible(shapes[t], samples)
            idx = np.flatnonzero(ok)
            if idx.size:
                i = idx[0]  # xs outer, ys inner: lowest x, then lowest y
                cand = (flat[i, 0], flat[i, 1], a)
                if best is None or cand[:2] < best[:2]:
                    best = cand
        if best is not None:
            key = key0 + len(placed)
            eng.add(key, shapes[t], best[2], False, best[0], best[1])
            placed.append((key, t, best[2], False, best[0], best[1]))
    return placed


@functools.cache
def shirts_state(cell_mm: float | None = None) -> State:
    job = load_job("datasets/esicup/shirts.json")
    length = 80.0
    eng = CollisionEngine.for_strip(job.stock, length, max_pieces=128, cell_mm=cell_mm)
    shapes = [eng.prepare(p) for p in job.pieces]
    order = sorted(
        (t for t, p in enumerate(job.pieces) for _ in range(p.n_copies)),
        key=lambda t: -job.pieces[t].area,
    )
    placed = _bottom_left(eng, shapes, order, (0.0, 180.0), np.arange(0, length, 0.5),
                          np.arange(0, 40.0, 0.5))
    used = max(eng.placed_bbox(k)[2] for k, *_ in placed)
    return State("shirts", eng, shapes, placed, (0.0, 0.0, used, 40.0), (0.0, 180.0))


@functools.cache
def hide_state(cell_mm: float | None = None) -> State:
    job = load_job("datasets/leather/baldacci1.json")
    hide = job.hides[0]
    eng = CollisionEngine.for_hide(hide, max_pieces=128, cell_mm=cell_mm)
    shapes = [eng.prepare(p) for p in job.pieces]
    order = sorted(range(len(job.pieces)), key=lambda t: -job.pieces[t].area)
    x0, y0, x1, y1 = hide.outline.bbox
    angles = tuple(float(a) for a in range(0, 360, 45))
    placed = _bottom_left(eng, shapes, order, angles, np.arange(x0, x1, 100.0),
                          np.arange(y0, y1, 100.0))
    return State("baldacci1", eng, shapes, placed, (x0, y0, x1, y1), angles)


def queries(state: State, kind: str, n: int, seed: int = 0):
    """[(type index, ignore key, samples float64[m, 4])], n samples in all, grouped by shape."""
    rng = np.random.default_rng(seed)
    groups = []
    per = max(1, n // len(state.placed))
    if kind == "random":
        x0, y0, x1, y1 = state.bounds
        for t in range(len(state.shapes)):
            m = n // len(state.shapes)
            s = np.c_[rng.choice(state.angles, m), np.zeros(m), rng.uniform(x0, x1, m),
                      rng.uniform(y0, y1, m)]
            groups.append((t, -1, np.ascontiguousarray(s, dtype=np.float64)))
    else:
        scale = 0.01 * math.hypot(state.bounds[2] - state.bounds[0],
                                  state.bounds[3] - state.bounds[1])
        for key, t, rot, mir, x, y in state.placed:
            s = np.c_[np.full(per, rot), np.full(per, float(mir)),
                      x + rng.normal(0, scale, per), y + rng.normal(0, scale, per)]
            groups.append((t, key, np.ascontiguousarray(s, dtype=np.float64)))
    return groups


# -- the shapely 2 peer: vectorised polygons, STRtree over placed pieces and zones, prepared stock


@dataclass
class ShapelyPeer:
    tree: shapely.STRtree
    keys: np.ndarray
    stock: object  # prepared usable region (or box)
    zones: shapely.STRtree | None
    zone_blocks: np.ndarray | None


def shapely_peer(state: State, min_grade_mask: np.ndarray | None = None) -> ShapelyPeer:
    eng = state.engine
    polys, keys = [], []
    for key, t, rot, mir, x, y in state.placed:
        polys.append(_place_poly(state.shapes[t].for_pieces.polygon, rot, mir, x, y))
        keys.append(key)
    st = eng.static
    if st.xy.shape[1] == 0:
        stock = shapely.box(*st.box)
        zones = None
        blocks = None
    else:
        geoms = []
        for h in range(st.n_hazards):
            g = shapely.Polygon()
            for r in range(st.hz_ring[h], st.hz_ring[h + 1]):
                g = g.symmetric_difference(shapely.Polygon(st.xy[:, st.rings[r]:st.rings[r + 1]].T))
            geoms.append(g)
        stock = geoms[0]
        zones = shapely.STRtree(geoms[1:])
        blocks = (eng.mask_for(None) if min_grade_mask is None else min_grade_mask)[1:]
    shapely.prepare(stock)
    return ShapelyPeer(shapely.STRtree(polys), np.array(keys), stock, zones, blocks)


def _place_poly(poly, rot, mir, x, y):
    return shapely.Polygon(place_ring(np.asarray(poly.exterior.coords)[:-1], rot, mir, x, y),
                           [place_ring(np.asarray(h.coords)[:-1], rot, mir, x, y)
                            for h in poly.interiors])


def shapely_feasible(peer: ShapelyPeer, shape, samples: np.ndarray, ignore: int,
                     zone_mask: np.ndarray | None = None) -> np.ndarray:
    """Vectorised: place all samples (numpy), build polygons, query the trees, test the stock.

    zone_mask: uint8 per zone (the engine's mask without the exterior), 1 where the zone blocks.
    """
    polys = placed_polygons(shape, samples)
    ok = shapely.contains_properly(peer.stock, polys)
    qi, ti = peer.tree.query(polys, predicate="intersects")
    hit = peer.keys[ti] != ignore
    ok[qi[hit]] = False
    if peer.zones is not None:
        blocks = peer.zone_blocks if zone_mask is None else zone_mask
        qi, ti = peer.zones.query(polys, predicate="intersects")
        ok[qi[blocks[ti] != 0]] = False
    return ok


def placed_polygons(shape, samples: np.ndarray) -> np.ndarray:
    """The placed polygons of one hole-free shape for every sample, vectorised with numpy."""
    ring = np.asarray(shape.for_pieces.polygon.exterior.coords)[:-1]
    a = np.radians(samples[:, 0])[:, None]
    sign = np.where(samples[:, 1] != 0, -1.0, 1.0)[:, None]
    x = sign * ring[None, :, 0]
    y = np.broadcast_to(ring[None, :, 1], x.shape)
    c, s = np.cos(a), np.sin(a)
    px = c * x - s * y + samples[:, 2:3]
    py = s * x + c * y + samples[:, 3:4]
    return shapely.polygons(np.stack([px, py], axis=-1))


def shapely_overlap(peer: ShapelyPeer, shape, samples: np.ndarray, ignore: int) -> np.ndarray:
    """Overlap area with the placed pieces per sample (the exact quantity the proxy stands for)."""
    polys = placed_polygons(shape, samples)
    qi, ti = peer.tree.query(polys, predicate="intersects")
    keep = peer.keys[ti] != ignore
    qi, ti = qi[keep], ti[keep]
    areas = shapely.area(shapely.intersection(polys[qi], peer.tree.geometries[ti]))
    out = np.zeros(len(samples))
    np.add.at(out, qi, areas)
    out += shapely.area(shapely.difference(polys, peer.stock))
    return out
