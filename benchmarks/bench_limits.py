"""The clock's promises of the command line, measured: a time limit holds, a signal ends a run soon.

These need the clock, so they are benchmarks, not unit tests (a unit test must not depend on how
fast or loaded the machine is; ``tests/test_hostile_limits.py`` asserts the same runs' exit codes,
lines and files). Each runs ``leathernest`` in a subprocess, records its seconds in
``extra_info`` and asserts a bound several times what the project machine takes under load, so a
run that ignores its limit fails here while a busy machine does not. Group ``limits``:

- ``baseline_time_limit``: ``nest tiny --engine baseline --time 0.2`` (about 20 s unlimited) ends
  its search within 3 s (15 times the limit): the baseline checks the clock inside a unit too.
- ``sigterm_grace``: a 2,000-piece strip job gets SIGTERM while it reads, compiles, prepares or
  searches (the delay counted from when the command hears SIGTERM); the command ends within 30 s
  of it (a grace of 3 s plus the writing estimate).

    .venv/bin/pytest benchmarks/bench_limits.py --benchmark-enable
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from searching import wait_until_it_hears  # the tests' folder, added just above

BASELINE_BOUND_S = 3.0
SIGTERM_BOUND_S = 30.0


def _cli(*args: object) -> list[str]:
    return [sys.executable, "-m", "leathernest.cli", *map(str, args)]


@pytest.mark.benchmark(group="limits")
def test_baseline_time_limit(benchmark, tmp_path):
    def run() -> dict:
        r = subprocess.run(_cli("nest", "tiny", "--engine", "baseline", "--time", 0.2,
                                "--out", tmp_path / f"o{time.monotonic_ns()}", "--json"),
                           capture_output=True, text=True, timeout=120, check=False)
        assert r.returncode == 1, r.stderr[-2000:]
        return json.loads(r.stdout)

    result = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["search_s"] = result["elapsed_s"]
    assert result["elapsed_s"] < BASELINE_BOUND_S
    assert {u["reason"] for u in result["unplaced"]} == {"time_limit"}


def _strip_job(tmp_path, n: int):
    pieces = [{"id": f"p{i}", "outline": [[0, 0], [3, 0], [3, 2], [0, 2]]} for i in range(n)]
    path = tmp_path / f"strip{n}.json"
    path.write_text(json.dumps({"format": "leathernest-job", "name": f"s{n}", "pieces": pieces,
                                "strip": {"height": 100}}))
    return path


@pytest.mark.benchmark(group="limits")
@pytest.mark.parametrize("delay", [0.4, 1.2, 3.0])
def test_sigterm_grace(benchmark, tmp_path, delay):
    job = _strip_job(tmp_path, 2_000)

    def run() -> float:
        proc = subprocess.Popen(_cli("nest", job, "--time", 40, "--workers", 2,
                                     "--out", tmp_path / f"o{time.monotonic_ns()}"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_until_it_hears(proc, signal.SIGTERM)
            time.sleep(delay)
            proc.send_signal(signal.SIGTERM)
            t0 = time.monotonic()
            _stdout, stderr = proc.communicate(timeout=120)
            after = time.monotonic() - t0
        finally:
            proc.kill()
        assert proc.returncode == 130, (proc.returncode, stderr[-2000:])
        return after

    after = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["after_signal_s"] = after
    assert after < SIGTERM_BOUND_S
