"""Write the files of a nesting run into one folder.

The files are the solution JSON and SVG picture (and, when the DXF writer is installed,
cutter-ready DXF files). Each file is written atomically.
"""

from __future__ import annotations

from pathlib import Path

from leathernest.io.html_report import write_report
from leathernest.io.solution_json import write_solution
from leathernest.io.svg import write_svg
from leathernest.model import Job, Solution


def write_outputs(out_dir: str | Path, job: Job, solution: Solution) -> dict[str, str]:
    """Write every output of a run; returns {kind: path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "solution": str(write_solution(out / "solution.json", job, solution)),
        "svg": str(write_svg(out / "layout.svg", job, solution)),
        "report": str(write_report(out / "report.html", job, solution)),
    }
    from leathernest.io.dxf_out import write_cutter_dxf

    for k, cut in enumerate(write_cutter_dxf(job, solution, out)):
        paths[f"dxf{k}" if k else "dxf"] = str(cut.path)
    return paths
