"""A trainer's summary of a class: every trainee's score, and the mistakes the class shares.

Reads a folder of submissions (any hand layouts ``leathernest score`` reads), or the attempts
a class server keeps (:func:`score_attempts`: each trainee's latest), scores each against one
engine layout of the job with :func:`leathernest.scoring.score.score_layout`, and writes a CSV
(one row per trainee) and an HTML page (the table, the common mistakes, each trainee's
layout). A file that cannot be read is listed with the reason, not dropped.

Common mistakes are of two kinds: rules broken (from the validator's violation kinds) and the
trade's teaching figures against the engine's layout (first waste, remnant kept, best leather).
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from leathernest.errors import InputError
from leathernest.io.atomic import write_atomic
from leathernest.io.hand_layout import hand_layout_from_json, read_hand_layout
from leathernest.io.html_report import CSS
from leathernest.io.svg import layout_svg
from leathernest.model import Job, Solution
from leathernest.scoring.score import Score, measurable_solution, score_layout
from leathernest.train import i18n

SESSION_FILES = ("job.json", "engine_solution.json")
# A trainee's figure this much worse than the engine's counts as a mistake of the class.
FIRST_WASTE_RATIO = 1.5
REMNANT_RATIO = 0.8
BEST_MISUSE_RATIO = 1.2

# What each mistake is called, in the trade's words: one catalogue for this summary and the class
# server's live view (:data:`leathernest.train.i18n.MISTAKES`, in six languages).
MISTAKE_KEYS = tuple(i18n.MISTAKES)


@dataclass
class Entry:
    """One trainee's submission: the score, or why the file could not be read."""

    trainee: str
    path: Path
    score: Score | None = None
    error: str = ""
    mistakes: list[str] = field(default_factory=list)


def _trainee(path: Path) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return path.stem
    who = data.get("trainee") if isinstance(data, dict) else None
    name = who.get("name") if isinstance(who, dict) else who
    return name.strip() if isinstance(name, str) and name.strip() else path.stem


def submission_files(folder: Path) -> list[Path]:
    """The submissions in a folder: every .json and .dxf but the session's own files."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in
                  (".json", ".dxf") and p.name not in SESSION_FILES)


def figure_mistakes(comparison: dict) -> list[str]:
    """The trade's figures a layout missed against the engine's (first waste, remnant, croupon)."""
    h, e = comparison["hand"], comparison.get("engine")
    out: list[str] = []
    if e is None or not h["pieces_placed"]:
        return out
    if h["first_waste_m2"] > FIRST_WASTE_RATIO * e["first_waste_m2"] + 1e-6:
        out.append("first_waste")
    if h["remnant_m2"] < REMNANT_RATIO * e["remnant_m2"]:
        out.append("remnant")
    if h["best_misuse_m2"] > BEST_MISUSE_RATIO * e["best_misuse_m2"] + 1e-4:
        out.append("best_misuse")
    return out


def _mistakes(score: Score) -> list[str]:
    return sorted({v.kind.value for v in score.violations}) + figure_mistakes(score.comparison)


def score_class(job: Job, engine: Solution, files: list[Path]) -> list[Entry]:
    """Score every submission against the one engine layout (best points first)."""
    entries = []
    for path in files:
        entry = Entry(_trainee(path), path)
        try:
            entry.score = score_layout(job, read_hand_layout(path), engine)
            entry.mistakes = _mistakes(entry.score)
        except InputError as exc:
            entry.error = exc.one_line()
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.score is None, -(e.score.comparison["points"]
                                                               if e.score else 0), e.trainee))


def score_attempts(job: Job, engine: Solution, attempts: list[dict],
                   names: dict[int, str]) -> list[Entry]:
    """Each trainee's latest attempt (as the class server keeps them) scored like a file."""
    latest: dict[int, dict] = {}
    for a in attempts:
        latest[a["trainee_id"]] = a
    entries = []
    for tid, a in latest.items():
        entry = Entry(names.get(tid, "?"), Path(f"attempt-{a['id']}"))
        try:
            entry.score = score_layout(job, hand_layout_from_json(a["layout"], entry.path.name),
                                       engine)
            entry.mistakes = _mistakes(entry.score)
        except InputError as exc:
            entry.error = exc.one_line()
        entries.append(entry)
    return sorted(entries, key=lambda e: (e.score is None, -(e.score.comparison["points"]
                                                               if e.score else 0), e.trainee))


