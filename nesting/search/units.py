"""Units of placement: the copies that must go together, in the order the engines place them.

A unit is one copy, a left/right pair (``Mirror.PAIR``: two copies, one mirrored, from the same
hide), or a same-hide group (pieces sharing ``group``: shade matching). Every engine (baseline,
strip and hide search) places whole units, so a pair or a group is never split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from leathernest.geometry.orient import mirror_options
from leathernest.geometry.shapes import usable_region
from leathernest.model import Hide, Job, Mirror, Objective, Piece, hide_cost


@dataclass(frozen=True, slots=True)
class PieceCopy:
    """One copy of a piece to place, with the mirror states it may take."""

    piece: Piece
    copy: int
    mirrors: tuple[bool, ...]


def make_units(job: Job) -> list[list[PieceCopy]]:
    """Copies grouped into what must go together, most demanding first.

    Order: mandatory before optional, higher priority first, then the pieces that need the best
    leather (they compete for the croupon; cutters cut them first), then larger area first (the
    first-fit-decreasing order of constructive heuristics). Strips have no pairs or groups and no
    grades: one strip is one material.
    """
    groups: dict[str, list[PieceCopy]] = {}
    units: list[list[PieceCopy]] = []
    for p in job.pieces:
        copies = [PieceCopy(p, k, mirror_options(p, k)) for k in range(p.n_copies)]
        if p.group is not None and not job.is_strip:
            groups.setdefault(p.group, []).extend(copies)
        elif p.mirror is Mirror.PAIR and not job.is_strip:
            units += [copies[k:k + 2] for k in range(0, len(copies), 2)]
        else:
            units += [[c] for c in copies]
    units += list(groups.values())

    def need(u: list[PieceCopy]) -> float:
        """How good the leather must be: the best grade only (None) first, then higher grades."""
        grades = [c.piece.min_grade for c in u]
        return -math.inf if any(g is None for g in grades) else -max(grades)  # type: ignore

    def key(u: list[PieceCopy]) -> tuple:
        p = u[0].piece
        return (p.optional, -max(c.piece.priority for c in u), need(u),
                -sum(c.piece.area for c in u))

    return sorted(units, key=key)


def cost_per_area(h: Hide) -> float:
    """Price of a hide per mm² of its gross area (0 when it has no price)."""
    return (hide_cost(h) or 0.0) / max(h.area, 1e-9)


def hide_order(job: Job) -> list[Hide]:
    """The order in which hides are opened, so the layout uses few or cheap hides.

    For a cost objective, the lowest cost per mm² first (the larger hide among equals); otherwise
    the largest usable area first.
    """
    if job.objective is Objective.MIN_COST:
        return sorted(job.hides, key=lambda h: (cost_per_area(h), -h.area))
    return sorted(job.hides, key=lambda h: -usable_region(h).area)
