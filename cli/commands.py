"""The list of commands the group registers; one line per command module."""

from __future__ import annotations

import click


def all_commands() -> list[click.Command]:
    """Every command of the CLI, in the order ``--help`` lists them."""
    from leathernest.cli import (
        bench_cmd,
        check_cmd,
        class_cmd,
        classroom_cmd,
        datasets_cmd,
        demo_cmd,
        exercise_cmd,
        import_cmd,
        nest_cmd,
        remnants_cmd,
        score_cmd,
        train_cmd,
    )

    return [nest_cmd.command, check_cmd.command, demo_cmd.command, import_cmd.command,
            datasets_cmd.command, score_cmd.command, train_cmd.command, classroom_cmd.command,
            exercise_cmd.command, class_cmd.command, bench_cmd.command, remnants_cmd.command]
