"""A one-line progress display on stderr, for terminals only (never in pipes or with --quiet)."""

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

    def __call__(self, progress) -> None:  # a leathernest.search.stop.Listener
        """Show the newest progress report (rate-limited)."""
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
