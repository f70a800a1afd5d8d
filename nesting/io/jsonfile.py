"""Reading JSON files with errors a user can act on: the file, the JSON path, what is wrong."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

from leathernest.errors import JobFileError


def load_json(path: str | Path) -> object:
    """Parse a JSON file; missing, empty or malformed files raise JobFileError."""
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
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JobFileError(
            f"not valid JSON: {exc.msg}",
            path=str(p),
            location=f"line {exc.lineno}, column {exc.colno}",
        ) from None


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
