"""The one kernel decorator and the two fastmath flag sets.

Every kernel is declared ``@kernel(EXACT)`` or ``@kernel(FAST)`` (a test parses the sources and
fails otherwise, as stumpy's ``fastmath.py`` does):

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

One set of argument types per kernel: Numba compiles a kernel called from another one once more
for every literal it is called with (``f(x, 0)`` and ``f(x, True)`` compile ``f`` for
``Literal[int](0)`` and ``Literal[bool](True)`` beside ``int64`` and ``bool``), and each
specialisation of a kernel that reaches the collision query costs seconds on a cold start.
:func:`kernel` types every argument of a call between kernels by its plain type, so a caller may
write ``0`` and ``True``.

Nothing here compiles at import; :func:`leathernest.nest.warm_up` compiles (or loads from the
on-disk cache) the kernels a kind of job uses, before any clock starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit, types

EXACT = False
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}  # a set, as numba requires

# An int64 zero for kernel arguments that must not be a literal (see the module docstring): kernel
# calls are typed without literals anyway; this one is kept where a value, not a call, is passed.
ZERO = np.int64(0)


def kernel(fastmath: bool | set[str], inline: str = "never") -> Callable[[Callable], Any]:
    """``@njit`` with the project's options: cached on disk, GIL released, one typing per argument.

    ``inline="always"`` inlines the kernel into a kernel that calls it (no compiled unit of its
    own there): for a helper with one call site on a hot path.
    """

    def decorate(fn: Callable) -> Any:
        disp = njit(cache=True, nogil=True, fastmath=fastmath, inline=inline)(fn)
        typed = disp.get_call_template

        def plain_types(args: tuple, kws: dict) -> Any:
            return typed(tuple(types.unliteral(a) for a in args),
                         {k: types.unliteral(v) for k, v in kws.items()})

        disp.get_call_template = plain_types
        return disp

    return decorate

