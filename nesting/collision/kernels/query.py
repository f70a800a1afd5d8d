"""Exact collision of a placed shape with the static hazards and with placed pieces (EXACT).

Closed-set semantics (touching collides), the order of jagua-rs's ``CDEngine``: bounding boxes, then
the surrogate (a pole circle of each shape overlapping: a hit proves a collision, a miss proves
nothing), then edges, then containment both ways (one vertex per ring suffices once no edges meet:
two shapes whose boundaries are disjoint overlap only if a whole ring of one lies inside the other).

Layouts (built and checked once by :mod:`leathernest.collision.engine`):

``st`` static hazards (hazard 0 is the hide/strip exterior, the rest are blocking zones), a tuple: 0
  xy float64[2, V]; 1 rings int64[R + 1] (offsets into xy); 2 hz_ring int64[S + 1] (rings of hazard
  h are hz_ring[h]..hz_ring[h + 1]); 3 kind int8[S] (0 exterior: blocks outside its rings, 1 zone:
  blocks inside); 4 bbox float64[S, 4]; 5 poles float64[3, P]; 6 hz_pole int64[S + 1]; 7 edge_next
  int64[V]; 8 edge_hz int64[V]; 9 cell_start int64[C + 1]; 10 cell_edges int64[*] (static edges per
  grid cell, CSR); 11 row_start int64[ny + 1]; 12 row_edges int64[*] (edges per grid row, for ray
  casting); 13 box float64[4] (the usable region's box; the whole exterior when hazard 0 has no
  rings, as for a strip); 14 container_box float64[C, 4]; 15 cell_container int64[cells]; 16
  edge_container int64[V]; 17 hz_container int64[S]; 18 cont_hz int64[C + 1] (hazards of container c
  are cont_hz[c] .. cont_hz[c + 1], hazard 0 belongs to none); 19 ext_pole int64[C + 1] (the
  exterior's poles around container c; see :mod:`leathernest.collision.hazards`).

``dy`` placed pieces by key, a tuple: 0 active uint8[K]; 1 xy float64[2, *]; 2 vbase int64[K]; 3
  rings int64[*] (offsets relative to vbase); 4 rbase int64[K]; 5 n_rings int64[K]; 6 poles
  float64[3, *]; 7 pbase int64[K]; 8 n_poles int64[K]; 9 bbox float64[K, 4]; 10 cells int64[K, 4];
  11 head int64[C]; 12 nxt int64[N]; 13 nkey int64[N] (the cell lists of
  :mod:`leathernest.collision.kernels.grid`).
"""

from __future__ import annotations

from numba import njit

from leathernest.collision.jit import EXACT, ZERO
from leathernest.collision.kernels.containment import any_ring_start_inside, crosses_ray
from leathernest.collision.kernels.grid import cell_of, cell_range
from leathernest.collision.kernels.poles import box_exterior_proxy, pole_pair_proxy
from leathernest.collision.kernels.segments import segments_intersect


@njit(cache=True, nogil=True, fastmath=EXACT)
def edge_hits_shape(ax, ay, bx, by, txy, trings) -> bool:
    """Whether segment ab meets an edge of the placed shape (txy float64[2, n], trings int64[*])."""
    ex0, ex1 = min(ax, bx), max(ax, bx)
    ey0, ey1 = min(ay, by), max(ay, by)
    for r in range(trings.shape[0] - 1):
        s = trings[r]
        e = trings[r + 1]
        j = e - 1
        for i in range(s, e):
            px, py, qx, qy = txy[0, j], txy[1, j], txy[0, i], txy[1, i]
            j = i
            if max(px, qx) < ex0 or min(px, qx) > ex1 or max(py, qy) < ey0 or min(py, qy) > ey1:
                continue
            if segments_intersect(ax, ay, bx, by, px, py, qx, qy):
                return True
    return False


STATIC_OK, STATIC_HIT, STATIC_OVER = 0, 1, 2  # statuses of static_eval


@njit(cache=True, nogil=True, fastmath=EXACT)
def _mark(h: int, hit, touched, cnt, early: bool, qp, n_qp, qb, spoles, hz_pole, ext_pole,
          pc: int, box, w_static, acc, ub: float, out_ids, out_vals, record: bool) -> int:
    """Note that hazard h is hit; in loss mode add its weighted proxy to acc[0] (FAST leaf).

    The exterior's proxy takes only the poles around container pc (the one the piece is near):
    a sheet of many hides would otherwise sum every hide's frame.
    """
    hit[h] = 1
    touched[cnt[0]] = h
    cnt[0] += 1
    if early:
        return STATIC_HIT
    if h == 0:
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


@njit(cache=True, nogil=True, fastmath=EXACT)
def _reset(hit, parity, touched, cnt, cont_hz, qc: int) -> None:
    for t in range(cnt[0]):
        hit[touched[t]] = 0
    cnt[0] = 0
    parity[0] = 0
    if qc >= 0:
        for h in range(cont_hz[qc], cont_hz[qc + 1]):
            parity[h] = 0


