"""One-line progress displays on stderr, for terminals only (never in pipes or with --quiet).

:class:`ProgressLine` also keeps every report it is given (the search reports when it improves),
so the HTML report can plot the anytime curve whether or not anything was shown.
"""

from __future__ import annotations

import sys
import time

import click


class ProgressLine:
    """Redraws one stderr line at most every ``interval_s``: elapsed, time left, best figure."""

    def __init__(self, time_limit_s: float, enabled: bool, interval_s: float = 0.25) -> None:
        self.limit = time_limit_s
        self.enabled = enabled and sys.stderr.isatty()
        self.interval = interval_s
        self.last = 0.0
        self.width = 0
        self.curve: list = []  # every Progress received, in order

    def __call__(self, progress) -> None:  # a leathernest.search.stop.Listener
        """Keep the report and show the newest one (rate-limited)."""
        self.curve.append(progress)
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        filled = int(20 * min(progress.elapsed_s / self.limit, 1.0)) if self.limit else 20
        bar = "#" * filled + "." * (20 - filled)
        parts = [f"[{bar}] {progress.elapsed_s:5.1f}/{self.limit:g} s",
                 f"{progress.placed}/{progress.demanded} placed"]
        if progress.density is not None:
            parts.append(f"density {progress.density:.2%}")
        if progress.hides_used is not None:
            parts.append(f"{progress.hides_used} hide(s)")
        if progress.utilisation is not None:
            parts.append(f"utilisation {progress.utilisation:.2%}")
        if progress.phase:
            parts.append(progress.phase)
        text = "  ".join(parts)
        self.width = max(self.width, len(text))
        click.echo("\r" + text.ljust(self.width), err=True, nl=False)

    def close(self) -> None:
        """End the line so later messages start on their own."""
        if self.enabled and self.last:
            click.echo("", err=True)


class FileProgress:
    """``writing cutter files k/n`` on one stderr line while the DXF files are routed, written."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        """Show how many of the files are written."""
        if self.enabled:
            click.echo(f"\rwriting cutter files {done}/{total} (cutting order routed)", err=True,
                       nl=False)
            self.shown = True

    def close(self) -> None:
        """End the line."""
        if self.shown:
            click.echo("", err=True)
