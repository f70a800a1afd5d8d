"""One benchmark run: (instance, engine, seed, time limit, workers) -> one tidy, validated row.

:func:`run_one` is what a Dask task executes, so it takes and returns plain picklable values and
never raises: a failed run is a row with ``valid`` False and the error, and the sweep goes on.

- ``leathernest`` and ``baseline`` run in this process through :func:`leathernest.nest.nest`
  (``engine="auto"`` and ``"baseline"``), which validates exactly and raises on any violation; the
  anytime curve is recorded from the search's progress listener.
- ``sparrow`` and ``packingsolver`` run as a subprocess of their own Python (:mod:`.peers`); their
  layout is judged by :func:`leathernest.bench.peer_check.check_peer_layout`, and their figures are
  recomputed from it rather than copied from the peer's line. Their curve is the final point.

Numba kernels are compiled (or loaded from the disk cache) once per process before the first timed
run, so compilation is not charged to whichever run happens to come first on a worker.
"""

from __future__ import annotations

import dataclasses
import json
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from leathernest.bench.machine import library_versions, machine_info
from leathernest.bench.peer_check import check_peer_layout
from leathernest.bench.peers import PEERS, Peer, run_peer
from leathernest.io.instance import load_job, resolve
from leathernest.nest import nest
from leathernest.nest import warm_up as nest_warm_up
from leathernest.search.stop import Progress, StopToken

ENGINES = ("leathernest", "baseline", "sparrow", "packingsolver")
NEST_ENGINE = {"leathernest": "auto", "baseline": "baseline"}

_warm = {"done": False}


@dataclass(frozen=True)
class RunSpec:
    """One cell of the benchmark matrix."""

    instance: str  # bundled name or path, as load_job takes it
    kind: str  # "strip" or "hides"
    engine: str
    seed: int
    time_limit_s: float
    workers: int = 1

    @property
    def key(self) -> str:
        """A name unique within a sweep (Dask task key, layout file stem)."""
        stem = Path(self.instance).stem
        return f"{stem}-{self.engine}-t{self.time_limit_s:g}-s{self.seed}-w{self.workers}"


def warm_up() -> None:
    """Compile the kernels once per process, before any run's clock starts."""
    if _warm["done"]:
        return
    nest_warm_up()
    _warm["done"] = True


def _base_row(spec: RunSpec, commit: str) -> dict:
    return {
        "instance": Path(spec.instance).stem, "kind": spec.kind, "engine": spec.engine,
        "seed": spec.seed, "time_limit_s": spec.time_limit_s, "workers": spec.workers,
        "density": None, "strip_length": None, "hides_used": None, "utilisation": None,
        "placed": None, "demand": None, "valid": False, "violations": 0, "error": "",
        "wall_s": None, "peer_version": "", "started": datetime.now(UTC).isoformat(
            timespec="seconds"),
        **machine_info(), "versions": library_versions(), "commit": commit, "curve": [],
    }


def _run_leathernest(spec: RunSpec, row: dict) -> None:
    job = load_job(spec.instance)
    job = dataclasses.replace(job, seed=spec.seed, time_limit_s=spec.time_limit_s)
    warm_up()
    curve: list[list[float]] = []
    t0 = time.perf_counter()

    def listener(p: Progress) -> None:
        t = round(time.perf_counter() - t0, 3)
        if job.is_strip:
            if p.density is not None:
                curve.append([t, p.density])
        elif p.hides_used is not None:
            curve.append([t, p.hides_used, p.utilisation or 0.0])

    solution = nest(job, engine=NEST_ENGINE[spec.engine], stop=StopToken(spec.time_limit_s),
                    listener=listener, workers=spec.workers)
    row["wall_s"] = round(time.perf_counter() - t0, 3)
    m = solution.metrics
    row.update(placed=m["pieces_placed"], demand=m["pieces_demanded"], valid=True)
    if job.is_strip:
        row.update(density=m["density"], strip_length=m["strip_length"])
        curve.append([row["wall_s"], m["density"]])
    else:
        row.update(hides_used=m["hides_used"], utilisation=m["utilisation"])
        curve.append([row["wall_s"], m["hides_used"], m["utilisation"]])
    row["curve"] = curve


def _run_peer(spec: RunSpec, peer: Peer, layout_dir: Path, row: dict) -> None:
    path = resolve(spec.instance)
    job = load_job(spec.instance)
    layout_dir.mkdir(parents=True, exist_ok=True)
    layout_path = layout_dir / f"{spec.key}.layout.json"
    t0 = time.perf_counter()
    line = run_peer(peer, path, spec.time_limit_s, spec.seed, spec.workers, layout_path)
    row["wall_s"] = round(time.perf_counter() - t0, 3)
    row["peer_version"] = str(line.get("peer", f"{PEERS[peer.engine][2]} {peer.version}"))
    row["peer_time_s"] = line.get("time_s")
    row["peer_reported"] = line  # the peer's own figures, kept beside the recomputed ones
    score = check_peer_layout(job, json.loads(layout_path.read_text(encoding="utf-8")))
    row.update(placed=score.placed, demand=score.demand, valid=score.valid,
               violations=len(score.violations), layout=str(layout_path))
    if score.violations:
        row["error"] = "; ".join(score.violations[:3])
    if job.is_strip:
        row.update(density=score.density, strip_length=score.strip_length)
        row["curve"] = [[row["wall_s"], score.density]]
    else:
        row.update(hides_used=score.hides_used, utilisation=score.utilisation)
        row["curve"] = [[row["wall_s"], score.hides_used, score.utilisation]]


def failed_row(spec: RunSpec, commit: str, exc: BaseException) -> dict:
    """The row of a run that never returned (its worker died): invalid, with the error."""
    row = _base_row(spec, commit)
    row["error"] = f"{type(exc).__name__}: {exc}"
    return row


def run_one(spec: RunSpec, peers: dict[str, Peer], layout_dir: str, commit: str) -> dict:
    """Run one cell and return its row; any failure becomes ``valid`` False with the error."""
    row = _base_row(spec, commit)
    try:
        if spec.engine in NEST_ENGINE:
            _run_leathernest(spec, row)
        else:
            _run_peer(spec, peers[spec.engine], Path(layout_dir), row)
    except Exception as exc:  # a benchmark sweep records failures instead of stopping
        row["valid"] = False
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc(limit=5)
    return row
