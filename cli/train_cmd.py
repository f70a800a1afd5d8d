"""``leathernest train JOB``: one person nests JOB by hand (the class server, with one exercise)."""

from __future__ import annotations

import dataclasses
import json
import tempfile
from pathlib import Path

import click

from leathernest.cli.classroom_cmd import workers_option
from leathernest.cli.common import err, handle_errors

DB_FILE = "classroom.sqlite"


@click.command("train")
@click.argument("job")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; 0.0.0.0 lets tablets on the workshop network in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option("--time", "time_s", type=click.FloatRange(min=1.0, max=600.0), default=None,
              help="Time for the engine's layout in seconds (default: the job's, at most 600).")
@click.option("--seed", type=int, default=None, help="Engine seed (default: the job's).")
@click.option("--engine-solution", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Compare with this layout of the job instead of running the engine.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Keep the work in DIR/classroom.sqlite (every attempt, by trainee; read it "
                   "with `leathernest class DIR` or `leathernest classroom --db`). Default: a "
                   "temporary database, gone when the server stops.")
@click.option("--no-snap", is_flag=True,
              help="Switch snapping to neighbours and the hide's edge off (and its toggle).")
@workers_option
@handle_errors
def command(job: str, host: str, port: int, no_browser: bool, time_s: float | None,
            seed: int | None, engine_solution: str | None, out_dir: str | None,
            no_snap: bool, workers: int | None) -> None:
    """Serve a page where a trainee nests JOB by hand, every rule checked live.

    The page draws the hide to scale (grade zones, faults, backbone) with the order's pieces in
    a tray: drag them on, rotate (R, Shift+R; [ and ] for fine turns where allowed), mirror (M,
    where allowed), take back (Delete or drag to the tray), undo and redo (Ctrl+Z, Ctrl+Y); on a
    tablet a finger drags, two fingers zoom, and the toolbar does the rest. Each move is checked
    with the exact validator's rules and a broken rule is shown on the piece in plain words.
    Submit scores the layout against the engine's layout of the same order, computed meanwhile
    in the background. The page speaks English, Portuguese, Spanish, Romanian, Polish and
    Italian.

    This is `leathernest classroom` with one class and JOB as its open exercise: the trainer's
    page (printed) shows the attempts. Serves until Ctrl-C; the page loads nothing from the
    network.

    \b
    Examples:
      leathernest train datasets/examples/demo_wallets.json
      leathernest exercise --level 2 --seed 7 --out ex2
      leathernest train ex2/job.json --out ex2
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.io.instance import load_job
    from leathernest.io.job_json import job_to_json
    from leathernest.io.solution_json import solution_text
    from leathernest.train.checking import WorkPool
    from leathernest.train.classapp import Classroom
    from leathernest.train.serve import serve
    from leathernest.train.session import given_engine, job_payload
    from leathernest.train.store import database_url, open_store

    the_job = load_job(job)
    changes = {k: v for k, v in (("time_limit_s", time_s), ("seed", seed)) if v is not None}
    the_job = dataclasses.replace(the_job, **changes)
    job_payload(the_job)  # a strip job is refused here, before anything is served
    given = None if engine_solution is None else given_engine(the_job, engine_solution)
    tmp = None
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="leathernest-train-")
        folder = Path(tmp.name)
    else:
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / DB_FILE)
    try:
        store = open_store(db)
        key = store.trainer_key(None)
        text = json.dumps(job_to_json(the_job))
        cls, eid = _class_of(store, the_job.name, text,
                             min(max(the_job.time_limit_s, 1.0), 600.0))
        if given is not None:
            store.set_engine(eid, "ready", solution_json=solution_text(the_job, given))
        store.set_state(eid, "open")
        pool = WorkPool(database_url(db), 1 if workers is None else workers)
        room = Classroom(store, pool, key, snap=not no_snap)
        if out_dir is not None:
            err(f"keeping the work in {db}")
        serve(room, host, port, err, open_path=None if no_browser else f"?code={cls['code']}",
              code=cls["code"])
    finally:
        if tmp is not None:
            tmp.cleanup()


def _class_of(store, name: str, job_text: str, time_s: float) -> tuple[dict, int]:
    """The class and exercise of this job in the database: found again, or made."""
    for cls in store.classes():
        if cls["name"] != name[:120]:
            continue
        for ex in store.exercises(cls["id"]):
            if store.job_json(ex["id"]) == job_text:
                return cls, ex["id"]
    cls = store.create_class(name[:120] or "train")
    ex = store.add_exercise(cls["id"], name[:120] or "exercise", job_text, time_s)
    return cls, ex["id"]
