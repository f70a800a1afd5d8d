"""Shared Numba options: the two fastmath flag sets and :func:`warmup`.

Every ``@njit`` in :mod:`leathernest.collision.kernels` names one of :data:`EXACT` or :data:`FAST`
(a test parses the sources and fails otherwise, as stumpy's ``fastmath.py`` does).

- :data:`EXACT` for anything that decides feasibility (orientation, segment intersection,
  point-in-ring, containment): ``contract`` could fuse a multiply-add and flip the sign of a
  near-zero cross product, and ``nnan``/``ninf`` would delete the NaN guards.
- :data:`FAST` for loss arithmetic only (the pole overlap proxy): stumpy's set, which keeps NaN and
  inf semantics.

One deliberate mix, allowed in one direction only: an EXACT kernel may call a FAST leaf that returns
a loss (never a decision). fastmath flags are attached per LLVM instruction, so inlining the leaf
cannot change the caller's predicates.

Stale caches: Numba's on-disk cache checks only the source file of the function it caches, not
of the kernels it calls. After editing a kernel module, delete the ``*.nbi``/``*.nbc`` files under
``nesting/collision/**/__pycache__`` and ``nesting/search/__pycache__`` (or point
``NUMBA_CACHE_DIR`` at an empty directory), or callers in other files keep the old machine code.
An installed release is unaffected: its files, and so their timestamps, change together.

Nothing here compiles at import; :func:`warmup` compiles (or loads from the on-disk cache) every
kernel on a tiny fixture. This module imports numba only inside :func:`warmup`'s callees.
"""

from __future__ import annotations

import numpy as np

EXACT = False
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}  # a set, as numba requires

# Options shared by every kernel: compiled on first call, cached on disk, GIL released so a caller
# may run kernels from threads (each thread with its own engine scratch buffers).
NJIT_OPTIONS = {"cache": True, "nogil": True}

# Integer arguments passed between kernels as int64 values, not Python literals: Numba compiles a
# callee once more for each literal it is called with (Literal[int](0) beside int64), and the
# batch query kernel costs seconds per extra specialisation on a cold start.
ZERO = np.int64(0)
ONE = np.int64(1)


def warmup() -> float:
    """Compile every kernel on a tiny fixture; returns the seconds it took.

    Call it once at the start of a long run (or in a benchmark's setup) so that the first real query
    does not pay the compilation; with a warm on-disk cache it only loads the machine code.
    """
    import time

    # Lazy: an import cycle (every kernel module imports this one for its options, and
    # fixtures -> engine -> kernels).
    from leathernest.collision.fixtures import exercise_all_kernels

    t0 = time.perf_counter()
    exercise_all_kernels()
    return time.perf_counter() - t0
