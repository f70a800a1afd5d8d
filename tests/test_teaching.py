"""The trade's teaching figures: first and second waste, the remnant, best leather misused, points.

The central claim of the trainer's score: a valid but sloppy layout (wide gaps) scores clearly
worse than the engine's compact layout of the same order, although both use the same hide at the
same utilisation.
"""

import pytest
from helpers import Zone, budget, rect

from leathernest.io.hand_layout import GivenTransform, HandLayout, HandOutline
from leathernest.model import Hide, Job, Outline, Piece, Rotations
from leathernest.nest import nest
from leathernest.scoring.score import score_layout
from leathernest.scoring.waste import layout_waste

RIGHT_ANGLES = Rotations(angles_deg=(0.0, 90.0, 180.0, 270.0))
N = 12


def grid_job(**piece_kw) -> Job:
    piece = Piece("p", Outline.of(rect(60, 40)), demand=N, rotations=RIGHT_ANGLES, **piece_kw)
    hide = Hide("H", Outline.of(rect(600, 400)), price_per_m2=50.0)
    return Job("grid", (piece,), (hide,), gap_mm=2, margin_mm=3, time_limit_s=3)


def grid(step_x: float, step_y: float, n: int = N, x0: float = 3.0, y0: float = 3.0) -> HandLayout:
    """n copies of the 60 x 40 piece in rows of four, ``step`` apart (60 x 40 + the gap)."""
    outs = tuple(HandOutline(f"p{k}", None, name="p", copy=k, hide="H",
                             transform=GivenTransform(0.0, False, x0 + (k % 4) * step_x,
                                                      y0 + (k // 4) * step_y))
                 for k in range(n))
    return HandLayout("hand", outs)


# A work budget (collision evaluations), not the clock: the engine's layout is the same on any
# machine and at any load; the time is only a safety cap.
EFFORT = 150_000


@pytest.fixture(scope="module")
def engine():
    job = grid_job()
    return job, nest(job, stop=budget(EFFORT))


def test_sloppy_valid_layout_scores_clearly_worse_than_the_engines(engine):
    job, eng = engine
    sloppy = score_layout(job, grid(80, 60), eng)  # 20 mm gaps where 2 mm are needed
    assert sloppy.valid, [str(v) for v in sloppy.violations]
    h, e = sloppy.comparison["hand"], sloppy.comparison["engine"]
    # The old figures cannot tell them apart: one hide each, the same utilisation.
    assert h["hides_used"] == e["hides_used"] == 1
    assert h["utilisation"] == pytest.approx(e["utilisation"])
    # The trade's figures can.
    assert h["first_waste_m2"] > 3 * e["first_waste_m2"]
    assert h["leather_consumed_m2"] > 1.2 * e["leather_consumed_m2"]
    assert h["remnant_m2"] < e["remnant_m2"]
    assert sloppy.comparison["points"] < 80
    assert sloppy.comparison["difference"]["leather_saved_m2"] > 0
    gaps = [f for f in sloppy.feedback if f["kind"] == "gap"]
    assert gaps, sloppy.feedback
    assert "20.0 mm apart where 2 mm is needed" in gaps[0]["message"]
    assert gaps[0]["amount_mm2"] > 0


def test_spread_out_layout_scores_worse_than_sloppy_and_says_why(engine):
    job, eng = engine
    sloppy = score_layout(job, grid(80, 60), eng).comparison["points"]
    spread = score_layout(job, grid(140, 120), eng)  # 80 mm lanes between the pieces
    assert spread.valid
    assert spread.comparison["points"] < sloppy
    assert spread.comparison["hand"]["remnant_m2"] < 0.7 * spread.comparison["engine"]["remnant_m2"]


def test_compact_hand_layout_scores_as_well_as_the_engine(engine):
    job, eng = engine
    compact = score_layout(job, grid(62, 42), eng)  # exactly the 2 mm gap
    assert compact.valid
    assert compact.comparison["points"] >= 95
    assert not [f for f in compact.feedback if f["kind"] == "gap"]
    same = score_layout(job, HandLayout("e", tuple(
        HandOutline(f"e{k}", None, name=p.piece_id, copy=p.copy, hide=p.hide_id,
                    transform=GivenTransform(p.rotation_deg, p.mirrored, p.x, p.y))
        for k, p in enumerate(eng.placements))), eng)
    assert same.comparison["points"] == pytest.approx(100.0)


def test_waste_figures_add_up_to_the_usable_leather(engine):
    job, eng = engine
    for w in layout_waste(job, eng):
        assert w.consumed_mm2 == pytest.approx(w.placed_mm2 + w.first_mm2 + w.second_mm2,
                                               rel=1e-6)
        assert w.usable_mm2 == pytest.approx(w.consumed_mm2 + w.remnant_mm2)
        assert w.money == pytest.approx(w.consumed_mm2 / 1e6 * 50.0)


def test_the_remnant_kept_is_the_solutions_remnant_figure(engine):
    job, eng = engine
    for layout in (grid(62, 42), grid(80, 60), grid(140, 120)):
        score = score_layout(job, layout, eng)
        (row,) = score.hand.metrics["per_hide"]
        (waste,) = layout_waste(job, score.hand)
        assert waste.remnant_mm2 == row["remnant_mm2"] > 0
        assert score.comparison["hand"]["remnant_m2"] == pytest.approx(row["remnant_mm2"] / 1e6)
        assert waste.remnant.area == pytest.approx(row["remnant_mm2"])
    (row,) = eng.metrics["per_hide"]
    (waste,) = layout_waste(job, eng)
    assert waste.remnant_mm2 == row["remnant_mm2"]


def test_breaking_a_rule_scores_zero_and_leaving_pieces_out_scores_less(engine):
    job, eng = engine
    overlap = score_layout(job, grid(50, 42), eng)
    assert {v.kind.value for v in overlap.violations} == {"overlap"}
    assert overlap.comparison["points"] == 0.0
    short = score_layout(job, grid(62, 42, n=N - 3), eng)
    assert {v.kind.value for v in short.violations} == {"missing"}
    assert not short.valid
    assert 0 < short.comparison["points"] < 85


def test_best_leather_on_a_lower_grade_piece_is_counted_and_named():
    # A fills the hide's unmarked left half; zone of grade 2 on the right half.
    front = Piece("front", Outline.of(rect(60, 40)), rotations=RIGHT_ANGLES)  # needs the best
    lining = Piece("lining", Outline.of(rect(60, 40)), min_grade=2, rotations=RIGHT_ANGLES)
    hide = Hide("H", Outline.of(rect(300, 100)), zones=(Zone(Outline.of(rect(150, 100, 150)), 2),))
    job = Job("grades", (front, lining), (hide,), gap_mm=2, margin_mm=3)
    on_best = HandLayout("h", (
        HandOutline("f", None, name="front", hide="H", transform=GivenTransform(0, False, 5, 5)),
        HandOutline("l", None, name="lining", hide="H", transform=GivenTransform(0, False, 70, 5))))
    score = score_layout(job, on_best, None)
    assert score.valid
    assert score.comparison["hand"]["best_misuse_m2"] == pytest.approx(60 * 40 / 1e6)
    (grade,) = [f for f in score.feedback if f["kind"] == "grade"]
    assert grade["pieces"] == ["lining#0"]
    assert "would take grade 2" in grade["message"]
    on_grade = HandLayout("h", (on_best.outlines[0], HandOutline(
        "l", None, name="lining", hide="H", transform=GivenTransform(0, False, 160, 5))))
    score = score_layout(job, on_grade, None)
    assert score.comparison["hand"]["best_misuse_m2"] == 0.0
    assert not [f for f in score.feedback if f["kind"] == "grade"]


def test_a_piece_standing_alone_is_named():
    job = grid_job()
    outs = list(grid(62, 42, n=N - 1).outlines)
    outs.append(HandOutline("far", None, name="p", copy=N - 1, hide="H",
                            transform=GivenTransform(0.0, False, 500.0, 330.0)))
    score = score_layout(job, HandLayout("h", tuple(outs)), None)
    alone = [f for f in score.feedback if f["kind"] == "alone"]
    assert [f["pieces"][0] for f in alone] == [f"p#{N - 1}"]
    assert alone[0]["towards"][0] < 0
    assert alone[0]["towards"][1] < 0
