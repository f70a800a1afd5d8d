"""Reading JSON files with errors a user can act on: the file, the JSON path, what is wrong.

JSON has no NaN or infinity: ``NaN``, ``Infinity`` and numbers too large for float64 (``1e400``),
which Python's parser would let through, are refused here, so no reader ever sees them; so are
integers of more than :data:`MAX_INT_DIGITS` digits (Python would raise its own digit-limit
error) and documents nested deeper than Python's stack.

Sizes are bounded before any work that grows with them (README "Limits"): the file's size before
it is read (:data:`MAX_JSON_MB`), then the number of arrays, objects and values (counted in the
text, a C-speed scan) before it is parsed, so that the parsed document fits in memory; readers then
count vertices (:func:`leathernest.limits.check_json_sizes`) before the schema is checked.

Schema checks run a compiled validator (fastjsonschema, generated once per schema) on the whole
document; only a document it rejects goes through jsonschema, whose ``best_match`` gives the
message and JSON path users see. That slow path skips every ``$ref`` subtree the compiled
validator of that definition accepts, so it costs what the broken parts cost, not the whole file,
and gives the same error as jsonschema alone (``tests/io/test_schema_fast.py`` checks both on a
set of broken files).
"""

from __future__ import annotations

import json
import math
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from leathernest.errors import JobFileError

STDIN = "-"  # the path that means standard input
# Largest JSON file read (MB). A job at the vertex limit (500,000) is about 35 MB as job.json
# writes it; this leaves room for indentation and long names.
MAX_JSON_MB = 100
# Arrays and objects, and values (commas + 1 per container, an over-count), in one document.
# A job at the vertex limit holds about 0.5 M arrays and 1.5 M values; at these bounds the parsed
# document takes under 600 MB, whatever its shape.
MAX_JSON_CONTAINERS = 2_000_000
MAX_JSON_VALUES = 6_000_000
# A layout (solution or hand layout) states every placed copy's polygon, so it may be larger than
# its job: 10,000 copies of a 300-vertex piece are 3 M points. Its bounds: 300 MB, 6 M arrays and
# objects, 18 M values (the parsed document then takes up to about 1.4 GB).
LAYOUT_BOUNDS = (300, 6_000_000, 18_000_000)
# Digits of an integer: float64 holds up to 309 (readers turn coordinates into floats), and
# Python refuses to convert more than 4,300.
MAX_INT_DIGITS = 300
LIMIT_HINT = "split the job, or simplify the outlines (README: Limits)"


class _NotANumberError(ValueError):
    """A NaN, an infinity or an overflowing number in a JSON text."""


def _constant(name: str) -> float:
    raise _NotANumberError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumberError(f"{text[:20]}{'...' if len(text) > 20 else ''} is too large "
                               "for a number")
    return value


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _NotANumberError(f"an integer of {digits:,} digits is too large for a number "
                               f"(at most {MAX_INT_DIGITS})")
    return int(text)


def _census(text: str, shown: str, max_containers: int, max_values: int) -> None:
    """Refuse a text with more arrays, objects or values than the bounds (before parsing it).

    Brackets and commas inside strings count too: an over-count, never an under-count.
    """
    containers = text.count("[") + text.count("{")
    if containers > max_containers:
        raise JobFileError(
            f"the file holds {containers:,} JSON arrays and objects; the limit is "
            f"{max_containers:,}", path=shown, hint=LIMIT_HINT)
    values = text.count(",") + containers
    if values > max_values:
        raise JobFileError(
            f"the file holds about {values:,} JSON values; the limit is {max_values:,}",
            path=shown, hint=LIMIT_HINT)


def parse_json(text: str, shown: str, max_containers: int = MAX_JSON_CONTAINERS,
               max_values: int = MAX_JSON_VALUES) -> object:
    """Parse JSON text strictly (no NaN or infinity); errors name ``shown`` and the line."""
    _census(text, shown, max_containers, max_values)
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite,
                          parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise JobFileError(
            f"not valid JSON: {exc.msg}",
            path=shown,
            location=f"line {exc.lineno}, column {exc.colno}",
        ) from None
    except _NotANumberError as exc:
        raise JobFileError(f"not valid JSON: {exc}", path=shown,
                           hint="give every number as a finite decimal") from None
    except RecursionError:
        raise JobFileError("not valid JSON: nested too deeply", path=shown) from None


def _too_big(size: int, shown: str, limit_mb: int) -> JobFileError:
    return JobFileError(f"the file is {size / 1e6:,.1f} MB; the limit is {limit_mb} MB",
                        path=shown, hint=LIMIT_HINT)


