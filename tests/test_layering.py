"""The rooms of the library import one way only: read statically from every module under nesting/.

Every ``import`` and ``from ... import`` of a ``leathernest`` module counts, at the top of a module,
under ``if TYPE_CHECKING:`` and inside functions alike. A module belongs to the room of the folder
it lies in (:data:`ROOMS`, read from disk); a room may import itself and the rooms in its row of
:data:`MAY_IMPORT`, nothing else. The rows, top to bottom (cli -> io, report, search -> collision
-> geometry -> model, with the rooms around them as the code uses them):

=========== ===================================================================================
room        may import
=========== ===================================================================================
train       nest, io, scoring, report, validate, search (stop token), generators, datasets,
            geometry, base
bench       nest, io, report, validate, search (stop token), collision (warm-up), geometry, base
nest        search, collision (warm-up), report, validate, geometry, base
io          scoring, report, validate, ordering, capture, generators, datasets, geometry, base
capture     generators, geometry, base
search      collision, geometry, base
collision   geometry, base
scoring     report, validate, geometry, base
report      validate, geometry, base
generators  geometry, base
ordering    geometry, base
validate    base (and, outside the project, only shapely and the standard library)
geometry    base
base        (model, errors, config, limits, _version: nothing above)
=========== ===================================================================================

Nothing in the library imports the CLI (``cli/``, which may import anything, inside its commands).
:data:`EXCEPTIONS` names the few module pairs that cross against these rows, each with its reason;
an exception no import needs any more fails too, so the list only shrinks. The runtime twin of the
validator rule, in fresh interpreters, is ``tests/test_import_direction.py``.

The house rule that the project's own modules are imported at the top of a module is held here as
well: an import of a ``leathernest`` module inside a function is allowed only where
:data:`LAZY` names it, with why (an import cycle, or a heavy optional dependency behind it).
``leathernest.collision.__init__`` loads its names on first use through ``importlib`` (PEP 562);
those dynamic imports all point inside collision, so they cannot cross a room.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "nesting"
# Where the import names live on disk (package-dir in pyproject.toml).
PACKAGE_DIRS = {"leathernest": LIBRARY, "leathernest.cli": ROOT / "cli",
                "leathernest.datasets": ROOT / "datasets"}

# Room of a module: the folder it lies in under nesting/ (each package folder is a room, so the
# rooms are where a newcomer looks for them); the few modules at the top of nesting/ are the base,
# the validator and nest(). room_of takes the longest key that is the module or one of its parents.
TOP_MODULES = {
    "leathernest": "base",  # the package itself holds only __version__
    "leathernest._version": "base",
    "leathernest.config": "base",
    "leathernest.errors": "base",
    "leathernest.limits": "base",
    "leathernest.model": "base",
    "leathernest.processes": "base",
    "leathernest.validate": "validate",
    "leathernest.nest": "nest",
}
DATA_FOLDERS = {"schemas"}  # folders of data files only: no room


def _rooms() -> dict[str, str]:
    rooms = dict(TOP_MODULES)
    for folder in sorted(LIBRARY.iterdir()):
        if folder.is_dir() and folder.name not in DATA_FOLDERS and any(folder.glob("*.py")):
            rooms[f"leathernest.{folder.name}"] = folder.name
    return {**rooms, "leathernest.datasets": "datasets", "leathernest.cli": "cli"}


ROOMS = _rooms()

MAY_IMPORT = {
    "train": {"nest", "io", "scoring", "report", "validate", "search", "generators", "datasets",
              "geometry", "base"},
    "bench": {"nest", "io", "report", "validate", "search", "collision", "geometry", "base"},
    "nest": {"search", "collision", "report", "validate", "geometry", "base"},
    "io": {"scoring", "report", "validate", "ordering", "capture", "generators", "datasets",
           "geometry", "base"},
    "capture": {"generators", "geometry", "base"},
    "search": {"collision", "geometry", "base"},
    "collision": {"geometry", "base"},
    "scoring": {"report", "validate", "geometry", "base"},
    "report": {"validate", "geometry", "base"},
    "generators": {"geometry", "base"},
    "ordering": {"geometry", "base"},
    "validate": {"base"},
    "geometry": {"base"},
    "base": set(),
}

# (importing module, imported module): why it crosses the rows above.
EXCEPTIONS = {
    ("leathernest.scoring.score", "leathernest.io.hand_layout"):
        "a score is of a hand layout: its types (HandLayout, HandOutline) live with their reader",
    ("leathernest.generators.hides", "leathernest.io.job_json"):
        "the generator keeps its two writers beside it (see its docstring)",
    ("leathernest.generators.hides", "leathernest.io.atomic"):
        "the generator keeps its two writers beside it (see its docstring)",
}

# (importing module, imported module) allowed inside a function: why it cannot be at the top.
LAZY = {
    ("leathernest.io.hand_layout", "leathernest.io.dxf_layout"):
        "cycle: dxf_layout builds hand_layout's HandLayout",
    ("leathernest.io.photo", "leathernest.capture.capture"):
        "capture pulls scikit-image and scipy",
}

# Rooms outside nesting/: the library may import datasets (bundled data), never the CLI.
TARGETS_ONLY = {"datasets"}

# What validate may import from outside the project besides the standard library.
VALIDATE_THIRD_PARTY = {"shapely"}


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is written."""

    source: str  # importing module
    target: str  # imported module (for ``from m import name``: m.name when that is a module)
    path: Path
    line: int
    in_function: bool

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    for name, folder in PACKAGE_DIRS.items():
        if path.is_relative_to(folder):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join([name, *parts])
    raise ValueError(path)


