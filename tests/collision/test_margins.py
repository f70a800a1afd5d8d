"""Separate edge and defect margins: the collision engine keeps both, the validator checks both."""

from __future__ import annotations

import json

import pytest
from helpers import budget, hide_job, rect, sol, square_piece

from leathernest.collision.engine import CollisionEngine
from leathernest.io.job_json import job_to_json, read_job
from leathernest.model import Hide, Outline, Placement, Zone
from leathernest.nest import nest
from leathernest.validate import ViolationKind, validate

# A 200 x 100 hide with a 10 x 10 hole at (50, 45) and a 10 x 10 scar (grade 0) at (150, 45).
HIDE = Hide("H", Outline.of(rect(200, 100), [rect(10, 10, 50, 45)[::-1]]),
            zones=(Zone(Outline.of(rect(10, 10, 150, 45)), 0),))
SQUARE = square_piece("sq", 10.0)


def engine(edge: float, defect: float, gap: float = 2.0) -> CollisionEngine:
    return CollisionEngine.for_hide(HIDE, gap_mm=gap, margin_mm=0.0, edge_margin_mm=edge,
                                    defect_margin_mm=defect, max_pieces=4)


# (x, y) of the 10 mm square's lower-left corner and its clearance to what it is near.
NEAR_EDGE = (5.0, 45.0)  # 5 mm from the left edge
NEAR_HOLE = (32.0, 45.0)  # 8 mm left of the hole
NEAR_SCAR = (132.0, 45.0)  # 8 mm left of the scar


@pytest.mark.parametrize(("edge", "defect", "edge_ok", "defect_ok"), [
    (3.0, 3.0, True, True),
    (10.0, 3.0, False, True),  # far from the ragged edge, close to scars
    (3.0, 10.0, True, False),  # the other way round
])
def test_engine_keeps_the_edge_margin_from_the_edge_and_the_defect_margin_from_defects(
        edge, defect, edge_ok, defect_ok):
    eng = engine(edge, defect)
    shape = eng.prepare(SQUARE)
    assert eng.feasible(shape, 0.0, False, *NEAR_EDGE) is edge_ok
    assert eng.feasible(shape, 0.0, False, *NEAR_HOLE) is defect_ok
    assert eng.feasible(shape, 0.0, False, *NEAR_SCAR) is defect_ok
    assert eng.feasible(shape, 0.0, False, 90.0, 70.0)  # far from everything


@pytest.mark.parametrize(("edge", "defect", "kinds"), [
    (3.0, 3.0, set()),
    (10.0, 3.0, {ViolationKind.MARGIN}),
    (3.0, 10.0, {ViolationKind.MARGIN, ViolationKind.DEFECT}),
])
def test_validator_checks_each_margin_against_its_own_hazard(edge, defect, kinds):
    job = hide_job([square_piece("sq", 10.0, demand=3)], [HIDE], edge_margin_mm=edge,
                   defect_margin_mm=defect)
    places = [Placement("sq", k, "H", 0.0, False, x, y)
              for k, (x, y) in enumerate((NEAR_EDGE, NEAR_HOLE, NEAR_SCAR))]
    found = validate(job, sol(job, places))
    assert {v.kind for v in found} == kinds
    if edge > defect:
        assert [v.pieces for v in found] == [("sq#0",)]
    if defect > edge:
        assert sorted(v.pieces for v in found) == [("sq#1",), ("sq#2",)]


def test_margins_default_to_margin_mm_and_survive_the_job_file():
    job = hide_job([SQUARE], [HIDE], margin_mm=4.0)
    assert (job.edge_margin, job.defect_margin) == (4.0, 4.0)
    job = hide_job([SQUARE], [HIDE], margin_mm=4.0, edge_margin_mm=6.0)
    assert (job.edge_margin, job.defect_margin) == (6.0, 4.0)
    back = read_job(json.loads(json.dumps(job_to_json(job))), None, "x")
    assert (back.edge_margin_mm, back.defect_margin_mm, back.margin_mm) == (6.0, None, 4.0)
    with pytest.raises(ValueError, match="edge_margin_mm"):
        hide_job([SQUARE], [HIDE], edge_margin_mm=-1.0)


def test_nest_keeps_both_margins():
    job = hide_job([square_piece("sq", 20.0, demand=6)], [HIDE], gap_mm=2.0, edge_margin_mm=8.0,
                   defect_margin_mm=4.0)
    solution = nest(job, stop=budget(20_000))  # nest() validates: raises if not
    assert validate(job, solution) == []
    assert solution.placements
