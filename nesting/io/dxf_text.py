"""Piece text of pattern DXFs: ``Key: value`` annotations read into piece attributes.

ASTM D6673 / AAMA piece text gives ``Piece Name``, ``Size`` and ``Quantity``; the project's pattern
library (``datasets/patterns/README.md``) adds ``Grade`` (minimum leather grade), ``Mirror``
(``pair``: left and right hands from the same hide), ``Grain Tolerance`` (degrees) and
``Priority``. One ``Key: value`` per TEXT, or one per line of an MTEXT; keys are case-insensitive.
Other keys (``Material``, ``Category``, ...) are kept only as text features.

A value that cannot be read is a ``BAD_ANNOTATION`` warning naming the text's layer and handle, and
the attribute keeps its default: a wrong grade must not silently move a piece onto worse leather,
and a wrong quantity must not silently cut more or fewer pieces than the drawing asks for.

Imports the model and the import report only; no ezdxf, no shapely, nothing from ``datasets``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leathernest.io.dxf_report import ImportReport, IssueCode
from leathernest.model import Mirror

# Letter grade of the piece text ("Grade: B") -> the piece's min_grade. A needs the unmarked best
# leather (min_grade None); B, C, D may also lie on zones of grade 3, 2, 1 (the hide generator
# grades shoulder 3, belly and neck 2, legs 1). The pattern library's catalogue uses the same table
# (leathernest.datasets.patterns.catalog.GRADE_MIN); a test checks that the two agree. It is
# defined here so that the importer does not depend on the bundled datasets.
GRADE_MIN_OF_LETTER: dict[str, int | None] = {"A": None, "B": 3, "C": 2, "D": 1}

# Keys understood, lower case; "name" and "qty" are common short forms of other writers.
KEYS = (
    "piece name", "name", "quantity", "qty", "size", "category", "annotation", "grade", "mirror",
    "grain tolerance", "priority",
)  # fmt: skip
_TAG = re.compile(r"^\s*(" + "|".join(KEYS) + r")\s*:\s*(.*?)\s*$", re.I)
_INT = re.compile(r"^[+-]?\d+$")
_DEGREES = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)\s*(?:°|deg|degrees?)?$", re.I)


class BadValueError(ValueError):
    """A piece-text value that cannot be read; the message says what is accepted."""


def parse_grade(value: str) -> int | None:
    """``A``..``D`` (by :data:`GRADE_MIN_OF_LETTER`) or a plain integer grade >= 1."""
    v = value.strip().upper()
    if v in GRADE_MIN_OF_LETTER:
        return GRADE_MIN_OF_LETTER[v]
    if _INT.match(v) and int(v) >= 1:
        return int(v)
    raise BadValueError("use a letter A (best) to D, or an integer grade >= 1 (0 is a hole)")


def parse_mirror(value: str) -> Mirror:
    """``no``, ``allowed`` or ``pair`` (the model's :class:`~leathernest.model.Mirror`)."""
    try:
        return Mirror(value.strip().lower())
    except ValueError:
        raise BadValueError(f"use one of {', '.join(m.value for m in Mirror)}") from None


def parse_grain_tolerance(value: str) -> float:
    """Degrees in [0, 90], optionally followed by ``deg`` or ``°``."""
    m = _DEGREES.match(value.strip())
    if m is None or not (0.0 <= float(m.group(1)) <= 90.0):
        raise BadValueError("use a number of degrees from 0 to 90")
    return float(m.group(1))


def parse_priority(value: str) -> int:
    """A signed integer; higher is placed first."""
    if not _INT.match(value.strip()):
        raise BadValueError("use an integer")
    return int(value.strip())


def parse_quantity(value: str) -> int:
    """Leading digits (``6``, ``6 pcs``): writers append units or remarks."""
    m = re.match(r"\d+", value.strip())
    if m is None:
        raise BadValueError("use a whole number of pieces per product")
    return int(m.group(0))


_PARSERS = {
    "quantity": parse_quantity,
    "grade": parse_grade,
    "mirror": parse_mirror,
    "grain tolerance": parse_grain_tolerance,
    "priority": parse_priority,
}
_ALIASES = {"qty": "quantity", "name": "piece name"}


@dataclass
class PieceText:
    """What a piece's text says; ``given`` keeps, per key, the raw value, layer and handle."""

    name: str = ""
    size: str = ""
    quantity: int | None = None
    min_grade: int | None = None
    mirror: Mirror = Mirror.NO
    grain_tol_deg: float | None = None
    priority: int = 0
    given: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def read(self, text: str, layer: str, handle: str, report: ImportReport) -> None:
        """Take the ``Key: value`` lines of one TEXT or MTEXT; the first value of a key wins."""
        for line in text.splitlines():
            m = _TAG.match(line)
            if m:
                key = m.group(1).lower()
                self._take(_ALIASES.get(key, key), m.group(2), layer, handle, report)

    def _take(self, key: str, value: str, layer: str, handle: str, report: ImportReport) -> None:
        if key in ("piece name", "size"):
            if value and key not in self.given:
                self.given[key] = (value, layer, handle)
                setattr(self, "name" if key == "piece name" else "size", value)
            return
        parse = _PARSERS.get(key)
        if parse is None:
            return
        if key in self.given:
            if value.lower() != self.given[key][0].lower():
                report.add(
                    IssueCode.BAD_ANNOTATION,
                    f"piece text {_quote(key, value)} contradicts the earlier "
                    f"{_quote(key, self.given[key][0])}; the first is used",
                    layer,
                    (handle,),
                )
            return
        try:
            parsed = parse(value)
        except BadValueError as exc:
            report.add(
                IssueCode.BAD_ANNOTATION,
                f"piece text {_quote(key, value)} cannot be read ({exc}); {_DEFAULTS[key]}",
                layer,
                (handle,),
            )
            return
        self.given[key] = (value, layer, handle)
        attr = {"grade": "min_grade", "grain tolerance": "grain_tol_deg"}.get(key, key)
        setattr(self, attr, parsed)

    def check(self, has_grain: bool, report: ImportReport) -> None:
        """Drop attributes that contradict the rest of the piece, with a warning for each.

        A pair needs an even quantity (both hands together); an odd one is cut as drawn
        (``mirror`` no, demand = quantity) rather than rounded to a different number of pieces.
        A grain tolerance without a grain line has no direction to turn from.
        """
        if self.mirror is Mirror.PAIR and self.quantity is not None and self.quantity % 2:
            report.add(
                IssueCode.BAD_ANNOTATION,
                f"piece {self.name or '?'}: Quantity {self.quantity} with Mirror: pair - a pair "
                "needs an even quantity (both hands together); cut as drawn, not mirrored",
                self.given["mirror"][1],
                (self.given["quantity"][2], self.given["mirror"][2]),
            )
            self.mirror = Mirror.NO
        if self.grain_tol_deg is not None and not has_grain:
            _value, layer, handle = self.given["grain tolerance"]
            report.add(
                IssueCode.BAD_ANNOTATION,
                f"piece {self.name or '?'}: Grain Tolerance without a grain line (layer 7 in "
                "AAMA files); ignored",
                layer,
                (handle,),
            )
            self.grain_tol_deg = None

    def demand(self) -> int:
        """Copies to cut per the text: quantity (1 when absent); pairs count both hands once."""
        if self.quantity is None:
            return 1
        return self.quantity // 2 if self.mirror is Mirror.PAIR else self.quantity


_DEFAULTS = {
    "quantity": "demand left at 1",
    "grade": "min_grade left at the best grade only",
    "mirror": "cut as drawn (mirror no)",
    "grain tolerance": "grain tolerance left at the default",
    "priority": "priority left at 0",
}


def _quote(key: str, value: str) -> str:
    return repr(f"{key.title()}: {value}")