def is_module(name: str) -> bool:
    """True when ``name`` is a leathernest module or package on disk."""
    for pkg, folder in sorted(PACKAGE_DIRS.items(), key=lambda kv: -len(kv[0])):
        if name == pkg or name.startswith(pkg + "."):
            base = folder.joinpath(*name[len(pkg):].split(".")[1:])
            return base.is_dir() or base.with_suffix(".py").is_file()  # a package, or a module
    return False


def room_of(module: str) -> str | None:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        room = ROOMS.get(".".join(parts[:n]))
        if room is not None:
            return room
    return None


def _walk(node: ast.AST, in_function: bool):
    for child in ast.iter_child_nodes(node):
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        yield from _walk(child, inner)


def imports_of(path: Path) -> tuple[list[Import], set[str]]:
    """The leathernest imports of one file, and the top-level names of all else it imports."""
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    own: list[Import] = []
    other: set[str] = set()
    for node, in_function in _walk(ast.parse(path.read_text(encoding="utf-8")), False):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:  # relative (ruff bans them; resolved anyway)
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{a.name}" if is_module(f"{base}.{a.name}") else base
                       for a in node.names]
        for t in dict.fromkeys(targets):  # one per target and line
            if t == "leathernest" or t.startswith("leathernest."):
                own.append(Import(source, t, path, node.lineno, in_function))
            else:
                other.add(t.split(".")[0])
    return own, other


def library_files() -> list[Path]:
    return sorted(LIBRARY.rglob("*.py"))


def all_imports() -> list[Import]:
    return [i for p in library_files() for i in imports_of(p)[0]]


def test_the_table_is_one_way():
    """The rows themselves form no cycle (else the rooms would not be layers)."""
    order: list[str] = []
    left = {room: set(rows) for room, rows in MAY_IMPORT.items()}
    while left:
        free = [r for r, rows in left.items() if not rows - set(order) - TARGETS_ONLY]
        assert free, f"the allowed arrows have a cycle among {sorted(left)}"
        order += sorted(free)
        for r in free:
            del left[r]
    assert set(ROOMS.values()) <= set(MAY_IMPORT) | TARGETS_ONLY | {"cli"}


def test_every_library_module_has_a_room():
    loose = [str(p.relative_to(ROOT)) for p in library_files()
             if room_of(module_name(p)) not in MAY_IMPORT]
    assert loose == [], f"give these modules a room in ROOMS: {loose}"


def test_rooms_import_one_way():
    crossing = []
    used = set()
    for imp in all_imports():
        mine, theirs = room_of(imp.source), room_of(imp.target)
        assert theirs is not None, f"{imp.where()}: no such room"
        if theirs == mine or theirs in MAY_IMPORT[mine]:
            continue
        if (imp.source, imp.target) in EXCEPTIONS:
            used.add((imp.source, imp.target))
            continue
        crossing.append(f"{imp.where()} ({mine} -> {theirs} is not an allowed arrow)")
    assert crossing == [], "imports against the direction of the rooms:\n" + "\n".join(crossing)
    stale = sorted(set(EXCEPTIONS) - used)
    assert stale == [], f"exceptions no import needs any more, remove them: {stale}"


def test_the_key_rules_of_the_issue():
    """Spelled out apart from the table, so that widening a row cannot drop them silently."""
    never = {"search": {"validate", "report", "io", "train", "bench", "nest"},
             "collision": {"search", "validate", "report", "io", "nest"},
             "geometry": set(MAY_IMPORT) - {"geometry", "base"},
             "validate": set(MAY_IMPORT) - {"validate", "base"}}
    broken = [imp.where() for imp in all_imports()
              if room_of(imp.target) in never.get(room_of(imp.source), set())]
    assert broken == [], "\n".join(broken)


def test_the_validator_uses_only_shapely_and_the_standard_library():
    own, other = imports_of(LIBRARY / "validate.py")
    broken = [i.where() for i in own if room_of(i.target) not in ("base", "validate")]
    third_party = other - set(sys.stdlib_module_names) - {"__future__"} - VALIDATE_THIRD_PARTY
    assert (broken, sorted(third_party)) == ([], []), "the validator must stay independent"


def test_the_projects_modules_are_imported_at_the_top():
    lazy = [imp for imp in all_imports() if imp.in_function]
    unexplained = [imp.where() for imp in lazy if (imp.source, imp.target) not in LAZY]
    assert unexplained == [], ("import these at the top of the module (or name the cycle or heavy "
                               "dependency in LAZY):\n" + "\n".join(unexplained))
    stale = sorted(set(LAZY) - {(i.source, i.target) for i in lazy})
    assert stale == [], f"LAZY entries no function needs any more, remove them: {stale}"


def test_the_scanner_sees_imports_inside_functions(tmp_path, monkeypatch):
    """A crossing import hidden in a function body is found, with its file and line."""
    fake = tmp_path / "nesting"
    (fake / "search").mkdir(parents=True)
    (fake / "search" / "bad.py").write_text(
        "def f():\n    if True:\n        from leathernest.validate import validate\n")
    monkeypatch.setitem(PACKAGE_DIRS, "leathernest", fake)
    (imp,), _ = imports_of(fake / "search" / "bad.py")
    assert (imp.source, imp.target, imp.line, imp.in_function) == (
        "leathernest.search.bad", "leathernest.validate", 3, True)
    assert room_of(imp.target) not in MAY_IMPORT[room_of(imp.source)]
