"""``leathernest train JOB``: the trainer, a local page where a trainee nests the order by hand."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from leathernest.cli.common import err, handle_errors


@click.command("train")
@click.argument("job")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; 0.0.0.0 lets tablets on the workshop network in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option("--time", "time_s", type=click.FloatRange(min=0.1), default=None,
              help="Time for the engine's layout in seconds (default: the job's).")
@click.option("--seed", type=int, default=None, help="Engine seed (default: the job's).")
@click.option("--engine-solution", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Compare with this layout of the job instead of running the engine.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Collect submissions here: <trainee>.json per trainee, with job.json and "
                   "engine_solution.json, ready for `leathernest class`.")
@click.option("--no-snap", is_flag=True,
              help="Switch snapping to neighbours and the hide's edge off (and its toggle).")
@handle_errors
def command(job: str, host: str, port: int, no_browser: bool, time_s: float | None,
            seed: int | None, engine_solution: str | None, out_dir: str | None,
            no_snap: bool) -> None:
    r"""Serve a page where a trainee nests JOB by hand, every rule checked live.

    The page draws the hide to scale (grade zones, defects, backbone) with the order's pieces in
    a tray: drag them on, rotate (R, Shift+R; [ and ] for fine turns where allowed), mirror (M,
    where allowed), take back (Delete or drag to the tray), undo and redo (Ctrl+Z, Ctrl+Y); on a
    tablet the toolbar does the same. Each move is checked by the exact validator and a broken
    rule is shown on the piece. Submit scores the layout against the engine's layout of the same
    order, computed meanwhile in the background: leather consumed, first and second waste, the
    remnant kept, best leather on lower-grade pieces, money, and where each gap wastes leather.
    The layout saves as solution JSON and as cutter DXF.

    Serves until Ctrl-C. Everything is local: the page loads nothing from the network.

    \b
    Examples:
      leathernest train datasets/examples/demo_wallets.json
      leathernest exercise --level 2 --seed 7 --out ex2
      leathernest train ex2/job.json --host 0.0.0.0 --out ex2/submissions
    """
    from leathernest.io.instance import load_job
    from leathernest.train.serve import serve
    from leathernest.train.session import EngineRun, Trainer, given_engine

    the_job = load_job(job)
    changes = {k: v for k, v in (("time_limit_s", time_s), ("seed", seed)) if v is not None}
    the_job = dataclasses.replace(the_job, **changes)
    given = None if engine_solution is None else given_engine(the_job, engine_solution)
    trainer = Trainer(the_job, EngineRun(the_job, the_job.time_limit_s, given),
                      snap=not no_snap, out_dir=None if out_dir is None else Path(out_dir))
    serve(trainer, host, port, open_browser=not no_browser, say=err)
