"""benchmarks/diagnose_layout.py: per hide, the free leather, its remnant, discs and what fits.

A hand-made layout whose answers follow from the definitions, and a bundled example nested on a
work budget (``--effort``, so the layout is the same on any machine) and read back as files.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import hide_job, rect, sol

from leathernest.cli.main import main as leathernest
from leathernest.model import Hide, Outline, Piece, Placement, Unplaced, UnplacedReason, Zone
from leathernest.report.metrics import with_metrics

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import diagnose_layout  # noqa: E402

CORNER = 25.0**2 * (1 - math.pi / 4)  # what a 50 mm disc leaves in a right angle, mm²


def cells(text: str, first: str) -> list[str]:
    """The cells of the Markdown table row that starts with ``first``."""
    (line,) = [ln for ln in text.splitlines() if ln.startswith(f"| {first} |")]
    return [c.strip() for c in line.strip("|").split("|")]


def strip_layout():
    """Two pieces across a 1000 x 200 strip of leather; grade 1 beyond x = 700; three left out."""
    piece = Piece("wall", Outline.of(rect(100, 95)), demand=2)
    small = Piece("small", Outline.of(rect(50, 50)))  # best leather; fits any way
    long = Piece("long", Outline.of(rect(400, 60)))  # best; area fits, a disc does not
    huge = Piece("huge", Outline.of(rect(700, 190)), min_grade=1)  # more than the remnant
    hide = Hide("h", Outline.of(rect(1000, 200)), zones=(Zone(Outline.of(rect(300, 200, 700)),
                                                              1),))
    job = hide_job([piece, small, long, huge], [hide], gap_mm=2, margin_mm=3)
    left_out = tuple(Unplaced(pid, 0, UnplacedReason.NO_ROOM) for pid in ("small", "long", "huge"))
    solution = with_metrics(job, sol(job, [Placement("wall", 0, "h", 0.0, False, 300.0, 3.0),
                                           Placement("wall", 1, "h", 0.0, False, 300.0, 100.0)],
                                     left_out))
    return job, solution


def test_free_leather_remnant_discs_and_fits_on_a_hand_made_layout():
    job, solution = strip_layout()
    (d,) = diagnose_layout.diagnose(job, solution)
    (row,) = solution.metrics["per_hide"]
    assert d.left.remnant_mm2 == row["remnant_mm2"]  # the solution's own figure
    assert d.left.compactness == row["compactness"] < 0.67
    assert len(d.left.parts) == 2
    assert d.free_disc_mm == pytest.approx(200.0, abs=1.0)  # the strip's height
    assert d.remnant_disc_mm == pytest.approx(200.0, abs=1.0)
    fits = {f.piece.id: f for f in d.fits}
    # best leather of the remnant: x 402-700, its two left corners rounded; grade 1: all of it
    assert fits["small"].room_mm2 == pytest.approx(298 * 200 - 2 * CORNER, abs=8.0)
    assert fits["huge"].room_mm2 == pytest.approx(598 * 200 - 4 * CORNER, abs=16.0)
    assert (fits["small"].by_area, fits["small"].by_disc) == (True, True)
    assert (fits["long"].by_area, fits["long"].by_disc) == (True, False)
    assert (fits["huge"].by_area, fits["huge"].by_disc) == (False, False)
    assert fits["long"].reach_mm == pytest.approx(math.hypot(400, 60))
    text = diagnose_layout.markdown(job, solution, [d], 0)
    assert cells(text, "h #0")[1:5] == ["2", f"{row['free_mm2'] / 1e6:.4f} m²",
                                        f"{row['remnant_mm2'] / 1e6:.4f} m²",
                                        f"{row['compactness']:.3f}"]
    assert cells(text, "small")[-2:] == ["yes", "yes"]
    assert cells(text, "long")[-2:] == ["yes", "no"]
    assert cells(text, "huge")[3:] == [">= 1", "725 mm", f"{fits['huge'].room_mm2 / 100:.0f} cm²",
                                       "200 mm", "no", "no"]
    assert "Fit in any rotation, yet unplaced: small." in text


def test_failed_targets_are_listed_per_hide_and_none_is_dropped():
    job, solution = strip_layout()
    config = {"failed_targets": [
        {"kind": "eliminate", "hide": "h", "copy": 0, "units": ["long", "small"]},
        {"kind": "swap", "hide": "h", "copy": 0, "units": []},
        {"kind": "eliminate", "hide": "gone", "copy": 1, "units": ["x"]},
        {"kind": "eliminate", "copy": 0, "units": ["no hide"]}]}
    solution = dataclasses.replace(solution, config=config)
    text = diagnose_layout.markdown(job, solution, diagnose_layout.diagnose(job, solution), 0)
    section = text.split("## h #0")[1]
    assert "- eliminate: long, small" in section
    assert "- swap: (no units named)" in section
    assert "- gone #1: eliminate: x" in text
    assert "1 item(s) of the solution's failed_targets could not be read" in text


def test_the_script_on_a_bundled_example_nested_on_a_work_budget(tmp_path, capsys):
    # the demo order on one calf skin: pieces are left out, and the script says of each whether
    # the remnant could take it
    run = CliRunner().invoke(leathernest, [
        "nest", "demo_wallets", "--hides", str(BENCH.parent / "datasets/hides/calf-11.dxf"),
        "--effort", "100", "--seed", "0", "--workers", "1", "--time", "120",
        "--out", str(tmp_path / "run"), "-q"])
    assert run.exit_code == 1, run.output  # 1: the layout leaves pieces out, as it should here
    solution = json.loads((tmp_path / "run" / "solution.json").read_text())
    assert solution["unplaced"]
    out = tmp_path / "why.md"
    assert diagnose_layout.main([str(tmp_path / "run" / "job.json"),
                                 str(tmp_path / "run" / "solution.json"),
                                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert out.read_text() == text
    assert "finds 0 violation(s)" in text
    for row in solution["metrics"]["per_hide"]:
        got = cells(text, f"{row['hide_id']} #{row['hide_copy']}")
        assert got[2:5] == [f"{row['free_mm2'] / 1e6:.4f} m²", f"{row['remnant_mm2'] / 1e6:.4f} m²",
                            f"{row['compactness']:.3f}"]
    for pid in {u["item_id"] for u in solution["unplaced"]}:
        assert cells(text, pid)[-2] in ("yes", "no")


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert diagnose_layout.main([str(tmp_path / "no.json"), str(tmp_path / "no.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no.json" in err
