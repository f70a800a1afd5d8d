"""The trainee's comparison page: hand layout and engine layout side by side, differences marked.

One self-contained HTML file, like the run report (:mod:`leathernest.io.html_report`): inline SVG
and CSS, no scripts, no network. It answers, in this order: is the hand layout valid, how does it
compare with the engine (utilisation, leather, money, pieces), both layouts side by side (pieces
that break a rule outlined in red), which rule each piece breaks, which pieces are missing, and
which outlines were not pieces at all.
"""

from __future__ import annotations

import html
from pathlib import Path

from leathernest.io.atomic import write_atomic
from leathernest.io.html_report import CSS
from leathernest.io.svg import GRADE_FILL, HIDE_FILL, layout_svg
from leathernest.scoring.compare import SAME_LEATHER_M2, TEACHING_ROWS
from leathernest.scoring.score import Score, measurable_solution

COMPARE_CSS = CSS + """
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; align-items: start; }
.sides svg { width: 100%; height: auto; border: 1px solid #ddd; }
.verdict { font-size: 1.2em; padding: 0.6em 1em; border-radius: 6px; display: inline-block; }
.verdict.ok { background: #e3f4e1; color: #1d5e1a; }
.verdict.no { background: #fbe3e3; color: #8a1010; }
td.better { background: #e3f4e1; }
td.worse { background: #fbe3e3; }
.muted { color: #666; }
"""


def _esc(value: object) -> str:
    return html.escape(str(value))


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.2%}"


def _m2(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f} m²"


