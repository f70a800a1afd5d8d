"""Products and graded sizes: choosing what an order cuts, and what each product cost in leather.

A pattern file often holds one product (a pattern set: ``Piece.product``) in several graded sizes
(``Piece.size``); an order asks for some of the sizes, each in its own quantity.
:func:`select_sizes` turns that into piece demands. Pieces without a size belong to every size
(a lining common to all), so they are cut once per product ordered.

:func:`product_figures` says what each product and size took from the hides: the leather area cut,
its share of the hides' usable area and cost, and its yield. A hide's usable area and cost are
shared among the products on it in proportion to the area each cut there (the usual way to cost a
shared hide), so the shares add up to the hides' totals and a product's yield (its area over its
share of the hides) is the utilisation of the leather it was charged for.

Imports the model and errors only.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping

from leathernest.errors import InputError
from leathernest.model import Job, Piece, Solution


def sizes_of(pieces: Iterable[Piece]) -> list[str]:
    """The sizes the pieces name, in the order they first appear."""
    out: list[str] = []
    for p in pieces:
        if p.size is not None and p.size not in out:
            out.append(p.size)
    return out


def select_sizes(job: Job, sizes: list[str] | None = None,
                 quantities: int | Mapping[str, int] = 1) -> Job:
    """The job cutting only ``sizes``, ``quantities`` products of each (one count, or per size).

    A size named in ``quantities`` is selected; one in ``sizes`` without a count is cut once.
    Pieces without a size are cut once per product ordered. With no sizes at all, every piece's
    demand is multiplied by ``quantities``. Unknown sizes are an InputError naming the known ones.
    """
    per_size = dict(quantities) if isinstance(quantities, Mapping) else {}
    wanted = list(dict.fromkeys([*(sizes or []), *per_size]))
    count = 1 if isinstance(quantities, Mapping) else int(quantities)
    if any(q < 1 for q in [count, *per_size.values()]):
        raise InputError("a product quantity must be at least 1")
    if not wanted:
        if count == 1:
            return job
        return dataclasses.replace(job, pieces=tuple(
            dataclasses.replace(p, demand=p.demand * count) for p in job.pieces))
    known = sizes_of(job.pieces)
    if not known:
        raise InputError(f"job {job.name!r}: its pieces name no sizes, so none can be chosen",
                         hint="leave out --sizes, or give the pieces a size")
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise InputError(f"job {job.name!r}: no size {', '.join(unknown)}",
                         hint=f"sizes in the job: {', '.join(known)}")
    qty = {s: per_size.get(s, count) for s in wanted}
    products = sum(qty.values())
    pieces = tuple(dataclasses.replace(p, demand=p.demand * (products if p.size is None
                                                             else qty[p.size]))
                   for p in job.pieces if p.size is None or p.size in qty)
    return dataclasses.replace(job, pieces=pieces)


def _key(p: Piece) -> tuple[str | None, str | None]:
    return p.product, p.size


def product_figures(job: Job, solution: Solution, per_hide: list[dict],
                    strip_area_mm2: float | None = None) -> tuple[list[dict], list[list[dict]]]:
    """Per product and size, and per hide, what was cut (see the module docstring).

    ``per_hide`` are the report's hide rows (``usable_area_mm2``, ``cost``) in the order of the
    solution's non-empty hide layouts; for a strip, ``strip_area_mm2`` is the strip area used.
    Returns the product rows and, per hide row, the products it served.
    """
    pieces = {p.id: p for p in job.pieces}
    rows: dict[tuple[str | None, str | None], dict] = {}
    served: list[list[dict]] = []

    def row(key: tuple[str | None, str | None]) -> dict:
        if key not in rows:
            rows[key] = {"product": key[0], "size": key[1], "copies": 0, "area_mm2": 0.0,
                         "hide_area_mm2": 0.0, "cost": 0.0}
        return rows[key]

    if job.is_strip:
        sheets = [(solution.placements, strip_area_mm2 or 0.0, None)]
    else:
        layouts = [lay for lay in solution.layouts if lay.placements and lay.hide_id is not None]
        sheets = [(lay.placements, h["usable_area_mm2"], h["cost"])
                  for lay, h in zip(layouts, per_hide, strict=True)]
    costless = False
    for placements, usable, cost in sheets:
        here: dict[tuple[str | None, str | None], list] = defaultdict(lambda: [0, 0.0])
        for pl in placements:
            piece = pieces[pl.piece_id]
            here[_key(piece)][0] += 1
            here[_key(piece)][1] += piece.area
        placed = max(sum(a for _, a in here.values()), 1e-12)
        costless |= cost is None
        for key, (copies, area) in here.items():
            r = row(key)
            r["copies"] += copies
            r["area_mm2"] += area
            r["hide_area_mm2"] += usable * area / placed
            if cost is not None:
                r["cost"] += cost * area / placed
        served.append([{"product": k[0], "size": k[1], "copies": c, "area_mm2": a}
                       for k, (c, a) in here.items()])
    total_hide = sum(r["hide_area_mm2"] for r in rows.values())
    total_cost = sum(r["cost"] for r in rows.values())
    out = []
    for r in rows.values():
        r["hide_share"] = r["hide_area_mm2"] / total_hide if total_hide > 0 else 0.0
        r["yield"] = r["area_mm2"] / r["hide_area_mm2"] if r["hide_area_mm2"] > 0 else 0.0
        if costless:
            r["cost"] = r["cost_share"] = None
        else:
            r["cost_share"] = r["cost"] / total_cost if total_cost > 0 else 0.0
        out.append(r)
    out.sort(key=lambda r: (str(r["product"]), str(r["size"])))
    return out, served
