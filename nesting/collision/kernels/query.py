"""Exact collision of a placed shape with the static hazards and with placed pieces (EXACT).

Closed-set semantics (touching collides), the order of jagua-rs's ``CDEngine``: bounding boxes, then
the surrogate (a pole circle of each shape overlapping: a hit proves a collision, a miss proves
nothing), then edges, then containment both ways (one vertex per ring suffices once no edges meet:
two shapes whose boundaries are disjoint overlap only if a whole ring of one lies inside the other).

:func:`query` is the one public kernel: feasibility or weighted loss of many samples of one shape,
for the engine's Python methods and for the search kernels alike. It takes the records of
:mod:`leathernest.collision.records`; the per-sample helpers here take plain arrays (a record
member read per sample would cost a reference count each).

Samples are float64[N, >= 4] rows (rotation_deg, mirrored 0/1, x, y; further columns, such as a
layout row's, are ignored). A sample with a non-finite value is infeasible with loss inf (kernels
do not raise).

These kernels are EXACT (they decide collisions) and call the FAST proxies of
:mod:`leathernest.collision.kernels.poles` only for the loss of pairs already known to collide.
"""

from __future__ import annotations

import math

import numpy as np

from leathernest.collision.jit import EXACT, ZERO, kernel
from leathernest.collision.kernels.containment import any_ring_start_inside, crosses_ray
from leathernest.collision.kernels.grid import cell_of
from leathernest.collision.kernels.place import place_into
from leathernest.collision.kernels.poles import box_exterior_proxy, pole_pair_proxy, wall_proxy
from leathernest.collision.kernels.segments import segments_intersect

DEG = math.pi / 180.0  # the same factor as math.radians


STATIC_OK, STATIC_HIT, STATIC_OVER = 0, 1, 2  # statuses of static_eval
KIND_WALL = 2  # as leathernest.collision.hazards


@kernel(EXACT)
def _mark(h: int, hit, touched, cnt, early: bool, qp, n_qp, qb, spoles, hz_pole, ext_pole,
          pc: int, box, w_static, acc, ub: float, out_ids, out_vals, record: bool,
          wall_v: float) -> int:
    """Note that hazard h is hit; in loss mode add its weighted proxy to acc[0] (FAST leaf).

    The exterior's proxy takes only the poles around container pc (the one the piece is near):
    a sheet of many hides would otherwise sum every hide's frame. A wall's proxy comes computed
    (wall_v >= 0; -1 for every other hazard).
    """
    hit[h] = 1
    touched[cnt[0]] = h
    cnt[0] += 1
    if early:
        return STATIC_HIT
    if wall_v >= 0.0:
        v = wall_v
    elif h == 0:
        p0, p1 = hz_pole[0], hz_pole[1]
        if pc >= 0:
            p0, p1 = ext_pole[pc], ext_pole[pc + 1]
        v = pole_pair_proxy(qp, 0, n_qp, spoles, p0, p1) + box_exterior_proxy(qp, n_qp, box, qb)
    else:
        v = pole_pair_proxy(qp, 0, n_qp, spoles, hz_pole[h], hz_pole[h + 1])
    acc[0] += w_static[h] * v
    if record:
        out_ids[cnt[1]] = -1 - h
        out_vals[cnt[1]] = v
        cnt[1] += 1
    if acc[0] > ub:
        return STATIC_OVER
    return STATIC_OK


@kernel(EXACT)
def _reset(hit, parity, touched, cnt, cont_hz, qc: int) -> None:
    for t in range(cnt[0]):
        hit[touched[t]] = 0
    cnt[0] = 0
    parity[0] = 0
    if qc >= 0:
        for h in range(cont_hz[qc], cont_hz[qc + 1]):
            parity[h] = 0


