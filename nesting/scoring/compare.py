"""The figures that compare a hand layout with the engine's: leather consumed, waste, money, points.

Definitions (the report's, :mod:`leathernest.report.metrics`, and the trade's waste figures of
:mod:`leathernest.scoring.waste`, plus these for the comparison):

- utilisation: placed piece area / usable area of the hides used (strips: the density);
- leather used: usable area of the hides used (strips: height x length);
- leather consumed: leather used minus the remnant kept (first waste + second waste + pieces);
  consumption yield: placed piece area / leather consumed. Unlike utilisation it tells a compact
  layout from a sloppy one on the same hides;
- leather for the order: the demanded piece area / the consumption yield, i.e. the leather this
  layout's way of cutting would consume for the whole order. It makes a layout that leaves pieces
  out comparable with one that places them all; ``leather_saved_m2`` is the hand figure minus the
  engine's (positive: the engine needs less leather);
- price per m²: the cost of the hides either layout uses (``report.hide_cost``: the hide's
  ``cost``, else ``price_per_m2`` x area) over their gross area; ``money_saved`` is
  ``leather_saved_m2`` at that price. None when the job gives no price;
- points: 100 x the hand's consumption yield / the engine's, scaled down by the share of the
  engine's placed piece area the hand layout leaves out; 0 when the hand layout breaks a rule
  other than leaving pieces out (it could not be cut). 100 matches the engine; more beats it.

An invalid hand layout (overlaps, pieces outside) flatters its own figures; ``comparable`` says
whether the hand layout was valid.
"""

from __future__ import annotations

from collections import Counter

from leathernest.model import Job, Solution
from leathernest.report.metrics import hide_cost
from leathernest.scoring.waste import HideWaste, layout_waste, waste_totals

M2 = 1e6  # mm² per m²
# Below this difference (m², 1 cm²) two layouts need the same leather: float noise, not a saving.
SAME_LEATHER_M2 = 1e-4


def _missing(job: Job, solution: Solution) -> list[dict]:
    """Demanded, non-optional copies not in the layout, counted per piece."""
    placed = Counter(p.piece_id for p in solution.placements)
    out = []
    for piece in job.pieces:
        lack = piece.n_copies - placed.get(piece.id, 0)
        if lack > 0 and not piece.optional:
            out.append({"piece_id": piece.id, "name": piece.name, "count": lack})
    return out


def side_figures(job: Job, solution: Solution, wastes: list[HideWaste] | None = None) -> dict:
    """The figures of one layout (hand or engine) from its metrics and its waste."""
    m = solution.metrics
    out: dict = {
        "pieces_placed": len(solution.placements),
        "pieces_demanded": sum(p.n_copies for p in job.pieces),
        "missing": _missing(job, solution),
        "placed_area_m2": float(m.get("placed_area_mm2", 0.0)) / M2,
    }
    if job.is_strip:
        util = float(m.get("density", 0.0))
        out |= {"density": util, "strip_length": m.get("strip_length"),
                "leather_used_m2": float(m.get("strip_length", 0.0))
                * float(m.get("strip_height", 0.0)) / M2}
    else:
        util = float(m.get("utilisation", 0.0))
        out |= {"utilisation": util, "hides_used": m.get("hides_used", 0),
                "leather_used_m2": float(m.get("usable_area_mm2", 0.0)) / M2,
                "cost": m.get("total_cost")}
    out |= waste_totals(layout_waste(job, solution) if wastes is None else wastes)
    cy = out["consumption_yield"]
    out["leather_for_order_m2"] = job.demanded_area / M2 / cy if cy > 0 else None
    return out


def price_per_m2(job: Job, *solutions: Solution) -> float | None:
    """Price per m² of the hides the layouts use (None when none of them has a price)."""
    used = {lay.hide_id for s in solutions for lay in s.layouts if lay.placements}
    cost = area = 0.0
    for hide in job.hides:
        c = hide_cost(hide)
        if hide.id in used and c is not None:
            cost += c
            area += hide.area / M2
    return cost / area if area > 0 else None


def points(hand: dict, engine: dict, cuttable: bool) -> float:
    """The hand layout's points against the engine's (module docstring); 0 when not cuttable."""
    if not cuttable or engine["consumption_yield"] <= 0 or hand["placed_area_m2"] <= 0:
        return 0.0
    share = min(1.0, hand["placed_area_m2"] / engine["placed_area_m2"])
    return 100.0 * hand["consumption_yield"] / engine["consumption_yield"] * share


