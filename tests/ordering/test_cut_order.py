"""The order rule: the containment tree of contours and the cutting plan built on it."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon, box

from leathernest.ordering.cut_order import Contour, PieceContours, containment, plan_cuts


def test_containment_finds_the_smallest_window_holding_each_piece():
    def piece(x0, y0, x1, y1, windows=()):
        ring = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
        holes = tuple(Contour(np.array(w.exterior.coords)[:-1]) for w in windows)
        return PieceContours(Contour(ring), box(x0, y0, x1, y1), holes, tuple(windows))

    frame = piece(0, 0, 100, 100, [box(10, 10, 90, 90)])
    inner = piece(20, 20, 80, 80, [box(30, 30, 70, 70)])
    core = piece(40, 40, 60, 60)
    apart = piece(200, 0, 220, 20)
    pieces = [core, frame, apart, inner]
    assert containment(pieces) == {0: (3, 0), 3: (1, 0)}
    plan = plan_cuts(pieces, (0.0, 0.0), time_limit_s=0.0)
    seq = [(s.piece, s.kind) for s in plan.steps]
    assert seq.index((0, "outer")) < seq.index((3, "hole")) < seq.index((3, "outer"))
    assert seq.index((3, "outer")) < seq.index((1, "hole")) < seq.index((1, "outer"))
    assert sorted(plan.order) == [0, 1, 2, 3]
    assert isinstance(frame.region, Polygon)
