"""The HTML report of a run: one self-contained file (inline SVG and CSS, no scripts, no network).

It shows what a trainee or an operator asks first: how much leather the layout uses and wastes, what
it costs, which pieces are missing and why, and the layout itself to scale with zones coloured by
grade. Strip jobs show density and length instead.
"""

from __future__ import annotations

import html
from pathlib import Path

from leathernest.io.atomic import write_atomic
from leathernest.io.svg import GRADE_FILL, HIDE_FILL, layout_svg
from leathernest.model import Job, Solution
from leathernest.report import BEST_GRADE

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
"""


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


def _hide_table(solution: Solution) -> str:
    rows = []
    for h in solution.metrics.get("per_hide", []):
        grades = ", ".join(f"{'best' if g == BEST_GRADE else 'grade ' + g}: {_m2(a)}"
                           for g, a in sorted(h["area_by_grade_mm2"].items()))
        cost = "" if h["cost"] is None else f"{h['cost']:.2f}"
        rows.append(f"<tr><td class='name'>{html.escape(h['hide_id'])} #{h['hide_copy']}</td>"
                    f"<td>{h['pieces']}</td><td>{_m2(h['usable_area_mm2'])}</td>"
                    f"<td>{_m2(h['placed_area_mm2'])}</td><td>{h['utilisation']:.2%}</td>"
                    f"<td>{_m2(h['waste_mm2'])}</td><td class='name'>{html.escape(grades)}</td>"
                    f"<td>{cost}</td></tr>")
    if not rows:
        return ""
    head = ("<tr><th class='name'>hide</th><th>pieces</th><th>usable</th><th>placed</th>"
            "<th>utilisation</th><th>waste</th><th class='name'>area by grade</th>"
            "<th>cost</th></tr>")
    return f"<h2>Hides</h2><table>{head}{''.join(rows)}</table>"


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
    return f"<p class='legend'>{''.join(parts)}</p>"


def _cutting(cuts: list | None) -> str:
    """Per cutter file: pieces and the head's idle travel, routed against unordered."""
    if not cuts:
        return ""
    rows = "".join(
        f"<tr><td class='name'>{html.escape(Path(c.path).name)}</td><td>{len(c.order)}</td>"
        f"<td>{c.travel_mm / 1000:.2f} m</td><td>{c.unoptimised_travel_mm / 1000:.2f} m</td></tr>"
        for c in cuts)
    return ("<h2>Cutting</h2><p>Cutter-ready DXF per hide: inner cuts before each outline, pieces "
            "in the numbered order drawn on the layout (an OR-Tools route from the table's "
            "corner).</p><table><tr><th class='name'>file</th><th>pieces</th>"
            "<th>idle travel</th><th>in placement order</th></tr>" + rows + "</table>")


def report_html(job: Job, solution: Solution, cuts: list | None = None) -> str:
    """The report as one HTML document (with ``cuts``, the cutter files and cutting order)."""
    title = f"leathernest: {job.name}"
    what = "strip packing" if job.is_strip else "nesting on hides"
    body = [
        f"<h1>{html.escape(job.name)}</h1>",
        f"<p class='sub'>{what}, engine {html.escape(solution.engine)} {solution.version}, "
        f"gap {job.gap_mm:g} mm, margin {job.margin_mm:g} mm</p>",
        _figures(job, solution),
        _hide_table(solution),
        _unplaced(job, solution),
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


def write_report(path: str | Path, job: Job, solution: Solution, cuts: list | None = None) -> Path:
    """Write the HTML report atomically."""
    return write_atomic(path, report_html(job, solution, cuts))
