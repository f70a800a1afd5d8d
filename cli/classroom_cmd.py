"""``leathernest classroom``: the class server, for a trainer and a class of trainees on tablets."""

from __future__ import annotations

import click

from leathernest.cli.common import err, handle_errors

DEFAULT_DB = "leathernest-classroom.sqlite"


def workers_option(f):
    """``--workers``: check processes (default: the usable cores)."""
    return click.option("--workers", type=click.IntRange(0, 64), default=None,
                        help="Processes checking the trainees' moves (default: the usable cores; "
                             "0: in the server itself).")(f)


@click.command("classroom")
@click.option("--db", default=DEFAULT_DB, show_default=True,
              help="SQLite file (made when missing), or a database URL such as "
                   "postgresql+psycopg://user@host/leathernest for a school's central server.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; 0.0.0.0 lets the class's tablets in.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--trainer-key", default=None,
              help="The trainer's key (default: the one kept in the database, else a new one).")
@workers_option
@click.option("--no-browser", is_flag=True, help="Do not open the trainer's page in a browser.")
@handle_errors
def command(db: str, host: str, port: int, trainer_key: str | None, workers: int | None,
            no_browser: bool) -> None:
    """Serve a class: the trainer's live view and the trainees' nesting page.

    The trainer opens the printed trainer's page (it carries the key), creates a class, adds
    exercises (levels 1-4 of `leathernest exercise`, or any job with hides; the engine's layout of
    each is computed once in the background) and opens them. Trainees open the server's address
    on their tablets, type the class code and their name, nest, submit and see their own
    history; the trainer sees who works on what, each score and the class's commonest
    mistakes, any layout beside the engine's, and exports a CSV.

    Everything is kept in the database (--db): classes, trainees and every attempt,
    time-stamped; nothing is overwritten, and a server restarted after a crash has it all.

    \b
    Examples:
      leathernest classroom --host 0.0.0.0
      leathernest classroom --db postgresql+psycopg://trainer@school-server/leathernest
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.cli.common import usable_cores
    from leathernest.train.checking import WorkPool
    from leathernest.train.classapp import Classroom
    from leathernest.train.serve import serve
    from leathernest.train.store import database_url, open_store

    if trainer_key is not None and not 8 <= len(trainer_key) <= 100:
        raise click.BadParameter("use 8 to 100 characters", param_hint="--trainer-key")
    store = open_store(db)
    key = store.trainer_key(trainer_key)
    pool = WorkPool(database_url(db), usable_cores() if workers is None else workers)
    room = Classroom(store, pool, key)
    serve(room, host, port, err, open_path=None if no_browser else f"trainer#key={key}")
