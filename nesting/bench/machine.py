"""Where and with what a run was made: machine, library versions and the source commit.

Every row of a benchmark carries these, taken on the process that ran it (a Dask worker may be
another machine), so that a figure can always be traced to its conditions; sparrow's
``src/bench.rs`` prints commit, time and seed first for the same reason.

Imports the standard library only.
"""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

LIBRARIES = ("leathernest", "numpy", "numba", "shapely", "ortools", "dask", "distributed")


def machine_info() -> dict[str, object]:
    """CPU count, platform, Python and host name of this process's machine."""
    return {
        "cpu_count": os.cpu_count() or 1,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "host": platform.node(),
    }


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed version of each library ("" when it is not installed)."""
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = ""
    return out


def git_commit(folder: Path | None) -> str:
    """``git rev-parse HEAD`` of the folder, with ``+dirty`` when files differ; else "unknown"."""
    if folder is None:
        return "unknown"
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False)
        if head.returncode != 0:
            return "unknown"
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain",
                                 "--untracked-files=no"], capture_output=True, text=True,
                                timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    dirty = "+dirty" if status.returncode == 0 and status.stdout.strip() else ""
    return head.stdout.strip() + dirty
