"""Reproducible benchmarks: leathernest, its baseline and the peer tools on the same instances.

``leathernest bench`` (and :func:`run_benchmark`) runs a matrix of instances x time limits x seeds x
engines on a local Dask cluster, an existing one, or serially; validates every layout (leathernest's
with :mod:`leathernest.validate`, the peers' with :mod:`leathernest.bench.peer_check`); and writes a
tidy CSV/JSON, a markdown summary and an HTML page with the curves over time.

Modules: :mod:`.peers` (finding and calling Sparrow and PackingSolver), :mod:`.runs` (one run),
:mod:`.plan` (the matrix), :mod:`.execute` (serial and Dask), :mod:`.tables` and :mod:`.plots`
(outputs), :mod:`.machine` (context), :mod:`.runner` (all of it). Importing this package loads the
standard library only; shapely, numba and dask load when a run needs them.
"""

from __future__ import annotations

from leathernest.bench.runner import BenchResult, find_peers, run_benchmark, write_outputs
from leathernest.bench.runs import ENGINES, RunSpec, run_one

__all__ = ["ENGINES", "BenchResult", "RunSpec", "find_peers", "run_benchmark", "run_one",
           "write_outputs"]