@kernel(EXACT)
def static_eval(txy, trings, tbbox, qp, n_qp, st, mask, sc, early: bool, w_static, ub: float,
                out_ids, out_vals, record: bool) -> int:
    """Collide the placed shape with the static hazards; in loss mode, sum their proxies.

    txy/trings/tbbox: the placed shape (stock variant) and its bbox; qp/n_qp its placed poles; st
    the :class:`~leathernest.collision.records.Static` record; mask uint8[S]: 1 where a hazard
    blocks this piece; sc the :class:`~leathernest.collision.records.Scratch` (parity and hit are
    all 0 on entry and on return).

    Edge tests walk the piece's own edges over the grid cells each one spans and meet the static
    edges listed there, so a large piece costs its boundary, not its area (a pair is tested once,
    in the lowest cell both edges' ranges share). Containment follows, by a ray from the piece's
    first vertex over the edges of the container it starts in.

    early (feasibility): STATIC_HIT at the first collision. Loss mode: sc.acc[0] += weighted proxy
    of every hazard hit, each recorded into out_ids/out_vals when record (ids -1 - h, counted in
    sc.counts[1]); STATIC_OVER as soon as the sum exceeds ub. Returns STATIC_OK otherwise (or when
    nothing is hit).
    """
    xy, rings, hz_ring, kind, hz_bbox = st.xy, st.rings, st.hz_ring, st.kind, st.bbox
    spoles, hz_pole, edge_next, edge_hz = st.poles, st.hz_pole, st.edge_next, st.edge_hz
    cell_start, cell_edges, row_start, row_edges = (st.cell_start, st.cell_edges, st.row_start,
                                                    st.row_edges)
    box, container_box, cell_container = st.box, st.container_box, st.cell_container
    edge_container, cont_hz, ext_pole = st.edge_container, st.cont_hz, st.ext_pole
    g, dims, walls, wall_hz = st.grid, st.dims, st.walls, st.wall_hz
    parity, hit, touched, cnt, acc = sc.parity, sc.hit, sc.touched, sc.counts, sc.acc
    nx, ny = dims[0], dims[1]
    cnt[0] = 0
    status = STATIC_OK
    x0, y0, x1, y1 = tbbox[0], tbbox[1], tbbox[2], tbbox[3]
    # the container the piece is near (its bbox centre's cell), for the exterior's proxy
    pc = cell_container[cell_of(0.5 * (y0 + y1), g[1], g[3], ny) * nx
                        + cell_of(0.5 * (x0 + x1), g[0], g[2], nx)]
    if not (box[0] < x0 and x1 < box[2] and box[1] < y0 and y1 < box[3]):
        status = _mark(0, hit, touched, cnt, early, qp, n_qp, tbbox, spoles, hz_pole, ext_pole,
                       pc, box, w_static, acc, ub, out_ids, out_vals, record, -1.0)
        if status != STATIC_OK:
            _reset(hit, parity, touched, cnt, cont_hz, -1)
            return status
    # the wall of the container the piece is near: every vertex must keep n . v <= d
    if pc >= 0 and wall_hz[pc] >= 0 and walls[pc, 2] < math.inf and mask[wall_hz[pc]] != 0:
        wall = walls[pc]
        reach = -math.inf
        for i in range(trings[trings.shape[0] - 1]):  # the placed shape's vertices
            reach = max(reach, wall[0] * txy[0, i] + wall[1] * txy[1, i])
        if reach > wall[2]:
            wv = 0.0 if early else wall_proxy(qp, n_qp, wall, reach)
            status = _mark(wall_hz[pc], hit, touched, cnt, early, qp, n_qp, tbbox, spoles,
                           hz_pole, ext_pole, pc, box, w_static, acc, ub, out_ids, out_vals,
                           record, wv)
            if status != STATIC_OK:
                _reset(hit, parity, touched, cnt, cont_hz, -1)
                return status
    if xy.shape[1] == 0:
        _reset(hit, parity, touched, cnt, cont_hz, -1)
        return status
    # edges: each piece edge against the static edges of the cells its bbox spans
    for r in range(trings.shape[0] - 1):
        rs, re_ = trings[r], trings[r + 1]
        j = re_ - 1
        for i in range(rs, re_):
            px, py, qx, qy = txy[0, j], txy[1, j], txy[0, i], txy[1, i]
            j = i
            ex0, ex1 = min(px, qx), max(px, qx)
            ey0, ey1 = min(py, qy), max(py, qy)
            cx0 = cell_of(ex0, g[0], g[2], nx)
            cx1 = cell_of(ex1, g[0], g[2], nx)
            cy0 = cell_of(ey0, g[1], g[3], ny)
            cy1 = cell_of(ey1, g[1], g[3], ny)
            for cy in range(cy0, cy1 + 1):
                for cx in range(cx0, cx1 + 1):
                    c = cy * nx + cx
                    for t in range(cell_start[c], cell_start[c + 1]):
                        e = cell_edges[t]
                        h = edge_hz[e]
                        if mask[h] == 0 or hit[h] != 0:
                            continue
                        f = edge_next[e]
                        ax, ay, bx, by = xy[0, e], xy[1, e], xy[0, f], xy[1, f]
                        if (max(ax, bx) < ex0 or min(ax, bx) > ex1 or max(ay, by) < ey0
                                or min(ay, by) > ey1):
                            continue
                        # the pair's reference cell: lowest cell both edges' ranges share
                        if max(cell_of(min(ax, bx), g[0], g[2], nx), cx0) != cx:
                            continue
                        if max(cell_of(min(ay, by), g[1], g[3], ny), cy0) != cy:
                            continue
                        if segments_intersect(ax, ay, bx, by, px, py, qx, qy):
                            status = _mark(h, hit, touched, cnt, early, qp, n_qp, tbbox, spoles,
                                           hz_pole, ext_pole, pc, box, w_static, acc, ub,
                                           out_ids, out_vals, record, -1.0)
                            if status != STATIC_OK:
                                _reset(hit, parity, touched, cnt, cont_hz, -1)
                                return status
    # containment, piece in hazard: ray cast from the piece's first vertex over its grid row,
    # crossing only the edges of the container the vertex lies in (the other containers' rings
    # are closed curves apart from it, each crossed an even number of times)
    px, py = txy[0, 0], txy[1, 0]
    row = cell_of(py, g[1], g[3], ny)
    qc = cell_container[row * nx + cell_of(px, g[0], g[2], nx)]
    if qc >= 0:
        cb = container_box[qc]
        if not (cb[0] <= px <= cb[2] and cb[1] <= py <= cb[3]):
            qc = -1  # outside every usable region: the exterior's parity stays 0
    if qc >= 0:
        for t in range(row_start[row], row_start[row + 1]):
            e = row_edges[t]
            if edge_container[e] != qc:
                continue
            h = edge_hz[e]
            if mask[h] != 0:
                f = edge_next[e]
                if crosses_ray(xy[0, e], xy[1, e], xy[0, f], xy[1, f], px, py):
                    parity[h] ^= 1
    h_end = cont_hz[qc + 1] if qc >= 0 else 1
    h = 0
    while h < h_end:
        if h == 1 and qc >= 0:
            h = cont_hz[qc]  # the zones of this container only: others lie beyond the exterior
            if h >= h_end:
                break
        if mask[h] != 0 and hit[h] == 0 and kind[h] != KIND_WALL:
            inside = False
            near = True
            if kind[h] == 0:
                inside = parity[h] == 0  # the piece starts outside the usable region
            else:
                hb = hz_bbox[h]
                near = not (hb[0] > x1 or hb[2] < x0 or hb[1] > y1 or hb[3] < y0)
                inside = near and parity[h] != 0
            if near and not inside:
                # hazard in piece: a ring of the hazard (a zone, or a hole of the exterior)
                # inside the placed shape
                hr = rings[hz_ring[h] : hz_ring[h + 1] + 1]
                inside = any_ring_start_inside(xy, hr, ZERO, txy, trings, ZERO, tbbox)
            if inside:
                status = _mark(h, hit, touched, cnt, early, qp, n_qp, tbbox, spoles, hz_pole,
                               ext_pole, pc, box, w_static, acc, ub, out_ids, out_vals, record,
                               -1.0)
                if status != STATIC_OK:
                    break
        h += 1
    _reset(hit, parity, touched, cnt, cont_hz, qc)
    return status


