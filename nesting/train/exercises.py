"""Graded exercises for the trainer, from the pattern library and the hide generator.

Four levels, each adding what trainees practise next (``leather_domain.md`` section 7):

1. **First layout**: a few plain panels on a clean hide (no defects, any grade will do, quarter
   turns): interlock the pieces, keep the gaps at the knife's need.
2. **Mind the faults**: card holders on a goat skin with holes and scars; the pieces have grades.
   Chalk-mark the faults first, then keep every piece off them and on its grade.
3. **Croupon first, with the grain**: card holders and a zip pouch on a calf skin; every piece
   has a grain line to lay along the backbone, and the best-grade panels go into the croupon.
4. **Full wallet order**: bifold wallets and card holders as the pattern library draws them:
   left/right pairs from one hide, grain, grades and defects, on two calf skins.

Everything is drawn from one ``numpy.random.Generator`` seeded with (level, seed), so a level and
seed give the same exercise, byte for byte, on every machine where the hide generator does.
Imports numpy, the model, the hide generator and the pattern library.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leathernest.datasets.patterns.catalog import product_pieces
from leathernest.errors import InputError
from leathernest.generators import hides as hidegen
from leathernest.generators.defects import NO_DEFECTS
from leathernest.io.atomic import write_atomic
from leathernest.model import Job, Mirror, Objective, Piece, Rotations
from leathernest.train.i18n import N_

GAP_MM = 2.0  # knife clearance, as in the bundled examples (leather_domain.md section 3: 1-3 mm)
MARGIN_MM = 3.0
QUARTER_TURNS = Rotations(angles_deg=(0.0, 90.0, 180.0, 270.0))
LEVELS = (1, 2, 3, 4)
CLEAN = {"quality": NO_DEFECTS}  # level 1: a hide without defects


@dataclass(frozen=True)
class Level:
    """What a level is called, what it practises, and the engine's time for its comparison."""

    title: str
    practise: tuple[str, ...]
    engine_time_s: float


LEVEL_TEXT = {
    1: Level(N_("First layout"), (
        N_("Lay every piece on the hide; turn pieces a quarter turn where that interlocks them."),
        N_("Keep the gaps between pieces at the knife's need ({gap:g} mm), no wider: wide gaps are "
        "first waste."),
        N_("Work from one end and keep the rest of the hide in one piece: that is the remnant "
           "kept."),
    ), 10.0),
    2: Level(N_("Mind the faults"), (
        N_("Inspect the hide and chalk-mark its faults first: holes and scars (dark red) are never "
        "cut, and every piece keeps {margin:g} mm from them and from the hide's edge."),
        N_("Each piece has a grade: the best-grade pieces only on the unmarked leather, the others "
        "on their grade or better."),
        N_("Interlock the pieces and keep the gaps at {gap:g} mm."),
    ), 20.0),
    3: Level(N_("Croupon first, with the grain"), (
        N_("Start in the croupon (the unmarked leather along the backbone) with the pieces that "
           "need the best grade; lower grades go to the shoulder and belly."),
        N_("Lay every grain line (the arrow) along the backbone, within its tolerance."),
        N_("Keep off the faults and keep the gaps at {gap:g} mm."),
    ), 30.0),
    4: Level(N_("Full wallet order"), (
        N_("Pockets are cut in left/right pairs: both hands of a pair from the same hide."),
        N_("Grain along the backbone, best grade in the croupon, faults avoided."),
        N_("Use as few hides as you can, and keep what is left of each in one piece."),
    ), 60.0),
}


@dataclass(frozen=True)
class Exercise:
    """A generated exercise: the job, the hides as generated (with zone labels), the task sheet."""

    level: int
    seed: int
    job: Job
    hides: tuple[hidegen.GeneratedHide, ...]

    @property
    def name(self) -> str:
        """The job's name: ``exercise-L<level>-s<seed>``."""
        return self.job.name


def _plain(piece: Piece, min_grade: int | None, demand: int) -> Piece:
    """A piece without grain or pairs, turned only in quarter turns."""
    copies = piece.n_copies // max(piece.demand, 1) * demand
    return dataclasses.replace(piece, grain=None, mirror=Mirror.NO, rotations=QUARTER_TURNS,
                               min_grade=min_grade, demand=copies, priority=0)


def _unpaired(piece: Piece) -> Piece:
    """A pair's two hands as plain copies (pairs come at level 4)."""
    return dataclasses.replace(piece, mirror=Mirror.NO, demand=piece.n_copies)


