"""The command line's first module: signals are heard before anything else is imported.

Python ends a process by SIGTERM or SIGHUP (exit 143 or 129) until a handler is set, and the
command's modules take a few tenths of a second to import; this module sets the handler first
(a KeyboardInterrupt, as Ctrl-C gives) so that a signal at any moment after the interpreter
started ends the command with exit 130 and one line (README "Exit codes").
"""

import signal
import sys


def _interrupt(_sig: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run() -> None:
    """The ``leathernest`` command (the console script and ``python -m leathernest.cli``)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        from leathernest.cli.main import main
    except KeyboardInterrupt:
        sys.stderr.write("leathernest: interrupted\n")
        sys.exit(130)
    main()