@kernel(EXACT)
def piece_hits_piece(
    txy,
    trings,
    tbbox,
    tp,
    n_tp: int,
    dxy,
    vbase,
    drings_all,
    rbase,
    n_rings,
    dpoles,
    pbase,
    n_poles,
    dbbox,
    k: int,
    qe,
) -> bool:
    """Whether the placed shape collides with placed piece k (bboxes already known to meet).

    The d* arrays are members 1-9 of ``dy`` (module docstring); qe is int64 scratch of at least
    twice the query's vertex count. Edges are only compared inside the overlap of the two bboxes,
    and the query's edges there are listed once, so two large outlines that barely overlap cost
    the few edges near the overlap, not the product of their vertex counts.
    """
    # surrogate: two pole circles overlapping (strictly) prove a collision
    for i in range(n_tp):
        for j in range(pbase[k], pbase[k] + n_poles[k]):
            dx = tp[0, i] - dpoles[0, j]
            dyy = tp[1, i] - dpoles[1, j]
            rr = tp[2, i] + dpoles[2, j]
            if dx * dx + dyy * dyy < rr * rr:
                return True
    b = dbbox[k]
    drings = drings_all[rbase[k] : rbase[k] + n_rings[k] + 1]
    base = vbase[k]
    x0 = max(tbbox[0], b[0])
    y0 = max(tbbox[1], b[1])
    x1 = min(tbbox[2], b[2])
    y1 = min(tbbox[3], b[3])
    m = 0
    for r in range(trings.shape[0] - 1):
        s, e = trings[r], trings[r + 1]
        j = e - 1
        for i in range(s, e):
            px, py, qx, qy = txy[0, j], txy[1, j], txy[0, i], txy[1, i]
            if not (max(px, qx) < x0 or min(px, qx) > x1 or max(py, qy) < y0
                    or min(py, qy) > y1):
                qe[m] = j
                qe[m + 1] = i
                m += 2
            j = i
    if m > 0:
        for r in range(drings.shape[0] - 1):
            s = base + drings[r]
            e = base + drings[r + 1]
            j = e - 1
            for i in range(s, e):
                ax, ay, bx, by = dxy[0, j], dxy[1, j], dxy[0, i], dxy[1, i]
                j = i
                if (max(ax, bx) < x0 or min(ax, bx) > x1 or max(ay, by) < y0
                        or min(ay, by) > y1):
                    continue
                ex0, ex1 = min(ax, bx), max(ax, bx)
                ey0, ey1 = min(ay, by), max(ay, by)
                for t in range(0, m, 2):
                    u, v = qe[t], qe[t + 1]
                    px, py, qx, qy = txy[0, u], txy[1, u], txy[0, v], txy[1, v]
                    if (max(px, qx) < ex0 or min(px, qx) > ex1 or max(py, qy) < ey0
                            or min(py, qy) > ey1):
                        continue
                    if segments_intersect(ax, ay, bx, by, px, py, qx, qy):
                        return True
    if any_ring_start_inside(txy, trings, ZERO, dxy, drings, base, b):
        return True
    return any_ring_start_inside(dxy, drings, base, txy, trings, ZERO, tbbox)


