"""SVG pictures of a layout.

They show hides (or the strip) to scale, zones coloured by grade, defects, pieces labelled,
violations outlined in red, unplaced pieces listed, and the cutting order.

What an operator needs to read them:

- the picture is in millimetres (``width``/``height`` in mm, one user unit = 1 mm), so it prints
  1:1 and can be laid on the hide; pages that embed it scale it with CSS;
- pieces are drawn translucent with a solid outline, so the grade of the leather under a piece
  stays visible, in cool colours (blues, purples, slate) that no grade colour (red, orange,
  yellow, greens, the beige of the best leather) resembles;
- a piece cut mirrored has a dashed outline and "(M)" after its label.

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
from leathernest.model import HideLayout, Job, Solution, Strip
from leathernest.validate import Violation, placed_shape

# Grade colours: 0 is a defect (dark red), then from poor (orange) to good (greens); the unmarked,
# best leather is beige. The README's hide picture uses the same (datasets/examples).
GRADE_FILL = {0: "#7a1f1f", 1: "#f2a65a", 2: "#f6d186", 3: "#d9ed92", 4: "#b5e48c"}
GRADE_OTHER = "#cfe8b8"
HIDE_FILL = "#efe3cf"
# Piece colours: blues, purples and slate only, none near a grade colour.
PIECE_FILLS = ("#1f4e9c", "#6a3d9a", "#3f5f7f", "#2c7fb8", "#8e44ad", "#283593", "#5e35b1",
               "#455a64", "#1565c0", "#7b1fa2")
PIECE_OPACITY = 0.15  # the grade under a piece shows through; the outline carries the colour
ROUTE_COLOUR = "#b03060"
# The picture at a typical screen width: decides which labels are too small to read.
SCREEN_PX = 1100.0
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


def _label(text: str, poly: Polygon, px_per_mm: float) -> str:
    """The piece's name and copy at its most inland point, upright despite the flipped y axis."""
    p = polylabel(poly, tolerance=max(poly.length, 1e-9) / 200.0)
    x0, y0, x1, y1 = poly.bounds
    # Fit the text in the piece: a sans-serif character is about 0.55 em wide.
    size = min(0.3 * min(x1 - x0, y1 - y0), 12.0 / px_per_mm, 0.9 * (x1 - x0) / (0.55 * len(text)))
    if size * px_per_mm < 4.0:  # too small to read: the tooltip still names it
        return ""
    return (f'<text transform="translate({p.x:.2f},{p.y:.2f}) scale(1,-1)" font-size="{size:.3f}" '
            f'text-anchor="middle" dominant-baseline="middle" font-family="sans-serif" '
            f'fill="#111">{html.escape(text)}</text>')


def _frame(title: str, bounds: tuple[float, float, float, float], body: list[str],
           y_off: float, unit: float) -> tuple[str, float]:
    """One panel at 1:1 (mm): a title, then the drawing (model y up, flipped into SVG's y down)."""
    x0, y0, _, y1 = bounds
    h = max(y1 - y0, 1e-9)
    head = 2.2 * unit
    g = (f'<g transform="translate({unit:.3f},{y_off + head + h:.3f}) scale(1,-1) '
         f'translate({-x0:.4f},{-y0:.4f})">' + "".join(body) + "</g>")
    label = (f'<text x="{unit:.3f}" y="{y_off + 1.5 * unit:.3f}" font-size="{1.3 * unit:.3f}" '
             f'font-family="sans-serif">{html.escape(title)}</text>')
    return label + g, head + h + unit


CutOrders = dict[tuple[str | None, int], tuple[tuple[str, int], ...]]


def _route(order: tuple[tuple[str, int], ...], centres: dict[tuple[str, int], tuple[float, float]],
           px_per_mm: float) -> list[str]:
    """The cutting order: a dashed line through the pieces in turn and the step numbers."""
    pts = [centres[k] for k in order if k in centres]
    if len(pts) < 2:
        return []
    size = 11.0 / px_per_mm
    line = " ".join(f"{x:.2f},{y:.2f}" for x, y in pts)
    out = [f'<polyline points="{line}" fill="none" stroke="{ROUTE_COLOUR}" stroke-width="1.2" '
           'stroke-dasharray="4 3" vector-effect="non-scaling-stroke"><title>cutting order'
           "</title></polyline>"]
    for i, (x, y) in enumerate(pts, start=1):
        out.append(f'<text transform="translate({x:.2f},{y - 0.8 * size:.2f}) scale(1,-1)" '
                   f'font-size="{size:.3f}" text-anchor="middle" font-family="sans-serif" '
                   f'font-weight="bold" fill="{ROUTE_COLOUR}">{i}</text>')
    return out


def _piece(poly: Polygon, colour: str, mirrored: bool, bad: bool, tip: str) -> str:
    stroke = "#d00" if bad else colour
    width = "2.5" if bad else "1.6"
    dash = ' stroke-dasharray="5 3"' if mirrored else ""
    return (f'<path d="{_poly_d(poly)}" fill="{colour}" fill-opacity="{PIECE_OPACITY}" '
            f'fill-rule="evenodd" stroke="{stroke}" stroke-width="{width}"{dash} '
            f'vector-effect="non-scaling-stroke"><title>{html.escape(tip)}</title></path>')


