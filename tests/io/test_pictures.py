"""Pictures an operator reads: 1:1 in mm, grade under pieces, mirrored marked, bars, curve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import hide_100, hide_job, rect, sol

from leathernest.io.html_report import report_html
from leathernest.io.svg import GRADE_FILL, HIDE_FILL, PIECE_FILLS, PIECE_OPACITY, layout_svg
from leathernest.model import FREE_ROTATION, Hide, Mirror, Outline, Piece, Placement, Zone
from leathernest.report.metrics import with_metrics
from leathernest.search.stop import Progress

ROOT = Path(__file__).resolve().parents[2]


def job_and_solution():
    tab = Piece("tab", Outline.of([[0, 0], [30, 0], [30, 5], [12, 18], [0, 9]]), demand=3,
                min_grade=1, mirror=Mirror.ALLOWED, rotations=FREE_ROTATION)
    job = hide_job([tab], [hide_100(zones=[Zone(Outline.of(rect(40, 40, 60, 0)), 1)], hid="A"),
                           hide_100(hid="B")])
    places = [Placement("tab", 0, "A", 0.0, False, 10.0, 10.0),
              Placement("tab", 1, "A", 0.0, True, 90.0, 10.0),  # mirrored, on grade 1
              Placement("tab", 2, "B", 0.0, False, 10.0, 10.0)]
    return job, with_metrics(job, sol(job, places))


def test_svg_is_one_to_one_in_millimetres_and_marks_mirrored_pieces():
    job, solution = job_and_solution()
    svg = layout_svg(job, solution)
    width = float(re.search(r'width="([\d.]+)mm"', svg).group(1))
    view = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]
    assert width == view[2]  # one user unit is one millimetre
    assert 100.0 < width < 110.0  # the 100 mm hide and a small border
    assert "scale(1,-1)" in svg
    assert "scale(1.0" not in svg  # drawn at 1:1, never scaled to pixels
    assert svg.count("(M)") == 1
    pieces = re.findall(r'<path [^>]*fill-opacity="([\d.]+)"[^>]*stroke-width="1.6"([^>]*)>', svg)
    assert len(pieces) == 3
    assert all(float(op) == PIECE_OPACITY < 0.5 for op, _ in pieces)
    assert sum("stroke-dasharray" in rest for _, rest in pieces) == 1


def test_piece_colours_are_never_grade_colours():
    grades = {c.lower() for c in (*GRADE_FILL.values(), HIDE_FILL)}
    for c in PIECE_FILLS:
        r, g, b = (int(c[i:i + 2], 16) for i in (1, 3, 5))
        assert c.lower() not in grades
        assert b > max(r, g)  # blues and purples; grades are reds, yellows, greens, beige


def test_report_draws_grade_bars_and_the_anytime_curve():
    job, solution = job_and_solution()
    curve = [Progress(0.5, 2, 3, hides_used=1, utilisation=0.05),
             Progress(1.5, 3, 3, hides_used=2, utilisation=0.04)]
    page = report_html(job, solution, None, curve)
    assert page.count('<svg class="bar"') == 2
    assert GRADE_FILL[1] in page  # the mirrored tab lies on grade 1: its bar shows it
    assert "Search over time" in page
    assert "3/3 pieces, 2 hide(s)" in page
    assert "Search over time" not in report_html(job, solution, None, ())


def test_readme_hide_picture_uses_the_report_colours():
    svg = (ROOT / "datasets" / "hides.svg").read_text()
    assert HIDE_FILL in svg
    assert all(GRADE_FILL[g] in svg for g in (0, 1, 2, 3))


def test_report_states_each_hides_remnant_and_its_share_of_the_uncut_leather():
    # two pieces across a 1000 x 200 strip of leather: the free leather falls in two parts,
    # the larger (right, 598 x 200 less its rounded corners) two thirds of it
    piece = Piece("a", Outline.of(rect(100, 95)), demand=2)
    hide = Hide("strip", Outline.of(rect(1000, 200)))
    job = hide_job([piece], [hide], gap_mm=2, margin_mm=3)
    solution = with_metrics(job, sol(job, [
        Placement("a", 0, "strip", 0.0, False, 300.0, 3.0),
        Placement("a", 1, "strip", 0.0, False, 300.0, 100.0)]))
    (row,) = solution.metrics["per_hide"]
    assert row["compactness"] == pytest.approx(0.663, abs=1e-3)
    page = report_html(job, solution)
    assert "remnant (share of uncut)" in page
    assert "<td>0.119 m² (66% of 0.180 m²)</td>" in page