def _money(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _row(name: str, hand: str, engine: str, hand_better: bool | None) -> str:
    """A table row; the better side is tinted green, the worse red (None: no judgement)."""
    cls = ("", "") if hand_better is None else (("better", "worse") if hand_better
                                                 else ("worse", "better"))
    return (f"<tr><td class='name'>{_esc(name)}</td><td class='{cls[0]}'>{_esc(hand)}</td>"
            f"<td class='{cls[1]}'>{_esc(engine)}</td></tr>")


def _figures(score: Score) -> str:
    c = score.comparison
    h, e = c["hand"], c.get("engine")
    if e is None:
        return ""
    key = "density" if score.job.is_strip else "utilisation"

    def cmp(a: float | None, b: float | None, higher_better: bool) -> bool | None:
        if a is None or b is None or abs(a - b) < 1e-12:
            return None
        return (a > b) == higher_better

    rows = [_row(key, _pct(h[key]), _pct(e[key]), cmp(h[key], e[key], True)),
            _row("pieces placed", f"{h['pieces_placed']} / {h['pieces_demanded']}",
                 f"{e['pieces_placed']} / {e['pieces_demanded']}",
                 cmp(h["pieces_placed"], e["pieces_placed"], True))]
    if not score.job.is_strip:
        rows.append(_row("hides used", str(h["hides_used"]), str(e["hides_used"]),
                         cmp(h["hides_used"], e["hides_used"], False)))
    rows.append(_row("leather used", _m2(h["leather_used_m2"]), _m2(e["leather_used_m2"]), None))
    # Less is better for every teaching figure but the remnant kept.
    rows += [_row(name, _m2(h[k]), _m2(e[k]), cmp(h[k], e[k], k == "remnant_m2"))
             for name, k in TEACHING_ROWS]
    rows += [_row("leather for the whole order", _m2(h["leather_for_order_m2"]),
                  _m2(e["leather_for_order_m2"]),
                  cmp(h["leather_for_order_m2"], e["leather_for_order_m2"], False))]
    if not score.job.is_strip:
        rows.append(_row("cost of hides used", _money(h["cost"]), _money(e["cost"]), None))
        rows.append(_row("leather consumed at the hides' price", _money(h["money_consumed"]),
                         _money(e["money_consumed"]),
                         cmp(h["money_consumed"], e["money_consumed"], False)))
    head = "<tr><th class='name'></th><th>hand layout</th><th>engine</th></tr>"
    d = c["difference"]
    saved = d["leather_saved_m2"]
    if saved is None:
        verdict = "<p>No leather comparison: one of the layouts places no piece.</p>"
    elif abs(saved) < SAME_LEATHER_M2:
        verdict = "<p>Both layouts need the same leather for this order.</p>"
    else:
        who = "The engine's layout saves" if saved >= 0 else "The hand layout saves"
        money = "" if d["money_saved"] is None else (
            f", worth {abs(d['money_saved']):.2f} at {d['price_per_m2']:.2f} per m²")
        verdict = (f"<p><b>{who} {abs(saved):.3f} m² of leather</b> on this order{money}. "
                   "<span class='muted'>Leather for the whole order = demanded piece area / "
                   "utilisation.</span></p>")
    if not c["comparable"]:
        verdict += ("<p class='bad'>The hand layout breaks rules, so its figures flatter it: "
                    "overlapping or misplaced pieces use less leather than real cuts would.</p>")
    pts = (f"<p class='verdict {'ok' if c['points'] >= 100 else 'no'}'>{c['points']:.1f} points "
           "<span class='muted'>(100 = the engine's leather per piece; 0 when a rule is broken)"
           "</span></p>")
    return (f"<h2>Hand layout against the engine</h2>{pts}<table>{head}{''.join(rows)}</table>"
            f"{verdict}<p class='muted'>First waste: leather enclosed between the pieces; second "
            "waste: strips at the hide's edge, around defects and offcuts too small to keep; "
            "leather consumed = leather used - the largest remnant kept.</p>")


def _items(heading: str, first: str, items: list[tuple[str, tuple | list, str]],
           bad: bool) -> str:
    """A table of (kind, pieces, message) rows under a heading; empty when there are none."""
    if not items:
        return ""
    cls = " bad" if bad else ""
    rows = "".join(f"<tr><td class='name{cls}'>{_esc(kind)}</td>"
                   f"<td class='name'>{_esc(', '.join(pieces))}</td>"
                   f"<td class='name'>{_esc(message)}</td></tr>" for kind, pieces, message in items)
    return (f"<h2 class='{cls.strip()}'>{_esc(heading)}</h2><table><tr><th class='name'>{first}"
            "</th><th class='name'>pieces</th><th class='name'>details</th></tr>"
            f"{rows}</table>")


def _feedback(score: Score) -> str:
    return _items("Where the leather went", "what",
                  [(f["kind"], f["pieces"], f["message"]) for f in score.feedback], bad=False)


def _violations(score: Score) -> str:
    return _items(f"Rules broken ({len(score.violations)})", "rule",
                  [(v.kind.value, v.pieces, v.message) for v in score.violations], bad=True)


def _missing(score: Score) -> str:
    c = score.comparison
    engine_missing = {m["piece_id"]: m["count"] for m in c.get("engine", {}).get("missing", [])}
    hand_missing = c["hand"]["missing"]
    if not hand_missing:
        return "<p>Every demanded piece is in the hand layout.</p>"
    rows = []
    for m in hand_missing:
        also = engine_missing.get(m["piece_id"], 0)
        note = f"the engine also left {also} out" if also else "the engine placed it"
        rows.append(f"<tr><td class='name'>{_esc(m['name'])}</td><td>{m['count']}</td>"
                    f"<td class='name'>{_esc(note)}</td></tr>")
    total = sum(m["count"] for m in hand_missing)
    copies = "copy" if total == 1 else "copies"
    return (f"<h2 class='bad'>Missing from the hand layout ({total} {copies})</h2><table>"
            "<tr><th class='name'>piece</th><th>copies</th>"
            f"<th class='name'>engine</th></tr>{''.join(rows)}</table>")


def _outlines(score: Score) -> str:
    m = score.matches
    by: dict[str, int] = {}
    for x in m.matched:
        by[x.by] = by.get(x.by, 0) + 1
    how = ", ".join(f"{n} by {k}" for k, n in sorted(by.items()))
    parts = [f"<h2>Outlines read</h2><p>{len(m.matched)} matched to pieces ({_esc(how)}).</p>"]
    if m.unmatched:
        items = "".join(f"<li class='bad'>{_esc(u.source)}: {_esc(u.note)}</li>"
                        for u in m.unmatched)
        parts.append(f"<p class='bad'>Not a piece of the job:</p><ul>{items}</ul>")
    if m.set_aside:
        items = "".join(f"<li>{_esc(s)}</li>" for s in m.set_aside)
        parts.append(f"<p class='muted'>Set aside:</p><ul class='muted'>{items}</ul>")
    return "".join(parts)


def _legend() -> str:
    parts = [f"<span><i style='background:{HIDE_FILL}'></i>best leather</span>"]
    parts += [f"<span><i style='background:{c}'></i>{'defect / hole' if g == 0 else f'grade {g}'}"
              "</span>" for g, c in sorted(GRADE_FILL.items())]
    parts.append("<span><i style='background:#fff;border:2px solid #d00'></i>breaks a rule</span>")
    return f"<p class='legend'>{''.join(parts)}</p>"


def compare_html(score: Score, hand_name: str) -> str:
    """The comparison page as one HTML document."""
    job = score.job
    n = len(score.violations)
    verdict = ("<p class='verdict ok'>Valid: the hand layout breaks no rule.</p>" if not n else
               f"<p class='verdict no'>Not valid: {n} rule(s) broken.</p>")
    hand = measurable_solution(job, score.hand)
    hand_svg = layout_svg(job, hand, list(score.violations))
    engine_svg = (layout_svg(job, score.engine) if score.engine is not None
                  else "<p class='muted'>The engine was not run.</p>")
    sub = "" if score.engine is None else (
        f"engine {score.engine.engine}, {score.engine.elapsed_s:.1f} s, seed {score.engine.seed}")
    body = [
        f"<h1>{_esc(job.name)}: hand layout against leathernest</h1>",
        f"<p class='sub'>hand layout {_esc(hand_name)}; {_esc(sub)}; gap {job.gap_mm:g} mm, "
        f"margin {job.margin_mm:g} mm</p>",
        verdict, _figures(score),
        "<h2>Layouts</h2>", "" if job.is_strip else _legend(),
        f"<div class='sides'><div><h3>Hand layout</h3>{hand_svg}</div>"
        f"<div><h3>Engine</h3>{engine_svg}</div></div>",
        _violations(score), _feedback(score), _missing(score), _outlines(score),
    ]
    title = f"leathernest score: {job.name}"
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{_esc(title)}</title><style>{COMPARE_CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")


def write_compare(path: str | Path, score: Score, hand_name: str) -> Path:
    """Write the comparison page atomically."""
    return write_atomic(path, compare_html(score, hand_name))
