"""Trainee scoring: read a hand layout's outlines as placements, judge them, compare them.

The steps of ``leathernest score``:

1. :func:`match_layout` turns every outline of a :class:`~leathernest.io.hand_layout.HandLayout`
   into a placement of a job piece: a stated transform is taken as it is; otherwise the piece is
   found by name (``item_id``, ``name`` or a DXF text) or, failing that, by shape, and its mirror,
   rotation and translation are recovered by registration (:mod:`leathernest.scoring.hand_match`).
   Copies are numbered per piece (mirrored pairs: drawn copies even, mirrored odd, partners on one
   hide). Outlines that are the hide's own outline, holes or zones drawn for reference, or a hole of
   a placed piece, are set aside and listed; outlines that match nothing are reported as ``unknown``
   violations, never dropped.
2. :func:`score_layout` validates the placements exactly (:func:`leathernest.validate.validate`:
   overlap, gap, outside, margin, defect, grade, rotation, mirror, grain, group, missing ...),
   measures the trade's waste figures (:mod:`leathernest.scoring.waste`), gives per-piece feedback
   (:mod:`leathernest.scoring.feedback`) and compares the figures with the engine's layout
   (:func:`compare`), points included. :func:`score_to_json` is the one JSON form of a score,
   printed by ``leathernest score --json`` and answered by the trainer's ``/api/score``.

Imports the model, the validator, the report figures and the hand-layout reader; the engine is
passed in, so scoring itself never searches.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon

from leathernest.io.hand_layout import HandLayout, HandOutline
from leathernest.model import Hide, HideLayout, Job, Mirror, Piece, Placement, Solution, Strip
from leathernest.report.metrics import compute_metrics
from leathernest.scoring.compare import compare
from leathernest.scoring.feedback import layout_feedback
from leathernest.scoring.hand_match import (
    Registration,
    best_registration,
    coincides,
    legality,
    match_tolerance,
    outer_area_matches,
    register,
)
from leathernest.scoring.waste import layout_waste
from leathernest.validate import Violation, ViolationKind, placed_shape, validate

# Outlines within this distance (mm) of the hide's outline, a hole or a zone are that drawing.
HIDE_DRAWING_TOL_MM = 0.5


@dataclass(frozen=True, slots=True)
class OutlineMatch:
    """What became of one outline: the piece and placement it was read as, or why none.

    ``by`` is ``transform`` (stated in the file), ``name`` (piece named, shape registered),
    ``shape`` (found by shape alone), or ``""`` when unmatched; ``deviation_mm`` is the largest
    boundary distance between the drawn outline and the registered piece (0 for a transform).
    """

    source: str
    piece_id: str | None = None
    placement: Placement | None = None
    by: str = ""
    deviation_mm: float = 0.0
    note: str = ""
    area_mm2: float = 0.0

    def as_dict(self) -> dict:
        """Plain dict for JSON output."""
        pl = self.placement
        return {"source": self.source, "piece_id": self.piece_id, "by": self.by,
                "copy": None if pl is None else pl.copy,
                "hide": None if pl is None else pl.hide_id,
                "hide_copy": None if pl is None else pl.hide_copy,
                "rotation_deg": None if pl is None else pl.rotation_deg,
                "mirrored": None if pl is None else pl.mirrored,
                "translation": None if pl is None else [pl.x, pl.y],
                "deviation_mm": self.deviation_mm, "note": self.note}


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The hand layout as a solution, with what happened to every outline."""

    solution: Solution
    matched: tuple[OutlineMatch, ...]
    unmatched: tuple[OutlineMatch, ...]
    set_aside: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    """The verdict on a hand layout and its comparison with the engine's layout."""

    job: Job
    hand: Solution
    engine: Solution | None
    violations: tuple[Violation, ...]
    matches: MatchResult
    comparison: dict = field(default_factory=dict)
    hint: str = ""  # what to check when no outline matched at all
    feedback: tuple[dict, ...] = ()  # per-piece teaching items, biggest saving first

    @property
    def valid(self) -> bool:
        """Whether the hand layout breaks no rule and every outline is a job piece."""
        return not self.violations


# --------------------------------------------------------------------------------------------------
# Matching


def _hide_of(job: Job, ho: HandOutline) -> tuple[str | None, int]:
    """The hide of an outline: stated, named by its layer, the only one, or the one it covers."""
    if job.is_strip:
        return None, 0
    ids = {h.id for h in job.hides}
    if ho.hide is not None and (not ho.hide_hint or ho.hide in ids):
        return ho.hide, ho.hide_copy
    if len(job.hides) == 1 or ho.outline is None:
        return job.hides[0].id, 0
    poly = Polygon(ho.outline.outer)
    best = max(job.hides, key=lambda h: poly.intersection(Polygon(h.outline.outer)).area)
    return best.id, 0


