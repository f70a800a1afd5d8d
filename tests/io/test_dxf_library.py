"""The bundled pattern library through the DXF importer: piece text -> attributes, and nesting.

Every DXF of ``datasets/patterns`` must import as the catalogue defines its pieces (shape, demand,
pairs, grades, grain, priority) and nest on one generated cow side. The piece-text annotations of
``datasets/patterns/README.md`` are also checked one by one on small drawings, with the warnings a
bad value gives.
"""

from __future__ import annotations

import ezdxf
import numpy as np
import pytest
from shapely.geometry import Polygon

from leathernest.datasets import ROOT
from leathernest.datasets.patterns import catalog
from leathernest.datasets.patterns.geometry import FLATTEN_TOL_MM, flatten
from leathernest.generators.hides import generate_hide
from leathernest.io.dxf_in import CHORD_TOL_MM, read_pattern_dxf
from leathernest.io.dxf_report import IssueCode
from leathernest.io.dxf_text import GRADE_MIN_OF_LETTER
from leathernest.model import FeatureKind, Job, Mirror
from leathernest.nest import nest, stop_token

PRODUCTS = list(catalog.products())
# A flattening of the true arcs fine enough to stand for them: chords within 1e-4 mm.
FINE_TOL_MM = 1e-4
SLACK_MM = 1e-3


def test_letter_grades_are_the_catalogue_table():
    assert GRADE_MIN_OF_LETTER == catalog.GRADE_MIN


def _axis_deg(a: float, b: float) -> float:
    """Angle between two grain directions read as axes (0 and 180 are the same grain)."""
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


@pytest.mark.parametrize("name", PRODUCTS)
def test_bundled_pattern_imports_as_the_catalogue_defines_it(name):
    product = catalog.products()[name]
    result = read_pattern_dxf(ROOT / "patterns" / f"{name}.dxf")
    assert result.report.issues == []
    assert result.report.convention == "aama"
    imported = {p.name: p for p in result.pieces}
    assert sorted(imported) == sorted(f"{name}-{pp.name}" for pp in product.pieces)
    expected = {p.id: p for p in catalog.product_pieces(name)}
    for pp in product.pieces:
        got, want = imported[f"{name}-{pp.name}"], expected[f"{name}.{pp.name}"]
        # The block is inserted side by side with the others: the boundary's vertices tell where.
        offset = got.cut_paths[0].points.min(axis=0) - pp.boundary.points.min(axis=0)
        shifted = got.cut_paths[0].points - offset
        assert np.allclose(np.sort(shifted, axis=0), np.sort(pp.boundary.points, axis=0))
        outer = Polygon(got.outline.outer - offset)
        true_outer = Polygon(flatten(pp.boundary, FINE_TOL_MM))
        # the nesting polygon contains the true outline and exceeds it by at most the chord
        # tolerance along the perimeter
        assert outer.buffer(SLACK_MM).contains(true_outer)
        assert outer.area - true_outer.area <= CHORD_TOL_MM * true_outer.length + SLACK_MM
        assert len(got.outline.holes) == len(pp.cutouts)
        for hole, cutout in zip(got.outline.holes, pp.cutouts, strict=True):
            true_hole = Polygon(flatten(cutout, FINE_TOL_MM))
            assert true_hole.buffer(SLACK_MM).contains(Polygon(hole - offset))
        tol = (CHORD_TOL_MM + FLATTEN_TOL_MM) * true_outer.length
        assert got.area == pytest.approx(want.area, abs=tol)
        assert (got.demand, got.mirror, got.min_grade, got.priority) == (
            want.demand, want.mirror, want.min_grade, want.priority
        )
        assert got.n_copies == want.n_copies
        assert (got.grain is None) == (want.grain is None)
        if want.grain is not None:
            assert _axis_deg(got.grain.direction_deg, want.grain.direction_deg) < 1e-9
            assert got.grain.tolerance_deg == want.grain.tolerance_deg


def test_library_pairs_cut_half_the_quantity_each_hand():
    pieces = read_pattern_dxf(ROOT / "patterns" / "bifold_wallet.dxf").pieces
    pocket = next(p for p in pieces if p.name == "bifold_wallet-card_pocket")
    assert (pocket.mirror, pocket.demand, pocket.n_copies) == (Mirror.PAIR, 3, 6)
    assert "Quantity: 6" in [f.text for f in pocket.features if f.kind is FeatureKind.TEXT]