@kernel(EXACT)
def query(probe, samples, eng, bound: float, keep: int, out, out_ids, out_vals) -> tuple:
    """Evaluate every sample of the probe's shape into out; (best index or -1, hazards recorded).

    probe: :class:`~leathernest.collision.records.Probe`; eng:
    :class:`~leathernest.collision.records.Engine`. Feasibility mode (``probe.loss`` False):
    out[i] = 1.0 when sample i is feasible, 0.0 at its first collision. Loss mode: out[i] = the
    weighted loss (0 when feasible), or inf once above the running bound: ``bound``, then the
    keep-th best loss so far, so the keep best samples come out exact and the rest stop early
    (Sparrow's ``evaluate_sample(dt, upper_bound)``). The ids and unweighted values of the hazards
    the last sample hit are recorded into out_ids/out_vals when these are not empty (single
    queries; their length must be S + K).

    One function on purpose: CPython 3.11 passes a call with more than 30 arguments as a tuple,
    which costs Numba a reference count per member (a helper taking every array made a query 8x
    slower); the records are unpacked here once per call, not once per sample.
    """
    spp, sps, same, mask, ignore = (probe.for_pieces, probe.for_stock, probe.same, probe.mask,
                                    probe.ignore)
    w_static, w_piece, loss = probe.w_static, probe.w_piece, probe.loss
    axy, av0, anv, arings = spp.xy, spp.v0, spp.n_vertices, spp.rings
    ap, ap0, anp = spp.poles, spp.p0, spp.n_poles
    bxy, bv0, bnv, brings = sps.xy, sps.v0, sps.n_vertices, sps.rings
    bp, bp0, bnp = sps.poles, sps.p0, sps.n_poles
    st, dy, sc = eng.static, eng.placed, eng.scratch
    g, dims = st.grid, st.dims
    active, dxy, vbase, drings, rbase, n_rings = (dy.active, dy.xy, dy.vbase, dy.rings, dy.rbase,
                                                  dy.n_rings)
    dpoles, pbase, n_poles, dbbox = dy.poles, dy.pbase, dy.n_poles, dy.bbox
    cells, head, nxt, nkey = dy.cells, dy.head, dy.nxt, dy.nkey
    txy, tp, txy2, tp2, tb, tb2 = sc.txy, sc.tp, sc.txy2, sc.tp2, sc.tbbox, sc.tbbox2
    cnt, acc, qe = sc.counts, sc.acc, sc.near
    record = out_ids.shape[0] > 0
    early = not loss
    keep = max(keep, 1)
    nx, ny = dims[0], dims[1]
    n_tp = anp
    n_qp = bnp
    ub = bound
    best = -1
    n = 0
    tops = np.full(keep, math.inf)  # the keep best losses so far, ascending
    last_rot = math.nan
    c = 1.0
    s = 0.0
    for i in range(samples.shape[0]):
        rot_deg, tx, ty = samples[i, 0], samples[i, 2], samples[i, 3]
        n = 0
        if not (math.isfinite(rot_deg) and math.isfinite(tx) and math.isfinite(ty)):
            out[i] = math.inf if loss else 0.0
            continue
        if rot_deg != last_rot:  # samples of a move often share their angle
            last_rot = rot_deg
            a = rot_deg * DEG
            c, s = math.cos(a), math.sin(a)
        mirrored = samples[i, 1] != 0.0
        place_into(axy, av0, anv, ap, ap0, anp, c, s, mirrored, tx, ty, txy, ZERO, tp, ZERO, tb)
        if same:
            qxy, qrings, qp, qb = txy, arings, tp, tb
        else:
            place_into(bxy, bv0, bnv, bp, bp0, bnp, c, s, mirrored, tx, ty, txy2, ZERO, tp2, ZERO,
                       tb2)
            qxy, qrings, qp, qb = txy2, brings, tp2, tb2
        acc[0] = 0.0
        cnt[1] = n
        status = static_eval(qxy, qrings, qb, qp, n_qp, st, mask, sc, early, w_static, ub,
                             out_ids, out_vals, record)
        if status == STATIC_HIT:
            out[i] = 0.0
            continue
        if status == STATIC_OVER:
            out[i] = math.inf
            continue
        total = acc[0]
        n = cnt[1]
        stop = False
        qx0 = cell_of(tb[0], g[0], g[2], nx)
        qy0 = cell_of(tb[1], g[1], g[3], ny)
        qx1 = cell_of(tb[2], g[0], g[2], nx)
        qy1 = cell_of(tb[3], g[1], g[3], ny)
        for cy in range(qy0, qy1 + 1):
            for cx in range(qx0, qx1 + 1):
                node = head[cy * nx + cx]
                while node >= 0:
                    k = nkey[node]
                    node = nxt[node]
                    if k == ignore or active[k] == 0:
                        continue
                    # reference cell: a piece listed in several cells is tested once
                    if max(cells[k, 0], qx0) != cx or max(cells[k, 1], qy0) != cy:
                        continue
                    if (dbbox[k, 0] > tb[2] or dbbox[k, 2] < tb[0] or dbbox[k, 1] > tb[3]
                            or dbbox[k, 3] < tb[1]):
                        continue
                    if not piece_hits_piece(txy, arings, tb, tp, n_tp, dxy, vbase, drings, rbase,
                                            n_rings, dpoles, pbase, n_poles, dbbox, k, qe):
                        continue
                    if early:
                        stop = True
                        break
                    v = pole_pair_proxy(tp, 0, n_tp, dpoles, pbase[k], pbase[k] + n_poles[k])
                    total += w_piece[k] * v
                    if record:
                        out_ids[n] = k
                        out_vals[n] = v
                    n += 1
                    if total > ub:
                        stop = True
                        break
                if stop:
                    break
            if stop:
                break
        if early:
            out[i] = 0.0 if stop else 1.0
            continue
        if stop:
            out[i] = math.inf
            continue
        out[i] = total
        if best < 0 or total < out[best]:
            best = i
        if total < tops[keep - 1]:  # insert into the keep best; the bound is the worst of them
            j = keep - 1
            while j > 0 and tops[j - 1] > total:
                tops[j] = tops[j - 1]
                j -= 1
            tops[j] = total
            ub = min(bound, tops[keep - 1])
    return best, n
