"""Remnant files: one leathernest job file and one hide DXF per remnant, for the next order.

``DIR/<hide>_<copy>.json`` is a valid job whose ``hides`` are the remnant's parts, the largest
first (in the original hide's coordinates), and whose pieces are the first order's with demand 0,
so it can be read as stock (``nest ORDER --hides DIR/<hide>_<copy>.json``) or, with demands set,
nested as it is. ``DIR/<hide>_<copy>.dxf`` holds the largest part for CAD and for ``--hides``
(layers ``HIDE``, ``GRADE<n>``, ``BACKBONE`` as :func:`leathernest.generators.hides.write_hide_dxf`
writes them); the other parts get one DXF each, by area (``<hide>_<copy>.2.dxf``, ...). Files are
written atomically.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from leathernest.generators.hides import write_hide_dxf
from leathernest.io.atomic import write_atomic
from leathernest.io.job_json import job_to_json
from leathernest.model import Job
from leathernest.report.remnants import Remnant


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "hide"


def write_remnants(out_dir: str | Path, job: Job, found: list[Remnant]) -> list[Path]:
    """Write the job file and DXF(s) of every remnant that kept some leather; returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pieces = tuple(dataclasses.replace(p, demand=0) for p in job.pieces)
    written: list[Path] = []
    used: set[str] = set()
    for r in found:
        if not r.hides:
            continue
        stem = _slug(f"{r.hide_id}_{r.hide_copy}")
        while stem in used:
            stem += "_"
        used.add(stem)
        remnant_job = dataclasses.replace(job, name=f"{job.name}-remnant-{stem}", pieces=pieces,
                                          stock=r.hides)
        text = json.dumps(job_to_json(remnant_job), indent=1)
        written.append(write_atomic(out / f"{stem}.json", text + "\n"))
        for k, hide in enumerate(r.hides):
            name = f"{stem}.dxf" if k == 0 else f"{stem}.{k + 1}.dxf"
            written.append(write_hide_dxf(out / name, hide))
    return written
