"""The kernels each kind of job uses, in parts that compile apart: the search's warm-up.

A first run on a machine compiles the Numba kernels (then they load from the on-disk cache in a
fraction of a second). :func:`leathernest.nest.warm_up` runs the :data:`PARTS` a job needs before
the clock starts. Each part drives real code paths on a tiny layout, so every kernel a search of
that kind calls is compiled (or loaded) by the part that owns it; a test holds that a budgeted
search after the warm-up compiles nothing more. A part comes after the parts whose kernels its
own kernels call (Numba compiles a kernel with the code of everything it calls).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from leathernest.collision.engine import CollisionEngine
from leathernest.collision.fixtures import exercise_all_kernels
from leathernest.collision.kernels.query import query
from leathernest.config import DEFAULT_CONFIG, SeparatorConfig
from leathernest.model import FREE_ROTATION, Hide, Job, Outline, Piece, Strip
from leathernest.search.construct import construct_array, place_copy
from leathernest.search.hides import HideProblem
from leathernest.search.items import build_items
from leathernest.search.kernels import construct as kc
from leathernest.search.kernels import sample as ks
from leathernest.search.kernels import separate as ksep
from leathernest.search.kernels.rng import seeded
from leathernest.search.layout import Layout
from leathernest.search.separate import Separator
from leathernest.search.stop import StopToken
from leathernest.search.strip import StripProblem

# Work budget of the separation part: enough for a few iterations on three overlapping squares.
SEPARATE_EFFORT = 20_000
_SQUARE = Outline.of([[0, 0], [10, 0], [10, 10], [0, 10]])


def _layout(job: Job) -> Layout:
    """A tiny layout of the job on a sheet of its hides (or its strip), every container open."""
    n = sum(p.n_copies for p in job.pieces)
    if isinstance(job.stock, Strip):
        eng = CollisionEngine.for_strip(job.stock, length=60.0, gap_mm=job.gap_mm,
                                        margin_mm=job.edge_margin, max_pieces=n)
        containers: list[Hide | None] = [None]
        reference: float | None = 0.0
    else:
        eng = CollisionEngine.for_sheet(list(job.hides), gap_mm=job.gap_mm,
                                        margin_mm=job.margin_mm, max_pieces=n)
        containers, reference = list(job.hides), None
    items = build_items(job, eng, reference, DEFAULT_CONFIG.hides.move)
    return Layout(items, eng, containers)


def _job(strip: bool) -> Job:
    pieces = (Piece("a", _SQUARE, demand=3, rotations=FREE_ROTATION),)
    if strip:
        return Job("warm-up", pieces, Strip(15.0))
    hide = Hide("h", Outline.of([[0, 0], [40, 0], [40, 40], [0, 40]]), backbone=[[0, 20], [40, 22]])
    return Job("warm-up", pieces, (hide,))


def engine_part() -> None:
    """The engine's own queries from Python (feasibility, overlap, batches, moves)."""
    exercise_all_kernels()


def _overlapping(track: bool = True) -> Layout:
    """Three squares on top of each other on a tiny strip: every copy collides.

    Without ``track`` the losses are not computed (a part that does not own the tracker must not
    compile it).
    """
    lay = _layout(_job(strip=True))
    for k in range(lay.items.n):
        lay.put(k, np.array([0.0, 0.0, 20.0, 7.5, 0.0, 0.0]), track=track)
    return lay


def tracker_part() -> None:
    """The overlap tracker and the separator's restore (Python calls them too)."""
    lay = _overlapping()
    lay.relocate(0, 21.0, 7.5)
    lay.rebuild_tracker()
    ksep.restore_layout(lay.arrays, lay.place.copy())


def position_part() -> None:
    """The position search of one copy (a move, and an insertion of a closed hide's pieces)."""
    lay = _overlapping(track=False)
    out = np.zeros(6)
    ks.search_position(lay.arrays, 0, lay.place[0], True, lay.sheet, lay.items.params[0],
                       lay.tracker.w_ext[0], lay.tracker.w_pair[0], seeded(0), out)


def separator_part() -> None:
    """The separator loop (after ``position`` and ``tracker``, whose kernels it calls)."""
    lay = _overlapping()
    sep = Separator(lay, SeparatorConfig(iter_no_improve=5, strikes=1), seeded(0))
    sep.separate(StopToken(600.0, effort=SEPARATE_EFFORT))


def _construct(lattice: bool) -> None:
    job = _job(strip=not lattice)
    stop = StopToken(600.0)
    if lattice:
        problem = HideProblem(job, DEFAULT_CONFIG.hides, 0, stop)
        lay = problem.layout
        lay.set_closed(0, False)
        problem.reach(0)
    else:
        lay = StripProblem(job, DEFAULT_CONFIG.strip, 0, stop).layout  # turns hulls in Python
    box = lay.engine.static.container_box[0]
    place_copy(lay, 0, box, construct_array(DEFAULT_CONFIG.hides.construct), seeded(0), stop,
               samples=0 if lattice else 20)


def hides_construct_part() -> None:
    """The bottom-left lattice of the first layout on hides."""
    _construct(lattice=True)


def strip_construct_part() -> None:
    """The sampled fill of the first layout on a strip."""
    _construct(lattice=False)


class Part(NamedTuple):
    """What a part runs, its entry kernel, what it must come after, and its cold cost."""

    run: Callable[[], None]
    entry: Any  # the dispatcher whose cache entry says the part is compiled
    after: tuple[str, ...]
    cost: float  # CPU seconds to compile it cold on the development machine (the order)


PARTS: dict[str, Part] = {
    "position": Part(position_part, ks.search_position, (), 13.0),
    "tracker": Part(tracker_part, ksep.tracker_row, (), 13.0),
    "separator": Part(separator_part, ksep.separate, ("position", "tracker"), 6.0),
    "hides_construct": Part(hides_construct_part, kc.place_bl, (), 9.0),
    "strip_construct": Part(strip_construct_part, kc.place_lbf, (), 9.0),
    "engine": Part(engine_part, query, (), 2.0),
}
SEARCH = ("position", "tracker", "separator", "engine")
KINDS = {"strip": (*SEARCH, "strip_construct"), "hides": (*SEARCH, "hides_construct")}


def parts_for(kinds: tuple[str, ...]) -> list[str]:
    """The parts the kinds of job ("strip", "hides") need, in an order that works in one process.

    Each part comes after what it must come after; otherwise the most costly first.
    """
    names = sorted({p for kind in kinds for p in KINDS[kind]}, key=lambda p: (-PARTS[p].cost, p))
    order: list[str] = []
    while names:
        ready = next(p for p in names if all(a in order or a not in names for a in PARTS[p].after))
        order.append(ready)
        names.remove(ready)
    return order


def cached(name: str) -> bool:
    """Whether the part's entry kernel is in the on-disk cache for its current source.

    Reads Numba's cache index (not a public API: any surprise counts as "not cached", which only
    costs starting the compiling processes).
    """
    try:
        return bool(PARTS[name].entry._cache._cache_file._load_index())
    except Exception:
        return False


def run_parts(names: list[str]) -> None:
    """Run the named parts in this process (compiling, or loading from the cache)."""
    for name in names:
        PARTS[name].run()


__all__ = ["KINDS", "PARTS", "Part", "cached", "parts_for", "run_parts"]
