"""Bundled instances, pattern library and hide generator, listed and loadable by name.

Each sub-folder holds one set; ``datasets/README.md`` gives the source and licence of every one. A
name is a file's stem (``albano``, ``baldacci1``, ``demo_wallets``, ``bifold_wallet``), optionally
prefixed by its set (``esicup/albano``); generator presets are named ``calf``, ``goat``,
``cow_side`` (set ``hidegen``). :func:`dataset_path` resolves the name of a job (JSON) for
``load_job``; :func:`find` resolves any entry, DXF files and generators included.
:func:`datasets` lists the JSON instances, :func:`entries` everything.

Imports the standard library only (``json`` to count pieces when asked).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent

# folder -> (kind, file suffix, source), in the order `leathernest datasets` lists them
SETS: dict[str, tuple[str, str, str]] = {
    "esicup": ("strip", ".json", "ESICUP strip-packing instances, via Sparrow (MIT)"),
    "leather": ("hides", ".json", "Baldacci et al. (2014) hides, via jagua-rs (MPL-2.0)"),
    "examples": ("hides", ".json", "leathernest (MIT): pattern library on generated hides"),
    "patterns": ("pattern", ".dxf", "leathernest pattern library, ASTM D6673-style DXF (MIT)"),
    "hides": ("hide", ".dxf", "leathernest hide generator output, DXF (MIT)"),
}

# Generator presets (leathernest.generators.hides.PRESETS), listed without importing numpy or
# shapely.
GENERATORS: dict[str, str] = {
    "calf": "calf skin, 0.85-1.4 m²",
    "goat": "goat skin, 3-9 sq ft (0.28-0.84 m²)",
    "cow_side": "cow side (half hide), 21-26 sq ft (1.95-2.42 m²)",
}
GENERATOR_SOURCE = "leathernest.generators.hides, seeded (MIT)"


@dataclass(frozen=True)
class Dataset:
    """One bundled entry: a file of a set, or a generator preset (``path`` None)."""

    name: str
    set: str
    kind: str
    path: Path | None
    source: str

    @property
    def qualified(self) -> str:
        """``set/name``, unique across sets."""
        return f"{self.set}/{self.name}"


def entries() -> list[Dataset]:
    """Every bundled entry: files by set and name (JSON and DXF), then the generator presets."""
    out = []
    for folder, (kind, suffix, source) in SETS.items():
        out.extend(Dataset(p.stem, folder, kind, p, source)
                   for p in sorted((ROOT / folder).glob(f"*{suffix}")))
    out.extend(Dataset(name, "hidegen", "generator", None, GENERATOR_SOURCE) for name in GENERATORS)
    return out


def datasets() -> list[Dataset]:
    """The bundled instances and jobs (JSON files), each loadable with ``load_job``."""
    return [d for d in entries() if d.path is not None and d.path.suffix == ".json"]


def find(name: str) -> Dataset | None:
    """The entry called ``name`` (stem or ``set/stem``), or None."""
    for d in entries():
        if name in (d.name, d.qualified):
            return d
    return None


def dataset_path(name: str) -> Path | None:
    """The JSON file of a bundled job or instance called ``name``, or None (DXF files excluded)."""
    d = find(name)
    if d is None or d.path is None or d.path.suffix != ".json":
        return None
    return d.path


def contents(d: Dataset) -> str:
    """What an entry holds, in a few words: pieces (copies) and hides, or the strip height.

    Reads the file: JSON instances are parsed, DXF files scanned for their text lines (a pattern's
    ``Piece Name:`` and ``Quantity:``, a hide's ``HIDE`` layer), so no DXF library is needed.
    """
    if d.path is None:
        return GENERATORS.get(d.name, "generator")
    if d.path.suffix == ".dxf":
        text = d.path.read_text(encoding="ascii", errors="replace")
        if d.kind == "pattern":
            names = re.findall(r"\nPiece Name: ", text)
            qty = sum(int(q) for q in re.findall(r"\nQuantity: (\d+)", text))
            return f"{len(names)} pieces ({qty} per product)"
        return "1 hide"
    data = json.loads(d.path.read_text(encoding="utf-8"))
    if data.get("format") == "leathernest-job":
        pieces = data["pieces"]
        copies = sum(p.get("demand", 1) * (2 if p.get("mirror") == "pair" else 1) for p in pieces)
        stock = (f"strip {data['strip']['height']:g}" if "strip" in data
                 else _n(len(data["hides"]), "hide"))
        return f"{len(pieces)} pieces ({copies} copies), {stock}"
    items = data.get("items", [])
    copies = sum(int(i.get("demand", 1)) for i in items)
    if "strip_height" in data:
        return f"{len(items)} pieces ({copies} copies), strip {data['strip_height']:g}"
    return f"{len(items)} pieces ({copies} copies), {_n(len(data.get('bins', [])), 'hide')}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
