"""The ``leathernest`` click group: one module per command, registered here.

Commands import the library inside their bodies so that ``leathernest --help`` starts instantly and
never imports numba, shapely, ortools or ezdxf.

Exit codes (one place, :mod:`leathernest.cli.common`): 0 success, 1 ran but the answer is "no"
(pieces left unplaced, or ``check`` found violations), 2 bad input or usage, 3 internal error,
130 interrupted.
"""

from __future__ import annotations

import click

from leathernest._version import __version__
from leathernest.cli.common import OneLineErrors

EPILOG = """\b
Exit codes: 0 success; 1 pieces left unplaced or check found violations;
2 bad input or usage; 3 internal error (please report);
130 interrupted (Ctrl-C, SIGTERM, SIGHUP: the best layout so far is written).
"""


@click.group(cls=OneLineErrors, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="leathernest")
def main() -> None:
    """Nest leather-goods pieces on hides with defects and grades, or on a strip.

    Start with `leathernest demo`, then `leathernest nest JOB --out DIR`.
    """


def _register() -> None:
    # Each command module exposes a click command called ``command``.
    from leathernest.cli import commands

    for cmd in commands.all_commands():
        main.add_command(cmd)


_register()
