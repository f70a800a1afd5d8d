"""Cutter export figures: audit errors, true arcs kept, travel with the routed cutting order.

    .venv/bin/python benchmarks/dxf_export_probe.py

Every piece of the bundled pattern library (five products) three times, every second copy
mirrored, dropped in shuffled slots of a 4 x 3 m sheet (seed 0), written as one R2000 DXF.
"""

from __future__ import annotations

import logging
import random
import tempfile
import time
from pathlib import Path

import ezdxf

from leathernest.io.dxf_in import read_pattern_dxf
from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.model import Hide, HideLayout, Job, Outline, Placement, Solution

PATTERNS = Path(__file__).resolve().parents[1] / "datasets" / "patterns"


def main() -> None:
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    pieces = tuple(p for f in sorted(PATTERNS.glob("*.dxf")) for p in read_pattern_dxf(f).pieces)
    sheet = Hide("sheet", Outline.of([(0, 0), (4000, 0), (4000, 3000), (0, 3000)]))
    job = Job("export-probe", pieces, (sheet,))
    rnd = random.Random(0)
    slots = [(x, y) for x in range(0, 4000, 400) for y in range(0, 3000, 300)]
    rnd.shuffle(slots)
    placements = []
    for i, p in enumerate(pieces * 3):
        x0, y0, _, _ = p.outline.bbox
        sx, sy = slots[i]
        placements.append(Placement(p.id, i // len(pieces), "sheet", 0.0, i % 2 == 1,
                                    sx - x0 + 200 * (i % 2), sy - y0))
    solution = Solution(job.name, "hides", (HideLayout("sheet", tuple(placements)),))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cut = write_cutter_dxf(job, solution, tmp, route_time_limit_s=1.0)[0]
        dt = time.perf_counter() - t0
        doc = ezdxf.readfile(cut.path)
        msp = doc.modelspace()
        arcs = sum(1 for e in msp.query("LWPOLYLINE") if any(b for *_, b in e.get_points("xyb")))
        print(f"{len(placements)} placements; audit errors {len(doc.audit().errors)}; "
              f"LWPOLYLINEs with arcs {arcs}; CIRCLEs {len(msp.query('CIRCLE'))}; "
              f"export {dt:.2f} s (1 s routing limit); travel {cut.travel_mm:.0f} mm routed vs "
              f"{cut.unoptimised_travel_mm:.0f} mm in the solution's order "
              f"(ratio {cut.travel_mm / cut.unoptimised_travel_mm:.3f})")


if __name__ == "__main__":
    main()
