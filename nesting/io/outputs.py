"""The output folder of a run: claimed before the search, written as one set, never mixed.

:class:`OutputFolder` claims ``--out`` before any search runs: it creates the folder (saying so
with exit code 2 when it cannot: a read-only place, ``/proc/x``, a name too long), takes an
exclusive lock on it (a second run into the same folder is refused) and removes temporaries that
a killed run left behind. :meth:`OutputFolder.commit` writes every file of the run into a
temporary folder inside it, moves them into place with signals held back, removes the files of
the previous run that this run does not replace, and writes ``manifest.json`` last: a folder
with a manifest holds one complete run, and a folder without one an incomplete run.

:func:`write_outputs` is the set ``nest`` and ``demo`` write: the cutter-ready DXF per hide
copy (first: their cutting order is drawn in the pictures), the job as nested (``job.json``: the
input with every command-line override applied, so ``check`` and ``remnants`` can be run on it),
the solution JSON, the SVG picture and the HTML report.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from leathernest.errors import InputError
from leathernest.io.atomic import write_atomic
from leathernest.io.cutter_profile import DEFAULT_PROFILE, CutterProfile
from leathernest.io.dxf_out import write_cutter_dxf
from leathernest.io.html_report import write_report
from leathernest.io.job_json import job_to_json
from leathernest.io.solution_json import write_solution
from leathernest.io.svg import write_svg
from leathernest.model import Job, Solution

MANIFEST = "manifest.json"
STAGE_PREFIX = ".leathernest-stage-"
# Temporaries of write_atomic (".<name>.<8 random>.tmp") left by a killed run.
_STALE_TMP = re.compile(r"^\..+\.(json|svg|html|dxf)\.[A-Za-z0-9_]{8}\.tmp$")
_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}

# What validating and writing a layout costs per placed copy, seconds: a fixed part and a part
# per vertex of its outline, twice on hides (the leather per grade, the remnants, one DXF per
# hide). Fitted to benchmarks/io_scale.py and benchmarks/scale.py on the 2-core project machine
# under other developers' load: 0.8-1.0 ms per 4-vertex rectangle, 1.6-1.8 ms per pattern piece
# (25 vertices on average) on a strip, 3.9 ms on hides (README "Limits"). Routing the cutter
# files is bounded on its own (leathernest.io.dxf_out.ROUTE_TIME_LIMIT_S) and, with the fixed
# costs of starting, belongs to the allowance of the time limit.
WRITE_S_PER_COPY = 0.00075
WRITE_S_PER_VERTEX = 0.00004
WRITE_HIDES_FACTOR = 2.0

# What a commit's writer returns: {kind: file name or list of file names}, relative to the stage.
Written = dict[str, str | list[str]]


class OutputFolder:
    """A run's output folder: created, locked and cleaned by :meth:`claim`, filled by commit.

    Use as a context manager around the whole run; leaving it unlocks the folder and removes it
    again when this run created it and wrote nothing into it.
    """

    def __init__(self, path: str | Path, option: str = "--out") -> None:
        self.path = Path(path)
        self.option = option
        self._fd: int | None = None
        self._created = False

    def _refuse(self, problem: str) -> InputError:
        return InputError(f"{self.option} {self.path}: {problem}",
                          hint=f"choose another {self.option} folder")

    def claim(self) -> OutputFolder:
        """Create (if needed), lock and clean the folder; InputError when it cannot be used."""
        try:
            if self.path.exists() and not self.path.is_dir():
                raise self._refuse("exists and is not a folder")
            self._created = not self.path.exists()
            self.path.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            self._created = False
            raise self._refuse(f"cannot create or open it ({exc.strerror})") from None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise self._refuse("another leathernest run is writing into it") from None
        self._clean_stale()
        try:  # the probe: a run must not search for minutes and then fail to write
            shutil.rmtree(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.path))
        except OSError as exc:
            self.release()
            raise self._refuse(f"cannot write into it ({exc.strerror})") from None
        return self

    def _clean_stale(self) -> None:
        for entry in self.path.iterdir():
            with contextlib.suppress(OSError):
                if entry.name.startswith(STAGE_PREFIX) and entry.is_dir():
                    shutil.rmtree(entry)
                elif _STALE_TMP.match(entry.name) and entry.is_file():
                    entry.unlink()

    def commit(self, write: Callable[[Path], Written], about: dict | None = None) -> Written:
        """Write a run's files with ``write(stage)`` and move them into the folder as one set.

        Returns the same mapping with paths inside the folder (and the manifest's path).
        """
        try:
            stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.path))
        except OSError as exc:
            raise self._refuse(f"cannot write into it ({exc.strerror})") from None
        try:
            written = write(stage)
            names = [n for v in written.values() for n in ([v] if isinstance(v, str) else v)]
            old = self._previous_files()
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            try:
                with contextlib.suppress(FileNotFoundError):
                    (self.path / MANIFEST).unlink()
                for name in names:
                    os.replace(stage / name, self.path / name)
                for name in sorted(old - set(names)):
                    with contextlib.suppress(OSError):
                        (self.path / name).unlink()
                manifest = {"format": "leathernest-outputs", "version": 1, **(about or {}),
                            "files": written}
                write_atomic(self.path / MANIFEST, json.dumps(manifest, indent=1) + "\n")
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        except OSError as exc:
            raise self._refuse(f"writing failed ({exc.strerror})") from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        self._created = False

        def inside(v: str | list[str]) -> str | list[str]:
            return str(self.path / v) if isinstance(v, str) else [str(self.path / n) for n in v]

        return {**{k: inside(v) for k, v in written.items()}, "manifest": str(self.path / MANIFEST)}

    def _previous_files(self) -> set[str]:
        """File names the previous run's manifest lists (plain names inside the folder only)."""
        try:
            files = json.loads((self.path / MANIFEST).read_text("utf-8"))["files"]
            names = [n for v in files.values() for n in ([v] if isinstance(v, str) else v)]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return set()
        return {n for n in names if isinstance(n, str) and n == Path(n).name and n != MANIFEST}

    def release(self) -> None:
        """Unlock; remove the folder when this run created it and it stayed empty."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._created:
            with contextlib.suppress(OSError):
                self.path.rmdir()
            self._created = False

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def writing_estimate_s(job: Job) -> float:
    """Seconds that validating and writing a layout of this job takes (its size-dependent part)."""
    per_copy = sum(p.n_copies * (WRITE_S_PER_COPY + WRITE_S_PER_VERTEX * (
        len(p.outline.outer) + sum(len(h) for h in p.outline.holes))) for p in job.pieces)
    return per_copy * (1.0 if job.is_strip else WRITE_HIDES_FACTOR)


def write_outputs(folder: OutputFolder, job: Job, solution: Solution, *,
                  profile: CutterProfile = DEFAULT_PROFILE, dxfversion: str = "R2000",
                  stop: Callable[[], bool] | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  curve: Sequence = ()) -> Written:
    """Write every output of a run into the claimed folder; returns {kind: path or [paths]}.

    ``profile`` and ``dxfversion`` shape the cutter files; ``stop`` and ``progress`` are handed
    to :func:`leathernest.io.dxf_out.write_cutter_dxf` (no routing after Ctrl-C; files written);
    ``curve`` is the search's progress reports (``search.stop.Progress``: elapsed time, density
    or utilisation and hides), plotted in the HTML report.
    """

    def write(stage: Path) -> Written:
        cuts = write_cutter_dxf(job, solution, stage, profile=profile, dxfversion=dxfversion,
                                stop=stop, progress=progress)
        orders = {(c.hide_id, c.hide_copy): c.order for c in cuts}
        write_atomic(stage / "job.json", json.dumps(job_to_json(job), indent=1) + "\n")
        write_solution(stage / "solution.json", job, solution)
        write_svg(stage / "layout.svg", job, solution, cut_orders=orders)
        write_report(stage / "report.html", job, solution, cuts, curve)
        return {"job": "job.json", "solution": "solution.json", "svg": "layout.svg",
                "report": "report.html", "dxf": [Path(c.path).name for c in cuts]}

    return folder.commit(write, {"job": job.name})
