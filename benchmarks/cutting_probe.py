"""Cutting-room figures of a nested job: routing time and the head's idle travel per cutter file.

    .venv/bin/python benchmarks/cutting_probe.py baldacci1 --time 10 [--save sol.json]
    .venv/bin/python benchmarks/cutting_probe.py baldacci1 --solution sol.json

Nests the job in-process (after the kernels are warm), or reads a saved solution so that two
versions of the writer can be compared on one layout, then writes the cutter DXF files and times
that step alone, then every output of a run (cutter files, solution, picture, report). For each
file it prints the travel the writer reports and the travel measured
from the file's entity order (:func:`leathernest.io.dxf_travel.dxf_travel_mm`, every visited
entity from the hide's lower-left corner), so a difference between the two shows travel the
report leaves out.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import tempfile
import time
from pathlib import Path

from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.io.dxf_travel import dxf_travel_mm
from leathernest.io.instance import load_job
from leathernest.io.outputs import write_outputs

try:
    from leathernest.io.outputs import OutputFolder
except ImportError:  # the writer of main at 0bc83f4, for the "before" figures
    OutputFolder = None
from leathernest.nest import nest, warm_up
from leathernest.search.stop import StopToken


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("job")
    parser.add_argument("--time", type=float, default=10.0)
    parser.add_argument("--solution", help="a solution.json of the job to write instead of nesting")
    parser.add_argument("--save", help="write the nested solution here")
    args = parser.parse_args()
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    job = dataclasses.replace(load_job(args.job), time_limit_s=args.time)
    t_nest = 0.0
    if args.solution:
        from leathernest.io.solution_json import read_solution

        read = read_solution(args.solution)
        solution = getattr(read, "solution", read)  # main at 0bc83f4 returned the Solution
    else:
        warm_up()
        t0 = time.perf_counter()
        solution = nest(job, stop=StopToken(args.time))
        t_nest = time.perf_counter() - t0
        if args.save:
            from leathernest.io.solution_json import write_solution

            write_solution(args.save, job, solution)
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        cuts = write_cutter_dxf(job, solution, tmp)
        t_dxf = time.perf_counter() - t1
        reported = measured = 0.0
        for c in cuts:
            hide = next((h for h in job.hides if h.id == c.hide_id), None)
            corner = (0.0, 0.0) if hide is None else hide.outline.bbox[:2]
            m = dxf_travel_mm(c.path, corner)
            reported += c.travel_mm
            measured += m
            print(f"  {c.path.name}: {len(c.order)} pieces, travel reported "
                  f"{c.travel_mm / 1000:.2f} m, measured from the file {m / 1000:.2f} m")
        routing = sum(getattr(c, "routing_s", 0.0) for c in cuts)
        t2 = time.perf_counter()
        if OutputFolder is None:
            write_outputs(Path(tmp) / "all", job, solution)
        else:
            with OutputFolder(Path(tmp) / "all") as folder:
                folder.claim()
                write_outputs(folder, job, solution)
        t_all = time.perf_counter() - t2
    print(f"{job.name}: nest {t_nest:.2f} s (--time {args.time:g}), cutter files {t_dxf:.2f} s "
          f"for {len(cuts)} file(s) (routing {routing:.2f} s), all outputs {t_all:.2f} s; travel "
          f"reported {reported / 1000:.2f} m, measured {measured / 1000:.2f} m")


if __name__ == "__main__":
    main()
