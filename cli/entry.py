"""The command line's first module: signals are heard before anything else is imported.

Python ends a process by SIGTERM or SIGHUP (exit 143 or 129) until a handler is set, and the
command's modules take a few tenths of a second to import; this module sets the handler first
(a KeyboardInterrupt, as Ctrl-C gives), and unblocks the signals a parent may have blocked, so
that a signal at any moment after the interpreter started ends the command with exit 130 and one
line (README "Exit codes").
"""

import signal
import sys

_ending = False  # the command is ending with exit 130: further signals change nothing


def _interrupt(_sig: int, _frame: object) -> None:
    if not _ending:
        raise KeyboardInterrupt


def run() -> None:
    """The ``leathernest`` command (the console script and ``python -m leathernest.cli``)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    # A process inherits its parent's blocked signals across exec (a tool, or a test runner caught
    # in a moment that blocks them): a blocked SIGTERM would wait, pending, until the run ended.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        from leathernest.cli.main import main

        main()
    except KeyboardInterrupt:  # while importing, or a second signal while ending on the first
        _deaf()
        sys.stderr.write("leathernest: interrupted\n")
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:
            _deaf()
        raise


def _deaf() -> None:
    """Ignore further signals: the command is ending with exit 130 already.

    Python puts the signals it handles back to their default action while it shuts down, so a
    second signal in those moments (a SIGTERM sent twice, a loaded machine's slow exit) would
    end the process by that signal (exit 143) instead; an ignored signal stays ignored. Setting
    a handler runs the handlers of signals already received, so :func:`_interrupt` is told first.
    """
    global _ending
    _ending = True
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
