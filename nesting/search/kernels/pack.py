"""Python-side packing of per-piece arrays into the typed lists the search kernels index.

A typed list of C-contiguous arrays keeps every kernel on the same array types as the engine's
own queries (slices of one pooled array would be non-contiguous and compile a second
specialisation of every collision kernel).
"""

from __future__ import annotations

from collections.abc import Iterable

from numba.typed import List


def typed_list(items: Iterable) -> List:
    """A numba typed list of the items (arrays, or tuples of arrays of one type each)."""
    out = List()
    for it in items:
        out.append(it)
    return out