@pytest.fixture(scope="module")
def cow_side():
    return generate_hide("cow_side", 0)


@pytest.mark.parametrize("name", PRODUCTS)
def test_each_bundled_product_nests_on_one_cow_side(name, cow_side):
    pieces = read_pattern_dxf(ROOT / "patterns" / f"{name}.dxf").pieces
    job = Job(name, pieces, (cow_side,), gap_mm=2.0, margin_mm=3.0, time_limit_s=120.0)
    # A work budget, not the clock: the outcome must not depend on the machine's load. The time
    # limit is only the safety cap.
    solution = nest(job, stop=stop_token(job, effort=100))  # validates exactly, raises if invalid
    assert [u for u in solution.unplaced if not job.piece(u.piece_id).optional] == []
    for piece in pieces:
        placed = [p for p in solution.placements if p.piece_id == piece.id]
        assert sorted(p.copy for p in placed) == list(range(piece.n_copies))
        if piece.mirror is Mirror.PAIR:
            assert sum(p.mirrored for p in placed) == piece.demand
            assert len({(p.hide_id, p.hide_copy) for p in placed}) == 1


# --- piece-text annotations on small drawings ----------------------------------------------------


def _pattern(tmp_path, texts, grain=True, mtext=False):
    """One AAMA piece, a 100 x 50 rectangle, with the given piece texts; returns the file."""
    doc = ezdxf.new("R2000")
    doc.units = 4
    msp = doc.modelspace()
    msp.add_text("Style Name: TEST", dxfattribs={"layer": "1"})
    blk = doc.blocks.new("PIECE")
    blk.add_lwpolyline([(0, 0), (100, 0), (100, 50), (0, 50)], close=True,
                       dxfattribs={"layer": "1"})
    if grain:
        blk.add_line((20, 25), (80, 25), dxfattribs={"layer": "7"})
    if mtext:
        blk.add_mtext("\n".join(texts), dxfattribs={"layer": "1", "insert": (10, 40)})
    else:
        for k, text in enumerate(texts):
            blk.add_text(text, dxfattribs={"layer": "1", "insert": (10, 40 - 4 * k)})
    msp.add_blockref("PIECE", (0, 0))
    path = tmp_path / "piece.dxf"
    doc.saveas(path)
    return path


def _one(tmp_path, texts, **kw):
    result = read_pattern_dxf(_pattern(tmp_path, texts, **kw))
    (piece,) = result.pieces
    return piece, result.report


@pytest.mark.parametrize(
    ("grade", "min_grade"),
    [("A", None), ("B", 3), ("c", 2), ("D", 1), ("2", 2), ("5", 5), (" 1 ", 1)],
)
def test_grade_letter_or_integer_gives_min_grade(tmp_path, grade, min_grade):
    piece, report = _one(tmp_path, ["Piece Name: P", f"Grade: {grade}"])
    assert piece.min_grade == min_grade
    assert report.issues == []


@pytest.mark.parametrize("grade", ["Z", "0", "-1", "B+", "", "2.5"])
def test_malformed_grade_warns_with_handle_and_keeps_best_only(tmp_path, grade):
    piece, report = _one(tmp_path, ["Piece Name: P", f"Grade: {grade}"])
    assert piece.min_grade is None
    (issue,) = report.issues
    assert issue.code is IssueCode.BAD_ANNOTATION
    assert issue.layer == "1"
    assert len(issue.handles) == 1
    assert issue.handles[0]
    assert "Grade" in issue.message


def test_pair_halves_the_quantity_and_the_model_doubles_it_back(tmp_path):
    piece, report = _one(tmp_path, ["Quantity: 4", "Mirror: pair"])
    assert (piece.mirror, piece.demand, piece.n_copies) == (Mirror.PAIR, 2, 4)
    assert report.issues == []


def test_pair_without_quantity_is_one_pair(tmp_path):
    piece, _ = _one(tmp_path, ["Mirror: PAIR"])
    assert (piece.mirror, piece.demand, piece.n_copies) == (Mirror.PAIR, 1, 2)


