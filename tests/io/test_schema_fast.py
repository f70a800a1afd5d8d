"""The compiled schema validator agrees with jsonschema, and the messages stay jsonschema's.

``leathernest.io.jsonfile`` checks documents with fastjsonschema and words the error of a rejected
one with jsonschema (skipping subtrees the compiled validator accepts). These tests compare, on a
set of broken job, jagua and solution documents, the verdict of both validators and the error
(message and JSON path) against plain jsonschema on the whole document.
"""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest

from leathernest.errors import JobFileError
from leathernest.io.jsonfile import check_schema, fast_valid, schema_error

RECT = [[0, 0], [20, 0], [20, 10], [0, 10]]
JOB = {"format": "leathernest-job", "version": 1, "name": "j", "gap_mm": 1, "margin_mm": 1,
       "pieces": [{"id": "a", "outline": RECT, "demand": 2, "rotations": [0, 90],
                   "grain": {"direction_deg": 0, "tolerance_deg": 5}},
                  {"id": "b", "outline": {"outer": RECT, "holes": [[[1, 1], [2, 1], [2, 2]]]}}],
       "hides": [{"id": "h", "outline": [[0, 0], [100, 0], [100, 60], [0, 60]],
                  "zones": [{"grade": 0, "outline": [[5, 5], [6, 5], [6, 6]]}]}]}
SQUARE = {"type": "simple_polygon", "data": [[0, 0], [10, 0], [10, 10], [0, 10]]}
JAGUA = {"name": "jj", "strip_height": 50,
         "items": [{"id": 0, "demand": 2, "allowed_orientations": [0.0, 90.0], "shape": SQUARE}]}


def _edit(base: dict, fn) -> dict:
    data = copy.deepcopy(base)
    fn(data)
    return data


BAD_JOBS = {
    "demand_negative": lambda d: d["pieces"][0].update(demand=-1),
    "demand_bool": lambda d: d["pieces"][0].update(demand=True),
    "demand_float": lambda d: d["pieces"][0].update(demand=1.5),
    "point_three": lambda d: d["pieces"][0].update(outline=[[0, 0, 0], [1, 0], [1, 1]]),
    "point_string": lambda d: d["pieces"][0].update(outline=[["0", 0], [1, 0], [1, 1]]),
    "ring_two": lambda d: d["pieces"][0].update(outline=[[0, 0], [1, 0]]),
    "holes_not_list": lambda d: d["pieces"][1].update(outline={"outer": RECT, "holes": 3}),
    "outline_extra": lambda d: d["pieces"][1]["outline"].update(more=1),
    "rotations_word": lambda d: d["pieces"][0].update(rotations="some"),
    "angle_huge": lambda d: d["pieces"][0].update(rotations=[1e9]),
    "grain_tolerance": lambda d: d["pieces"][0]["grain"].update(tolerance_deg=91),
    "mirror_word": lambda d: d["pieces"][0].update(mirror="yes"),
    "piece_extra": lambda d: d["pieces"][0].update(colour="red"),
    "id_missing": lambda d: d["pieces"][0].pop("id"),
    "id_float": lambda d: d["pieces"][0].update(id=1.5),
    "zone_grade": lambda d: d["hides"][0]["zones"][0].update(grade=-1),
    "price_string": lambda d: d["hides"][0].update(price_per_m2="4"),
    "stock_negative": lambda d: d["hides"][0].update(stock=-2),
    "both_stocks": lambda d: d.update(strip={"height": 10}),
    "no_stock": lambda d: d.pop("hides"),
    "units_word": lambda d: d.update(units="furlong"),
    "version_2": lambda d: d.update(version=2),
    "top_extra": lambda d: d.update(extra=True),
    "pieces_empty": lambda d: d.update(pieces=[]),
    "seed_huge": lambda d: d.update(seed=2**40),
    "time_zero": lambda d: d.update(time_limit_s=0),
    "late_piece_broken": lambda d: d["pieces"].extend(
        [copy.deepcopy(d["pieces"][0]) for _ in range(50)] + [{"id": "z", "outline": "x"}]),
    "two_broken": lambda d: (d["pieces"][0].update(demand=-1), d["hides"][0].update(stock="1")),
}
BAD_JAGUA = {
    "demand_missing": lambda d: d["items"][0].pop("demand"),
    "shape_type": lambda d: d["items"][0]["shape"].update(type="circle"),
    "orientation_huge": lambda d: d["items"][0].update(allowed_orientations=[1e4]),
    "both": lambda d: d.update(bins=[{"id": 0, "shape": SQUARE}]),
    "bin_cost": lambda d: (d.pop("strip_height"),
                           d.update(bins=[{"id": 0, "shape": SQUARE, "cost": -1}])),
}
CASES = ([("job.schema.json", JOB, k, f) for k, f in BAD_JOBS.items()]
         + [("jagua.schema.json", JAGUA, k, f) for k, f in BAD_JAGUA.items()])


def _plain(schema_name: str):
    text = resources.files("leathernest").joinpath("schemas", schema_name).read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


@pytest.mark.parametrize(("schema", "base"), [("job.schema.json", JOB),
                                              ("jagua.schema.json", JAGUA)])
def test_the_good_documents_pass_both(schema, base):
    assert fast_valid(base, schema)
    assert not list(_plain(schema).iter_errors(base))
    check_schema(base, schema, "x.json")


@pytest.mark.parametrize(("schema", "base", "kind", "edit"), CASES,
                         ids=[c[2] for c in CASES])
def test_both_validators_refuse_with_the_same_error(schema, base, kind, edit):
    data = _edit(base, edit)
    plain = jsonschema.exceptions.best_match(_plain(schema).iter_errors(data))
    assert plain is not None, kind
    assert not fast_valid(data, schema)
    ours = schema_error(data, schema)
    assert (ours.json_path, ours.message) == (plain.json_path, plain.message)
    with pytest.raises(JobFileError) as info:
        check_schema(data, schema, "bad.json")
    assert info.value.location == plain.json_path
    assert info.value.path == "bad.json"


def test_the_messages_never_dump_the_whole_document():
    data = _edit(JOB, BAD_JOBS["both_stocks"])
    with pytest.raises(JobFileError) as info:
        check_schema(data, "job.schema.json", "both.json")
    line = info.value.one_line()
    assert "'pieces'" not in line
    assert "'hides' and 'strip'" in line
    assert len(line) < 200


def test_solution_schema_agrees_too(tmp_path):
    from leathernest.io.jsonfile import _schema

    schema = _schema("solution.schema.json")
    bad = {"format": "leathernest-solution", "version": 1, "placements": [{"x": 1}]}
    plain = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(bad))
    ours = schema_error(bad, "solution.schema.json")
    assert not fast_valid(bad, "solution.schema.json")
    assert (ours.json_path, ours.message) == (plain.json_path, plain.message)