def _order(level: int, rng: np.random.Generator) -> list[Piece]:
    if level == 1:
        pool = product_pieces("card_holder") + product_pieces("bifold_wallet")
        pool = [p for p in pool if p.id.split(".")[1] in ("front", "divider", "exterior", "lining")]
        picks = rng.choice(len(pool), size=int(rng.integers(3, 5)), replace=False)
        return [_plain(pool[int(i)], 1, int(rng.integers(1, 3))) for i in sorted(picks)]
    if level == 2:
        pieces = product_pieces("card_holder", int(rng.integers(2, 4)))
        return [_unpaired(dataclasses.replace(p, grain=None, rotations=QUARTER_TURNS))
                for p in pieces]
    if level == 3:
        pieces = (product_pieces("card_holder", int(rng.integers(3, 5)))
                  + product_pieces("zip_pouch", int(rng.integers(1, 3))))
        return [_unpaired(p) for p in pieces]
    return (product_pieces("bifold_wallet", int(rng.integers(2, 5)))
            + product_pieces("card_holder", int(rng.integers(3, 7))))


def _hides(level: int, rng: np.random.Generator, order_m2: float) -> list[hidegen.GeneratedHide]:
    seed = int(rng.integers(0, 1_000_000))
    # The order takes under a third of the skin: the grades cut the room for the pieces that
    # need the best leather down to the croupon, about a third of a skin (hidegen's presets).
    if level == 1:
        return [hidegen.generate("goat", seed, hide_id="goat", area_m2=order_m2 / 0.30, **CLEAN)]
    if level == 2:
        return [hidegen.generate("goat", seed, hide_id="goat", area_m2=order_m2 / 0.28)]
    if level == 3:
        return [hidegen.generate("calf", seed, hide_id="calf", area_m2=order_m2 / 0.32)]
    return [hidegen.generate("calf", seed + k, hide_id=f"calf-{k + 1}", area_m2=0.95)
            for k in range(2)]


def make_exercise(level: int, seed: int) -> Exercise:
    """The exercise of this level and seed (module docstring)."""
    if level not in LEVELS:
        raise InputError(f"no exercise level {level}", hint="levels are 1 to 4")
    if seed < 0:
        raise InputError(f"seed must be >= 0, got {seed}")
    rng = np.random.default_rng([level, seed])
    pieces = _order(level, rng)
    order_m2 = sum(p.area * p.n_copies for p in pieces) / 1e6
    hides = _hides(level, rng, order_m2)
    job = Job(f"exercise-L{level}-s{seed}", tuple(pieces), tuple(g.hide for g in hides),
              gap_mm=GAP_MM, margin_mm=MARGIN_MM, time_limit_s=LEVEL_TEXT[level].engine_time_s,
              seed=seed, objective=Objective.MIN_HIDES)
    return Exercise(level, seed, job, tuple(hides))


def _grade(piece: Piece) -> str:
    return "best (unmarked)" if piece.min_grade is None else f"{piece.min_grade} or better"


def task_sheet(ex: Exercise) -> str:
    """The trainee's task sheet (Markdown): what to practise, the order, the hides, how to start."""
    lv = LEVEL_TEXT[ex.level]
    job = ex.job
    lines = [f"# Exercise {ex.level}: {lv.title} (seed {ex.seed})", "",
             "What you practise:", ""]
    lines += [f"- {t.format(gap=job.gap_mm, margin=job.margin_mm)}" for t in lv.practise]
    lines += ["", "The order:", "", "| piece | copies | grade | grain | mirror |",
              "|---|---:|---|---|---|"]
    for p in job.pieces:
        grain = "-" if p.grain is None else f"along the backbone, ±{p.grain.tolerance_deg:g}°"
        mirror = {"no": "no", "allowed": "allowed", "pair": "left/right pair"}[p.mirror.value]
        lines.append(f"| {p.name} | {p.n_copies} | {_grade(p)} | {grain} | {mirror} |")
    lines += ["", "The hides:", ""]
    for h in job.hides:
        price = "" if h.price_per_m2 is None else f", {h.price_per_m2:g} per m²"
        lines.append(f"- {h.name}: {h.area / 1e6:.2f} m²{price}")
    lines += ["", f"Gap between pieces {job.gap_mm:g} mm; distance to the hide's edge and to "
              f"faults {job.margin_mm:g} mm.", "", "Start:", "", "```sh",
              "leathernest train job.json", "```", "",
              "For a class on tablets, the trainer runs", "", "```sh",
              "leathernest classroom --host 0.0.0.0", "```", "",
              f"and adds level {ex.level}, seed {ex.seed} on the trainer's page; the trainees "
              "join with the class code it shows.", ""]
    return "\n".join(lines)


def write_exercise(out_dir: str | Path, ex: Exercise) -> list[Path]:
    """Write ``job.json`` (ready for ``leathernest train``) and ``EXERCISE.md`` into the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [hidegen.write_job_json(out / "job.json", ex.job, ex.hides),
            write_atomic(out / "EXERCISE.md", task_sheet(ex))]
