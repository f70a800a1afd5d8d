"""A layout's figures at scale: ``with_metrics`` on 5,000 placed pieces, group ``report.metrics``.

``with_metrics`` runs for every layout ``nest`` writes, and now measures the leather left on each
hide (free leather, remnant, compactness: :mod:`leathernest.report.remnants`). Two layouts of
5,000 pieces, built directly (no search, the same on every run): all on one large hide, and 250
on each of 20 copies of a calf-sized hide. The piece is a lobed 12-gon 30 x 24 mm with a round
window (windows are filled for the remnant), in a slightly jittered grid at least 2.2 mm
apart.
"""

from __future__ import annotations

import numpy as np
import pytest

from leathernest.model import Hide, HideLayout, Job, Outline, Piece, Placement, Rotations, Solution
from leathernest.report.metrics import with_metrics

N_PIECES = 5_000


def _piece() -> Piece:
    ang = np.linspace(0.0, 2.0 * np.pi, 13)[:-1]
    outer = np.c_[15 + 15 * np.cos(ang) * (1 + 0.1 * np.sin(3 * ang)), 12 + 12 * np.sin(ang)]
    window = np.c_[15 + 4 * np.cos(ang), 12 + 4 * np.sin(ang)]
    return Piece("p", Outline.of(outer, [window]), demand=N_PIECES,
                 rotations=Rotations(angles_deg=(0.0,)))


def _grid(n: int, cols: int, hide: str, first: int, copy: int) -> list[Placement]:
    out = []
    for k in range(n):
        i, j = k % cols, k // cols
        jitter = (i * 7919 + j * 104729) % 13
        out.append(Placement("p", first + k, hide, 0.0, False, 5 + i * 34 + jitter * 0.15,
                             5 + j * 27.5 + (jitter % 3) * 0.5, copy))
    return out


def _layouts() -> dict[str, tuple[Job, Solution]]:
    big = Hide("big", Outline.of([[0, 0], [3200, 0], [3400, 1300], [3200, 2600], [0, 2600],
                                  [-150, 1300]]))
    calf = Hide("calf", Outline.of([[0, 0], [700, 0], [760, 300], [700, 600], [0, 600],
                                    [-40, 300]]), stock=20)
    one = Job("one-hide", (_piece(),), (big,), gap_mm=2, margin_mm=3)
    many = Job("twenty-hides", (_piece(),), (calf,), gap_mm=2, margin_mm=3)
    per = N_PIECES // 20
    return {
        "5000_on_one_hide": (one, Solution(one.name, "hides", (
            HideLayout("big", tuple(_grid(N_PIECES, 70, "big", 0, 0)), 0),), ())),
        "5000_on_20_hides": (many, Solution(many.name, "hides", tuple(
            HideLayout("calf", tuple(_grid(per, 20, "calf", c * per, c)), c)
            for c in range(20)), ())),
    }


LAYOUTS = _layouts()


@pytest.mark.benchmark(group="report.metrics")
@pytest.mark.parametrize("which", list(LAYOUTS))
def test_with_metrics(benchmark, which):
    job, solution = LAYOUTS[which]
    done = benchmark.pedantic(with_metrics, args=(job, solution), rounds=3, warmup_rounds=0)
    rows = done.metrics["per_hide"]
    assert sum(r["pieces"] for r in rows) == N_PIECES
    assert all(0.0 < r["compactness"] <= 1.0 and r["remnant_mm2"] <= r["free_mm2"] for r in rows)
    benchmark.extra_info.update(hides=len(rows),
                                compactness=[round(r["compactness"], 3) for r in rows[:3]])
