"""What the benchmark scripts of this folder share: run header, JSONL log, CPU hog, spreads.

Why a module: ``hides_peers.py``, ``strip_peers.py``, ``bench_search.py`` and ``bench_collision.py``
all write a markdown table and a JSONL log that say under which conditions the figures were taken
(commit, cores, load, library versions), and two of them run a CPU hog beside the search. One
implementation of each, here. The scripts run as ``python benchmarks/<script>.py`` (this folder is
then first on ``sys.path``), or are collected by pytest (``conftest.py`` puts it there).

Nothing here touches the search: figures come from :func:`leathernest.nest.nest` (which validates
every layout) and from the peers' layouts checked by :mod:`leathernest.bench.peer_check`.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from leathernest.bench.machine import git_commit, library_versions
from leathernest.bench.peers import PEERS_DIR_ENV, Peer, find_peer
from leathernest.errors import SolutionInvalidError
from leathernest.model import Job, Solution
from leathernest.nest import nest
from leathernest.search.parallel import usable_cores

ROOT = Path(__file__).resolve().parents[1]


def header(script: str, args: object) -> dict:
    """The conditions of a run: script, arguments, commit, machine, load, versions, start time."""
    return {
        "script": script,
        "args": dict(vars(args)) if args is not None else {},
        "commit": git_commit(ROOT),
        "cores": usable_cores(),
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
        "versions": library_versions(("leathernest", "numpy", "numba", "shapely")),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def header_line(head: dict) -> str:
    """The header as one markdown line for the top of a table."""
    v = head["versions"]
    return (f"commit {head['commit'][:12]}, {head['cores']} cores, load {head['loadavg_1m']} "
            f"at start, python {head['python']}, numba {v.get('numba')}, shapely "
            f"{v.get('shapely')}, started {head['started']}")


def shared_dir(*parts: str) -> Path | None:
    """``<ancestor>/shared/<parts>`` for the nearest ancestor of the checkout that has it."""
    for anc in ROOT.parents:
        p = anc.joinpath("shared", *parts)
        if p.exists():
            return p
    return None


def find_peer_here(engine: str) -> Peer:
    """A peer as :func:`leathernest.bench.peers.find_peer` finds it, with the scripts also looked
    for in the nearest ``shared/peers`` above the checkout (a worktree sits deeper than
    ``../shared``)."""
    folder = os.environ.get(PEERS_DIR_ENV) or shared_dir("peers")
    return find_peer(engine, peers_dir=folder)


class JsonlLog:
    """Appends one JSON object a line: the run header first, then every result as it comes.

    Written as results arrive (and flushed), so a long sweep that is cut short keeps what it did.
    """

    def __init__(self, path: str | Path | None, head: dict) -> None:
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.write({"header": head})

    def write(self, row: dict) -> None:
        """Append one row."""
        if self.path is None:
            return
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, default=_plain) + "\n")


def _plain(v: object) -> object:
    """JSON for what ``json`` does not know (numpy scalars, paths, tuples)."""
    if hasattr(v, "item"):
        return v.item()  # type: ignore[union-attr]
    return str(v)


def write_text(path: str | Path | None, text: str) -> None:
    """Write the table (creating folders); nothing when no path is given."""
    if path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its waited-for children.

    Worker processes of a parallel search are children that the search joins, so their CPU time
    is counted once they have ended.
    """
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


_HOG_CODE = "while True:\n    pass\n"


@contextmanager
def cpu_hog(n: int | None = None) -> Iterator[list[int]]:
    """Run ``n`` busy-loop processes (default: one per usable core) while the block runs.

    They are separate interpreters (the GIL is not shared) and are killed, by their own process
    ids, when the block ends, however it ends. Their CPU time is not counted by
    :func:`cpu_seconds`: they are killed, never waited for as results.
    """
    n = usable_cores() if n is None else n
    procs = [subprocess.Popen([sys.executable, "-c", _HOG_CODE], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(n)]
    try:
        time.sleep(0.2)  # let them reach their loop
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(timeout=10)


@contextmanager
def condition(name: str) -> Iterator[None]:
    """``quiet``: nothing beside the run; ``hog``: :func:`cpu_hog` beside it."""
    if name == "hog":
        with cpu_hog():
            yield
    elif name == "quiet":
        yield
    else:
        raise ValueError(f"unknown condition {name!r}")


def parse_list(text: str, kind: type = str) -> list:
    """``"0,1,2"`` -> [0, 1, 2] (empty items dropped)."""
    return [kind(t) for t in text.split(",") if t.strip()]


def geomean(values: Sequence[float]) -> float:
    """Geometric mean of the positive values (nan when there is none)."""
    vals = [v for v in values if v is not None and v > 0 and math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in vals) / len(vals)) if vals else math.nan


def spread(values: Sequence[float | None], fmt: str = "{:.2f}") -> str:
    """``mean (min-max)`` of the values present, or ``-``; a single value alone."""
    vals = [v for v in values if v is not None and math.isfinite(v)]
    if not vals:
        return "-"
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return fmt.format(mean)
    return f"{fmt.format(mean)} ({fmt.format(min(vals))}-{fmt.format(max(vals))})"


def pct(v: float | None, digits: int = 2) -> str:
    """A share as a percentage, or ``-``."""
    return "-" if v is None or not math.isfinite(v) else f"{100.0 * v:.{digits}f}"


def nest_recorded(job: Job, row: dict, **kwargs: object) -> Solution | None:
    """:func:`leathernest.nest.nest`, or None with ``row["error"]`` saying what broke.

    A benchmark records a failed run (an invalid layout first of all) and goes on with the next.
    """
    try:
        return nest(job, **kwargs)
    except SolutionInvalidError as exc:
        row["error"] = f"INVALID LAYOUT: {exc}"
    except Exception as exc:  # a benchmark records what broke and goes on
        row["error"] = f"{type(exc).__name__}: {exc}"
    return None


def num(v: float | None, fmt: str = "{:.2f}") -> str:
    """A figure for a table cell, "-" when there is none."""
    return "-" if v is None else fmt.format(v)
