"""The collision engine: prepared shapes, hazards, and exact and quantified queries in Numba.

Start at :mod:`leathernest.collision.engine` (``CollisionEngine``, with an example). Layout:
``prepare`` (shapely side: offsets, poles, arrays), ``simplify`` (conservative vertex removal),
``hazards`` (static hazard table and grid of a hide or strip), ``kernels/`` (@njit only), ``jit``
(the kernel decorator and its fastmath sets).

Importing this package imports nothing heavy; names are loaded on first use (PEP 562).
"""

from __future__ import annotations

from typing import Any

__all__ = ["CollisionEngine", "Overlap", "PreparedShape", "Snapshot", "prepare"]

_WHERE = {
    "CollisionEngine": "leathernest.collision.engine",
    "Overlap": "leathernest.collision.engine",
    "Snapshot": "leathernest.collision.engine",
    "PreparedShape": "leathernest.collision.prepare",
    "prepare": "leathernest.collision.prepare",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'leathernest.collision' has no attribute {name!r}")
