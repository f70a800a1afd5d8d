"""Trainee scoring: matching hand outlines to pieces, naming every broken rule, the CLI's exits."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import Grain, Mirror, Zone, hide_100, hide_job, l_piece, rect, square_piece

from leathernest.cli.main import main
from leathernest.geometry.transform import place_ring
from leathernest.io.hand_layout import GivenTransform, HandLayout, HandOutline, read_hand_layout
from leathernest.model import Outline, Piece, Rotations
from leathernest.scoring.hand_match import register
from leathernest.scoring.score import match_layout, score_layout

# A piece with no mirror symmetry at all: a mirrored copy is a different shape.
CHIRAL = [[0, 0], [30, 0], [30, 5], [12, 18], [0, 9]]

JOB = {
    "format": "leathernest-job", "version": 1, "name": "tiny", "gap_mm": 1, "margin_mm": 1,
    "pieces": [
        {"id": "a", "outline": rect(20, 10), "demand": 2, "rotations": [0, 90, 180, 270]},
        {"id": "c", "outline": CHIRAL, "demand": 1, "min_grade": 1, "mirror": "allowed"},
    ],
    "hides": [{"id": "h", "outline": rect(150, 80), "price_per_m2": 50.0,
               "zones": [{"grade": 0, "outline": rect(10, 10, 100, 50)},
                         {"grade": 1, "outline": rect(60, 20, 0, 60)}]}],
}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# The engine's searches stop on work (--effort), never on the clock: the job's time limit only
# caps them, so the engine's layout (and every comparison with it) is the same at any load.
EFFORT = 10


@pytest.fixture
def job_file(tmp_path):
    p = tmp_path / "job.json"
    p.write_text(json.dumps(JOB))
    return p


def placed(outline, x, y, rot=0.0, mirrored=False):
    return place_ring(np.asarray(outline, float), rot, mirrored, x, y).tolist()


def hand_json(tmp_path, entries, name="hand.json"):
    p = tmp_path / name
    p.write_text(json.dumps({"placements": entries}))
    return p


GOOD = [  # a valid hand layout of JOB, polygons only
    {"polygon": placed(rect(20, 10), 5, 5)},
    {"polygon": placed(rect(20, 10), 40, 5, 90)},
    {"polygon": placed(CHIRAL, 100, 20, 30, True)},
]


def outline(pts, source="x", **kw):
    return HandOutline(source, Outline.of(pts), **kw)


def kinds(score):
    return sorted({v.kind.value for v in score.violations})


# ---------------------------------------------------------------------------------------------
# Matching


CHIRAL_PIECE = Piece("c", Outline.of(CHIRAL), mirror=Mirror.ALLOWED)


@pytest.mark.parametrize(("rot", "mirrored"), [(0, False), (37.5, False), (90, True),
                                               (213.25, True), (359.5, False)])
def test_registration_recovers_rotation_and_mirror(rot, mirrored):
    ring = np.roll(np.array(placed(CHIRAL, 41.5, -7.25, rot, mirrored)), 3, axis=0)
    regs = register(CHIRAL_PIECE, Outline.of(ring).outer)
    assert len(regs) == 1
    r = regs[0]
    assert r.mirrored == mirrored
    assert r.rotation_deg == pytest.approx(rot % 360.0, abs=1e-6)
    assert (r.x, r.y) == pytest.approx((41.5, -7.25), abs=1e-6)


def test_registration_works_when_the_vertices_differ():
    # Extra collinear vertices (as CAD writes after splitting an edge): no vertex correspondence.
    ring = np.array(placed(CHIRAL, 10, 20, 123.0, True))
    ring = np.insert(ring, 1, ring[0] + (ring[1] - ring[0]) / 3.0, axis=0)
    ring = np.insert(ring, 4, ring[3] + (ring[4] - ring[3]) * 0.7, axis=0)
    regs = register(CHIRAL_PIECE, Outline.of(ring).outer)
    assert regs
    assert regs[0].mirrored
    assert regs[0].rotation_deg == pytest.approx(123.0, abs=1e-6)


def test_a_different_shape_does_not_register():
    sq = square_piece("s", 10.0)
    assert register(sq, Outline.of(rect(10.4, 10.4)).outer) == []
    assert register(sq, Outline.of(rect(10, 10, 3, 4)).outer)


def test_symmetric_shapes_take_the_legal_registration():
    # An L is symmetric about its diagonal: mirrored + 270 deg draws the same shape as 0 deg.
    # With mirroring forbidden the matcher must not invent a mirror violation.
    job = hide_job([l_piece("L", mirror=Mirror.NO)])
    ring = placed(l_piece().outline.outer, 30, 30)
    result = match_layout(job, HandLayout("t", (outline(ring),)))
    (m,) = result.matched
    assert not m.placement.mirrored
    assert m.placement.rotation_deg == 0.0


def test_match_by_name_and_copy_numbers():
    job = hide_job([square_piece("s", 10.0, demand=2), l_piece("L")])
    outs = (outline(rect(10, 10, 0, 0), "o1", name="s"), outline(rect(10, 10, 20, 0), "o2"),
            outline(placed(l_piece().outline.outer, 50, 50, 90), "o3", name="L"))
    result = match_layout(job, HandLayout("t", outs))
    got = {m.source: (m.piece_id, m.placement.copy, m.by) for m in result.matched}
    assert got == {"o1": ("s", 0, "name"), "o2": ("s", 1, "shape"), "o3": ("L", 0, "name")}
    assert result.matched[2].placement.rotation_deg == 90.0


def test_mirrored_pair_gets_even_and_odd_copies_on_one_hide():
    pair = Piece("p", Outline.of(CHIRAL), mirror=Mirror.PAIR)
    job = hide_job([pair])
    outs = (outline(placed(CHIRAL, 80, 10, 0, True), "m"), outline(placed(CHIRAL, 10, 10), "d"))
    score = score_layout(job, HandLayout("t", outs), None)
    assert score.valid, [str(v) for v in score.violations]
    copies = {m.source: (m.placement.copy, m.placement.mirrored) for m in score.matches.matched}
    assert copies == {"d": (0, False), "m": (1, True)}


def test_cut_out_rings_are_set_aside_and_a_piece_inside_a_cut_out_is_found():
    frame = Piece("f", Outline.of(rect(40, 40), [rect(20, 20, 10, 10)]))
    small = square_piece("s", 10.0)
    job = hide_job([frame, small])
    outs = (outline(rect(40, 40, 50, 50), "frame"), outline(rect(20, 20, 60, 60), "cut-out"),
            outline(rect(10, 10, 65, 65), "inside"))
    score = score_layout(job, HandLayout("t", outs), None)
    assert score.valid, [str(v) for v in score.violations]
    assert {m.source: m.piece_id for m in score.matches.matched} == {"frame": "f", "inside": "s"}
    assert any("cut-out of the f" in s for s in score.matches.set_aside)


def test_given_transform_is_taken_as_it_is():
    job = hide_job([square_piece("s", 10.0)])
    ho = HandOutline("t0", None, name="s", transform=GivenTransform(90.0, False, 30.0, 20.0))
    (m,) = match_layout(job, HandLayout("t", (ho,))).matched
    assert (m.by, m.placement.rotation_deg, m.placement.x, m.placement.y) == (
        "transform", 90.0, 30.0, 20.0)


# ---------------------------------------------------------------------------------------------
# Every rule broken is caught and named


def _grade_job():
    zones = [Zone(Outline.of(rect(10, 10, 70, 70)), 0), Zone(Outline.of(rect(30, 30, 0, 60)), 1)]
    pieces = [square_piece("s", 10.0, demand=2),
              square_piece("g", 10.0, grain=Grain(0.0, 5.0), rotations=Rotations(free=True))]
    return hide_job(pieces, [hide_100(zones)], margin_mm=1.0)


@pytest.mark.parametrize(("where", "kind", "who"), [
    ({"s": [(5, 5), (10, 8)]}, "overlap", "s#0"),
    ({"s": [(5, 5), (72, 72)]}, "defect", "s#1"),
    ({"s": [(5, 5), (5, 75)]}, "grade", "s#1"),
    ({"s": [(5, 5), (95, 40)]}, "outside", "s#1"),
])
def test_broken_rules_are_caught_and_named(where, kind, who):
    job = _grade_job()
    outs = [outline(rect(10, 10, x, y), f"{pid}{i}") for pid, spots in where.items()
            for i, (x, y) in enumerate(spots)]
    outs.append(outline(placed(rect(10, 10), 40, 5, 0), "g", name="g"))
    score = score_layout(job, HandLayout("t", tuple(outs)), None)
    assert kinds(score) == [kind]
    assert any(who in v.pieces for v in score.violations)


def test_grain_off_is_named():
    # A long piece: turned 30 degrees it is not the same shape as unturned, so the grain is off.
    long = Piece("g", Outline.of(rect(40, 10)), grain=Grain(0.0, 5.0))
    job = hide_job([long])
    score = score_layout(job, HandLayout("t", (outline(placed(rect(40, 10), 40, 20, 30)),)), None)
    assert kinds(score) == ["grain"]


def test_missing_pieces_are_listed_and_make_the_layout_invalid():
    job = hide_job([square_piece("s", 10.0, demand=3)])
    score = score_layout(job, HandLayout("t", (outline(rect(10, 10, 5, 5)),)), None)
    assert kinds(score) == ["missing"]
    assert score.comparison["hand"]["missing"] == [{"piece_id": "s", "name": "s", "count": 2}]


def test_unknown_outline_is_reported_not_dropped():
    job = hide_job([square_piece("s", 10.0)])
    outs = (outline(rect(10, 10, 5, 5), "ok"), outline(rect(13, 7, 40, 40), "stray"))
    score = score_layout(job, HandLayout("t", outs), None)
    assert [m.source for m in score.matches.unmatched] == ["stray"]
    assert kinds(score) == ["unknown"]
    assert "stray" in score.violations[0].message


# ---------------------------------------------------------------------------------------------
# The command


def test_engine_layout_scores_valid_with_and_without_transforms(job_file, tmp_path):
    assert run("nest", job_file, "--effort", EFFORT, "--out", tmp_path / "n").exit_code == 0
    sol = tmp_path / "n" / "solution.json"
    r = run("score", job_file, sol, "--effort", EFFORT, "--out", tmp_path / "s1", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["valid"]
    assert out["violations"] == []
    c = out["comparison"]
    assert c["hand"]["utilisation"] == pytest.approx(c["engine"]["utilisation"])
    # The same layout with only the placed polygons: every transform recovered by shape.
    data = json.loads(sol.read_text())
    for p in data["placements"]:
        for key in ("item_id", "name", "translation", "rotation_deg", "mirrored", "copy"):
            p.pop(key)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(data))
    r = run("score", job_file, bare, "--effort", EFFORT, "--out", tmp_path / "s2", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["valid"]
    assert {m["by"] for m in out["outlines"]["matched"]} == {"shape"}
    assert out["comparison"]["hand"]["utilisation"] == pytest.approx(c["engine"]["utilisation"])
    html = (tmp_path / "s2" / "compare.html").read_text()
    assert html.count("<svg") == 2
    assert "Valid" in html


def test_overlap_exits_1_and_is_drawn_in_red(job_file, tmp_path):
    bad = [dict(GOOD[0]), {"polygon": placed(rect(20, 10), 10, 8)}, GOOD[2]]
    r = run("score", job_file, hand_json(tmp_path, bad), "--effort", EFFORT,
            "--out", tmp_path / "s")
    assert r.exit_code == 1, r.output
    assert "overlap: a#0 and a#1 overlap" in r.stdout
    html = (tmp_path / "s" / "compare.html").read_text()
    assert 'stroke="#d00"' in html
    assert "Rules broken (1)" in html


def test_text_summary_names_missing_pieces_and_savings(job_file, tmp_path):
    r = run("score", job_file, hand_json(tmp_path, GOOD[:2]), "--effort", EFFORT,
            "--out", tmp_path / "s")
    assert r.exit_code == 1
    assert "missing: c x1" in r.stdout
    assert "the engine saves" in r.stdout
    assert "per m²" in r.stdout


def test_dxf_hand_layout_with_hide_drawn_and_named_pieces(job_file, tmp_path):
    import ezdxf
    from ezdxf import units

    doc = ezdxf.new()
    doc.units = units.MM
    msp = doc.modelspace()
    msp.add_lwpolyline(rect(150, 80), close=True, dxfattribs={"layer": "HIDE"})
    msp.add_lwpolyline(rect(10, 10, 100, 50), close=True, dxfattribs={"layer": "DEFECTS"})
    for i, entry in enumerate(GOOD):
        msp.add_lwpolyline(entry["polygon"], close=True, dxfattribs={"layer": "CUT"})
        if i == 1:
            cx, cy = np.mean(entry["polygon"], axis=0)
            msp.add_text("a#1", dxfattribs={"insert": (cx, cy)})
    msp.add_text("exercise 3", dxfattribs={"insert": (140, 60)})  # on the hide, in no piece
    path = tmp_path / "hand.dxf"
    doc.saveas(path)
    layout = read_hand_layout(path)
    assert len(layout.outlines) == 5
    r = run("score", job_file, path, "--effort", EFFORT, "--out", tmp_path / "s", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert len(out["outlines"]["set_aside"]) == 2
    by_copy = {(m["piece_id"], m["copy"]): m["by"] for m in out["outlines"]["matched"]}
    assert by_copy == {("a", 0): "shape", ("a", 1): "name", ("c", 0): "shape"}


def test_the_engines_cutter_dxf_scores_valid_as_a_hand_layout(job_file, tmp_path):
    # The DXF `nest` writes for the cutter: labelled pieces ("a #1", 1-based), the hide and its
    # defects on reference layers, grain lines. Read as a hand layout it must be the same layout.
    assert run("nest", job_file, "--effort", EFFORT, "--out", tmp_path / "n").exit_code == 0
    (dxf,) = (tmp_path / "n").glob("*.dxf")
    r = run("score", job_file, dxf, "--effort", EFFORT, "--out", tmp_path / "s", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert len(out["outlines"]["matched"]) == 3
    assert out["outlines"]["unmatched"] == []


def test_dxf_in_metres_gets_a_units_hint(job_file, tmp_path):
    import ezdxf

    doc = ezdxf.new()
    doc.units = ezdxf.units.M  # a millimetre drawing declared as metres: 1000 times too large
    for entry in GOOD:
        doc.modelspace().add_lwpolyline(entry["polygon"], close=True)
    path = tmp_path / "metres.dxf"
    doc.saveas(path)
    r = run("score", job_file, path, "--effort", EFFORT, "--out", tmp_path / "s")
    assert r.exit_code == 1
    assert "hint: no outline matched any piece; the file declares its units as m" in r.stdout


@pytest.mark.parametrize(("name", "content"), [
    ("missing.json", None),
    ("empty.json", ""),
    ("junk.json", "{not json"),
    ("wrong.json", '{"placements": 3}'),
    ("bare.json", '{"placements": [{"item_id": "a"}]}'),
    ("none.json", '{"placements": []}'),
    ("bad.dxf", "0\nSECTION\n2\nENTITIES\n0\nLINE\n"),
])
def test_bad_input_exits_2_with_one_line(job_file, tmp_path, name, content):
    p = tmp_path / name
    if content is not None:
        p.write_text(content)
    r = run("score", job_file, p, "--effort", EFFORT, "--out", tmp_path / "s")
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert name in lines[0]
    assert "Traceback" not in r.output
    assert not (tmp_path / "s").exists()


def test_self_crossing_dxf_outline_and_bad_job_exit_2(job_file, tmp_path):
    import ezdxf

    doc = ezdxf.new()
    doc.units = ezdxf.units.MM
    doc.modelspace().add_lwpolyline([(0, 0), (30, 10), (30, 0), (0, 20)], close=True)
    bow = tmp_path / "bow.dxf"
    doc.saveas(bow)
    r = run("score", job_file, bow, "--effort", EFFORT, "--out", tmp_path / "s")
    assert r.exit_code == 2
    assert "crosses itself" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    junk_job = tmp_path / "junk.json"
    junk_job.write_text("[1, 2")
    r = run("score", junk_job, hand_json(tmp_path, GOOD), "--effort", EFFORT,
            "--out", tmp_path / "s")
    assert r.exit_code == 2
    assert "junk.json" in r.stderr
    assert not (tmp_path / "s").exists()
