"""Property tests: the job and solution readers answer any input with a result or an InputError.

Valid documents are mutated at a random place (a value replaced by any JSON value, a key dropped
or added), written as JSON text and read back through the same path a file takes. Whatever
comes in, the reader returns a checked value or raises :class:`InputError` (exit code 2); any
other exception would be a traceback for a user's mistake. A solution that is read must also be
judged by the validator without an exception.
"""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from leathernest.errors import InputError
from leathernest.io.instance import job_from_data
from leathernest.io.jsonfile import parse_json
from leathernest.io.solution_json import solution_from_data, solution_to_json
from leathernest.model import HideLayout, Placement, Solution, Unplaced, UnplacedReason
from leathernest.validate import validate

JOB = {
    "format": "leathernest-job", "version": 1, "name": "fuzz", "gap_mm": 1, "margin_mm": 1,
    "pieces": [
        {"id": "a", "outline": [[0, 0], [20, 0], [20, 10], [0, 10]], "demand": 2,
         "rotations": [0, 90], "grain": {"direction_deg": 0, "tolerance_deg": 10},
         "mirror": "allowed", "min_grade": 1},
        {"id": "b", "outline": {"outer": [[0, 0], [10, 0], [10, 10], [0, 10]],
                                "holes": [[[2, 2], [2, 4], [4, 4], [4, 2]]]}},
    ],
    "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]], "stock": 2,
               "backbone": [[0, 30], [100, 30]], "price_per_m2": 40,
               "zones": [{"grade": 0, "outline": [[40, 20], [45, 20], [45, 25], [40, 25]]}]}],
}
JAGUA = {"name": "jj", "strip_height": 50, "items": [
    {"id": 0, "demand": 2, "allowed_orientations": [0.0, 90.0],
     "shape": {"type": "simple_polygon", "data": [[0, 0], [10, 0], [10, 10], [0, 10]]}}]}

LEAVES = (st.none() | st.booleans() | st.integers(-(10**20), 10**20)
          | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6))
JSON_VALUES = st.recursive(
    LEAVES, lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)
FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _mutate(draw, doc: object) -> object:
    """The document with one place changed: a value replaced, a key removed or added."""
    doc = copy.deepcopy(doc)
    node, steps = doc, draw(st.integers(0, 6))
    for _ in range(steps):
        children = (list(node) if isinstance(node, dict)
                    else list(range(len(node))) if isinstance(node, list) else [])
        if not children:
            break
        key = draw(st.sampled_from(children))
        child = node[key]
        if not isinstance(child, dict | list) or draw(st.booleans()):
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                node[key] = draw(JSON_VALUES)
            elif action == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.text(max_size=8))] = draw(JSON_VALUES)
            else:
                node.append(draw(JSON_VALUES))
            return doc
        node = child
    return doc if steps else draw(JSON_VALUES)


def _read_job(text: str):
    return job_from_data(parse_json(text, "fuzz.json"), "fuzz.json", "fuzz")


def _attempt(read, *args):
    """(value, None) or (None, the InputError's one line); any other exception propagates."""
    try:
        value = read(*args)
    except InputError as exc:
        event("refused")
        return None, exc.one_line()
    event("accepted")
    return value, None


@FUZZ
@given(st.data())
def test_the_job_reader_returns_a_job_or_an_input_error(data):
    base = data.draw(st.sampled_from([JOB, JAGUA]))
    job, line = _attempt(_read_job, json.dumps(_mutate(data.draw, base)))
    if line is not None:
        assert "\n" not in line
        assert "fuzz.json" in line
    else:
        assert job.pieces


@FUZZ
@given(st.text(max_size=200))
def test_any_text_is_json_or_an_input_error(text):
    _job, line = _attempt(_read_job, text)
    assert line is None or "fuzz.json" in line


def _solution_doc() -> tuple[object, dict]:
    job = _read_job(json.dumps(JOB))
    lay = HideLayout("h", (Placement("a", 0, "h", 0.0, False, 5.0, 35.0),
                           Placement("b", 0, "h", 0.0, False, 60.0, 35.0)))
    sol = Solution("fuzz", "hides", (lay,), unplaced=(Unplaced("a", 1, UnplacedReason.NO_ROOM),))
    return job, solution_to_json(job, sol)


FUZZ_JOB, SOLUTION = _solution_doc()


def test_the_unmutated_solution_is_valid():
    read = solution_from_data(SOLUTION, "s.json", FUZZ_JOB)
    assert validate(FUZZ_JOB, read.solution, drawn=read.drawn) == []


@FUZZ
@given(st.data())
def test_the_solution_reader_returns_a_checked_layout_or_an_input_error(data):
    text = json.dumps(_mutate(data.draw, SOLUTION))
    read, line = _attempt(lambda t: solution_from_data(parse_json(t, "s.json"), "s.json",
                                                       FUZZ_JOB), text)
    if line is not None:
        assert "\n" not in line
        assert "s.json" in line
        return
    violations = validate(FUZZ_JOB, read.solution, drawn=read.drawn)  # judged, never a crash
    assert all(v.message for v in violations)
