"""``leathernest class DIR``: a trainer's summary of a class's submissions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from leathernest.cli.common import compile_note, err, fail_input, handle_errors


@click.command("class")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("--job", "job_path", default=None,
              help="The job (default: job.json in SUBMISSIONS, as `train --out` writes it).")
@click.option("--engine-solution", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The engine's layout to compare with (default: engine_solution.json in "
                   "SUBMISSIONS, else the engine runs now).")
@click.option("--time", "time_s", type=click.FloatRange(min=0.1), default=None,
              help="Time for the engine when it must run, seconds (default: the job's).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for class.csv and class.html (default: SUBMISSIONS).")
@click.option("--exercise", "exercise_id", type=click.IntRange(min=1), default=None,
              help="With a class server's database in SUBMISSIONS (classroom.sqlite, as `train "
                   "--out` keeps it): the exercise to summarise (default: the last one).")
@handle_errors
def command(submissions: str, job_path: str | None, engine_solution: str | None,
            time_s: float | None, out_dir: str | None, exercise_id: int | None) -> None:
    """Score every trainee's layout in SUBMISSIONS and list the mistakes the class shares.

    SUBMISSIONS is a folder of hand layouts (any `leathernest score` reads, with job.json and
    optionally engine_solution.json), or the folder `leathernest train --out` keeps its
    database in (classroom.sqlite: each trainee's latest attempt is summarised).
    Writes class.csv (one row per trainee: points, validity, leather consumed, first and second
    waste, remnant kept, best leather misused, money, rules broken) and class.html (the scores,
    the common mistakes, each layout beside the engine's).

    \b
    Example:
      leathernest train job.json --host 0.0.0.0 --out submissions
      leathernest class submissions
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.io.instance import load_job
    from leathernest.nest import nest
    from leathernest.search.stop import StopToken
    from leathernest.train.classroom import score_class, submission_files, write_class
    from leathernest.train.session import given_engine

    folder = Path(submissions)
    if (folder / "classroom.sqlite").exists() and not job_path:
        job, engine, entries = _from_database(folder / "classroom.sqlite", exercise_id)
        _report(write_class(Path(out_dir) if out_dir else folder, job, engine, entries), entries)
        return
    job_file = Path(job_path) if job_path else folder / "job.json"
    if not job_path and not job_file.exists():
        fail_input(f"{folder}: no job.json - pass --job JOB")
    job = load_job(job_file)
    if time_s is not None:
        job = dataclasses.replace(job, time_limit_s=time_s)
    files = submission_files(folder)
    if not files:
        fail_input(f"{folder}: no submissions (.json or .dxf layouts) - nothing to summarise")
    engine_file = engine_solution or (folder / "engine_solution.json")
    if Path(engine_file).exists():
        engine = given_engine(job, str(engine_file))
    else:
        err(f"no engine layout in {folder}: running the engine for {job.time_limit_s:g} s ...")
        compile_note(False, job)
        engine = nest(job, stop=StopToken(job.time_limit_s))
    entries = score_class(job, engine, files)
    _report(write_class(Path(out_dir) if out_dir else folder, job, engine, entries), entries)


def _from_database(db: Path, exercise_id: int | None):
    """The job, the engine's layout and each trainee's latest attempt from a class database."""
    from leathernest.io.solution_json import solution_from_json
    from leathernest.train.checking import stored_job
    from leathernest.train.classroom import score_attempts
    from leathernest.train.store import open_store

    store = open_store(str(db))
    try:
        exercises = [ex for c in store.classes() for ex in store.exercises(c["id"])]
        if not exercises:
            fail_input(f"{db}: no exercise in this database - nothing to summarise")
        ex = exercises[-1] if exercise_id is None else next(
            (x for x in exercises if x["id"] == exercise_id), None)
        if ex is None:
            fail_input(f"{db}: no exercise {exercise_id} - there are "
                       f"{', '.join(str(x['id']) for x in exercises)}")
        job = stored_job(store.job_json(ex["id"]), ex["id"])
        text = store.engine_json(ex["id"])
        if text is None:
            fail_input(f"{db}: the engine's layout of exercise {ex['id']} is not made yet - "
                       "start the server again to make it")
        engine = solution_from_json(json.loads(text), "the engine's layout", job)
        names = {t["id"]: t["name"] for t in store.trainees(ex["class_id"])}
        attempts = [store.attempt(a["id"]) for a in store.attempts(exercise_id=ex["id"])]
        if not attempts:
            fail_input(f"{db}: no attempt at exercise {ex['id']} - nothing to summarise")
        return job, engine, score_attempts(job, engine, attempts, names)
    finally:
        store.close()


def _report(paths: list[Path], entries) -> None:
    for e in entries:
        if e.score is None:
            click.echo(f"{e.trainee:24} unreadable: {e.error}")
            continue
        c = e.score.comparison
        click.echo(f"{e.trainee:24} {c['points']:6.1f} points  "
                   f"{'valid' if e.score.valid else 'not valid':9}  "
                   f"{', '.join(e.mistakes) or 'no mistakes'}")
    err(f"wrote {', '.join(str(p) for p in paths)}")