@njit(cache=True, nogil=True, fastmath=EXACT)
def static_eval(txy, trings, tbbox, qp, n_qp, st, g, dims, mask, sc, early: bool, w_static,
                ub: float, acc, out_ids, out_vals, record: bool) -> int:
    """Collide the placed shape with the static hazards; in loss mode, sum their proxies.

    txy/trings/tbbox: the placed shape (stock variant) and its bbox; qp/n_qp its placed poles. st:
    the static tuple (module docstring); mask uint8[S]: 1 where a hazard blocks this piece. Scratch
    from sc: parity and hit uint8[S] (all 0 on entry and on return), touched int64[S], cnt int64[2].

    Edge tests walk the piece's own edges over the grid cells each one spans and meet the static
    edges listed there, so a large piece costs its boundary, not its area (a pair is tested once,
    in the lowest cell both edges' ranges share). Containment follows, by a ray from the piece's
    first vertex over the edges of the container it starts in.

    early (feasibility): STATIC_HIT at the first collision. Loss mode: acc[0] += weighted proxy of
    every hazard hit, each recorded into out_ids/out_vals when record (ids -1 - h, counted in
    cnt[1]); STATIC_OVER as soon as acc[0] exceeds ub. Returns STATIC_OK otherwise (or when
    nothing is hit).
    """
    xy, rings, hz_ring, kind, hz_bbox = st[0], st[1], st[2], st[3], st[4]
    spoles, hz_pole, edge_next, edge_hz = st[5], st[6], st[7], st[8]
    cell_start, cell_edges, row_start, row_edges, box = st[9], st[10], st[11], st[12], st[13]
    container_box, cell_container, edge_container, cont_hz = st[14], st[15], st[16], st[18]
    ext_pole = st[19]
    parity, hit, touched, cnt = sc[6], sc[7], sc[10], sc[11]
    nx, ny = dims[0], dims[1]
    cnt[0] = 0
    status = STATIC_OK
    x0, y0, x1, y1 = tbbox[0], tbbox[1], tbbox[2], tbbox[3]
    # the container the piece is near (its bbox centre's cell), for the exterior's proxy
    pc = cell_container[cell_of(0.5 * (y0 + y1), g[1], g[3], ny) * nx
                        + cell_of(0.5 * (x0 + x1), g[0], g[2], nx)]
    if not (box[0] < x0 and x1 < box[2] and box[1] < y0 and y1 < box[3]):
        status = _mark(0, hit, touched, cnt, early, qp, n_qp, tbbox, spoles, hz_pole, ext_pole,
                       pc, box, w_static, acc, ub, out_ids, out_vals, record)
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
                                           out_ids, out_vals, record)
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
        if mask[h] != 0 and hit[h] == 0:
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
                               ext_pole, pc, box, w_static, acc, ub, out_ids, out_vals, record)
                if status != STATIC_OK:
                    break
        h += 1
    _reset(hit, parity, touched, cnt, cont_hz, qc)
    return status


@njit(cache=True, nogil=True, fastmath=EXACT)
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


@njit(cache=True, nogil=True, fastmath=EXACT)
def dynamic_hits(
    txy, trings, tbbox, tp, n_tp, dy, g, dims, ignore: int, qr, out_keys, early: bool, qe
) -> int:
    """Keys of placed pieces the shape collides with, into out_keys (int64[K]); returns how many.

    Walks the grid cells of the shape's bbox (qr: int64[4] scratch); ignore is a key to skip (the
    piece being moved) or -1. With early, stops at the first hit. Reference for tests; the query
    kernels inline the same walk.
    """
    active, dxy, vbase, drings, rbase, n_rings, dpoles, pbase, n_poles = (
        dy[0],
        dy[1],
        dy[2],
        dy[3],
        dy[4],
        dy[5],
        dy[6],
        dy[7],
        dy[8],
    )
    dbbox, cells, head, nxt, nkey = dy[9], dy[10], dy[11], dy[12], dy[13]
    cell_range(tbbox, g, dims, qr)
    nx = dims[0]
    n = 0
    for cy in range(qr[1], qr[3] + 1):
        for cx in range(qr[0], qr[2] + 1):
            node = head[cy * nx + cx]
            while node >= 0:
                k = nkey[node]
                node = nxt[node]
                if k == ignore or active[k] == 0:
                    continue
                if max(cells[k, 0], qr[0]) != cx or max(cells[k, 1], qr[1]) != cy:
                    continue
                b = dbbox[k]
                if b[0] > tbbox[2] or b[2] < tbbox[0] or b[1] > tbbox[3] or b[3] < tbbox[1]:
                    continue
                if piece_hits_piece(
                    txy,
                    trings,
                    tbbox,
                    tp,
                    n_tp,
                    dxy,
                    vbase,
                    drings,
                    rbase,
                    n_rings,
                    dpoles,
                    pbase,
                    n_poles,
                    dbbox,
                    k,
                    qe,
                ):
                    out_keys[n] = k
                    n += 1
                    if early:
                        return n
    return n


@njit(cache=True, nogil=True, fastmath=EXACT)
def dynamic_hits_brute(txy, trings, tbbox, tp, n_tp, dy, ignore: int, out_keys, early: bool,
                       qe) -> int:
    """The same answer as :func:`dynamic_hits` by a scan over all keys (reference for tests)."""
    active, dxy, vbase, drings, rbase, n_rings, dpoles, pbase, n_poles = (
        dy[0],
        dy[1],
        dy[2],
        dy[3],
        dy[4],
        dy[5],
        dy[6],
        dy[7],
        dy[8],
    )
    dbbox = dy[9]
    n = 0
    for k in range(active.shape[0]):
        if k == ignore or active[k] == 0:
            continue
        b = dbbox[k]
        if b[0] > tbbox[2] or b[2] < tbbox[0] or b[1] > tbbox[3] or b[3] < tbbox[1]:
            continue
        if piece_hits_piece(
            txy,
            trings,
            tbbox,
            tp,
            n_tp,
            dxy,
            vbase,
            drings,
            rbase,
            n_rings,
            dpoles,
            pbase,
            n_poles,
            dbbox,
            k,
            qe,
        ):
            out_keys[n] = k
            n += 1
            if early:
                return n
    return n
