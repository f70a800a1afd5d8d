"""The command line's first module: signals are heard before anything else is imported.

Python ends a process by SIGTERM or SIGHUP (exit 143 or 129) until a handler is set, and the
command's modules take a few tenths of a second to import; this module sets the handler first
(a KeyboardInterrupt, as Ctrl-C gives), and unblocks the signals a parent may have blocked, so
that a signal at any moment after the interpreter started ends the command with exit 130 and one
line (README "Exit codes").
"""

import contextlib
import os
import signal
import sys

EXIT_INTERRUPTED = 130
_ending = False  # the command is ending with exit 130: further signals change nothing
_heard = False  # a signal came: an error that follows it is its consequence, not a bug


def heard() -> None:
    """Record that a signal came (also for handlers set later, which do not raise at once)."""
    global _heard
    _heard = True


def _interrupt(_sig: int, _frame: object) -> None:
    heard()
    if not _ending:
        raise KeyboardInterrupt


def signalled() -> bool:
    """Whether a signal came: a native import or call it broke fails with another error."""
    return _heard


def run() -> None:
    """The ``leathernest`` command (the console script and ``python -m leathernest.cli``)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored (a `&` job)
        signal.signal(signal.SIGINT, _interrupt)  # the same KeyboardInterrupt, and it is heard
    # A process inherits its parent's blocked signals across exec (a tool, or a test runner caught
    # in a moment that blocks them): a blocked SIGTERM would wait, pending, until the run ended.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        from leathernest.cli.main import main

        main()
    except KeyboardInterrupt:  # while importing, or a second signal while ending on the first
        end_interrupted("leathernest: interrupted")
    except SystemExit as exc:
        if exc.code == EXIT_INTERRUPTED:
            end_interrupted()
        raise
    except Exception:
        if _heard:  # an import a signal broke inside a C extension fails with an ImportError
            end_interrupted("leathernest: interrupted")
        raise


def end_interrupted(line: str | None = None) -> None:
    """End the process now with exit 130 (after ``line`` on stderr), deaf to further signals.

    Not through the interpreter's exit: CPython 3.11 can set its "unhandled KeyboardInterrupt"
    flag for an interrupt this module did catch (seen for 3 of 60 SIGTERMs 0.1 to 0.4 s after
    the start, while modules import), and at exit then ends the process by SIGINT (-2) instead of
    with its code. Python also puts its signal handlers back to their default action while it
    shuts down, so a second signal then would end it by that signal. The outputs are written
    and closed before this is called; workers end with their parent.
    """
    global _ending
    _ending = True
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    if line:
        with contextlib.suppress(Exception):
            sys.stderr.write(line + "\n")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(EXIT_INTERRUPTED)
