"""Commands that do not search compile no Numba kernel (a fresh machine pays nothing for them).

Each command runs in a fresh interpreter; afterwards every kernel of the project's modules that
holds a compiled signature is listed. A kernel is compiled, or loaded from the cache, only when
it is first called, so the list is the same on a cold and on a warm machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

COUNTING = r"""
import sys

from leathernest.cli.main import main

try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
from numba.core.registry import CPUDispatcher

ready = sorted({f"{name}.{attr}" for name, mod in list(sys.modules.items())
                if name.startswith("leathernest") for attr, obj in vars(mod).items()
                if isinstance(obj, CPUDispatcher) and obj.signatures})
print("EXIT", code, "COMPILED", len(ready), ready[:5], file=sys.stderr)
"""


def _compiles(*args: object) -> tuple[int, int, str]:
    r = subprocess.run([sys.executable, "-c", COUNTING, *map(str, args)], capture_output=True,
                       text=True, timeout=600, check=False)
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("EXIT"), r.stderr[-2000:]
    parts = last.split()
    return int(parts[1]), int(parts[3]), last


@pytest.fixture(scope="module")
def tiny_solution(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny") / "o"
    r = subprocess.run([sys.executable, "-m", "leathernest.cli", "nest", "tiny", "--engine",
                        "baseline", "--time", "3", "--out", out], capture_output=True,
                       text=True, timeout=600, check=False)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    return out / "solution.json"


def test_check_compiles_no_kernel(tiny_solution):
    code, compiled, line = _compiles("check", "tiny", tiny_solution)
    assert code in (0, 1), line
    assert compiled == 0, line


def test_import_of_a_pattern_compiles_no_kernel():
    code, compiled, line = _compiles("import", ROOT / "datasets" / "patterns" / "card_holder.dxf",
                                     "--json")
    assert code == 0, line
    assert compiled == 0, line


def test_a_search_is_counted_so_the_count_can_fail(tmp_path):
    # the same count sees the kernels a search compiles or loads: without this, a count that
    # never counts would pass the two tests above
    code, compiled, line = _compiles("nest", "tiny", "--effort", 5, "--workers", 1, "--out",
                                     tmp_path / "o")
    assert code in (0, 1), line
    assert compiled > 0, line
