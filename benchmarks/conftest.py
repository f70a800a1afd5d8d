"""Shared set-up of the pytest-benchmark suites in this folder.

- The suites are called ``bench_*.py`` (they are not tests): :func:`pytest_collect_file` collects
  them when ``pytest benchmarks`` runs, unless the ini file already lists that pattern.
- :func:`warm_kernels` compiles (or loads from the on-disk cache) every Numba kernel once per
  session, before any timing, so that no benchmark is charged for compilation.
- :func:`pytest_benchmark_update_machine_info` writes the library versions and the commit into every
  saved run (``.benchmarks/``), so a comparison always says what it compares.
- :func:`bundled_job` loads a bundled instance by name, once per session.

Save a baseline and compare: see benchmarks/README.md.
"""

from __future__ import annotations

import fnmatch
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


def pytest_collect_file(file_path, parent):
    patterns = parent.config.getini("python_files")
    if file_path.suffix != ".py" or not file_path.name.startswith("bench_"):
        return None
    # a file named on the command line is collected by pytest itself, whatever its name
    if not parent.session.isinitpath(file_path) and not any(
            fnmatch.fnmatch(file_path.name, p) for p in patterns):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_benchmark_update_machine_info(config, machine_info):
    from leathernest.bench.machine import git_commit, library_versions
    from leathernest.bench.peers import source_root

    machine_info["leathernest"] = {"versions": library_versions(),
                                   "commit": git_commit(source_root()),
                                   "cpu_count": os.cpu_count()}


@pytest.fixture(scope="session", autouse=True)
def warm_kernels() -> float:
    """Seconds the once-per-run warm-up took (0 when there is no collision package)."""
    try:
        from leathernest.collision.jit import warmup
    except ImportError:
        return 0.0
    return warmup()


@pytest.fixture(scope="session")
def bundled_job():
    """``bundled_job(name)``: the job of a bundled instance, loaded once per session."""
    from leathernest.io.instance import load_job

    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load_job(name)
        return cache[name]

    return get
