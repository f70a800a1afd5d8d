"""Run the matrix: serially in this process, or one Dask task per cell, gathered as they finish.

Dask (``dask[distributed]``, the optional extra ``bench``) is imported only inside functions.

- Local cluster (the default): ``n_workers = cores // threads_per_task`` worker *processes*, one
  thread each, so a cell that asks for K threads (``--workers K``: leathernest's portfolio
  processes, spyrrow's threads) has K cores to itself, and runs never share an interpreter's GIL.
  Each worker also advertises the resource ``threads = K`` and every task asks for K, so the same
  code means the same thing on a real cluster.
- Existing cluster (``--scheduler ADDRESS``): when every worker advertises a ``threads`` resource
  (``dask worker ADDRESS --nthreads 1 --resources threads=8``), tasks ask for ``threads = K``
  and the scheduler packs them by it; otherwise every worker thread takes one task, and the caller
  is told so (``notes``).

Workers are started non-daemonic (``distributed.worker.daemon: False``) because a leathernest run
with ``workers > 1`` forks its own search processes, which daemonic processes may not do.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from leathernest.bench.peers import Peer
from leathernest.bench.runs import RunSpec, failed_row, run_one

OnResult = Callable[[dict], None]


@dataclass
class Execution:
    """How the runs were executed (for the report) and any note for the user."""

    mode: str  # "serial", "local-dask" or "dask"
    n_workers: int = 1
    threads_per_task: int = 1
    scheduler: str = ""
    notes: list[str] = field(default_factory=list)


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def run_serial(specs: list[RunSpec], peers: dict[str, Peer], layout_dir: str, commit: str,
               on_result: OnResult | None = None) -> list[dict]:
    """Run every cell in this process, one after the other."""
    rows = []
    for spec in specs:
        row = run_one(spec, peers, layout_dir, commit)
        rows.append(row)
        if on_result is not None:
            on_result(row)
    return rows


def local_workers(threads_per_task: int, cores: int | None = None) -> int:
    """Worker processes of a local cluster: as many K-thread runs as the cores hold (at least 1)."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, threads_per_task))


def run_dask(specs: list[RunSpec], peers: dict[str, Peer], layout_dir: str, commit: str,
             scheduler: str | None = None, n_workers: int | None = None,
             on_result: OnResult | None = None) -> tuple[list[dict], Execution]:
    """Submit one task per cell to a local or existing cluster; rows in completion order."""
    import dask
    from distributed import Client, LocalCluster, as_completed

    threads = max((s.workers for s in specs), default=1)
    cluster = None
    if scheduler:
        client = Client(scheduler)
        info = client.scheduler_info()["workers"]
        sized = bool(info) and all("threads" in w.get("resources", {}) for w in info.values())
        ex = Execution("dask", len(info), threads, scheduler)
        if not sized:
            ex.notes.append("the cluster's workers advertise no 'threads' resource: each worker "
                            "thread takes one run (start workers with --nthreads 1, or with "
                            f"--resources threads=N to run {threads}-thread tasks side by side)")
    else:
        n = n_workers or local_workers(threads)
        with dask.config.set({"distributed.worker.daemon": False}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   resources={"threads": threads}, dashboard_address=":0")
        client = Client(cluster)
        sized = True
        ex = Execution("local-dask", n, threads)
    try:
        resources = {"threads": threads} if sized else None
        futures = {client.submit(run_one, spec, peers, layout_dir, commit, key=f"bench-{spec.key}",
                                 resources=resources, pure=False): spec for spec in specs}
        rows = []
        for future in as_completed(futures):
            try:
                row = future.result()
            except Exception as exc:  # the worker died or lost the task: record, go on
                row = failed_row(futures[future], commit, exc)
            rows.append(row)
            if on_result is not None:
                on_result(row)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows, ex
