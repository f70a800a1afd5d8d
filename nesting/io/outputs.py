"""Write the files of a nesting run into one folder.

The files are the cutter-ready DXF per hide (written first: their cutting order is drawn in the
pictures), the solution JSON, the SVG picture and the HTML report. Each is written atomically.
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
    from leathernest.io.dxf_out import write_cutter_dxf

    cuts = write_cutter_dxf(job, solution, out)
    orders = {(c.hide_id, c.hide_copy): c.order for c in cuts}
    paths = {
        "solution": str(write_solution(out / "solution.json", job, solution)),
        "svg": str(write_svg(out / "layout.svg", job, solution, cut_orders=orders)),
        "report": str(write_report(out / "report.html", job, solution, cuts)),
    }
    for k, cut in enumerate(cuts):
        paths[f"dxf{k}" if k else "dxf"] = str(cut.path)
    return paths
