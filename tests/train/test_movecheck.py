"""The incremental check agrees with the exact validator on the moved piece, case by case.

For a layout and a moved piece, :func:`check_moved` must answer exactly the violations that
``validate`` finds naming that piece, plus the layout-wide bookkeeping (unknown, demand, group):
same kinds, same pieces, same hide, same amounts. Named cases for every rule a move can break, and
random layouts of two orders (the trainer's test order and a level-4 exercise: pairs, grain,
grades, faults, two hides).
"""

import dataclasses

import numpy as np
import pytest
from conftest import VALID

from leathernest.io.solution_json import solution_from_json
from leathernest.model import HideLayout, Placement, Solution, Unplaced, UnplacedReason
from leathernest.train.exercises import make_exercise
from leathernest.train.movecheck import DISC_TOL_MM, GLOBAL_KINDS, PreparedJob, check_moved
from leathernest.validate import validate


def as_solution(job, placements):
    groups = {}
    for p in placements:
        groups.setdefault((p.hide_id, p.hide_copy), []).append(p)
    placed = {(p.piece_id, p.copy) for p in placements}
    tray = tuple(Unplaced(pc.id, c, UnplacedReason.NO_ROOM) for pc in job.pieces
                 for c in range(pc.n_copies) if (pc.id, c) not in placed)
    return Solution(job.name, "hides", tuple(HideLayout(h, tuple(ps), c)
                                             for (h, c), ps in groups.items()), tray)


# Kinds whose amount is a depth: measured to DISC_TOL_MM (the decision is the validator's).
DEPTH_KINDS = {"overlap", "outside", "defect", "grade"}


def key(v):
    return (v.kind.value, tuple(sorted(v.pieces)), v.hide, v.amount)


def same(got, want):
    """The same violations; amounts equal (depths to twice DISC_TOL_MM, as widths are)."""
    assert [g[:3] for g in got] == [w[:3] for w in want]
    for g, w in zip(got, want, strict=True):
        allowed = 2 * DISC_TOL_MM + 1e-9 if g[0] in DEPTH_KINDS else 1e-9
        assert abs(g[3] - w[3]) <= allowed, (g, w)
    return True


def expected(job, placements, moved):
    labels = {f"{p}#{c}" for p, c in moved}
    full = validate(job, as_solution(job, placements))
    return sorted(key(v) for v in full
                  if v.kind in GLOBAL_KINDS or labels & set(v.pieces))


def answered(prep, placements, moved):
    return sorted(key(v) for v in check_moved(prep, placements, moved))


def from_body(job, entries):
    return list(solution_from_json({"placements": entries}, "test", job).placements)


def pl(pid, copy, x, y, rot=0.0, mirrored=False, hide="calf"):
    return {"item_id": pid, "copy": copy, "bin_id": hide, "hide_copy": 0, "rotation_deg": rot,
            "mirrored": mirrored, "translation": [x, y]}


CASES = {
    "valid": (VALID, ("front", 0), set()),
    "overlap": ([pl("front", 0, 10, 10), pl("front", 1, 40, 20), *VALID[2:]], ("front", 1),
                {"overlap"}),
    "gap": ([pl("front", 0, 10, 10), pl("front", 1, 71, 10), *VALID[2:]], ("front", 1),
            {"gap"}),
    "margin": ([pl("front", 0, 1.5, 10), *VALID[1:]], ("front", 0), {"margin"}),
    "outside": ([pl("front", 0, -20, 10), *VALID[1:]], ("front", 0), {"outside"}),
    "defect": ([pl("front", 0, 130, 80), *VALID[1:]], ("front", 0), {"defect"}),
    "near a defect": ([pl("front", 0, 88, 80), *VALID[1:]], ("front", 0), {"defect"}),
    "grade": ([pl("front", 0, 5, 150), *VALID[1:]], ("front", 0), {"grade"}),
    "grain": ([*VALID[:2], pl("tab", 0, 140, 10, rot=30), VALID[3]], ("tab", 0), {"grain"}),
    "rotation": ([pl("front", 0, 230, 110, rot=45), *VALID[1:]], ("front", 0), {"rotation"}),
    "mirror": ([*VALID[:3], pl("tab", 1, 210, 10)], ("tab", 1), {"mirror"}),
    "placed twice": ([*VALID, pl("front", 0, 200, 150)], ("front", 1), {"demand"}),
    "unknown": ([pl("shoe", 0, 10, 10), *VALID], ("front", 0), {"unknown"}),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_a_move_can_break_is_answered_as_the_validator_answers(train_job, case):
    entries, moved, kinds = CASES[case]
    placements = from_body(train_job, entries)
    want = expected(train_job, placements, {moved})
    assert {k[0] for k in want} == kinds  # the case really is the case it is named after
    assert same(answered(PreparedJob(train_job), placements, {moved}), want)


def test_a_move_away_clears_the_pair_it_broke(train_job):
    prep = PreparedJob(train_job)
    close = from_body(train_job, [pl("front", 0, 10, 10), pl("front", 1, 40, 20), *VALID[2:]])
    assert {k[0] for k in answered(prep, close, {("front", 1)})} == {"overlap"}
    apart = from_body(train_job, VALID)
    assert answered(prep, apart, {("front", 1)}) == []


def random_layout(job, rng, n_max):
    """Pieces dropped at random over the hides' boxes: any rule can break, most often several."""
    out = []
    for piece in job.pieces:
        for c in range(piece.n_copies):
            if len(out) >= n_max or rng.random() < 0.3:
                continue
            hide = job.hides[int(rng.integers(len(job.hides)))]
            x0, y0, x1, y1 = hide.outline.bbox
            angles = list(piece.rotations.angles_deg) or [0.0]
            rot = (float(rng.choice(angles)) if rng.random() < 0.8
                   else float(rng.uniform(0, 360)))
            mirrored = piece.mirrored_copy(c)
            if mirrored is None or rng.random() < 0.1:
                mirrored = bool(rng.random() < 0.2)
            out.append(Placement(piece.id, c, hide.id, rot, mirrored,
                                 float(rng.uniform(x0 - 20, x1)), float(rng.uniform(y0 - 20, y1)),
                                 int(rng.integers(hide.stock))))
    return out


@pytest.fixture(scope="module")
def level4():
    return make_exercise(4, 3).job


def test_random_layouts_agree_with_the_validator(train_job, level4):
    # Dense layouts on the small test hide (two copies of it); up to 40 pieces on the exercise's
    # two calf skins. Four moved pieces per layout.
    small = dataclasses.replace(train_job,
                                stock=(dataclasses.replace(train_job.hides[0], stock=2),))
    kinds = set()
    for seed in range(10):
        rng = np.random.default_rng(seed)
        job = small if seed % 3 == 0 else level4
        prep = PreparedJob(job)
        layout = random_layout(job, rng, 40)
        for k in rng.choice(len(layout), size=min(4, len(layout)), replace=False).tolist():
            moved = {(layout[k].piece_id, layout[k].copy)}
            want = expected(job, layout, moved)
            kinds |= {w[0] for w in want}
            assert same(answered(prep, layout, moved), want), (seed, moved)
    # The random drops reached the rules a move can break: the comparison was not of empty lists.
    assert kinds >= {"overlap", "outside", "defect", "grade", "rotation", "mirror", "group"}, kinds