def _panels(job: Job, solution: Solution):
    """(layout, bounds) of every panel: each hide copy used (or the first hide), or the strip."""
    layouts = list(solution.layouts)
    if not job.is_strip and not layouts:
        layouts = [HideLayout(job.hides[0].id, ())]
    out = []
    for lay in layouts:
        if isinstance(job.stock, Strip):
            pieces = {p.id: p for p in job.pieces}
            right = max((placed_shape(pieces[p.piece_id], p).bounds[2] for p in lay.placements),
                        default=1.0)
            out.append((lay, (0.0, 0.0, solution.strip_length or right, job.stock.height)))
        else:
            hide = next(h for h in job.hides if h.id == lay.hide_id)
            out.append((lay, hide.outline.bbox))
    return out


def _stock(job: Job, lay, bounds) -> tuple[list[str], str]:
    """The hide (zones by grade, backbone) or the strip under the pieces, and the panel title."""
    if isinstance(job.stock, Strip):
        length = bounds[2]
        return ([f'<rect x="0" y="0" width="{length:.3f}" height="{job.stock.height:.3f}" '
                 f'fill="{HIDE_FILL}" stroke="#333" vector-effect="non-scaling-stroke"/>'],
                f"strip {job.stock.height:g} x {length:.1f} mm")
    hide = next(h for h in job.hides if h.id == lay.hide_id)
    body = [f'<path d="{_path_d([hide.outline.outer, *hide.outline.holes])}" '
            f'fill="{HIDE_FILL}" fill-rule="evenodd" stroke="#333" '
            'vector-effect="non-scaling-stroke"/>']
    for z in sorted(hide.zones, key=lambda z: -z.grade):
        fill = GRADE_FILL.get(z.grade, GRADE_OTHER)
        body.append(f'<path d="{_path_d([z.outline.outer, *z.outline.holes])}" '
                    f'fill="{fill}" fill-opacity="0.85" fill-rule="evenodd">'
                    f"<title>grade {z.grade}</title></path>")
    if hide.backbone is not None:
        pts = " ".join(f"{x:.2f},{yy:.2f}" for x, yy in hide.backbone)
        body.append(f'<polyline points="{pts}" fill="none" stroke="#555" '
                    'stroke-dasharray="6 4" vector-effect="non-scaling-stroke"/>')
    return body, f"hide {hide.name} (copy {lay.hide_copy})"


def layout_svg(job: Job, solution: Solution, violations: list[Violation] | None = None,
               cut_orders: CutOrders | None = None) -> str:
    """The whole layout as one SVG document in mm; with ``cut_orders``, the cutting order too."""
    pieces = {p.id: p for p in job.pieces}
    colour = {p.id: PIECE_FILLS[i % len(PIECE_FILLS)] for i, p in enumerate(job.pieces)}
    bad = {label for v in (violations or []) for label in v.pieces}
    panels = _panels(job, solution)
    width = max(b[2] - b[0] for _, b in panels)
    unit = width / 110.0  # text unit: a 14 px title when the picture is 1100 px wide
    px_per_mm = SCREEN_PX / width
    out: list[str] = []
    y = 0.0
    for lay, bounds in panels:
        body, title = _stock(job, lay, bounds)
        polys = [(pl, placed_shape(pieces[pl.piece_id], pl)) for pl in lay.placements]
        labels = []
        for pl, poly in polys:
            name = pieces[pl.piece_id].name
            mark = " (M)" if pl.mirrored else ""
            body.append(_piece(poly, colour[pl.piece_id], pl.mirrored,
                               f"{pl.piece_id}#{pl.copy}" in bad,
                               f"{name} copy {pl.copy}{' (mirrored)' if pl.mirrored else ''}, "
                               f"{pl.rotation_deg:g} deg"))
            labels.append(_label(f"{name}#{pl.copy}{mark}", poly, px_per_mm))
        route: list[str] = []
        order = (cut_orders or {}).get((lay.hide_id, lay.hide_copy))
        if order:
            centres = {(pl.piece_id, pl.copy): (poly.centroid.x, poly.centroid.y)
                       for pl, poly in polys}
            route = _route(order, centres, px_per_mm)
        panel, h = _frame(title, bounds, body + labels + route, y, unit)
        out.append(panel)
        y += h
    if solution.unplaced:
        names = ", ".join(f"{pieces[u.piece_id].name}#{u.copy} ({u.reason.value})"
                          for u in solution.unplaced[:40])
        more = " ..." if len(solution.unplaced) > 40 else ""
        out.append(f'<text x="{unit:.3f}" y="{y + 1.3 * unit:.3f}" font-size="{1.2 * unit:.3f}" '
                   f'font-family="sans-serif" fill="#a00">unplaced: {html.escape(names)}{more}'
                   "</text>")
        y += 2.0 * unit
    w, h = width + 2 * unit, y + unit
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layout" width="{w:.3f}mm" '
            f'height="{h:.3f}mm" viewBox="0 0 {w:.3f} {h:.3f}">'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(out)}</svg>\n')


def write_svg(path: str | Path, job: Job, solution: Solution,
              violations: list[Violation] | None = None,
              cut_orders: CutOrders | None = None) -> Path:
    """Write the layout picture atomically."""
    return write_atomic(path, layout_svg(job, solution, violations, cut_orders))