def load_json(path: str | Path, layout: bool = False) -> object:
    """Parse a JSON file (``-``: standard input); missing, empty, oversized or malformed raise.

    ``layout``: the file is a solution or hand layout (larger bounds, :data:`LAYOUT_BOUNDS`).
    """
    limit_mb, containers, values = (LAYOUT_BOUNDS if layout else
                                    (MAX_JSON_MB, MAX_JSON_CONTAINERS, MAX_JSON_VALUES))
    limit = limit_mb * 1_000_000
    if str(path) == STDIN:
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise _too_big(len(raw), "<stdin>", limit_mb)
        text = _decode(raw, "<stdin>")
        if not text.strip():
            raise JobFileError("standard input is empty", path="<stdin>",
                               hint="pipe a JSON job into the command")
        return parse_json(text, "<stdin>", containers, values)
    p = Path(path)
    if not p.exists():
        raise JobFileError("file not found", path=str(p), hint="check the path")
    if p.is_dir():
        raise JobFileError("is a directory, expected a JSON file", path=str(p))
    try:
        size = p.stat().st_size
        if size > limit:
            raise _too_big(size, str(p), limit_mb)
        with p.open("rb") as f:  # a device or a growing file: never more than the limit
            raw = f.read(limit + 1)
    except OSError as exc:
        raise JobFileError(f"cannot read: {exc.strerror}", path=str(p)) from None
    if len(raw) > limit:
        raise _too_big(len(raw), str(p), limit_mb)
    text = _decode(raw, str(p))
    if not text.strip():
        raise JobFileError("file is empty", path=str(p), hint="expected a JSON job or instance")
    return parse_json(text, str(p), containers, values)


def _decode(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JobFileError(
            f"not a UTF-8 text file (byte {exc.start})", path=shown, hint="expected a JSON file"
        ) from None


# --------------------------------------------------------------------------------------------------
# Schemas


@cache
def _schema(schema_name: str) -> dict:
    text = resources.files("leathernest").joinpath("schemas", schema_name).read_text("utf-8")
    return json.loads(text)


@cache
def _compiled(schema_name: str, pointer: str = "") -> Any:
    """The compiled validator (fastjsonschema) of the schema, or of its definition ``pointer``."""
    import fastjsonschema

    # Without "$id": fastjsonschema would resolve "#/$defs/..." against that URL, on the network.
    schema = {k: v for k, v in _schema(schema_name).items() if k != "$id"}
    if pointer:
        schema = {"$defs": schema["$defs"], "$ref": pointer}
    return fastjsonschema.compile(schema, use_default=False, use_formats=False)


def fast_valid(data: object, schema_name: str, pointer: str = "") -> bool:
    """Whether the compiled validator accepts ``data`` (the whole schema, or one definition)."""
    import fastjsonschema

    try:
        _compiled(schema_name, pointer)(data)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@cache
def _validator(schema_name: str):
    """The jsonschema validator, whose ``$ref`` skips subtrees the compiled validator accepts."""
    import jsonschema

    base = jsonschema.Draft202012Validator
    plain_ref = base.VALIDATORS["$ref"]

    def ref(validator, ref, instance, schema):
        if ref.startswith("#/$defs/") and fast_valid(instance, schema_name, ref):
            return
        yield from plain_ref(validator, ref, instance, schema)

    cls = jsonschema.validators.extend(base, {"$ref": ref})
    return cls(_schema(schema_name))


def schema_error(data: object, schema_name: str) -> Any:
    """The most relevant error jsonschema finds for ``data`` (None when valid)."""
    import jsonschema

    return jsonschema.exceptions.best_match(_validator(schema_name).iter_errors(data))


def check_schema(data: object, schema_name: str, path: str | None) -> None:
    """Raise JobFileError at the most relevant schema violation, naming its JSON path."""
    if fast_valid(data, schema_name):
        return
    error = schema_error(data, schema_name)
    if error is not None:
        raise JobFileError(_message(error), path=path, location=error.json_path)


def _message(error: Any) -> str:
    """The error's message, without the repr of a large instance (a whole job, a ring)."""
    message = error.message
    if error.validator in ("oneOf", "anyOf", "not") and isinstance(error.instance, dict | list):
        what = "the job" if not error.path else "this value"
        if "is valid under each of" in message:
            message = f"{what} matches more than one of the allowed forms"
        elif error.validator == "not":
            message = f"{what} has a form that is not allowed"
        else:
            message = f"{what} matches none of the allowed forms"
        if not error.path and isinstance(error.instance, dict):
            keys = sorted({"hides", "strip", "bins", "strip_height"} & set(error.instance))
            if keys:
                message += f" (it has {' and '.join(map(repr, keys))}: give exactly one)"
    if len(message) > 160:
        message = message[:157] + "..."
    return message
