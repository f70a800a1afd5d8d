"""A tiny hide and strip that exercise the engine's queries once (warm-up and tests)."""

from __future__ import annotations

import numpy as np

from leathernest.collision.engine import CollisionEngine
from leathernest.model import Hide, Outline, Zone


def tiny_hide() -> Hide:
    """A 100 x 80 hide with a hole and two zones (grade 0 and grade 2)."""
    outer = [(0, 0), (100, 0), (100, 80), (50, 90), (0, 80)]
    hole = [(70, 60), (80, 60), (80, 70), (70, 70)]
    zones = (
        Zone(Outline.of([(10, 10), (20, 10), (20, 20), (10, 20)]), 0),
        Zone(Outline.of([(40, 40), (60, 40), (60, 50), (40, 50)]), 2),
    )
    return Hide("tiny", Outline.of(outer, [hole]), zones)


def square(side: float = 10.0) -> Outline:
    """A square with its local origin at its centre."""
    h = side / 2
    return Outline.of([(-h, -h), (h, -h), (h, h), (-h, h)])


def exercise_all_kernels() -> None:
    """Run every public query once on a hide and a strip, with gap < 2 margin and gap > 2 margin."""
    samples = np.array([[0.0, 0.0, 30.0, 30.0], [90.0, 1.0, 5.0, 5.0]], dtype=np.float64)
    for gap, margin in ((1.0, 1.0), (2.0, 0.5)):
        hide = CollisionEngine.for_hide(tiny_hide(), gap_mm=gap, margin_mm=margin, max_pieces=4)
        strip = CollisionEngine.for_strip(40.0, 100.0, gap_mm=gap, margin_mm=margin, max_pieces=4)
        for eng in (hide, strip):
            sq = eng.prepare(square())
            eng.add(0, sq, 0.0, False, 30.0, 30.0)
            eng.move(0, 45.0, True, 31.0, 30.0)
            eng.feasible(sq, 0.0, False, 35.0, 30.0)
            eng.overlap(sq, 0.0, False, 35.0, 30.0)
            eng.batch_feasible(sq, samples)
            eng.batch_loss(sq, samples, upper_bound=1e9)
            eng.remove(0)