def test_odd_quantity_for_a_pair_warns_and_cuts_as_drawn(tmp_path):
    piece, report = _one(tmp_path, ["Piece Name: P", "Quantity: 3", "Mirror: pair"])
    assert (piece.mirror, piece.demand, piece.n_copies) == (Mirror.NO, 3, 3)
    (issue,) = report.issues
    assert issue.code is IssueCode.BAD_ANNOTATION
    assert len(issue.handles) == 2
    assert "even" in issue.message


@pytest.mark.parametrize(("value", "mirror"), [("no", Mirror.NO), ("allowed", Mirror.ALLOWED)])
def test_other_mirror_values(tmp_path, value, mirror):
    piece, report = _one(tmp_path, ["Quantity: 3", f"Mirror: {value}"])
    assert (piece.mirror, piece.demand) == (mirror, 3)
    assert report.issues == []


def test_unknown_mirror_value_warns_and_cuts_as_drawn(tmp_path):
    piece, report = _one(tmp_path, ["Quantity: 2", "Mirror: both"])
    assert (piece.mirror, piece.demand) == (Mirror.NO, 2)
    assert report.codes() == ["BAD_ANNOTATION"]


@pytest.mark.parametrize(("value", "deg"), [("15", 15.0), ("7.5 deg", 7.5), ("0", 0.0)])
def test_grain_tolerance_is_read_in_degrees(tmp_path, value, deg):
    piece, report = _one(tmp_path, [f"Grain Tolerance: {value}"])
    assert piece.grain is not None
    assert piece.grain.tolerance_deg == deg
    assert report.issues == []


@pytest.mark.parametrize("value", ["95", "-5", "wide"])
def test_bad_grain_tolerance_warns_and_keeps_the_default(tmp_path, value):
    piece, report = _one(tmp_path, [f"Grain Tolerance: {value}"])
    assert piece.grain is not None
    assert piece.grain.tolerance_deg == 10.0  # the model's default
    assert report.codes() == ["BAD_ANNOTATION"]


def test_grain_tolerance_without_a_grain_line_warns(tmp_path):
    piece, report = _one(tmp_path, ["Grain Tolerance: 15"], grain=False)
    assert piece.grain is None
    assert report.codes() == ["BAD_ANNOTATION"]


def test_priority_and_a_bad_priority(tmp_path):
    piece, report = _one(tmp_path, ["Priority: 2"])
    assert piece.priority == 2
    assert report.issues == []
    piece, report = _one(tmp_path, ["Priority: high"])
    assert piece.priority == 0
    assert report.codes() == ["BAD_ANNOTATION"]


def test_bad_quantity_warns_and_keeps_one(tmp_path):
    piece, report = _one(tmp_path, ["Quantity: some"])
    assert piece.demand == 1
    assert report.codes() == ["BAD_ANNOTATION"]


def test_contradicting_texts_keep_the_first_with_a_warning(tmp_path):
    piece, report = _one(tmp_path, ["Grade: B", "Grade: D", "Grade: b"])
    assert piece.min_grade == 3
    assert report.codes() == ["BAD_ANNOTATION"]
    assert "contradicts" in report.issues[0].message


def test_one_mtext_may_hold_every_key_on_its_own_line(tmp_path):
    texts = ["Piece Name: POCKET", "Quantity: 6", "Grade: C", "Mirror: pair",
             "Grain Tolerance: 20", "Priority: 1", "Material: calf 1 mm"]
    piece, report = _one(tmp_path, texts, mtext=True)
    assert report.issues == []
    assert piece.name == "POCKET"
    assert (piece.demand, piece.mirror, piece.min_grade, piece.priority) == (3, Mirror.PAIR, 2, 1)
    assert piece.grain is not None
    assert piece.grain.tolerance_deg == 20.0


def test_unknown_keys_and_plain_text_are_ignored(tmp_path):
    piece, report = _one(tmp_path, ["Material: calf", "Colour: tan", "hello"])
    assert (piece.demand, piece.mirror, piece.min_grade, piece.priority) == (1, Mirror.NO, None, 0)
    assert report.issues == []
    assert len([f for f in piece.features if f.kind is FeatureKind.TEXT]) == 3
