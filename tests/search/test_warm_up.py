"""warm_up must reach every kernel a search of its kind calls, and only those.

On a fresh machine the kernels compile inside warm_up. A kernel it does not reach is compiled (or
loaded) inside the user's next time limit instead: the first real run on a machine then loses a
minute to compiling (round 2 measured exactly this). The check runs in a fresh interpreter: after
``warm_up(kind)``, a budgeted search of that kind must not need one kernel more.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from leathernest.search import warm

CHECK = r"""
import importlib, json, pkgutil, sys
import leathernest.collision.kernels as ck, leathernest.search.kernels as sk
from leathernest.collision import records
from leathernest.nest import nest, warm_up
from leathernest.search.stop import StopToken
from leathernest.io.instance import load_job

def dispatchers():
    mods = [records] + [importlib.import_module(f"{pkg.__name__}.{m.name}")
                        for pkg in (ck, sk) for m in pkgutil.iter_modules(pkg.__path__)]
    return {f"{m.__name__}.{n}": d for m in mods for n, d in vars(m).items()
            if hasattr(d, "overloads") and getattr(d, "py_func", None) is not None
            and d.py_func.__module__ == m.__name__}

kind, job = sys.argv[1], sys.argv[2]
warm_up((kind,))
before = {n: len(d.overloads) for n, d in dispatchers().items()}
nest(load_job(job), stop=StopToken(600.0, effort=40_000))
after = {n: len(d.overloads) for n, d in dispatchers().items()}
print(json.dumps({"new": sorted(n for n in after if after[n] > before.get(n, 0)),
                  "warmed": sorted(n for n in before if before[n])}))
"""


@pytest.mark.parametrize(("kind", "job"), [("hides", "tiny"), ("strip", "albano")])
def test_a_search_after_the_warm_up_needs_no_kernel_more(kind, job):
    out = subprocess.run([sys.executable, "-c", CHECK, kind, job], capture_output=True,
                         text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["new"] == [], f"{kind}: the search loaded kernels warm_up({kind}) did not"
    other = "place_lbf" if kind == "hides" else "place_bl"
    assert not any(n.endswith(other) for n in got["warmed"]), "warmed the other kind's kernels"


def test_parts_come_after_what_they_call():
    for kinds in (("hides",), ("strip",), ("strip", "hides")):
        order = warm.parts_for(kinds)
        for i, name in enumerate(order):
            assert all(a in order[:i] for a in warm.PARTS[name].after), (kinds, order)
    assert "hides_construct" not in warm.parts_for(("strip",))
    assert "strip_construct" not in warm.parts_for(("hides",))
