"""A xorshift64* generator in a uint64[1] array, so a kernel run is reproducible from its seed.

Numba's own ``np.random`` state is per thread and not part of the search state; carrying the
generator in an array makes every kernel call a pure function of its inputs, whatever process or
thread runs it, and lets the Python reference of the separator draw exactly the same numbers.
"""

from __future__ import annotations

import numpy as np

from leathernest.collision.jit import EXACT, kernel


@kernel(EXACT)
def next_u01(rng) -> float:
    """A uniform float in [0, 1) from the state rng (uint64[1]), advanced in place."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    y = (x * np.uint64(2685821657736338717)) >> np.uint64(11)
    return float(y) * (1.0 / 9007199254740992.0)


@kernel(EXACT)
def next_int(rng, n: int) -> int:
    """A uniform int in [0, n)."""
    k = int(next_u01(rng) * n)
    return min(k, n - 1)


@kernel(EXACT)
def shuffle(rng, a, n: int) -> None:
    """Fisher-Yates shuffle of a[:n] (int64) in place."""
    for i in range(n - 1, 0, -1):
        j = next_int(rng, i + 1)
        t = a[i]
        a[i] = a[j]
        a[j] = t


def seeded(seed: int) -> np.ndarray:
    """A generator state from an integer seed (never the all-zero state)."""
    s = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)
    return np.array([s[0] | np.uint64(1)], dtype=np.uint64)
