"""What the class server shows of a job and makes of a layout, free of any web code.

- :func:`job_payload`: the job as the page draws it (outlines, rotations, grain, grades, hides
  with zones, prices);
- :func:`solution_file` and :func:`dxf_file`: a layout as a solution JSON download, and as cutter
  DXF once it breaks no rule (a zip of one file per hide for several hides);
- :func:`given_engine`: an engine layout read from a file, validated, for ``train
  --engine-solution``.

:mod:`leathernest.train.classapp` maps these to HTTP.
"""

from __future__ import annotations

import dataclasses
import json
import re
import tempfile
import zipfile
from io import BytesIO

from leathernest.errors import InputError, SolutionInvalidError
from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.io.job_json import job_to_json
from leathernest.io.solution_json import read_solution, solution_to_json
from leathernest.model import Job, Placement, Solution
from leathernest.nest import checked
from leathernest.report.metrics import compute_metrics, hide_cost, usable_region, with_metrics
from leathernest.scoring.score import measurable_solution
from leathernest.scoring.waste import NEST_WIDTH_MM, hide_price_per_m2
from leathernest.train.checking import as_solution
from leathernest.validate import validate

BODY = "request body"


def slug(text: str) -> str:
    """A file-name-safe form of a text (letters, digits, ``_ - .``), for download names only."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.")[:60] or "layout"


def _rings(outline) -> dict:
    return {"outer": outline.outer.tolist(), "holes": [h.tolist() for h in outline.holes]}


def job_payload(job: Job, snap: bool = True) -> dict:
    """The job as the page needs it: outlines, rotations, grain, grades, hides with zones."""
    if job.is_strip:
        raise InputError(f"job {job.name!r} is a strip job",
                         hint="the trainer lays pieces on hides; use a job with hides")
    raw = job_to_json(job)
    pieces = []
    for p, rp in zip(job.pieces, raw["pieces"], strict=True):
        r = p.rotations
        pieces.append({
            "id": p.id, "name": p.name, "area_mm2": p.area, "copies": p.n_copies,
            "demand": p.demand, "min_grade": p.min_grade, "mirror": p.mirror.value,
            "group": p.group, **_rings(p.outline),
            "rotations": {"free": r.free, "angles": list(r.angles_deg),
                          "ranges": [list(x) for x in r.ranges_deg]},
            "grain": rp.get("grain"),
        })
    hides = [{
        "id": h.id, "name": h.name, "stock": h.stock, **_rings(h.outline),
        "zones": [{"grade": z.grade, **_rings(z.outline)} for z in h.zones],
        "backbone": None if h.backbone is None else h.backbone.tolist(),
        "usable_area_mm2": usable_region(h).area, "area_mm2": h.area,
        "cost": hide_cost(h), "price_per_m2": hide_price_per_m2(h),
        "bbox": list(h.outline.bbox),
    } for h in job.hides]
    return {"name": job.name, "gap_mm": job.gap_mm, "margin_mm": job.margin_mm, "snap": snap,
            "nest_width_mm": NEST_WIDTH_MM, "pieces": pieces, "hides": hides}


def solution_file(job: Job, placements: list[Placement], trainee: str) -> tuple[str, bytes]:
    """The layout as a solution JSON file (any layout: checks and scores judge it)."""
    sol = dataclasses.replace(as_solution(job, placements), unplaced=())
    sol = dataclasses.replace(sol, metrics=compute_metrics(job, measurable_solution(job, sol)))
    text = json.dumps(solution_to_json(job, sol) | {"trainee": {"name": trainee}},
                      indent=1) + "\n"
    return f"{slug(job.name)}-{slug(trainee)}.json", text.encode()


def dxf_file(job: Job, placements: list[Placement]) -> tuple[str, bytes, str]:
    """Cutter DXF of a layout that breaks no rule: one file, or a zip of one per hide."""
    if not placements:
        raise InputError("no piece is on a hide yet", path=BODY, hint="place pieces first")
    sol = as_solution(job, placements)
    violations = [v for v in validate(job, sol) if v.kind.value != "missing"]
    if violations:
        raise InputError(f"the layout breaks {len(violations)} rule(s), first: {violations[0]}",
                         path=BODY, hint="fix them before cutting")
    sol = with_metrics(job, dataclasses.replace(sol, unplaced=()))
    with tempfile.TemporaryDirectory(prefix="leathernest-dxf-") as tmp:
        files = write_cutter_dxf(job, sol, tmp)
        if len(files) == 1:
            return files[0].path.name, files[0].path.read_bytes(), "application/dxf"
        buf = BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in files:
                zf.write(f.path, f.path.name)
        return f"{slug(job.name)}-dxf.zip", buf.getvalue(), "application/zip"


def given_engine(job: Job, path: str) -> Solution:
    """An engine layout from a solution file, validated (it is the reference every score uses)."""
    try:
        return checked(job, read_solution(path, job).solution)
    except SolutionInvalidError as exc:
        raise InputError(f"breaks the job's rules: {exc}", path=path,
                         hint="pass a solution of this job, e.g. from leathernest nest") from None
