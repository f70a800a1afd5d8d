"""SVG pictures of a layout.

They show hides (or the strip) to scale, zones coloured by grade, defects, pieces filled and
labelled, violations outlined in red, unplaced pieces listed.

The picture is plain SVG 1.1 with no scripts or external references, so it can be inlined in the
HTML report and opened by any browser or CAD viewer.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path

from shapely.geometry import Polygon
from shapely.ops import polylabel

from leathernest.io.atomic import write_atomic
from leathernest.model import Job, Solution, Strip
from leathernest.validate import Violation, placed_shape

# Grade colours: 0 is a defect (dark red), then from poor (orange) to good (pale green).
GRADE_FILL = {0: "#7a1f1f", 1: "#f2a65a", 2: "#f6d186", 3: "#d9ed92", 4: "#b5e48c"}
HIDE_FILL = "#efe3cf"  # the unmarked, best leather
PIECE_FILLS = ("#4c78a8", "#59a14f", "#9c755f", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
               "#e15759", "#f28e2b", "#bab0ac")
WIDTH_PX = 1100.0


def _path_d(rings: Iterable) -> str:
    parts = []
    for ring in rings:
        pts = list(ring)
        if not pts:
            continue
        head = f"M{pts[0][0]:.2f},{pts[0][1]:.2f}"
        parts.append(head + "".join(f"L{x:.2f},{y:.2f}" for x, y in pts[1:]) + "Z")
    return "".join(parts)


def _poly_d(poly: Polygon) -> str:
    return _path_d([poly.exterior.coords, *[r.coords for r in poly.interiors]])


def _label(name: str, copy: int, poly: Polygon, px_per_mm: float) -> str:
    """The piece's name and copy at its most inland point, upright despite the flipped y axis."""
    p = polylabel(poly, tolerance=max(poly.length, 1e-9) / 200.0)
    x0, y0, x1, y1 = poly.bounds
    text = f"{name}#{copy}"
    # Fit the text in the piece: a sans-serif character is about 0.55 em wide.
    size = min(0.3 * min(x1 - x0, y1 - y0), 12.0 / px_per_mm, 0.9 * (x1 - x0) / (0.55 * len(text)))
    if size * px_per_mm < 4.0:  # too small to read: the tooltip still names it
        return ""
    return (f'<text transform="translate({p.x:.2f},{p.y:.2f}) scale(1,-1)" font-size="{size:.3f}" '
            f'text-anchor="middle" dominant-baseline="middle" font-family="sans-serif" '
            f'fill="#111">{html.escape(text)}</text>')


