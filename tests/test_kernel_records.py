"""Kernels read their records by name: no positional read of a record field anywhere.

The kernel layer passes named records (:mod:`leathernest.collision.records`,
:mod:`leathernest.search.kernels.records`). A read by position (``st[3]``) or an unpacking by
position (``a, b, c = shape``) of a record would silently read the wrong array after a field is
added or moved; this test parses every module of the kernel layer (``collision/`` and
``search/``, where the records live and travel) and fails on either, naming file and line. A
record is recognised by its field names: any subscript by an integer constant, or any tuple
unpacking, of a name that the function also reads a record field of is a positional read.
"""

from __future__ import annotations

import ast
from pathlib import Path

from leathernest.collision import records as crec
from leathernest.search.kernels import records as srec

LIBRARY = Path(__file__).resolve().parents[1] / "nesting"
KERNEL_LAYER = (LIBRARY / "collision", LIBRARY / "search")


def record_fields() -> set[str]:
    fields: set[str] = set()
    for mod in (crec, srec):
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
                fields |= set(obj._fields)
    fields |= set(srec.LAYOUT_FIELDS) | {"static", "placed", "scratch"}
    return fields - {"xy", "poles", "rings", "bbox", "index"}  # also names of plain arrays


def positional_reads(tree: ast.AST, fields: set[str]) -> list[tuple[int, str]]:
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        records = {n.value.id for n in ast.walk(fn) if isinstance(n, ast.Attribute)
                   and n.attr in fields and isinstance(n.value, ast.Name)}
        for n in ast.walk(fn):
            if (isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)
                    and n.value.id in records and isinstance(n.slice, ast.Constant)
                    and isinstance(n.slice.value, int)):
                out.append((n.lineno, f"{n.value.id}[{n.slice.value}]"))
            if (isinstance(n, ast.Assign) and isinstance(n.value, ast.Name)
                    and n.value.id in records and isinstance(n.targets[0], ast.Tuple)):
                out.append((n.lineno, f"... = {n.value.id}"))
    return out


def test_no_kernel_record_is_read_by_position():
    fields = record_fields()
    found = [f"{path.relative_to(LIBRARY.parent)}:{line}: {what}"
             for room in KERNEL_LAYER for path in sorted(room.rglob("*.py"))
             for line, what in positional_reads(ast.parse(path.read_text()), fields)]
    assert found == [], "read record fields by name:\n" + "\n".join(found)


def test_the_check_finds_a_positional_read():
    src = "def k(st):\n    a = st.grid\n    b = st[3]\n    c, d = st\n"
    found = sorted(positional_reads(ast.parse(src), {"grid"}))
    assert [w for _line, w in found] == ["st[3]", "... = st"]
