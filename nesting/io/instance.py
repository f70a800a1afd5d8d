"""Load any job the CLI accepts: a leathernest job file, a jagua-rs instance, or a bundled name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leathernest.errors import JobFileError
from leathernest.io.jagua_json import is_jagua, read_jagua
from leathernest.io.job_json import is_job, read_job
from leathernest.io.jsonfile import check_schema, load_json
from leathernest.model import Job


def resolve(source: str) -> Path:
    """A path as given, or the file of a bundled dataset of that name."""
    p = Path(source)
    if p.exists() or p.suffix:
        return p
    from leathernest.datasets import dataset_path

    found = dataset_path(source)
    return found if found is not None else p


def load_job(source: str | Path, warn: Callable[[str], None] | None = None) -> Job:
    """Read a job from a file or bundled name; every problem is an InputError naming the file."""
    path = resolve(str(source))
    data = load_json(path)
    shown = str(source)
    if is_job(data):
        check_schema(data, "job.schema.json", shown)
        return read_job(data, shown, path.stem)  # type: ignore[arg-type]
    if is_jagua(data):
        check_schema(data, "jagua.schema.json", shown)
        return read_jagua(data, shown, str(data.get("name", path.stem)), warn)  # type: ignore[union-attr]
    raise JobFileError(
        "not a job: expected a leathernest job (\"format\": \"leathernest-job\") "
        "or a jagua-rs instance (\"items\" with \"strip_height\" or \"bins\")",
        path=shown,
        location="$",
    )