def _candidates(job: Job, name: str | None) -> tuple[list[Piece], str]:
    """Pieces an outline may be: the named one (by id, then name, then ignoring case), or all."""
    if name is None:
        return list(job.pieces), ""
    for same in (lambda p: p.id == name, lambda p: p.name == name,
                 lambda p: name.casefold() in (p.id.casefold(), p.name.casefold())):
        hit = [p for p in job.pieces if same(p)]
        if hit:
            return hit, ""
    return list(job.pieces), f"no piece is called {name!r}; matched by shape"


def _is_hide_drawing(job: Job, ho: HandOutline) -> str | None:
    """Name of the hide feature this outline redraws (outline, hole, zone), or None."""
    if ho.outline is None or ho.transform is not None:
        return None
    ring = ho.outline.outer
    for hide in job.hides:
        rings = [("outline", hide.outline.outer)]
        rings += [(f"hole {i}", h) for i, h in enumerate(hide.outline.holes)]
        rings += [(f"zone {i} (grade {z.grade})", z.outline.outer)
                  for i, z in enumerate(hide.zones)]
        for what, other in rings:
            if coincides(ring, other, HIDE_DRAWING_TOL_MM):
                return f"{ho.source}: the {what} of hide {hide.id}, drawn for reference"
    return None


@dataclass
class _Found:
    """A matched outline before its copy number is decided."""

    index: int
    ho: HandOutline
    piece: Piece
    hide: tuple[str | None, int]
    regs: list[Registration]  # empty when a transform was given
    by: str
    note: str = ""


def _find(job: Job, i: int, ho: HandOutline) -> _Found | OutlineMatch:
    hide = _hide_of(job, ho)
    hides = {h.id: h for h in job.hides}
    if ho.transform is not None and ho.name is not None:
        named = [p for p in job.pieces if p.id == ho.name]
        if named:
            return _Found(i, ho, named[0], hide, [], "transform")
    if ho.outline is None:
        return OutlineMatch(ho.source, note=f"unknown piece {ho.name!r} and no polygon to match")
    pieces, note = _candidates(job, ho.name)
    ring = ho.outline.outer
    best: tuple[int, float, Piece, list[Registration]] | None = None
    for piece in pieces:
        tol = match_tolerance(piece)
        if not outer_area_matches(piece, ring, tol):
            continue
        regs = register(piece, ring, tol)
        reg = best_registration(piece, regs, hides.get(hide[0] or ""), None)
        if reg is None:
            continue
        key = (legality(piece, reg, hides.get(hide[0] or ""), None), -reg.deviation_mm)
        if best is None or key > best[:2]:
            best = (key[0], key[1], piece, regs)
    area = float(Polygon(ring).area)
    if best is None:
        why = f"matches no piece of the job ({area:.1f} mm²)"
        if ho.name is not None and not note:
            why = f"does not have the shape of piece {ho.name!r} ({area:.1f} mm²)"
        return OutlineMatch(ho.source, note=why, area_mm2=area)
    by = "shape" if ho.name is None or note else "name"
    return _Found(i, ho, best[2], hide, best[3], by, note)


def _stated_copy(ho: HandOutline) -> int | None:
    """The copy number the file states, honoured only with a stated transform.

    A copy number is bookkeeping, not a layout decision: for outlines found by shape the matcher
    numbers the copies itself (pairs by their hand), so a trainee's 1-based label or a
    renumbered drawing cannot create demand or mirror violations that are not on the leather.
    """
    return ho.copy if ho.transform is not None else None


def _copies(piece: Piece, items: list[_Found],
            hides: dict[str, Hide]) -> list[tuple[_Found, int, Registration | None]]:
    """Number the copies of one piece; pairs: drawn even, mirrored odd, partners on one hide."""
    taken = {f.ho.copy for f in items if _stated_copy(f.ho) is not None}
    out: list[tuple[_Found, int, Registration | None]] = []
    free_items = []
    for f in items:
        if (copy := _stated_copy(f.ho)) is not None:
            out.append((f, copy, None))
        else:
            free_items.append(f)
    if piece.mirror is not Mirror.PAIR:
        free = (c for c in range(10**9) if c not in taken)
        out += [(f, next(free), best_registration(piece, f.regs, hides.get(f.hide[0] or ""), None))
                for f in free_items]
        return out
    return out + _pair_copies(piece, free_items, taken, hides)