def common_mistakes(entries: list[Entry], lang: str = "en") -> list[tuple[str, int, list[str]]]:
    """(what, how many trainees, who), the most common first, in ``lang``."""
    who: dict[str, list[str]] = {}
    for e in entries:
        for m in e.mistakes:
            who.setdefault(m, []).append(e.trainee)
    rows = [(i18n.mistake_text(lang, k), len(v), v) for k, v in who.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


COLUMNS = ("trainee", "file", "valid", "points", "pieces_placed", "pieces_demanded", "hides_used",
           "leather_consumed_m2", "first_waste_m2", "second_waste_m2", "remnant_m2",
           "best_misuse_m2", "money_consumed", "rules_broken", "mistakes", "error")


def class_rows(entries: list[Entry]) -> list[dict]:
    """One plain row per trainee (the CSV's columns)."""
    rows = []
    for e in entries:
        row: dict = {"trainee": e.trainee, "file": e.path.name, "error": e.error,
                     "mistakes": "; ".join(e.mistakes)}
        if e.score is not None:
            h = e.score.comparison["hand"]
            row |= {"valid": e.score.valid, "points": e.score.comparison["points"],
                    "rules_broken": len(e.score.violations)}
            row |= {k: h.get(k) for k in COLUMNS if k in h}
        rows.append(row)
    return rows


def class_csv(entries: list[Entry]) -> str:
    """The CSV text: one row per trainee, figures in m² and the hides' currency."""
    return class_csv_rows(class_rows(entries))


def class_csv_rows(rows: list[dict], columns: tuple[str, ...] = COLUMNS) -> str:
    """Rows as CSV text (the columns given, in order; floats to 6 significant digits)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in row.items()})
    return buf.getvalue()


ATTEMPT_COLUMNS = ("trainee", "attempt", "submitted_at", *COLUMNS[2:])


def attempt_rows(attempts: list[dict], names: dict[int, str]) -> list[dict]:
    """One row per stored attempt of the class server (full attempts, with their scores)."""
    rows = []
    for a in attempts:
        row: dict = {"trainee": names.get(a["trainee_id"], "?"), "attempt": a["id"],
                     "submitted_at": a["submitted_at"], "valid": a["valid"],
                     "points": a["points"], "rules_broken": a["rules_broken"],
                     "pieces_placed": a["placed"], "pieces_demanded": a["total"],
                     "mistakes": "; ".join(a["mistakes"]),
                     "error": "" if a["score"] is not None else "not scored yet"}
        if a["score"] is not None:
            h = a["score"]["comparison"]["hand"]
            row |= {k: h.get(k) for k in COLUMNS if k in h}
        rows.append(row)
    return rows


def _esc(v: object) -> str:
    return html.escape("" if v is None else str(v))


def class_html(job: Job, engine: Solution, entries: list[Entry]) -> str:
    """The trainer's page: scores, common mistakes, each layout beside the engine's."""
    head = ("<tr><th class='name'>trainee</th><th>points</th><th>valid</th><th>pieces</th>"
            "<th>hides</th><th>leather consumed</th><th>first waste</th><th>remnant kept</th>"
            "<th class='name'>mistakes</th></tr>")
    rows = []
    for e in entries:
        if e.score is None:
            rows.append(f"<tr><td class='name'>{_esc(e.trainee)}</td><td colspan='8' "
                        f"class='name bad'>{_esc(e.error)}</td></tr>")
            continue
        h = e.score.comparison["hand"]
        rows.append(
            f"<tr><td class='name'>{_esc(e.trainee)}</td>"
            f"<td>{e.score.comparison['points']:.1f}</td><td>{'yes' if e.score.valid else 'no'}"
            f"</td><td>{h['pieces_placed']}/{h['pieces_demanded']}</td><td>{h['hides_used']}</td>"
            f"<td>{h['leather_consumed_m2']:.3f} m²</td><td>{h['first_waste_m2']:.3f} m²</td>"
            f"<td>{h['remnant_m2']:.3f} m²</td>"
            f"<td class='name'>{_esc(', '.join(e.mistakes))}</td></tr>")
    mistakes = "".join(f"<tr><td class='name'>{_esc(what)}</td><td>{n} of {len(entries)}</td>"
                       f"<td class='name'>{_esc(', '.join(who))}</td></tr>"
                       for what, n, who in common_mistakes(entries))
    layouts = []
    for e in entries:
        if e.score is None:
            continue
        svg = layout_svg(job, measurable_solution(job, e.score.hand), list(e.score.violations))
        layouts.append(f"<h3>{_esc(e.trainee)}: {e.score.comparison['points']:.1f} points</h3>"
                       f"<div class='layout'>{svg}</div>")
    body = [f"<h1>Class summary: {_esc(job.name)}</h1>",
            f"<p class='sub'>{len(entries)} submission(s), scored against the engine's layout "
            f"({_esc(engine.engine)}, seed {engine.seed}); 100 points = the engine's leather per "
            "piece, 0 = a rule broken.</p>",
            f"<h2>Scores</h2><table>{head}{''.join(rows)}</table>",
            "<h2>Common mistakes</h2>" + (f"<table><tr><th class='name'>mistake</th>"
                                          f"<th>trainees</th><th class='name'>who</th></tr>"
                                          f"{mistakes}</table>" if mistakes else
                                          "<p>None: every layout kept the rules and the "
                                          "engine's figures.</p>"),
            "<h2>The engine's layout</h2>" + f"<div class='layout'>{layout_svg(job, engine)}</div>",
            "<h2>Each trainee's layout</h2>", *layouts]
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>class: "
            f"{_esc(job.name)}</title><style>{CSS} .layout svg {{ max-width: 100%; height: auto; "
            f"}}</style></head><body>{''.join(body)}</body></html>\n")


def write_class(out_dir: Path, job: Job, engine: Solution, entries: list[Entry]) -> list[Path]:
    """Write ``class.csv`` and ``class.html`` atomically."""
    return [write_atomic(out_dir / "class.csv", class_csv(entries)),
            write_atomic(out_dir / "class.html", class_html(job, engine, entries))]
