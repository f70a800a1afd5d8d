"""Worker processes end with the process that started them, whatever ends it.

A worker busy in a long native call (a shapely operation, a kernel) never reads its queue, and
SIGKILL of its parent runs no clean-up, so workers would outlive it: search workers, the class
server's check and engine workers alike. :func:`end_with_parent` asks the kernel to SIGKILL the
worker when its parent dies (Linux: ``prctl(PR_SET_PDEATHSIG)``), and everywhere starts a daemon
thread that checks every ``interval_s`` that the parent is still the worker's parent (a native
call holding the GIL delays that check; the kernel's signal is not delayed).

The parent's pid is given, not read here: a child that starts after its parent was killed would
read its new parent's. Imports the standard library only.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_S = 0.5  # how often a worker looks whether its parent is still there


def end_with_parent(parent_pid: int, interval_s: float = WATCH_S) -> None:
    """End this process (exit 1) when the process ``parent_pid`` is no longer its parent."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was asked for
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval_s)
        os._exit(1)

    threading.Thread(target=watch, name="leathernest-parent-watch", daemon=True).start()


__all__ = ["end_with_parent"]
