"""A sheet of several hides in one engine answers exactly as shapely does, closed hides included."""

import numpy as np
import pytest
import shapely
from shapely import affinity

from leathernest.collision import hazards as hz
from leathernest.collision.engine import CollisionEngine
from leathernest.geometry.shapes import zone_region
from leathernest.geometry.transform import place_ring
from leathernest.model import Hide, Outline, Zone, zone_blocks


def _hide(name, w, h, hole, zone, grade):
    return Hide(name, Outline.of([(0, 0), (w, 0), (w, h), (0.5 * w, 1.2 * h), (0, h)], [hole]),
                (Zone(Outline.of(zone), grade),))


HIDES = [
    _hide("a", 300, 200, [(100, 80), (140, 80), (140, 120), (100, 120)],
          [(200, 20), (260, 20), (260, 60), (200, 60)], 0),
    _hide("b", 250, 260, [(60, 60), (80, 60), (80, 80), (60, 80)],
          [(150, 150), (230, 150), (230, 230), (150, 230)], 2),
]
PIECE = Outline.of([(-30, -20), (30, -20), (30, 20), (0, 35), (-30, 20)])


def _truth(eng, parts, grade, closed):
    """What blocks a piece: everything outside the open hides' usable regions, blocking zones."""
    st = eng.static
    open_ = [affinity.translate(p.usable, *st.offsets[c]) for c, p in enumerate(parts)
             if not closed[c]]
    usable = shapely.union_all(open_)
    zones = []
    for c, h in enumerate(HIDES * 2):
        if closed[c]:
            continue
        zones += [affinity.translate(zone_region(z), *st.offsets[c]) for z in h.zones
                  if zone_blocks(z.grade, grade)]
    return usable, shapely.union_all(zones) if zones else shapely.Polygon()


@pytest.mark.parametrize(("grade", "closed"), [(None, (0, 0, 0, 0)), (2, (0, 1, 0, 0)),
                                               (3, (1, 0, 0, 1))])
def test_sheet_feasibility_and_loss_agree_with_shapely(grade, closed):
    eng = CollisionEngine.for_sheet(HIDES * 2, max_pieces=2)
    for c, flag in enumerate(closed):
        eng.set_closed(c, bool(flag))
    parts = [hz.hide_parts(h, 0.0, 0.0) for h in HIDES * 2]
    usable, zones = _truth(eng, parts, grade, closed)
    shape = eng.prepare(PIECE)
    shape = type(shape)(shape.for_pieces, shape.for_stock, shape.area, shape.bbox, shape.hull,
                        grade)
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = eng.static.box
    n = 4000
    smp = np.column_stack([rng.uniform(0, 360, n), rng.integers(0, 2, n).astype(float),
                           rng.uniform(x0 - 50, x1 + 50, n), rng.uniform(y0 - 50, y1 + 50, n)])
    ok = eng.batch_feasible(shape, smp)
    _best, loss = eng.batch_loss(shape, smp)
    polys = [shapely.Polygon(place_ring(PIECE.outer, r, m != 0, x, y)) for r, m, x, y in smp]
    truth = shapely.contains_properly(usable, polys) & ~shapely.intersects(zones, polys)
    assert truth.sum() > 50  # the test places pieces inside hides, not only outside
    assert (ok == truth).all()
    # a loss is zero exactly when the placement is feasible (the bound is the first loss)
    for i in range(0, n, 97):
        single = eng.batch_loss(shape, smp[i : i + 1])[1][0]
        assert (single == 0.0) == bool(truth[i])
    assert np.isfinite(loss).any()


def test_a_hole_inside_a_piece_is_a_collision():
    hide = Hide("h", Outline.of([(0, 0), (400, 0), (400, 300), (0, 300)],
                                [[(190, 140), (210, 140), (210, 160), (190, 160)]]))
    eng = CollisionEngine.for_sheet([hide, hide], max_pieces=1)
    dx, dy = eng.static.offsets[1]
    big = eng.prepare(Outline.of([(-50, -50), (50, -50), (50, 50), (-50, 50)]))
    assert not eng.feasible(big, 0.0, False, 200 + dx, 150 + dy)  # covers the hole
    assert eng.feasible(big, 0.0, False, 100 + dx, 100 + dy)
    eng.set_closed(1, True)
    assert not eng.feasible(big, 0.0, False, 100 + dx, 100 + dy)
