"""Write the files of a nesting run into one folder.

The files are the cutter-ready DXF per hide (written first: their cutting order is drawn in the
pictures), the job as nested (``job.json``: the input with every command-line override applied,
so ``check`` and ``remnants`` can be run on it), the solution JSON, the SVG picture and the HTML
report. Each is written atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from leathernest.io.atomic import write_atomic
from leathernest.io.cutter_profile import DEFAULT_PROFILE, CutterProfile
from leathernest.io.html_report import write_report
from leathernest.io.job_json import job_to_json
from leathernest.io.solution_json import write_solution
from leathernest.io.svg import write_svg
from leathernest.model import Job, Solution


def write_outputs(out_dir: str | Path, job: Job, solution: Solution, *,
                  profile: CutterProfile = DEFAULT_PROFILE, dxfversion: str = "R2000",
                  stop: Callable[[], bool] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  curve: Sequence = ()) -> dict[str, str]:
    """Write every output of a run; returns {kind: path}.

    ``profile`` and ``dxfversion`` shape the cutter files; ``stop`` and ``progress`` are handed
    to :func:`leathernest.io.dxf_out.write_cutter_dxf` (no routing after Ctrl-C; files written);
    ``curve`` is the search's progress reports (``search.stop.Progress``: elapsed time, density
    or utilisation and hides), plotted in the HTML report.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from leathernest.io.dxf_out import write_cutter_dxf

    cuts = write_cutter_dxf(job, solution, out, profile=profile, dxfversion=dxfversion, stop=stop,
                            progress=progress)
    orders = {(c.hide_id, c.hide_copy): c.order for c in cuts}
    paths = {
        "job": str(write_atomic(out / "job.json", json.dumps(job_to_json(job), indent=1) + "\n")),
        "solution": str(write_solution(out / "solution.json", job, solution)),
        "svg": str(write_svg(out / "layout.svg", job, solution, cut_orders=orders)),
        "report": str(write_report(out / "report.html", job, solution, cuts, curve)),
    }
    for k, cut in enumerate(cuts):
        paths[f"dxf{k}" if k else "dxf"] = str(cut.path)
    return paths
