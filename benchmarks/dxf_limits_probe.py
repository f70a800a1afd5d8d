"""Time and memory of ``leathernest import`` on drawings at the DXF limits, and just over them.

Usage: ``.venv/bin/python benchmarks/dxf_limits_probe.py`` (writes its files to a temporary folder;
needs ``/usr/bin/time``). Each drawing is written with ezdxf, then imported by the installed command
in a process of its own, so that the peak memory is that import's:

- 49,000 squares from one MINSERT of a block (just under 50,000 expanded entities);
- 12,400 squares drawn as a LINE soup (49,600 LINE entities, a 5.7 MB file);
- 435 circles of 1 km radius, 2,221 vertices each (966,000 vertices, just under 1,000,000);
- over the limits: a fan of nested blocks expanding to a million squares, and a MINSERT of a
  million copies (both must be refused at once with exit code 2).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import ezdxf

BIN = Path(sys.executable).parent / "leathernest"


def _doc():
    doc = ezdxf.new("R2000")
    doc.units = 4
    return doc


def square_block(doc, name="S"):
    doc.blocks.new(name).add_lwpolyline([(0, 0), (10, 0), (10, 10), (0, 10)], close=True)


def minsert_squares(path: Path, rows: int, cols: int) -> None:
    doc = _doc()
    square_block(doc)
    doc.modelspace().add_blockref("S", (0, 0)).grid(size=(rows, cols), spacing=(12, 12))
    doc.saveas(path)


def line_soup(path: Path, n: int) -> None:
    doc = _doc()
    msp = doc.modelspace()
    for k in range(n):
        x, y = (k % 110) * 12.0, (k // 110) * 12.0
        for a, b in (((x, y), (x + 10, y)), ((x + 10, y), (x + 10, y + 10)),
                     ((x + 10, y + 10), (x, y + 10)), ((x, y + 10), (x, y))):  # fmt: skip
            msp.add_line(a, b)
    doc.saveas(path)


def big_circles(path: Path) -> None:
    doc = _doc()
    doc.blocks.new("C").add_circle((0, 0), 1e6)
    doc.modelspace().add_blockref("C", (0, 0)).grid(size=(15, 29), spacing=(2.1e6, 2.1e6))
    doc.saveas(path)


def fan(path: Path) -> None:
    doc = _doc()
    square_block(doc, "F0")
    for k in range(1, 7):
        blk = doc.blocks.new(f"F{k}")
        for i in range(10):
            blk.add_blockref(f"F{k - 1}", (i * 12.0 * 10 ** (k - 1), 0))
    doc.modelspace().add_blockref("F6", (0, 0))
    doc.saveas(path)


CASES = [
    ("minsert_49000_squares", lambda p: minsert_squares(p, 196, 250)),
    ("soup_12400_squares", lambda p: line_soup(p, 12_400)),
    ("circles_966000_vertices", big_circles),
    ("fan_1000000_squares", fan),
    ("minsert_1000000_copies", lambda p: minsert_squares(p, 1000, 1000)),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in CASES:
            path = Path(tmp) / f"{name}.dxf"
            make(path)
            proc = subprocess.run(
                ["/usr/bin/time", "-f", "%e s %M kB", str(BIN), "import", str(path), "--json"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            lines = proc.stderr.strip().splitlines()
            took = lines[-1] if lines else "?"
            said = next((ln for ln in lines if "error" in ln), "")
            print(f"{name:<26} {path.stat().st_size / 1e6:6.2f} MB  exit {proc.returncode}  "
                  f"{took}  {said[:100]}")


if __name__ == "__main__":
    main()
