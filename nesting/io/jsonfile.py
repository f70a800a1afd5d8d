"""Reading JSON files with errors a user can act on: the file, the JSON path, what is wrong.

JSON has no NaN or infinity: ``NaN``, ``Infinity`` and numbers too large for float64 (``1e400``),
which Python's parser would let through, are refused here, so no reader ever sees them.
"""

from __future__ import annotations

import json
import math
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from leathernest.errors import JobFileError

STDIN = "-"  # the path that means standard input


class _NotANumberError(ValueError):
    """A NaN, an infinity or an overflowing number in a JSON text."""


def _constant(name: str) -> float:
    raise _NotANumberError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotANumberError(f"{text} is too large for a number")
    return value


def parse_json(text: str, shown: str) -> object:
    """Parse JSON text strictly (no NaN or infinity); errors name ``shown`` and the line."""
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
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


def load_json(path: str | Path) -> object:
    """Parse a JSON file (``-``: standard input); missing, empty or malformed files raise."""
    if str(path) == STDIN:
        text = sys.stdin.read()
        if not text.strip():
            raise JobFileError("standard input is empty", path="<stdin>",
                               hint="pipe a JSON job into the command")
        return parse_json(text, "<stdin>")
    p = Path(path)
    if not p.exists():
        raise JobFileError("file not found", path=str(p), hint="check the path")
    if p.is_dir():
        raise JobFileError("is a directory, expected a JSON file", path=str(p))
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise JobFileError(
            f"not a UTF-8 text file (byte {exc.start})", path=str(p), hint="expected a JSON file"
        ) from None
    except OSError as exc:
        raise JobFileError(f"cannot read: {exc.strerror}", path=str(p)) from None
    if not text.strip():
        raise JobFileError("file is empty", path=str(p), hint="expected a JSON job or instance")
    return parse_json(text, str(p))


@cache
def _validator(schema_name: str):
    import jsonschema

    text = resources.files("leathernest").joinpath("schemas", schema_name).read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def check_schema(data: object, schema_name: str, path: str | None) -> None:
    """Raise JobFileError at the most relevant schema violation, naming its JSON path."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(schema_name).iter_errors(data))
    if error is not None:
        message = error.message
        if len(message) > 160:
            message = message[:157] + "..."
        raise JobFileError(message, path=path, location=error.json_path)
