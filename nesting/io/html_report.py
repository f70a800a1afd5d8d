"""The HTML report of a run: one self-contained file (inline SVG and CSS, no scripts, no network).

It shows what a trainee or an operator asks first: how much leather the layout uses and wastes, what
it costs, which pieces are missing and why, and the layout itself to scale with zones coloured by
grade. Strip jobs show density and length instead. Below the figures: per hide the leather used by
grade as a bar, per product and size the leather it took and what it cost, the search's best figure
over time (the anytime curve), and the cutter files with their idle travel.
"""

from __future__ import annotations

import html
from itertools import pairwise
from pathlib import Path

from leathernest.io.atomic import write_atomic
from leathernest.io.svg import GRADE_FILL, GRADE_OTHER, HIDE_FILL, PIECE_FILLS, layout_svg
from leathernest.model import Job, Solution
from leathernest.report.metrics import BEST_GRADE

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 1200px; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }
th { background: #f3efe8; }
td.name, th.name { text-align: left; }
.figures { display: flex; gap: 2em; flex-wrap: wrap; }
.figure { background: #f7f4ef; padding: 0.8em 1.2em; border-radius: 6px; }
.figure b { display: block; font-size: 1.6em; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 1em; height: 1em; vertical-align: middle;
            margin-right: 0.3em; border: 1px solid #999; }
.bad { color: #a00; }
svg.layout { width: 100%; height: auto; }
svg.bar { vertical-align: middle; }
"""
WASTE_FILL = "#d9d9d9"  # usable leather left uncut, in the bars
BAR_PX = 260.0


def _m2(mm2: float) -> str:
    return f"{mm2 / 1e6:.3f} m²"


def _figures(job: Job, solution: Solution) -> str:
    m = solution.metrics
    items: list[tuple[str, str]] = []
    if job.is_strip:
        items += [("density", f"{m['density']:.2%}"),
                  ("strip length", f"{m['strip_length']:.1f} mm")]
    else:
        items += [("utilisation", f"{m['utilisation']:.2%}"), ("hides used", str(m["hides_used"])),
                  ("waste", _m2(m["waste_mm2"]))]
        if m.get("total_cost") is not None:
            items.append(("leather cost", f"{m['total_cost']:.2f}"))
    items += [("pieces placed", f"{m['pieces_placed']} / {m['pieces_demanded']}"),
              ("time", f"{solution.elapsed_s:.1f} s"), ("seed", str(solution.seed))]
    cells = "".join(f'<div class="figure">{html.escape(k)}<b>{html.escape(v)}</b></div>'
                    for k, v in items)
    return f'<div class="figures">{cells}</div>'


def _grade_name(g: str) -> str:
    return "best" if g == BEST_GRADE else ("defect" if g == "0" else f"grade {g}")


def _grade_bar(h: dict, scale: float) -> str:
    """Placed area by grade as one stacked bar, the rest of the usable leather grey."""
    parts = sorted(h["area_by_grade_mm2"].items(),
                   key=lambda kv: -1 if kv[0] == BEST_GRADE else -int(kv[0]) - 2)
    x, rects = 0.0, []
    for g, area in parts:
        w = area * scale
        fill = HIDE_FILL if g == BEST_GRADE else GRADE_FILL.get(int(g), GRADE_OTHER)
        rects.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="14" fill="{fill}" '
                     f'stroke="#777" stroke-width="0.5"><title>{_grade_name(g)}: {_m2(area)}'
                     "</title></rect>")
        x += w
    waste = max(h["waste_mm2"], 0.0) * scale
    rects.append(f'<rect x="{x:.1f}" y="0" width="{waste:.1f}" height="14" fill="{WASTE_FILL}">'
                 f"<title>uncut: {_m2(h['waste_mm2'])}</title></rect>")
    text = ", ".join(f"{_grade_name(g)} {_m2(a)}" for g, a in parts)
    return (f'<svg class="bar" width="{BAR_PX + 2:.0f}" height="14" role="img" '
            f'aria-label="{html.escape(text)}">{"".join(rects)}</svg>')


def _remnant(h: dict) -> str:
    """The largest remnant and its share of the uncut leather ("-" in files without them)."""
    if h.get("remnant_mm2") is None:
        return "-"
    return f"{_m2(h['remnant_mm2'])} ({h['compactness']:.0%} of {_m2(h['free_mm2'])})"


def _product_name(product: str | None, size: str | None) -> str:
    name = product if product is not None else "(no product)"
    return name if size is None else f"{name} {size}"


def _hide_table(solution: Solution) -> str:
    hides = solution.metrics.get("per_hide", [])
    scale = BAR_PX / max([h["usable_area_mm2"] for h in hides] or [1.0])
    named = any(r["product"] is not None or r["size"] is not None
                for r in solution.metrics.get("per_product", []))
    rows = []
    for h in hides:
        cost = "" if h["cost"] is None else f"{h['cost']:.2f}"
        served = ", ".join(f"{_product_name(p['product'], p['size'])} x{p['copies']}"
                           for p in h.get("products", []))
        served_cell = f"<td class='name'>{html.escape(served)}</td>" if named else ""
        rows.append(f"<tr><td class='name'>{html.escape(h['hide_id'])} #{h['hide_copy']}</td>"
                    f"<td>{h['pieces']}</td><td>{_m2(h['usable_area_mm2'])}</td>"
                    f"<td>{_m2(h['placed_area_mm2'])}</td><td>{h['utilisation']:.2%}</td>"
                    f"<td>{_m2(h['waste_mm2'])}</td><td>{_remnant(h)}</td>"
                    f"<td class='name'>{_grade_bar(h, scale)}</td>"
                    f"<td>{cost}</td>{served_cell}</tr>")
    if not rows:
        return ""
    head = ("<tr><th class='name'>hide</th><th>pieces</th><th>usable</th><th>placed</th>"
            "<th>utilisation</th><th>waste</th><th title='the largest solid part of the uncut "
            "leather, and its share of it (compactness)'>remnant (share of uncut)</th>"
            "<th class='name'>placed by grade (grey: uncut)"
            "</th><th>cost</th>"
            + ("<th class='name'>products served</th>" if named else "") + "</tr>")
    return f"<h2>Hides</h2><table>{head}{''.join(rows)}</table>"


def _opt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def _product_table(solution: Solution) -> str:
    rows = solution.metrics.get("per_product", [])
    if not rows or (len(rows) == 1 and rows[0]["product"] is None and rows[0]["size"] is None):
        return ""
    body = "".join(
        f"<tr><td class='name'>{html.escape(_product_name(r['product'], r['size']))}</td>"
        f"<td>{r['copies']}</td><td>{_m2(r['area_mm2'])}</td><td>{_m2(r['hide_area_mm2'])}</td>"
        f"<td>{r['hide_share']:.1%}</td>"
        f"<td>{_opt(r['cost'], '.2f')}</td><td>{_opt(r['cost_share'], '.1%')}</td>"
        f"<td>{r['yield']:.2%}</td></tr>" for r in rows)
    return ("<h2>Products</h2><p>Each hide's leather and cost are shared among the products cut "
            "from it by the area each cut there; yield is the area cut over that share.</p>"
            "<table><tr><th class='name'>product, size</th><th>pieces</th><th>leather cut</th>"
            "<th>share of hides</th><th>share %</th><th>cost</th><th>cost %</th><th>yield</th>"
            f"</tr>{body}</table>")


def _anytime(job: Job, curve, end_s: float) -> str:
    """The best figure the search reached over time, as a step line held to the end of the run."""
    field = "density" if job.is_strip else "utilisation"
    reports = [p for p in curve if getattr(p, field) is not None]
    if not reports:
        return ""
    pts = [(p.elapsed_s, getattr(p, field)) for p in reports]
    w, h, pad = 560.0, 180.0, 44.0
    t1 = max(end_s, pts[-1][0], 1e-9)
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    lo, hi = (max(lo - 0.01, 0.0), hi + 0.01) if hi - lo < 0.02 else (lo, hi)

    def xy(t: float, v: float) -> tuple[float, float]:
        return pad + (w - pad - 10) * t / t1, h - pad + (pad + 10 - h) * (v - lo) / (hi - lo)

    steps = [xy(*pts[0])]
    for (_, v0), (t, v) in pairwise(pts):
        steps += [xy(t, v0), xy(t, v)]
    steps.append(xy(t1, pts[-1][1]))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in steps)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PIECE_FILLS[0]}"><title>'
        f"{p.elapsed_s:.1f} s: {getattr(p, field):.2%}, {p.placed}/{p.demanded} pieces"
        f"{'' if p.hides_used is None else f', {p.hides_used} hide(s)'}</title></circle>"
        for p, (x, y) in zip(reports, (xy(*q) for q in pts), strict=True))
    axes = (f'<line x1="{pad}" y1="{h - pad}" x2="{w - 10}" y2="{h - pad}" stroke="#333"/>'
            f'<line x1="{pad}" y1="10" x2="{pad}" y2="{h - pad}" stroke="#333"/>'
            f'<text x="{w - 10}" y="{h - 26}" font-size="11" text-anchor="end">{t1:.1f} s</text>'
            f'<text x="{pad}" y="{h - 26}" font-size="11">0 s</text>'
            f'<text x="{pad - 4}" y="{h - pad}" font-size="11" text-anchor="end">{lo:.1%}</text>'
            f'<text x="{pad - 4}" y="16" font-size="11" text-anchor="end">{hi:.1%}</text>')
    why = ("" if job.is_strip else "; the best layout places the most pieces first, then uses "
           "the fewest hides, so its utilisation may fall as pieces are added")
    return (f"<h2>Search over time</h2><p>The {field} of the best layout found so far "
            f"({len(pts)} improvement(s){why}).</p>"
            f"<svg width='{w:.0f}' height='{h:.0f}' role='img' aria-label='best {field} over "
            f"time'>{axes}<polyline points='{line}' fill='none' stroke='{PIECE_FILLS[0]}' "
            f"stroke-width='2'/>{dots}</svg>")


def _unplaced(job: Job, solution: Solution) -> str:
    if not solution.unplaced:
        return "<p>Every demanded piece is placed.</p>"
    names = {p.id: p.name for p in job.pieces}
    rows = "".join(f"<tr><td class='name'>{html.escape(names[u.piece_id])}</td><td>{u.copy}</td>"
                   f"<td class='name'>{u.reason.value.replace('_', ' ')}</td></tr>"
                   for u in solution.unplaced)
    return (f"<h2 class='bad'>Unplaced pieces ({len(solution.unplaced)})</h2><table>"
            f"<tr><th class='name'>piece</th><th>copy</th><th class='name'>reason</th></tr>"
            f"{rows}</table>")


def _legend() -> str:
    parts = [f"<span><i style='background:{HIDE_FILL}'></i>best leather</span>"]
    parts += [f"<span><i style='background:{c}'></i>{'defect / hole' if g == 0 else f'grade {g}'}"
              "</span>" for g, c in sorted(GRADE_FILL.items())]
    parts.append(f"<span><i style='background:{PIECE_FILLS[0]}4d;border:2px solid "
                 f"{PIECE_FILLS[0]}'></i>piece (the grade under it shows through)</span>")
    parts.append(f"<span><i style='border:2px dashed {PIECE_FILLS[1]}'></i>cut mirrored (M)"
                 "</span>")
    return f"<p class='legend'>{''.join(parts)}</p>"


def _cutting(cuts: list | None) -> str:
    """Per cutter file: pieces and the head's idle travel, routed against unordered."""
    if not cuts:
        return ""
    rows = "".join(
        f"<tr><td class='name'>{html.escape(Path(c.path).name)}</td><td>{len(c.order)}</td>"
        f"<td>{c.travel_mm / 1000:.2f} m</td><td>{c.unoptimised_travel_mm / 1000:.2f} m</td></tr>"
        for c in cuts)
    return ("<h2>Cutting</h2><p>Cutter-ready DXF per hide: pen work first; then whatever lies "
            "inside a window of another piece before that window, each piece's inner cuts before "
            "its outline, pieces in the numbered order drawn on the layout (an OR-Tools route "
            "from the table's corner). Idle travel counts every move of the head between "
            "contours, as written in the file.</p><table><tr><th class='name'>file</th>"
            "<th>pieces</th><th>idle travel</th><th>in placement order</th></tr>" + rows
            + "</table>")


def _margins(job: Job) -> str:
    if job.edge_margin == job.defect_margin:
        return f"margin {job.margin_mm:g} mm" if job.edge_margin_mm is None else \
            f"margin {job.edge_margin:g} mm"
    return f"edge margin {job.edge_margin:g} mm, defect margin {job.defect_margin:g} mm"


def report_html(job: Job, solution: Solution, cuts: list | None = None, curve=()) -> str:
    """The report as one HTML document.

    With ``cuts``, the cutter files and cutting order; with ``curve`` (the search's progress
    reports), the anytime curve.
    """
    title = f"leathernest: {job.name}"
    what = "strip packing" if job.is_strip else "nesting on hides"
    body = [
        f"<h1>{html.escape(job.name)}</h1>",
        f"<p class='sub'>{what}, engine {html.escape(solution.engine)} {solution.version}, "
        f"gap {job.gap_mm:g} mm, {_margins(job)}</p>",
        _figures(job, solution),
        _hide_table(solution),
        _product_table(solution),
        _unplaced(job, solution),
        _anytime(job, curve, solution.elapsed_s),
        _cutting(cuts),
        "<h2>Layout</h2>",
        "" if job.is_strip else _legend(),
        layout_svg(job, solution, cut_orders=_orders(cuts)),
    ]
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def _orders(cuts: list | None) -> dict | None:
    return {(c.hide_id, c.hide_copy): c.order for c in cuts} if cuts else None


def write_report(path: str | Path, job: Job, solution: Solution, cuts: list | None = None,
                 curve=()) -> Path:
    """Write the HTML report atomically."""
    return write_atomic(path, report_html(job, solution, cuts, curve))
