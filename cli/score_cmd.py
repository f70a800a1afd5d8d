"""``leathernest score JOB HAND_LAYOUT``: the trainee mode, a hand layout judged and compared."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from leathernest.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO,
    SEED,
    TIME,
    StopSignals,
    compile_note,
    effort_option,
    emit_json,
    err,
    handle_errors,
    json_option,
    new_out_dir,
)

FEEDBACK_LINES = 8  # per-piece feedback lines in the text summary; compare.html lists them all


@click.command("score")
@click.argument("job")
@click.argument("hand_layout", type=click.Path(dir_okay=False))
@click.option("--time", "time_s", type=TIME, default=None,
              help="Time for the engine's layout in seconds (default: the job's, else 60).")
@effort_option
@click.option("--seed", type=SEED, default=None, help="Engine seed (default: the job's, else 0).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for compare.html and both solutions (default: a new folder named "
                   "after the job).")
@click.option("-q", "--quiet", is_flag=True, help="No notes on stderr.")
@json_option
@handle_errors
def command(job: str, hand_layout: str, time_s: float | None, effort: int | None,
            seed: int | None, out_dir: str | None, quiet: bool, as_json: bool) -> None:
    """Score a trainee's HAND_LAYOUT for JOB and compare it with the engine's layout.

    HAND_LAYOUT is a DXF with the pieces drawn where they are cut (closed polylines on any layer;
    a text inside an outline may name its piece; a layer named after a hide puts its outlines on
    that hide), or a solution JSON: as written by `leathernest nest`, or made by hand with only
    the placed "polygon" of each piece. Each outline is matched to a job piece, by name where
    given, else by shape (mirror, rotation and position are recovered). Then the layout is checked
    with the exact validator (overlap, gap, outside the hide, margin, on a defect, below grade,
    rotation, mirror, grain off, pairs and groups, pieces missing) and compared with the engine's
    layout for the same job and time: utilisation, leather and money saved at the hide's price,
    pieces missing.

    Writes compare.html (both layouts side by side, rule breaks in red), hand_solution.json and
    engine_solution.json into --out. Exits 0 when the hand layout is valid, 1 when it breaks a rule
    or an outline is not a piece, 2 on bad input.

    \b
    Examples:
      leathernest score job.json trainee.dxf --time 10 --out score
      leathernest score job.json hand.json --json
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.io.hand_layout import read_hand_layout
    from leathernest.io.html_compare import write_compare
    from leathernest.io.instance import load_job
    from leathernest.io.outputs import OutputFolder
    from leathernest.io.solution_json import write_solution
    from leathernest.nest import nest, preflight, stop_token
    from leathernest.scoring.score import score_layout, score_to_json

    with StopSignals() as signals:
        the_job = load_job(job)
        changes = {k: v for k, v in (("time_limit_s", time_s), ("seed", seed)) if v is not None}
        the_job = dataclasses.replace(the_job, **changes)
        preflight(the_job, job)
        layout = read_hand_layout(hand_layout)  # bad input fails before the engine runs
        with OutputFolder(Path(out_dir) if out_dir else new_out_dir(the_job.name, "score")) as out:
            out.claim()
            signals.keep()  # from here a signal keeps the best layout
            note = (lambda _msg: None) if quiet or as_json else err
            for warning in layout.warnings:  # what the DXF reader noticed (units assumed, ...)
                note(f"leathernest: warning: {Path(hand_layout).name}: {warning}")
            note(f"running the engine for up to {the_job.time_limit_s:g} s to compare ...")
            compile_note(quiet or as_json, the_job)
            stop = signals.watch(stop_token(the_job, effort))
            engine = nest(the_job, stop=stop)
            signals.search_returned()
            score = score_layout(the_job, layout, engine)

            def write(stage: Path) -> dict:
                write_compare(stage / "compare.html", score, hand_layout)
                write_solution(stage / "hand_solution.json", the_job, score.hand)
                write_solution(stage / "engine_solution.json", the_job, engine)
                return {"compare": "compare.html", "hand_solution": "hand_solution.json",
                        "engine_solution": "engine_solution.json"}

            paths = out.commit(write, {"job": the_job.name})
    if as_json:
        emit_json({**score_to_json(score, hand_layout, paths, stop.interrupted),
                   "warnings": list(layout.warnings)})
    else:
        for line in summary_lines(score, hand_layout):
            click.echo(line)
        note(f"wrote {', '.join(str(p) for p in paths.values())}")
    if stop.interrupted:
        err("leathernest: interrupted; the engine's best layout so far was used")
        sys.exit(EXIT_INTERRUPTED)
    if not score.valid:
        sys.exit(EXIT_NO)


def summary_lines(score, hand_name: str) -> list[str]:
    """The short text summary: verdict, rules broken, outlines, missing pieces, figures."""
    from leathernest.scoring.compare import comparison_lines

    n = len(score.violations)
    lines = [f"{hand_name}: {'valid' if not n else f'{n} rule(s) broken'} "
             f"({len(score.hand.placements)} pieces placed by hand)"]
    lines += [f"  {v}" for v in score.violations]
    m = score.matches
    by: dict[str, int] = {}
    for x in m.matched:
        by[x.by] = by.get(x.by, 0) + 1
    how = ", ".join(f"{k} by {kind}" for kind, k in sorted(by.items()))
    extra = f"; {len(m.unmatched)} not a piece" if m.unmatched else ""
    extra += f"; {len(m.set_aside)} set aside" if m.set_aside else ""
    lines.append(f"outlines: {len(m.matched)} matched ({how}){extra}")
    missing = score.comparison["hand"]["missing"]
    if missing:
        lines.append("missing: " + ", ".join(f"{x['name']} x{x['count']}" for x in missing))
    lines += comparison_lines(score.job, score.comparison)
    if score.feedback:
        lines.append("where the leather went (biggest first):")
        lines += [f"  {f['kind']}: {f['message']}" for f in score.feedback[:FEEDBACK_LINES]]
        if len(score.feedback) > FEEDBACK_LINES:
            lines.append(f"  ... {len(score.feedback) - FEEDBACK_LINES} more in compare.html")
    if score.hint:
        lines.append(f"hint: {score.hint}")
    return lines