def _frame(title: str, bounds: tuple[float, float, float, float], body: list[str],
           y_off: float) -> tuple[str, float]:
    """One panel: a title and the drawing (model y up, flipped into SVG's y down)."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    scale = (WIDTH_PX - 20) / w
    height = h * scale
    g = (f'<g transform="translate(10,{y_off + 24 + height:.2f}) scale({scale:.6f},{-scale:.6f}) '
         f'translate({-x0:.4f},{-y0:.4f})">' + "".join(body) + "</g>")
    label = (f'<text x="10" y="{y_off + 16:.1f}" font-size="14" font-family="sans-serif">'
             f"{html.escape(title)}</text>")
    return label + g, height + 34


CutOrders = dict[tuple[str | None, int], tuple[tuple[str, int], ...]]


def _route(order: tuple[tuple[str, int], ...], centres: dict[tuple[str, int], tuple[float, float]],
           px_per_mm: float) -> list[str]:
    """The cutting order: a dashed line through the pieces in turn and the step numbers."""
    pts = [centres[k] for k in order if k in centres]
    if len(pts) < 2:
        return []
    size = 11.0 / px_per_mm
    line = " ".join(f"{x:.2f},{y:.2f}" for x, y in pts)
    out = [f'<polyline points="{line}" fill="none" stroke="#b03060" stroke-width="1.2" '
           'stroke-dasharray="4 3" vector-effect="non-scaling-stroke"><title>cutting order'
           "</title></polyline>"]
    for i, (x, y) in enumerate(pts, start=1):
        out.append(f'<text transform="translate({x:.2f},{y - 0.8 * size:.2f}) scale(1,-1)" '
                   f'font-size="{size:.3f}" text-anchor="middle" font-family="sans-serif" '
                   f'font-weight="bold" fill="#b03060">{i}</text>')
    return out


def layout_svg(job: Job, solution: Solution, violations: list[Violation] | None = None,
               cut_orders: CutOrders | None = None) -> str:
    """The whole layout as one SVG document; with ``cut_orders``, the cutting order drawn too."""
    pieces = {p.id: p for p in job.pieces}
    colour = {p.id: PIECE_FILLS[i % len(PIECE_FILLS)] for i, p in enumerate(job.pieces)}
    bad = {label for v in (violations or []) for label in v.pieces}
    panels: list[str] = []
    y = 0.0
    layouts = list(solution.layouts) or []
    if not job.is_strip and not layouts:
        from leathernest.model import HideLayout

        layouts = [HideLayout(job.hides[0].id, ())]
    for lay in layouts:
        polys = [(pl, placed_shape(pieces[pl.piece_id], pl)) for pl in lay.placements]
        body: list[str] = []
        if isinstance(job.stock, Strip):
            length = solution.strip_length or max((p.bounds[2] for _, p in polys), default=1.0)
            bounds = (0.0, 0.0, length, job.stock.height)
            body.append(f'<rect x="0" y="0" width="{length:.3f}" height="{job.stock.height:.3f}" '
                        f'fill="{HIDE_FILL}" stroke="#333" vector-effect="non-scaling-stroke"/>')
            title = f"strip {job.stock.height:g} x {length:.1f} mm"
        else:
            hide = next(h for h in job.hides if h.id == lay.hide_id)
            x0, y0, x1, y1 = hide.outline.bbox
            bounds = (x0, y0, x1, y1)
            body.append(f'<path d="{_path_d([hide.outline.outer, *hide.outline.holes])}" '
                        f'fill="{HIDE_FILL}" fill-rule="evenodd" stroke="#333" '
                        'vector-effect="non-scaling-stroke"/>')
            for z in sorted(hide.zones, key=lambda z: -z.grade):
                fill = GRADE_FILL.get(z.grade, "#cfe8b8")
                body.append(f'<path d="{_path_d([z.outline.outer, *z.outline.holes])}" '
                            f'fill="{fill}" fill-opacity="0.85" fill-rule="evenodd">'
                            f"<title>grade {z.grade}</title></path>")
            if hide.backbone is not None:
                pts = " ".join(f"{x:.2f},{yy:.2f}" for x, yy in hide.backbone)
                body.append(f'<polyline points="{pts}" fill="none" stroke="#555" '
                            'stroke-dasharray="6 4" vector-effect="non-scaling-stroke"/>')
            title = f"hide {hide.name} (copy {lay.hide_copy})"
        px_per_mm = (WIDTH_PX - 20) / max(bounds[2] - bounds[0], 1e-9)
        labels = [_label(pieces[pl.piece_id].name, pl.copy, poly, px_per_mm) for pl, poly in polys]
        for pl, poly in polys:
            label = f"{pl.piece_id}#{pl.copy}"
            stroke = "#d00" if label in bad else "#222"
            width = "2.5" if label in bad else "0.6"
            body.append(f'<path d="{_poly_d(poly)}" fill="{colour[pl.piece_id]}" '
                        f'fill-opacity="0.8" fill-rule="evenodd" stroke="{stroke}" '
                        f'stroke-width="{width}" vector-effect="non-scaling-stroke">'
                        f"<title>{html.escape(pieces[pl.piece_id].name)} copy {pl.copy}"
                        f"{' (mirrored)' if pl.mirrored else ''}, {pl.rotation_deg:g} deg</title>"
                        "</path>")
        route: list[str] = []
        order = (cut_orders or {}).get((lay.hide_id, lay.hide_copy))
        if order:
            centres = {(pl.piece_id, pl.copy): (poly.centroid.x, poly.centroid.y)
                       for pl, poly in polys}
            route = _route(order, centres, px_per_mm)
        panel, h = _frame(title, bounds, body + labels + route, y)
        panels.append(panel)
        y += h
    if solution.unplaced:
        names = ", ".join(f"{pieces[u.piece_id].name}#{u.copy} ({u.reason.value})"
                          for u in solution.unplaced[:40])
        more = " ..." if len(solution.unplaced) > 40 else ""
        panels.append(f'<text x="10" y="{y + 18:.1f}" font-size="13" font-family="sans-serif" '
                      f'fill="#a00">unplaced: {html.escape(names)}{more}</text>')
        y += 28
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_PX:.0f}" height="{y + 10:.0f}" '
            f'viewBox="0 0 {WIDTH_PX:.0f} {y + 10:.0f}">'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(panels)}</svg>\n')


def write_svg(path: str | Path, job: Job, solution: Solution,
              violations: list[Violation] | None = None,
              cut_orders: CutOrders | None = None) -> Path:
    """Write the layout picture atomically."""
    return write_atomic(path, layout_svg(job, solution, violations, cut_orders))