def _pair_copies(piece: Piece, items: list[_Found], taken: set[int], hides: dict[str, Hide]):
    by_hide: dict[tuple[str | None, int], list[_Found]] = defaultdict(list)
    for f in items:
        by_hide[f.hide].append(f)
    free_pairs = (k for k in range(10**9) if 2 * k not in taken and 2 * k + 1 not in taken)
    out = []
    spare: dict[bool, list[tuple[_Found, Registration | None]]] = {False: [], True: []}
    for hide_key, group in by_hide.items():
        hide = hides.get(hide_key[0] or "")
        hands: dict[bool, list] = {False: [], True: []}
        flexible = []
        for f in group:
            regs = {m: best_registration(piece, f.regs, hide, None, m) for m in (False, True)}
            if f.ho.transform is not None:
                hands[f.ho.transform.mirrored].append((f, None))
            elif regs[False] and regs[True]:
                flexible.append((f, regs))
            else:
                m = regs[True] is not None
                hands[m].append((f, regs[m]))
        for f, regs in flexible:  # a symmetric outline takes the hand its pair still lacks
            m = len(hands[True]) < len(hands[False])
            hands[m].append((f, regs[m]))
        for (fd, rd), (fm, rm) in zip(hands[False], hands[True], strict=False):
            k = next(free_pairs)
            out += [(fd, 2 * k, rd), (fm, 2 * k + 1, rm)]
        n = min(len(hands[False]), len(hands[True]))
        spare[False] += hands[False][n:]
        spare[True] += hands[True][n:]
    for (fd, rd), (fm, rm) in zip(spare[False], spare[True], strict=False):
        k = next(free_pairs)  # partners on different hides: the validator reports the group
        out += [(fd, 2 * k, rd), (fm, 2 * k + 1, rm)]
    n = min(len(spare[False]), len(spare[True]))
    for m in (False, True):
        for f, r in spare[m][n:]:
            out.append((f, 2 * next(free_pairs) + int(m), r))
    return out


def match_layout(job: Job, layout: HandLayout) -> MatchResult:
    """Read every outline of the hand layout as a placement of a job piece (module docstring).

    Outlines inside another outline are read last: one that redraws a cut-out of the piece around
    it is that cut-out, not a piece (a small piece placed in a cut-out is still found).
    """
    hides = {h.id: h for h in job.hides}
    set_aside = list(layout.skipped)
    outlines = []
    for i, ho in enumerate(layout.outlines):
        drawing = None if job.is_strip else _is_hide_drawing(job, ho)
        if drawing is None:
            outlines.append((i, ho))
        else:
            set_aside.append(drawing)
    inner = _inside_others([ho for _i, ho in outlines])
    found: list[_Found] = []
    unmatched: list[tuple[int, OutlineMatch]] = []
    for phase in (False, True):
        for k, (i, ho) in enumerate(outlines):
            if inner[k] != phase:
                continue
            hole = _hole_of(job, ho, found) if phase else None
            if hole is not None:
                set_aside.append(hole)
                continue
            res = _find(job, i, ho)
            if isinstance(res, OutlineMatch):
                unmatched.append((i, res))
            else:
                found.append(res)
    matched = _numbered(job, found, hides)
    solution = _as_solution(job, [m.placement for m in matched if m.placement is not None])
    return MatchResult(solution, tuple(matched),
                       tuple(m for _i, m in sorted(unmatched, key=lambda t: t[0])),
                       tuple(set_aside))


def _numbered(job: Job, found: list[_Found], hides: dict[str, Hide]) -> list[OutlineMatch]:
    """Placements with copy numbers, in the order of the file."""
    per_piece: dict[str, list[_Found]] = defaultdict(list)
    for f in found:
        per_piece[f.piece.id].append(f)
    out: list[tuple[int, OutlineMatch]] = []
    for pid, items in per_piece.items():
        for f, copy, reg in _copies(job.piece(pid), items, hides):
            t = f.ho.transform
            if t is not None:
                pl = Placement(pid, copy, f.hide[0], t.rotation_deg, t.mirrored, t.x, t.y,
                               f.hide[1])
                dev = 0.0
            else:
                assert reg is not None  # a shape match always has a registration
                pl = reg.placement(pid, copy, f.hide[0], f.hide[1])
                dev = reg.deviation_mm
            out.append((f.index, OutlineMatch(f.ho.source, pid, pl, f.by, dev, f.note)))
    return [m for _i, m in sorted(out, key=lambda t: t[0])]


def _inside_others(outlines: list[HandOutline]) -> list[bool]:
    """For each outline, whether it lies within another outline of the layout."""
    polys = [None if ho.outline is None else Polygon(ho.outline.outer) for ho in outlines]
    present = [p for p in polys if p is not None]
    if not present:
        return [False] * len(outlines)
    tree = shapely.STRtree(present)
    out = []
    for poly in polys:
        if poly is None:
            out.append(False)
            continue
        hits = [present[int(j)] for j in tree.query(poly, predicate="within")]
        out.append(any(h is not poly for h in hits))
    return out


