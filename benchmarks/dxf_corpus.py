"""Import every file of a DXF corpus as its MANIFEST.tsv expects, in one process, and time it.

Usage: ``.venv/bin/python benchmarks/dxf_corpus.py [DIR]`` (default: the shared development corpus,
``../shared/data/dxf`` beside the checkout). Prints one line per file (as expected or not, the
seconds it took, pieces found and the import report's issue codes) and the total: the figures of
the DXF section of benchmarks/RESULTS.md. Reads the corpus at run time only here, never in the
product.
"""

from __future__ import annotations

import csv
import sys
import time
from collections import Counter
from pathlib import Path

import ezdxf  # noqa: F401 - loaded before the clock starts: the importer imports it lazily

from leathernest.errors import DxfError
from leathernest.io.dxf_in import read_pattern_dxf

REPO = Path(__file__).resolve().parents[1]


def default_corpus() -> Path:
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "data" / "dxf" / "MANIFEST.tsv").is_file():
            return base / "shared" / "data" / "dxf"
    raise SystemExit("no ../shared/data/dxf beside the checkout: pass the corpus folder")


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else default_corpus()
    with open(folder / "MANIFEST.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    good = 0
    start = time.perf_counter()
    for row in rows:
        t0 = time.perf_counter()
        try:
            result = read_pattern_dxf(folder / row["file"])
            n = len(result.pieces)
            ok = row["expect"] != "error" and n >= int(row["expect"].split(">=")[1])
            codes = Counter(result.report.codes())
            info = f"{n} pieces; " + ", ".join(f"{k} {v}" for k, v in sorted(codes.items()))
        except DxfError as exc:
            ok = row["expect"] == "error"
            info = f"error: {exc.message}"
        good += ok
        took = time.perf_counter() - t0
        print(f"{'ok ' if ok else 'BAD'} {row['file']:<40} {row['expect']:<10} {took:6.2f} s  "
              f"{info[:110]}")
    total = time.perf_counter() - start
    print(f"{good} of {len(rows)} as expected; all files together {total:.2f} s")


if __name__ == "__main__":
    main()
