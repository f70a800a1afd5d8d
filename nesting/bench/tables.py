"""The tidy outputs of a sweep: one row per run as CSV and JSON, and the markdown summary table.

The summary has one line per instance x time limit x engine: runs (valid), pieces placed, the mean
over seeds of the figure that matters (density for strips; hides used and utilisation for hides)
with its range, and the ratio of the means to the peer measured in the same sweep: density over
Sparrow's for strips, utilisation over PackingSolver's for hides (>1 is better than the peer).
The figures are means over valid *complete* runs (every demanded piece placed): a run that leaves
pieces out, or an invalid one, is counted in "runs (valid, complete)" but never averaged in, since
its density or utilisation does not compare with a complete layout's. "placed" is the mean over
valid runs.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from statistics import mean

from leathernest.bench.runs import ENGINES

CSV_COLUMNS = (
    "instance", "kind", "engine", "seed", "time_limit_s", "workers", "density", "strip_length",
    "hides_used", "utilisation", "placed", "demand", "valid", "violations", "wall_s",
    "peer_version", "peer_time_s", "cpu_count", "platform", "python", "host", "versions", "commit",
    "started", "error", "layout",
)
PEER_OF_KIND = {"strip": "sparrow", "hides": "packingsolver"}


def sort_rows(rows: list[dict]) -> list[dict]:
    """Rows in matrix order (instance, time limit, seed, engine), whatever order they finished."""
    order = {e: i for i, e in enumerate(ENGINES)}
    return sorted(rows, key=lambda r: (r["instance"], r["time_limit_s"], r["seed"],
                                       order.get(r["engine"], 99)))


def to_csv(rows: list[dict]) -> str:
    """The rows as CSV text: versions flattened to ``name=version;...``, curves left out."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for r in rows:
        flat = dict(r)
        flat["versions"] = ";".join(f"{k}={v}" for k, v in r.get("versions", {}).items() if v)
        writer.writerow({k: ("" if flat.get(k) is None else flat.get(k)) for k in CSV_COLUMNS})
    return buf.getvalue()


def to_json(rows: list[dict], meta: dict) -> str:
    """The whole sweep as one JSON document: ``meta`` (command, execution, skips) and the rows."""
    return json.dumps({"schema": 1, **meta, "runs": rows}, indent=1, default=str)


def _mean(values: list[float]) -> float | None:
    return mean(values) if values else None


def summarise(rows: list[dict]) -> list[dict]:
    """One summary record per (instance, kind, time limit, engine), with the peer ratio."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["instance"], r["kind"], r["time_limit_s"], r["engine"])].append(r)
    out = []
    for (inst, kind, t, engine), runs in groups.items():
        ok = [r for r in runs if r["valid"]]
        # figures of a layout that leaves pieces out do not compare with complete ones
        full = [r for r in ok if r["placed"] is not None and r["placed"] == r["demand"]]
        figure = "density" if kind == "strip" else "utilisation"
        rec = {"instance": inst, "kind": kind, "time_limit_s": t, "engine": engine,
               "runs": len(runs), "valid": len(ok), "complete": len(full),
               "placed": _mean([r["placed"] for r in ok]), "demand": runs[0]["demand"],
               "density": _mean([r["density"] for r in full if r["density"] is not None]),
               "hides_used": _mean([r["hides_used"] for r in full
                                    if r["hides_used"] is not None]),
               "utilisation": _mean([r["utilisation"] for r in full
                                     if r["utilisation"] is not None]),
               "min": min((r[figure] for r in full if r[figure] is not None), default=None),
               "max": max((r[figure] for r in full if r[figure] is not None), default=None),
               "wall_s": _mean([r["wall_s"] for r in runs if r["wall_s"] is not None])}
        out.append(rec)
    by_key = {(s["instance"], s["time_limit_s"], s["engine"]): s for s in out}
    for s in out:
        peer = by_key.get((s["instance"], s["time_limit_s"], PEER_OF_KIND[s["kind"]]))
        figure = "density" if s["kind"] == "strip" else "utilisation"
        s["vs_peer"] = (s[figure] / peer[figure]
                        if peer and peer[figure] and s[figure] is not None else None)
    order = {e: i for i, e in enumerate(ENGINES)}
    return sorted(out, key=lambda s: (s["instance"], s["time_limit_s"], order.get(s["engine"], 99)))


def _f(value: float | None, fmt: str) -> str:
    return "–" if value is None else format(value, fmt)


def markdown_table(summary: list[dict]) -> str:
    """The summary as a markdown table (figures as fractions, 4 digits)."""
    head = ("| instance | time (s) | engine | runs (valid, complete) | placed | density (range) "
            "| hides used | utilisation (range) | vs peer | wall (s) |\n"
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    lines = [head]
    for s in summary:
        rng = f" ({_f(s['min'], '.4f')}–{_f(s['max'], '.4f')})" if s["complete"] > 1 else ""
        dens = _f(s["density"], ".4f") + (rng if s["kind"] == "strip" else "")
        util = _f(s["utilisation"], ".4f") + (rng if s["kind"] == "hides" else "")
        placed = f"{_f(s['placed'], '.1f')}/{s['demand']}" if s["demand"] is not None else "–"
        lines.append(f"| {s['instance']} | {s['time_limit_s']:g} | {s['engine']} | "
                     f"{s['runs']} ({s['valid']}, {s['complete']}) | {placed} | {dens} | "
                     f"{_f(s['hides_used'], '.1f')} | {util} | {_f(s['vs_peer'], '.3f')} | "
                     f"{_f(s['wall_s'], '.1f')} |")
    return "\n".join(lines) + "\n"
