"""``python -m leathernest.cli``: the same as the ``leathernest`` command."""

from leathernest.cli.entry import run

run()