def _hole_of(job: Job, ho: HandOutline, found: list[_Found]) -> str | None:
    """The matched piece whose inner cut-out this outline redraws, if any."""
    if ho.outline is None:
        return None
    hides = {h.id: h for h in job.hides}
    for f in found:
        if not f.piece.outline.holes:
            continue
        t = f.ho.transform
        reg = best_registration(f.piece, f.regs, hides.get(f.hide[0] or ""), None)
        if t is not None:
            pl = Placement(f.piece.id, 0, f.hide[0], t.rotation_deg, t.mirrored, t.x, t.y)
        elif reg is not None:
            pl = reg.placement(f.piece.id, 0, f.hide[0], 0)
        else:
            continue
        tol = match_tolerance(f.piece)
        for ring in placed_shape(f.piece, pl).interiors:
            if coincides(ho.outline.outer, np.asarray(ring.coords)[:-1], tol):
                return f"{ho.source}: a cut-out of the {f.piece.id} at {f.ho.source}"
    return None


def _as_solution(job: Job, placements: list[Placement]) -> Solution:
    groups: dict[tuple[str | None, int], list[Placement]] = defaultdict(list)
    for p in placements:
        groups[(p.hide_id, p.hide_copy)].append(p)
    layouts = tuple(HideLayout(h, tuple(ps), c) for (h, c), ps in groups.items())
    length = None
    if isinstance(job.stock, Strip):
        length = max((placed_shape(job.piece(p.piece_id), p).bounds[2] for p in placements),
                     default=0.0)
    return Solution(job.name, "strip" if job.is_strip else "hides", layouts, (),
                    strip_length=length, engine="hand")


# --------------------------------------------------------------------------------------------------
# Scoring


def measurable_solution(job: Job, solution: Solution) -> Solution:
    """The solution without placements on unknown hides or hide copies (they have no figures)."""
    stock = {h.id: h.stock for h in job.hides}
    if job.is_strip:
        return solution
    layouts = tuple(lay for lay in solution.layouts
                    if lay.hide_id in stock and 0 <= lay.hide_copy < stock[lay.hide_id])
    return dataclasses.replace(solution, layouts=layouts)


def score_layout(job: Job, layout: HandLayout, engine: Solution | None) -> Score:
    """Match, validate and measure the hand layout, and compare it with the engine's solution."""
    matches = match_layout(job, layout)
    violations = list(validate(job, matches.solution))
    violations += [Violation(ViolationKind.UNKNOWN, (m.source,), None, m.area_mm2,
                             f"{m.source}: outline {m.note}") for m in matches.unmatched]
    measurable = measurable_solution(job, matches.solution)
    hand = dataclasses.replace(matches.solution, metrics=compute_metrics(job, measurable))
    wastes = layout_waste(job, measurable)
    cuttable = all(v.kind is ViolationKind.MISSING for v in violations)
    comparison = compare(job, hand, engine, valid=not violations, cuttable=cuttable,
                         hand_wastes=wastes)
    return Score(job, hand, engine, tuple(violations), matches, comparison,
                 _hint(layout, matches), tuple(layout_feedback(job, measurable, wastes)))


def score_to_json(score: Score, hand_name: str, paths: dict[str, str],
                  interrupted: bool = False) -> dict:
    """The score as one JSON object: ``leathernest score --json`` and the trainer's API."""
    engine = score.engine
    return {
        "job": score.job.name, "hand_layout": hand_name, "valid": score.valid,
        "points": score.comparison.get("points"),
        "violations": [v.as_dict() for v in score.violations],
        "outlines": {"matched": [x.as_dict() for x in score.matches.matched],
                     "unmatched": [x.as_dict() for x in score.matches.unmatched],
                     "set_aside": list(score.matches.set_aside)},
        "comparison": score.comparison, "feedback": list(score.feedback), "hint": score.hint,
        "engine": None if engine is None else {
            "engine": engine.engine, "seed": engine.seed, "elapsed_s": engine.elapsed_s,
            "interrupted": interrupted},
        "outputs": paths,
    }


def _hint(layout: HandLayout, matches: MatchResult) -> str:
    """Advice when not one outline is a piece: usually units, or the layout of another job."""
    if matches.matched or not matches.unmatched:
        return ""
    if layout.units != "mm":
        return (f"no outline matched any piece; the file declares its units as {layout.units} "
                "($INSUNITS): if it was drawn in millimetres, set the drawing units to mm")
    return "no outline matched any piece: is this layout drawn in mm, and for this job?"
