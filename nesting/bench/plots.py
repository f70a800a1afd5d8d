"""The HTML page of a sweep: the summary table and the anytime curves as inline-SVG charts.

Per instance and time limit, one chart of every run's curve (density for strips, hides used for
hides). One self-contained file in the style of :mod:`leathernest.io.html_report` (its CSS, no
scripts, no network, no matplotlib). leathernest's curve is a step line through every improvement
its progress listener reported; a peer reports only its final layout, drawn as a dot at its wall
time.
"""

from __future__ import annotations

import html
import itertools
import math
from collections import defaultdict

from leathernest.bench.runs import ENGINES
from leathernest.io.html_report import CSS

COLOURS = {"leathernest": "#8c4a1c", "baseline": "#6b8e23", "sparrow": "#1f5fa8",
           "packingsolver": "#7a3c8c"}
W, H = 560, 260  # chart size in px
PAD_L, PAD_R, PAD_T, PAD_B = 56, 12, 24, 36
EXTRA_CSS = """
svg.chart { background: #fff; border: 1px solid #ddd; }
svg.chart text { font-size: 11px; fill: #444; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
"""


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` ticks at a round step (1, 2 or 5 times a power of ten) within [lo, hi]."""
    raw = (hi - lo) / n if hi > lo else 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    step = min((m * power for m in (1.0, 2.0, 5.0, 10.0)), key=lambda st: abs(math.log(st / raw)))
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def chart_svg(title: str, rows: list[dict], kind: str, time_limit: float) -> str:
    """One chart: x seconds, y the run's figure; one step line (or dot) per run."""
    idx = 1  # curve points are [t, density] or [t, hides_used, utilisation]
    pts = [(p[0], p[idx]) for r in rows for p in r.get("curve", []) if p[idx] is not None]
    x_hi = max([time_limit, *(p[0] for p in pts)]) * 1.02
    ys = [p[1] for p in pts] or [0.0, 1.0]
    y_lo, y_hi = min(ys), max(ys)
    pad = (y_hi - y_lo) * 0.1 or (0.02 if kind == "strip" else 1.0)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    sx = _scale(0.0, x_hi, PAD_L, W - PAD_R)
    xfmt = ".0f" if x_hi >= 5 else ".1f"
    sy = _scale(y_lo, y_hi, H - PAD_B, PAD_T)
    parts = [f'<svg class="chart" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{html.escape(title)}</title>']
    parts.extend(f'<line x1="{sx(t):.1f}" y1="{H - PAD_B}" x2="{sx(t):.1f}" y2="{PAD_T}" '
                 f'stroke="#eee"/><text x="{sx(t):.1f}" y="{H - PAD_B + 14}" '
                 f'text-anchor="middle">{t:{xfmt}}</text>' for t in _ticks(0.0, x_hi))
    for v in _ticks(y_lo, y_hi, 4):
        label = f"{v:.3f}" if kind == "strip" else f"{v:g}"
        parts.append(f'<line x1="{PAD_L}" y1="{sy(v):.1f}" x2="{W - PAD_R}" y2="{sy(v):.1f}" '
                     f'stroke="#eee"/><text x="{PAD_L - 4}" y="{sy(v) + 4:.1f}" '
                     f'text-anchor="end">{label}</text>')
    ylabel = "density" if kind == "strip" else "hides used"
    parts.append(f'<text x="{(PAD_L + W - PAD_R) / 2}" y="{H - 6}" text-anchor="middle">'
                 f'seconds</text><text x="{PAD_L}" y="14">{ylabel}</text>')
    for r in rows:
        curve = [(p[0], p[idx]) for p in r.get("curve", []) if p[idx] is not None]
        colour = COLOURS.get(r["engine"], "#333")
        tip = html.escape(f"{r['engine']} seed {r['seed']}")
        if len(curve) == 1:
            t, v = curve[0]
            parts.append(f'<circle cx="{sx(t):.1f}" cy="{sy(v):.1f}" r="4" fill="{colour}">'
                         f'<title>{tip}: {v:.4g}</title></circle>')
        elif curve:
            steps = [f"{sx(curve[0][0]):.1f},{sy(curve[0][1]):.1f}"]
            for (_t0, v0), (t1, v1) in itertools.pairwise(curve):
                steps += [f"{sx(t1):.1f},{sy(v0):.1f}", f"{sx(t1):.1f},{sy(v1):.1f}"]
            parts.append(f'<polyline points="{" ".join(steps)}" fill="none" stroke="{colour}" '
                         f'stroke-width="1.5"><title>{tip}</title></polyline>')
    parts.append("</svg>")
    return "".join(parts)


def _legend(engines: list[str]) -> str:
    spans = "".join(f'<span><i style="background:{COLOURS.get(e, "#333")}"></i>'
                    f'{html.escape(e)}</span>' for e in engines)
    return f'<p class="legend">{spans}</p>'


def _summary_html(summary: list[dict]) -> str:
    head = ("<tr><th class='name'>instance</th><th>time (s)</th><th class='name'>engine</th>"
            "<th>runs (valid, complete)</th><th>placed</th><th>density</th><th>hides used</th>"
            "<th>utilisation</th><th>vs peer</th><th>wall (s)</th></tr>")

    def f(v: float | None, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)

    rows = "".join(
        f"<tr><td class='name'>{html.escape(s['instance'])}</td><td>{s['time_limit_s']:g}</td>"
        f"<td class='name'>{html.escape(s['engine'])}</td>"
        f"<td>{s['runs']} ({s['valid']}, {s['complete']})</td>"
        f"<td>{f(s['placed'], '.1f')}/{s['demand']}</td><td>{f(s['density'], '.4f')}</td>"
        f"<td>{f(s['hides_used'], '.1f')}</td><td>{f(s['utilisation'], '.4f')}</td>"
        f"<td>{f(s['vs_peer'], '.3f')}</td><td>{f(s['wall_s'], '.1f')}</td></tr>"
        for s in summary)
    return f"<table>{head}{rows}</table>"


def html_page(rows: list[dict], summary: list[dict], meta: dict) -> str:
    """The whole page: context, summary table, charts, skipped cells."""
    groups: dict[tuple[str, str, float], list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["instance"], r["kind"], r["time_limit_s"])].append(r)
    engines = [e for e in ENGINES if any(r["engine"] == e for r in rows)]
    charts = "".join(
        f"<div><h3>{html.escape(inst)} · {t:g} s</h3>{chart_svg(inst, rs, kind, t)}</div>"
        for (inst, kind, t), rs in sorted(groups.items()))
    first = rows[0] if rows else {}
    context = (f"{html.escape(str(meta.get('command', '')))}<br>commit "
               f"{html.escape(str(meta.get('commit', '')))} · "
               f"{first.get('cpu_count', '?')} cores · "
               f"{html.escape(str(first.get('platform', '')))} · Python "
               f"{html.escape(str(first.get('python', '')))} · executed "
               f"{html.escape(str(meta.get('execution', {}).get('mode', '')))}")
    skips = "".join(f"<li>{html.escape(s['instance'])} / {html.escape(s['engine'])}: "
                    f"{html.escape(s['reason'])}</li>" for s in meta.get("skipped", []))
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>leathernest bench</title>"
            f"<style>{CSS}{EXTRA_CSS}</style></head><body><h1>Benchmark</h1>"
            f"<p class='sub'>{context}</p><h2>Summary</h2>{_summary_html(summary)}"
            "<p class='sub'>Means over seeds of valid complete runs; vs peer = density / "
            "Sparrow's (strips), utilisation / PackingSolver's (hides).</p>"
            f"<h2>Over time</h2>{_legend(engines)}<div class='charts'>{charts}</div>"
            + (f"<h2>Not run</h2><ul>{skips}</ul>" if skips else "") + "</body></html>")
