"""What a DXF import found and fixed: coded issues with layer and handle, as data, never printed.

Modelled on ezdxf's ``Auditor`` (a list of entries with a stable code, a message and the entity):
the library returns the report, the CLI decides what to show. Codes are strings so that JSON output
and tests read well; their meaning is listed in :class:`IssueCode`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum


class IssueCode(StrEnum):
    """Stable codes of import issues."""

    RECOVERED = "RECOVERED"  # ezdxf.readfile failed; ezdxf.recover read the file
    UNITS_UNKNOWN = "UNITS_UNKNOWN"  # no usable $INSUNITS: read as millimetres
    UNITS_FROM_TEXT = "UNITS_FROM_TEXT"  # units taken from an AAMA/ASTM "Units:" text
    OPEN_CONTOUR = "OPEN_CONTOUR"  # a chain on a cut layer that does not close (both ends free)
    STRAY_LINE = "STRAY_LINE"  # a line touching or crossing outlines that closes none: left out
    SELF_INTERSECTION = "SELF_INTERSECTION"  # a closed contour crosses itself: left out
    DUPLICATE_CONTOUR = "DUPLICATE_CONTOUR"  # the same ring drawn twice: one kept
    OVERLAPPING_OUTLINES = "OVERLAPPING_OUTLINES"  # outlines overlap or touch: merged into one
    ORPHAN_FEATURE = "ORPHAN_FEATURE"  # a cut-out, punch or mark outside every piece
    HALF_PATTERN = "HALF_PATTERN"  # AAMA mirror line on the boundary: piece drawn as a half
    DEGENERATE = "DEGENERATE"  # a ring with (almost) no area
    BAD_ENTITY = "BAD_ENTITY"  # an entity ezdxf could not decode: skipped
    IGNORED_ENTITIES = "IGNORED_ENTITIES"  # entity types that carry no cut geometry
    IGNORED_LAYER = "IGNORED_LAYER"  # hides: layers with no hide role
    IGNORED_OUTLINE = "IGNORED_OUTLINE"  # hides: closed outlines beside the hide's own
    BAD_ANNOTATION = "BAD_ANNOTATION"  # a piece text value cannot be read: attribute left default
    NON_PLANAR = "NON_PLANAR"  # 3D entities whose z varies: projected onto the xy plane

    @property
    def severity(self) -> str:
        """``info`` for facts about the file, ``warning`` where something was left out or fixed."""
        return "info" if self in _INFO else "warning"


_INFO = frozenset({IssueCode.UNITS_FROM_TEXT, IssueCode.IGNORED_ENTITIES})


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """One finding: code, message, and where (layer, entity handles) when known."""

    code: IssueCode
    message: str
    layer: str | None = None
    handles: tuple[str, ...] = ()
    gap_mm: float | None = None  # open contours: the distance between their ends

    def one_line(self) -> str:
        """``CODE: layer L, handle H: message`` for the CLI."""
        where = []
        if self.layer is not None:
            where.append(f"layer {self.layer}")
        if self.handles:
            more = f" (+{len(self.handles) - 1})" if len(self.handles) > 1 else ""
            where.append(f"handle {self.handles[0]}{more}")
        return ": ".join([self.code.value, *([", ".join(where)] if where else []), self.message])

    def as_dict(self) -> dict:
        """Plain dict for JSON output."""
        out = {
            "code": self.code.value,
            "severity": self.code.severity,
            "message": self.message,
            "layer": self.layer,
            "handles": list(self.handles),
        }
        if self.gap_mm is not None:
            out["gap_mm"] = round(self.gap_mm, 6)
        return out


@dataclass
class ImportReport:
    """Everything an import noticed: file facts and coded issues."""

    path: str
    dxf_version: str = ""
    units: str = "mm"  # how the unit was decided ("$INSUNITS 4", "in", "mm (assumed)")
    unit: str = "mm"  # the drawing unit's short name ("mm", "in", "m", ...)
    scale_to_mm: float = 1.0
    convention: str = "generic"  # "aama" for ASTM D6673 / AAMA files
    issues: list[ImportIssue] = field(default_factory=list)
    ignored: Counter = field(default_factory=Counter)

    def add(
        self,
        code: IssueCode,
        message: str,
        layer: str | None = None,
        handles=(),
        gap_mm: float | None = None,
    ) -> None:
        """Record an issue."""
        self.issues.append(ImportIssue(code, message, layer, tuple(handles), gap_mm))

    def warnings(self) -> list[ImportIssue]:
        """The issues of severity ``warning``."""
        return [i for i in self.issues if i.code.severity == "warning"]

    def codes(self) -> list[str]:
        """The issue codes in order (handy in tests)."""
        return [i.code.value for i in self.issues]

    def as_dict(self) -> dict:
        """Plain dict for JSON output."""
        return {
            "path": self.path,
            "dxf_version": self.dxf_version,
            "units": self.units,
            "scale_to_mm": self.scale_to_mm,
            "convention": self.convention,
            "issues": [i.as_dict() for i in self.issues],
            "ignored_entities": dict(self.ignored),
        }
