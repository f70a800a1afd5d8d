"""Bundled instances, loadable by name (``leathernest nest albano``).

Each sub-folder holds one set with a README giving its source and licence. A name is a file's stem
(``albano``, ``baldacci1``); :func:`dataset_path` resolves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# folder -> (kind, source), shown by `leathernest datasets`
SETS = {
    "esicup": ("strip", "ESICUP strip-packing instances, via the Sparrow repository (MIT)"),
    "leather": ("hides", "Baldacci et al. (2014) leather instances, via jagua-rs (MPL-2.0)"),
    "examples": ("hides", "drawn for leathernest (MIT)"),
}


@dataclass(frozen=True)
class Dataset:
    """One bundled instance file."""

    name: str
    set: str
    kind: str
    path: Path
    source: str


def datasets() -> list[Dataset]:
    """Every bundled instance, by set and name."""
    out = []
    for folder, (kind, source) in SETS.items():
        for p in sorted((ROOT / folder).glob("*.json")):
            out.append(Dataset(p.stem, folder, kind, p, source))
    return out


def dataset_path(name: str) -> Path | None:
    """The file of a bundled instance called ``name`` (stem, optionally ``set/stem``), or None."""
    for d in datasets():
        if name in (d.name, f"{d.set}/{d.name}"):
            return d.path
    return None