def compare(job: Job, hand: Solution, engine: Solution | None, valid: bool,
            cuttable: bool | None = None, hand_wastes: list[HideWaste] | None = None) -> dict:
    """Hand and engine figures side by side, what the engine's layout saves, and the points.

    ``cuttable`` (default ``valid``) says the hand layout breaks no rule but leaving pieces out.
    """
    out: dict = {"hand": side_figures(job, hand, hand_wastes), "comparable": valid}
    if engine is None:
        return out
    h, e = out["hand"], side_figures(job, engine)
    key = "density" if job.is_strip else "utilisation"
    saved = None
    if h["leather_for_order_m2"] is not None and e["leather_for_order_m2"] is not None:
        saved = h["leather_for_order_m2"] - e["leather_for_order_m2"]
    price = None if job.is_strip else price_per_m2(job, hand, engine)
    diff: dict = {
        f"{key}_gain": e[key] - h[key],
        "pieces_more": e["pieces_placed"] - h["pieces_placed"],
        "leather_saved_m2": saved,
        "price_per_m2": price,
        "money_saved": None if saved is None or price is None else saved * price,
        "consumed_saved_m2": h["leather_consumed_m2"] - e["leather_consumed_m2"],
        "first_waste_saved_m2": h["first_waste_m2"] - e["first_waste_m2"],
        "remnant_more_m2": e["remnant_m2"] - h["remnant_m2"],
    }
    if not job.is_strip:
        diff["hides_fewer"] = h["hides_used"] - e["hides_used"]
    pts = points(h, e, valid if cuttable is None else cuttable)
    return out | {"engine": e, "difference": diff, "points": round(pts, 1)}


# The trade's figures in the order a trainer reads them: (label, key of side_figures).
TEACHING_ROWS = (
    ("leather consumed", "leather_consumed_m2"),
    ("first waste (between pieces)", "first_waste_m2"),
    ("second waste (edge, offcuts)", "second_waste_m2"),
    ("remnant kept", "remnant_m2"),
    ("best leather, lower grades", "best_misuse_m2"),
)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.2%}"


def _m2(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f} m²"


def comparison_lines(job: Job, comparison: dict) -> list[str]:
    """A small table of hand against engine, and the verdict in one line."""
    h = comparison["hand"]
    e = comparison.get("engine")
    key = "density" if job.is_strip else "utilisation"
    rows = [(key, _pct(h[key]), _pct(e[key]) if e else "-"),
            ("pieces placed", f"{h['pieces_placed']}/{h['pieces_demanded']}",
             f"{e['pieces_placed']}/{e['pieces_demanded']}" if e else "-"),
            ("leather used", _m2(h["leather_used_m2"]), _m2(e["leather_used_m2"]) if e else "-")]
    rows += [(name, _m2(h[k]), _m2(e[k]) if e else "-") for name, k in TEACHING_ROWS]
    rows.append(("leather for the order", _m2(h["leather_for_order_m2"]),
                 _m2(e["leather_for_order_m2"]) if e else "-"))
    if not job.is_strip:
        rows.insert(2, ("hides used", str(h["hides_used"]), str(e["hides_used"]) if e else "-"))
    lines = [f"  {'':28} {'hand':>12} {'engine':>12}"]
    lines += [f"  {name:28} {a:>12} {b:>12}" for name, a, b in rows]
    if e is None:
        return lines
    lines.append(f"  points: {comparison['points']:.1f} (100 = the engine's consumption yield)")
    d = comparison["difference"]
    saved = d["leather_saved_m2"]
    if saved is None:
        lines.append("  no leather comparison: a layout placed no piece")
    elif abs(saved) < SAME_LEATHER_M2:
        lines.append("  both layouts need the same leather for this order")
    else:
        who = "the engine saves" if saved >= 0 else "the hand layout saves"
        money = "" if d["money_saved"] is None else (
            f" ({abs(d['money_saved']):.2f} at {d['price_per_m2']:.2f} per m²)")
        lines.append(f"  {who} {abs(saved):.3f} m² of leather on this order{money}")
    if not comparison["comparable"]:
        lines.append("  (the hand layout breaks rules, so its figures flatter it)")
    return lines
