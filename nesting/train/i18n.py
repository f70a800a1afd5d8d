"""What the class server says to trainees and trainers, in their language (gettext via Babel).

Six languages: English (the source), Portuguese, Spanish, Romanian, Polish and Italian, the
countries of the Learning Factories consortium and the largest leather-goods producer
(``leather_domain.md`` section 7). The catalogues are standard gettext files,
``locale/<lang>.po``, made from ``locale/messages.pot`` (``pybabel extract -k N_``; see
``locale/README.md``); they are read with Babel when first needed, never fetched. Every message is
a constant marked ``N_`` here, so the extractor finds them all; ``tests/train/test_i18n.py`` fails
when a message lacks a language or a translation drops a placeholder.

What is said here (the page's own words are in ``static/messages.json``):

- each broken rule in plain words, with the piece's name and rounded numbers
  (:func:`violation_text`: "Card holder front is 5 mm onto a fault");
- the rules' short names and the grades in words (:func:`rule_name`, :func:`grade_words`);
- the debrief after a submit (:func:`feedback_text`) and the class's common mistakes
  (:data:`MISTAKES`, :func:`mistake_text`).

Imports Babel only (and the standard library).
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGS = ("en", "pt", "es", "ro", "pl", "it")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention, found by the extractor
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


# -- broken rules ----

RULES = {
    "overlap": N_("pieces overlap"),
    "gap": N_("too close"),
    "outside": N_("off the leather"),
    "margin": N_("too near the edge"),
    "defect": N_("on a fault"),
    "grade": N_("wrong grade"),
    "grain": N_("against the grain"),
    "rotation": N_("turn not allowed"),
    "mirror": N_("wrong hand"),
    "group": N_("pair split"),
    "demand": N_("placed twice"),
    "unknown": N_("not in the order"),
    "missing": N_("still in the tray"),
    "area": N_("outline changed"),
    "polygon": N_("outline changed"),
}

OVERLAP = N_("{piece} overlaps {other} by {mm} mm")
GAP = N_("{piece} is {mm} mm from {other}; the knife needs {gap} mm")
OUTSIDE = N_("{piece} is {mm} mm off the leather (over the edge or in a hole)")
MARGIN_EDGE = N_("{piece} is {mm} mm from the hide's edge; keep {margin} mm")
MARGIN_HOLE = N_("{piece} is {mm} mm from a hole; keep {margin} mm")
DEFECT_ON = N_("{piece} is {mm} mm onto a fault")
DEFECT_NEAR = N_("{piece} is {mm} mm from a fault; keep {margin} mm")
GRADE = N_("{piece} lies {mm} mm onto {zone}; it needs {need}")
GRAIN = N_("{piece}: grain {deg}° off the backbone; at most {tol}° allowed")
ROTATION = N_("{piece} may not be turned to {deg}°")
MIRROR_DRAWN = N_("{piece} must be cut as drawn, not mirrored")
MIRROR_FLIPPED = N_("{piece} must be cut mirrored (the other hand of its pair)")
GROUP_PAIR = N_("both hands of {piece} must come from one hide")
GROUP = N_("the pieces of group {group} must come from one hide")
DEMAND = N_("{piece} is placed twice")
UNKNOWN = N_("{piece} is not a piece of this order, or not on one of its hides")
MISSING = N_("{piece}: {n} still in the tray")
AREA = N_("{piece}: its outline was changed")

# -- grades in words ----

BEST = N_("best leather (unmarked)")
BEST_ONLY = N_("best leather only")
FAULT = N_("a fault or hole")
ANY_SOUND = N_("any sound leather (not on faults)")
CHOICES = (N_("second choice"), N_("third choice"), N_("fourth choice"), N_("fifth choice"))
GRADE_N = N_("grade {grade}")
OR_BETTER = N_("{choice} or better")
ZONE = N_("{choice} (grade {grade})")

# -- the debrief and the class's mistakes ----

FEEDBACK_GAP = N_("{piece} and {other} are {mm} mm apart where {gap} mm is needed: closing the "
                  "gap saves about {cm2} cm² of leather")
FEEDBACK_ALONE = N_("{piece} stands {mm} mm from its nearest neighbour {other}: it cuts the "
                    "remnant up; lay it next to the others")
FEEDBACK_GRADE = N_("{piece} could take {need} but lies on {cm2} cm² of best leather: keep the "
                    "croupon for the pieces that need it")

MISTAKES = {
    "defect": N_("faults not avoided: cut across a fault or too near one (chalk-mark the faults "
                 "first)"),
    "grade": N_("a piece on leather below its grade"),
    "grain": N_("a piece against the grain (grain line not along the backbone)"),
    "overlap": N_("pieces overlap"),
    "gap": N_("pieces closer than the knife's gap"),
    "margin": N_("a piece too near the hide's edge or a hole"),
    "outside": N_("a piece over the hide's edge or in a hole"),
    "group": N_("the two hands of a pair on different hides"),
    "rotation": N_("a piece turned in a way it may not be"),
    "mirror": N_("a piece cut in the wrong hand"),
    "missing": N_("pieces left in the tray"),
    "demand": N_("a piece placed more often than ordered"),
    "unknown": N_("an outline that is no piece of the order"),
    "area": N_("a piece's outline changed"),
    "first_waste": N_("too much first waste: gaps between pieces wider than the knife needs"),
    "remnant": N_("second waste: pieces scattered over the hide, the remnant kept is small"),
    "best_misuse": N_("croupon spent on low-grade pieces: best leather under pieces that could "
                      "take less"),
}


# -- the catalogues ----


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalogue of a language (English: the messages themselves)."""
    if lang not in LANGS or lang == "en":
        return NullTranslations()
    with (LOCALE_DIR / f"{lang}.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf)


def pick_lang(wanted: object) -> str:
    """The language to answer in: ``wanted`` if it is one of ours (``pt-BR`` is ``pt``), else en."""
    if isinstance(wanted, str):
        for part in re.split(r"[,;\s]+", wanted.lower()):
            base = part.split("-")[0]
            if base in LANGS:
                return base
    return "en"


def gettext(lang: str, message: str) -> str:
    """``message`` in ``lang``."""
    return translations(lang).gettext(message)


def number(lang: str, value: float, digits: int = 0) -> str:
    """A number rounded for people: ``digits`` decimals at most, the language's decimal mark."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=lang)


def mm(lang: str, value: float) -> str:
    """A length in mm as a trainee reads it: whole mm, a tenth below 10 mm, never "0"."""
    v = abs(value)
    if v >= 9.95:
        return number(lang, v)
    return number(lang, max(v, 0.1), 1)


def say(lang: str, message: str, **values: object) -> str:
    """The translated message with its placeholders filled."""
    return gettext(lang, message).format(**values)


# -- rules, grades, feedback ----


def rule_name(lang: str, kind: str) -> str:
    """A rule's short name (for a piece's label and the rules list)."""
    return gettext(lang, RULES.get(kind, kind))


def _choice(lang: str, grade: int, grades: list[int]) -> str:
    """The words of a positive zone grade: the best zone grade is the second choice, and so on."""
    above = sum(g > grade for g in grades)
    if above < len(CHOICES):
        return gettext(lang, CHOICES[above])
    return say(lang, GRADE_N, grade=grade)


def grade_words(lang: str, zone_grades: list[int]) -> dict:
    """Words for the grades of a job: ``{"zones": {g: words}, "needs": {g: words}, ...}``.

    ``zone_grades`` are the grades of the job's zones. Unmarked leather is the best; a piece
    without a grade needs it; grade 0 is a fault; the lowest positive grade takes any sound
    leather.
    """
    grades = sorted({g for g in zone_grades if g > 0}, reverse=True)
    zones = {0: gettext(lang, FAULT)}
    needs: dict = {"best": gettext(lang, BEST_ONLY)}
    for g in grades:
        zones[g] = say(lang, ZONE, choice=_choice(lang, g, grades), grade=g)
    for g in range(1, max(grades, default=0) + 2):
        if g <= min(grades, default=1):
            needs[g] = gettext(lang, ANY_SOUND)
        else:
            lowest_ok = min((x for x in grades if x >= g), default=None)
            needs[g] = (say(lang, OR_BETTER, choice=_choice(lang, lowest_ok, grades))
                        if lowest_ok is not None else gettext(lang, BEST_ONLY))
    return {"best": gettext(lang, BEST), "zones": zones, "needs": needs}


def _need(lang: str, min_grade: int | None, words: dict) -> str:
    if min_grade is None:
        return words["needs"]["best"]
    return words["needs"].get(min_grade) or words["needs"]["best"]


_ZONE_GRADE = re.compile(r"onto grade (\d+),")


def violation_text(lang: str, v: dict, names: dict[str, str], pieces: dict,
                   gap_mm: float, margin_mm: float, words: dict) -> str:
    """A broken rule as a trainee reads it (``v`` as the API gives it: kind, pieces, amount).

    ``names`` maps ``piece_id#copy`` labels to what the trainee sees ("Card holder front 2");
    ``pieces`` maps piece ids to ``(min_grade, grain tolerance or None)``.
    """
    kind, amount = v["kind"], float(v.get("amount") or 0.0)
    labels = list(v.get("pieces") or [])
    who = [names.get(x, x) for x in labels]
    piece = who[0] if who else ""
    other = who[1] if len(who) > 1 else ""
    pid = labels[0].rsplit("#", 1)[0] if labels else ""
    msg = v.get("message", "")
    if kind == "overlap":
        return say(lang, OVERLAP, piece=piece, other=other, mm=mm(lang, amount))
    if kind == "gap":
        return say(lang, GAP, piece=piece, other=other, mm=mm(lang, max(gap_mm - amount, 0.0)),
                   gap=number(lang, gap_mm, 1))
    if kind == "outside":
        return say(lang, OUTSIDE, piece=piece, mm=mm(lang, amount))
    if kind == "margin":
        which = MARGIN_HOLE if "hole" in msg else MARGIN_EDGE
        return say(lang, which, piece=piece, mm=mm(lang, max(margin_mm - amount, 0.0)),
                   margin=number(lang, margin_mm, 1))
    if kind == "defect":
        onto = re.search(r"\(([\d.]+) mm onto it, ([\d.]+) mm away\)", msg)
        on, away = (float(onto.group(1)), float(onto.group(2))) if onto else (amount, 0.0)
        if on > 0:
            return say(lang, DEFECT_ON, piece=piece, mm=mm(lang, on))
        return say(lang, DEFECT_NEAR, piece=piece, mm=mm(lang, away),
                   margin=number(lang, margin_mm, 1))
    if kind == "grade":
        g = _ZONE_GRADE.search(msg)
        zone = words["zones"].get(int(g.group(1)), "") if g else ""
        need = _need(lang, pieces.get(pid, (None, None))[0], words)
        return say(lang, GRADE, piece=piece, mm=mm(lang, amount), zone=zone, need=need)
    if kind == "grain":
        tol = pieces.get(pid, (None, None))[1]
        return say(lang, GRAIN, piece=piece, deg=number(lang, amount, 1),
                   tol=number(lang, tol or 0.0, 1))
    if kind == "rotation":
        return say(lang, ROTATION, piece=piece, deg=number(lang, amount % 360.0, 1))
    if kind == "mirror":
        return say(lang, MIRROR_FLIPPED if "mirrored" in msg else MIRROR_DRAWN, piece=piece)
    if kind == "group":
        pair = re.match(r"pair (.+)#(\d+)$", labels[0] if labels else "")
        if pair:
            base = names.get(f"{pair.group(1)}#{2 * int(pair.group(2))}", pair.group(1))
            return say(lang, GROUP_PAIR, piece=base)
        return say(lang, GROUP, group=(labels[0] if labels else "").removeprefix("group "))
    if kind == "demand":
        return say(lang, DEMAND, piece=piece)
    if kind == "missing":
        base = names.get(pid, pid)
        return say(lang, MISSING, piece=base, n=len(labels))
    if kind in ("area", "polygon"):
        return say(lang, AREA, piece=piece)
    return say(lang, UNKNOWN, piece=piece)


def feedback_text(lang: str, f: dict, names: dict[str, str], pieces: dict, gap_mm: float,
                  words: dict) -> str:
    """One item of the debrief (:mod:`leathernest.scoring.feedback`) in the trainee's words."""
    who = [names.get(x, x) for x in f.get("pieces") or []]
    piece, other = ([*who, "", ""])[:2]
    cm2 = number(lang, float(f.get("amount_mm2") or 0.0) / 100.0)
    if f["kind"] == "gap":
        return say(lang, FEEDBACK_GAP, piece=piece, other=other,
                   mm=mm(lang, f.get("distance_mm") or 0.0), gap=number(lang, gap_mm, 1),
                   cm2=cm2)
    if f["kind"] == "alone":
        return say(lang, FEEDBACK_ALONE, piece=piece, other=other,
                   mm=mm(lang, f.get("distance_mm") or 0.0))
    pid = (f.get("pieces") or [""])[0].rsplit("#", 1)[0]
    need = _need(lang, pieces.get(pid, (None, None))[0], words)
    return say(lang, FEEDBACK_GRADE, piece=piece, need=need, cm2=cm2)


def mistake_text(lang: str, key: str) -> str:
    """A mistake the class shares, in the trade's words."""
    return gettext(lang, MISTAKES.get(key, key))
