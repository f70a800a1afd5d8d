"""Commands signalled at a moment they define, not after a guessed number of seconds.

Starting Python, loading the kernels and preparing a job take what they take on a loaded
machine, so a test that signals a command waits for what the command shows:

- :class:`Searching`: the command's stderr is a terminal, so it draws its progress line as soon
  as the search has a layout; :meth:`Searching.wait` returns when that line appears. The
  terminal is read until the command ends: a full terminal would block it.
- :func:`wait_until_it_hears`: the command has set its handler for a signal (Linux: the caught
  mask in ``/proc/PID/status``). Until then Python ends a process by SIGTERM or SIGHUP, which
  no command can help (``leathernest.cli.entry`` sets the handler first thing).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GUARD_S = 300.0  # a hang guard: no healthy run takes this long to show its first layout


@dataclass(frozen=True)
class Ended:
    """How the command ended: exit code, standard output and what it wrote on the terminal."""

    returncode: int
    stdout: str
    terminal: str


class Searching:
    """``leathernest ARGS`` started with its stderr on a terminal; kill it when leaving."""

    def __init__(self, *args: object, preexec_fn: Callable[[], None] | None = None) -> None:
        self._terminal, tty = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "leathernest.cli", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=tty, text=True,
                                     preexec_fn=preexec_fn)
        os.close(tty)
        self.said = b""

    def _hear(self, wait_s: float) -> None:
        if select.select([self._terminal], [], [], wait_s)[0]:
            with contextlib.suppress(OSError):  # EIO: the command has closed its terminal
                self.said += os.read(self._terminal, 4096)

    def wait(self, guard_s: float = GUARD_S) -> None:
        """Return once the search shows its progress line (it has a layout to keep)."""
        t0 = time.monotonic()
        while b" placed" not in self.said:
            assert self.proc.poll() is None, self.said.decode(errors="replace")
            assert time.monotonic() - t0 < guard_s, "no progress line (a hang guard)"
            self._hear(0.2)

    def stop(self, sig: int, guard_s: float = GUARD_S) -> Ended:
        """Send ``sig`` and wait for the command to end."""
        self.proc.send_signal(sig)
        t0 = time.monotonic()
        while self.proc.poll() is None:
            assert time.monotonic() - t0 < guard_s, "the command did not end (a hang guard)"
            self._hear(0.2)
        self._hear(0.0)
        assert self.proc.stdout is not None
        return Ended(self.proc.returncode, self.proc.stdout.read(),
                     self.said.decode(errors="replace"))

    def __enter__(self) -> Searching:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        os.close(self._terminal)


def wait_until_it_hears(proc: subprocess.Popen, sig: int, guard_s: float = GUARD_S) -> None:
    """Return once the command ``proc`` runs has a handler for ``sig`` (caught, not the default).

    Between fork and exec the child is a copy of this process, handlers included; so the check
    reads the command line first (exec has happened: the command runs) and then the caught
    signals (of the command, as exec is never undone).
    """
    proc_dir = Path(f"/proc/{proc.pid}")
    t0 = time.monotonic()
    while True:
        if b"leathernest.cli" in (proc_dir / "cmdline").read_bytes():
            caught = next((int(line.split()[1], 16)
                           for line in (proc_dir / "status").read_text().splitlines()
                           if line.startswith("SigCgt:")), 0)
            if caught >> (sig - 1) & 1:
                return
        assert proc.poll() is None, "the command ended before it set its handler"
        assert time.monotonic() - t0 < guard_s, "no handler set (a hang guard)"
        time.sleep(0.01)
