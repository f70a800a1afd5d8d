"""Write the pattern library as ASTM D6673 / AAMA-style DXF files (run once; outputs are committed).

Usage::

    python datasets/patterns/draw_patterns.py [OUT_DIR]     # default: this folder

One DXF per product (``bifold_wallet.dxf`` ...), DXF R2000 (LWPOLYLINE needs it), ``$INSUNITS`` 4
(millimetres). Each piece is a BLOCK inserted once in model space; inside the block: the boundary on
layer 1 (closed LWPOLYLINE, arcs as bulges), internal cut-outs on 11, internal lines on 8, slit
notches on 4, the grain line on 7, punches on 13 (CIRCLE), and the piece text on 1. The style text
sits in model space on layer 1. ``datasets/patterns/README.md`` documents the conventions.

The output is deterministic (fixed creation date and GUIDs), so re-running the script
changes no committed byte unless the catalogue changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from leathernest.datasets.patterns.catalog import PatternPiece, Product, products
from leathernest.io.atomic import write_atomic

HERE = Path(__file__).resolve().parent

# Fixed so that re-running the script reproduces the committed files byte for byte.
CREATION_DATE = "2025-01-15"
AUTHOR = "leathernest pattern library (MIT)"
TEXT_MM = 3.0  # height of piece text inside a block
GAP_MM = 20.0  # spacing between inserted pieces in model space


def block_name(product: Product, pp: PatternPiece) -> str:
    """The BLOCK name of a piece: upper-case, ASCII, no spaces (some readers reject spaces)."""
    return f"{product.name}-{pp.name}".upper()


def piece_text(product: Product, pp: PatternPiece) -> list[str]:
    """The piece system text, ``Key: value`` lines (7-bit ASCII, as ASTM requires)."""
    lines = [
        f"Piece Name: {product.name}-{pp.name}",
        "Size: ONE",
        f"Quantity: {pp.quantity}",
        f"Grade: {pp.grade}",
        f"Mirror: {'pair' if pp.pair else 'no'}",
    ]
    if pp.grain_deg is not None:
        lines.append(f"Grain Tolerance: {pp.grain_tol_deg:g}")
    if pp.priority:
        lines.append(f"Priority: {pp.priority}")
    lines.append(f"Material: {product.material} {product.thickness_mm:g} mm")
    return lines


def style_text(product: Product) -> list[str]:
    """The style system text placed once in model space."""
    return [
        f"Style Name: {product.name}",
        f"Creation Date: {CREATION_DATE}",
        f"Author: {AUTHOR}",
        "Sample Size: ONE",
        "Grading Rule Table: NONE",
        "Units: METRIC",
        f"Annotation: {product.title}, {product.material} {product.thickness_mm:g} mm",
    ]


def _lwpolyline(layout, cp, layer: str) -> None:
    pts = [(float(x), float(y), 0.0, 0.0, float(b)) for (x, y), b in zip(cp.points, cp.bulges,
                                                                         strict=True)]
    layout.add_lwpolyline(pts, format="xyseb", close=cp.closed, dxfattribs={"layer": layer})


def _draw_piece(doc, product: Product, pp: PatternPiece) -> str:
    name = block_name(product, pp)
    blk = doc.blocks.new(name=name)
    _lwpolyline(blk, pp.boundary, "1")
    for c in pp.cutouts:
        _lwpolyline(blk, c, "11")
    for line in pp.lines:
        _lwpolyline(blk, line, "8")
    for a, b in pp.notches:
        blk.add_line(a, b, dxfattribs={"layer": "4"})
    gl = pp.grain_line()
    if gl is not None:
        blk.add_line(gl[0], gl[1], dxfattribs={"layer": "7"})
    for x, y, r in pp.punches:
        blk.add_circle((x, y), r, dxfattribs={"layer": "13"})
    w, h = pp.size
    # piece text inside the piece, stacked from 20 % of the height upwards (small pieces: outside
    # geometry is avoided by shrinking the text to fit)
    lines = piece_text(product, pp)
    height = min(TEXT_MM, 0.8 * h / (len(lines) + 1))
    for k, text in enumerate(lines):
        y = h * 0.15 + (len(lines) - 1 - k) * height * 1.2
        blk.add_text(text, height=height, dxfattribs={"layer": "1", "insert": (w * 0.1, y)})
    return name


def draw_product(product: Product):
    """An ezdxf document holding the product's pieces as blocks inserted side by side."""
    import ezdxf

    doc = ezdxf.new("R2000", setup=False)
    doc.header["$INSUNITS"] = 4  # millimetres
    doc.header["$MEASUREMENT"] = 1  # metric
    for layer in ("1", "4", "7", "8", "11", "13"):
        doc.layers.add(layer)
    msp = doc.modelspace()
    x = 0.0
    for pp in product.pieces:
        name = _draw_piece(doc, product, pp)
        msp.add_blockref(name, (x, 0.0), dxfattribs={"layer": "1"})
        x += pp.size[0] + GAP_MM
    for k, text in enumerate(style_text(product)):
        msp.add_text(text, height=5.0, dxfattribs={"layer": "1", "insert": (0.0, -20.0 - 8.0 * k)})
    return doc


def write_product(product: Product, out_dir: Path) -> Path:
    """Write one product's DXF atomically; returns its path."""
    import io

    import ezdxf

    buf = io.StringIO()
    # ezdxf stamps the creation and write times and random GUIDs into the file unless told to write
    # fixed ones; fixed values keep the committed files reproducible.
    before = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        draw_product(product).write(buf)
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = before
    path = write_atomic(out_dir / f"{product.name}.dxf", buf.getvalue())
    path.chmod(0o644)
    return path


def main(argv: list[str]) -> int:
    """Write every product of the catalogue; prints the files written."""
    out_dir = Path(argv[0]) if argv else HERE
    for product in products().values():
        path = write_product(product, out_dir)
        print(path)  # a script, not the library
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
