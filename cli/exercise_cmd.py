"""``leathernest exercise``: a graded exercise for the trainer, reproducible by seed."""

from __future__ import annotations

import click

from leathernest.cli.common import SEED, handle_errors, writing


@click.command("exercise")
@click.option("--level", type=click.IntRange(1, 4), required=True,
              help="1 plain pieces on a clean hide, 2 faults and grades, 3 croupon first with "
                   "grain, 4 a full wallet order with pairs.")
@click.option("--seed", type=SEED, default=0, show_default=True,
              help="Which exercise of the level: the same seed gives the same exercise.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True,
              help="Folder for job.json and EXERCISE.md (created when missing).")
@handle_errors
def command(level: int, seed: int, out_dir: str) -> None:
    """Write a graded exercise: an order from the pattern library on generated hides.

    job.json is ready for `leathernest train`; EXERCISE.md is the trainee's task sheet (what the
    level practises, the order, the hides, how to start).

    \b
    Examples:
      leathernest exercise --level 1 --seed 3 --out ex1
      leathernest train ex1/job.json
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.train.exercises import make_exercise, write_exercise

    ex = make_exercise(level, seed)
    with writing("--out", out_dir):
        paths = write_exercise(out_dir, ex)
    pieces = sum(p.n_copies for p in ex.job.pieces)
    click.echo(f"{ex.name}: {pieces} pieces on {len(ex.job.hides)} hide(s) -> "
               f"{', '.join(str(p) for p in paths)}")
