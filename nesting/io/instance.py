"""Load any job the CLI accepts: a leathernest job file, a jagua-rs instance, or a bundled name."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from leathernest.datasets import dataset_path
from leathernest.errors import JobFileError
from leathernest.io.dxf_in import read_hide_dxf, read_pattern_dxf
from leathernest.io.jagua_json import is_jagua, read_jagua
from leathernest.io.job_json import is_job, read_job
from leathernest.io.jsonfile import STDIN, check_schema, load_json
from leathernest.limits import check_json_sizes, check_limits
from leathernest.model import Hide, Job, Strip


def resolve(source: str) -> Path:
    """The file a job argument names: an existing file as given, else a bundled dataset's file.

    A directory is never a job, so a folder named like a bundled instance (``albano/`` holding a
    run's output) does not hide the instance; ``-`` is standard input.
    """
    p = Path(source)
    if source == STDIN or p.is_file():
        return p
    if p.is_dir() or not p.suffix:
        found = dataset_path(source)
        if found is not None:
            return found
    return p


def load_job(source: str | Path, warn: Callable[[str], None] | None = None) -> Job:
    """Read a job from a file, a bundled name or ``-`` (standard input).

    Every problem, a job beyond the documented limits included, is an InputError naming the file.
    """
    path = resolve(str(source))
    data = load_json(path)
    if str(source) == STDIN:
        return job_from_data(data, "<stdin>", "stdin", warn)
    return job_from_data(data, str(source), path.stem, warn)


def job_from_data(data: object, shown: str, stem: str,
                  warn: Callable[[str], None] | None = None) -> Job:
    """A job from parsed JSON (a leathernest job or a jagua-rs instance), checked completely.

    ``shown`` names the source in messages, ``stem`` is the job's name when the data gives none.
    """
    check_json_sizes(data, shown)
    if is_job(data):
        check_schema(data, "job.schema.json", shown)
        job = read_job(data, shown, stem)  # type: ignore[arg-type]
    elif is_jagua(data):
        check_schema(data, "jagua.schema.json", shown)
        job = read_jagua(data, shown, str(data.get("name", stem)), warn)  # type: ignore[union-attr]
    else:
        raise JobFileError(
            "not a job: expected a leathernest job (\"format\": \"leathernest-job\") "
            "or a jagua-rs instance (\"items\" with \"strip_height\" or \"bins\")",
            path=shown,
            location="$",
        )
    check_limits(job, shown)
    return job


_HIDE_ROLE = re.compile(r"^(outline|defect|backbone|grade\d+)$", re.I)


def split_layer_map(layer_map: Mapping[str, str] | None
                    ) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """One ``--layer-map`` for patterns and hides: (pattern entries, hide entries).

    Hide roles are outline, defect, backbone and grade<N>; ``ignore`` counts for both.
    """
    if not layer_map:
        return None, None
    hide = {k: v for k, v in layer_map.items() if _HIDE_ROLE.match(v) or v.lower() == "ignore"}
    pattern = {k: v for k, v in layer_map.items() if not _HIDE_ROLE.match(v)}
    return pattern or None, hide or None


def load_hides(paths: list[str], warn: Callable[[str], None] | None = None,
               units: str | None = None, close_gaps_mm: float = 0.0,
               layer_map: Mapping[str, str] | None = None) -> tuple[Hide, ...]:
    """Hides from hide DXF files and job files (all hides of a job, such as a remnant file)."""
    layer_map = split_layer_map(layer_map)[1]
    got: list[Hide] = []
    for path in paths:
        if Path(path).suffix.lower() == ".dxf":
            got.append(read_hide_dxf(path, units=units, hide_id=Path(path).stem,
                                     close_gaps_mm=close_gaps_mm, layer_map=layer_map).hide)
        else:
            job = load_job(path, warn)
            if job.is_strip:
                raise JobFileError("a strip job holds no hides", path=path,
                                   hint="pass a hide DXF or a job file with hides")
            got += list(job.hides)
    ids = [h.id for h in got]
    if len(set(ids)) != len(ids):
        raise JobFileError(f"hide ids repeat across the --hides files: "
                           f"{sorted({i for i in ids if ids.count(i) > 1})}", path=paths[0],
                           hint="rename a hide file (its name is the hide id) or the hide")
    return tuple(got)


def job_from_patterns(
    patterns: list[str], hides: list[str], strip_width: float | None,
    warn: Callable[[str], None] | None = None, units: str | None = None, products: int = 1,
    close_gaps_mm: float = 0.0, layer_map: Mapping[str, str] | None = None,
) -> Job:
    """A job from pattern DXF files and hides (DXF or job JSON) or a strip width.

    ``products`` multiplies every piece's quantity: the number of each pattern set to cut
    (:func:`leathernest.report.products.select_sizes` does the same and chooses sizes).
    ``layer_map`` gives the roles of DXF layers, for patterns and hides alike.
    """
    pieces = []
    for path in patterns:
        found = read_pattern_dxf(path, units=units, close_gaps_mm=close_gaps_mm,
                                 layer_map=split_layer_map(layer_map)[0])
        for issue in found.report.issues:
            if warn is not None:
                warn(f"{path}: {issue.one_line()}")
        stem = Path(path).stem
        pieces += [dataclasses.replace(p, id=f"{stem}/{p.id}" if len(patterns) > 1 else p.id,
                                       demand=p.demand * products)
                   for p in found.pieces]
    if strip_width is not None:
        stock: tuple[Hide, ...] | Strip = Strip(strip_width)
    elif hides:
        stock = load_hides(hides, warn, units, close_gaps_mm, layer_map)
    else:
        raise JobFileError("pattern files need --hides FILE... or --strip-width MM",
                           path=patterns[0], hint="say what to cut the pieces from")
    name = Path(patterns[0]).stem if len(patterns) == 1 else "patterns"
    job = Job(name=name, pieces=tuple(pieces), stock=stock)
    shown = patterns[0] if len(patterns) == 1 else f"{patterns[0]} (and {len(patterns) - 1} more)"
    check_limits(job, shown)
    return job
