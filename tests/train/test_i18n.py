"""Every message in all six languages: the server's gettext catalogues and the pages' JSON.

Fails when a message of the code is missing from the catalogue template, when a language lacks a
translation (empty or fuzzy), when a translation drops or invents a ``{placeholder}``, and when
a page uses a word the JSON catalogue does not have in every language.
"""

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from leathernest.train import i18n

TRAIN = Path(i18n.__file__).resolve().parent
STATIC = TRAIN / "static"
SOURCES = (TRAIN / "i18n.py", TRAIN / "exercises.py")
PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def code_messages():
    out = set()
    for path in SOURCES:
        found = extract_from_file("python", str(path), keywords={"N_": None})
        out |= {msg for _line, msg, _comments, _ctx in found}
    return out


def test_the_template_holds_every_message_of_the_code():
    with (TRAIN / "locale" / "messages.pot").open("rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    assert code_messages() == pot, "run pybabel extract (locale/README.md)"


@pytest.mark.parametrize("lang", [x for x in i18n.LANGS if x != "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(lang):
    with (TRAIN / "locale" / f"{lang}.po").open("rb") as f:
        catalog = read_po(f, locale=lang)
    have = {m.id: m for m in catalog if m.id}
    for msg in code_messages():
        m = have.get(msg)
        assert m is not None, f"{lang}: no translation of {msg!r}"
        assert m.string, f"{lang}: empty translation of {msg!r}"
        assert not m.fuzzy, f"{lang}: fuzzy translation of {msg!r}"
        assert set(PLACEHOLDER.findall(m.string)) == set(PLACEHOLDER.findall(msg)), (lang, msg)
        assert i18n.gettext(lang, msg) == m.string


def page_keys():
    used = set()
    for name in ("nest.js", "trainer.js", "i18n.js"):
        used |= set(re.findall(r"""\bt\("([a-z_]+\.[a-z_]+)\"""", (STATIC / name).read_text()))
    for name in ("index.html", "trainer.html"):
        used |= set(re.findall(r'data-t[a-z-]*="([a-z_]+\.[a-z_]+)"', (STATIC / name).read_text()))
    return used


def test_the_pages_words_are_in_every_language():
    table = json.loads((STATIC / "messages.json").read_text(encoding="utf-8"))
    assert set(table) == set(i18n.LANGS)
    assert page_keys() <= set(table["en"]), sorted(page_keys() - set(table["en"]))
    for lang in i18n.LANGS:
        assert set(table[lang]) == set(table["en"]), lang
        for key, text in table[lang].items():
            assert text.strip(), (lang, key)
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(table["en"][key])), (
                lang, key)
    # The server's error codes each have words on the page.
    for code in server_codes():
        assert f"err.{code}" in table["en"], code


def server_codes():
    """Every error code classapp.py answers (the last argument of each ApiError, and the rest)."""
    text = (TRAIN / "classapp.py").read_text()
    codes = set(re.findall(r'"code": "(\w+)"', text))
    for m in re.finditer(r"ApiError\(", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        quoted = re.findall(r'"(\w+)"', text[m.end():i])
        if quoted:  # (not the class statement)
            codes.add(quoted[-1])
    codes |= {"taken", "limit", "not_found", "bad_body"}  # input_error's, by status
    assert len(codes) > 10
    return codes


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_each_rule_reads_plainly_with_rounded_numbers(lang):
    words = i18n.grade_words(lang, [0, 1, 2, 3])
    v = {"kind": "defect", "pieces": ["card.front#0"], "amount": 5.4653,
         "message": "card.front#0: on or within 3 mm of a defect (5.4653 mm onto it, "
                    "0.0000 mm away)"}
    text = i18n.violation_text(lang, v, {"card.front#0": "Card front 1"}, {}, 2.0, 3.0, words)
    assert text.startswith("Card front 1")
    assert re.search(r"\b5[.,]5 mm", text)
    assert "5.4653" not in text
    assert "#0" not in text
    for kind in i18n.RULES:
        assert i18n.rule_name(lang, kind)
        assert i18n.violation_text(lang, {"kind": kind, "pieces": ["a#0", "b#1"], "amount": 2.0,
                                          "message": ""}, {}, {}, 2.0, 3.0, words)
