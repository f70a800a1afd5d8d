"""Cutter profiles: which layer (name and colour) each tool role goes on, and the knife's gap.

A cutting table reads the tool from the layer (leather_domain.md, section 5): outer cut, inner
cut-outs, punches, notches, pen marks, creases, labels, grain lines, and the hide's edge, defects
and graded zones as non-cutting reference. The generic profile names the layers in words; the AAMA
profile uses the ASTM D6673 / AAMA numbers. A profile file (JSON) overrides any of them::

    {"name": "zund-g3", "knife_gap_mm": 1.5,
     "layers": {"outer_cut": "KNIFE", "inner_cut": {"name": "KNIFE2", "color": 5}}}

Zones of grade n go on the layer ``<zone name><n>`` (``REF_GRADE2``), each grade in its own
colour, so an operator tells a scar (``REF_DEFECT``) from grade-2 leather.

``knife_gap_mm`` is the gap a job gets between pieces when it states none (pattern DXF files):
a knife slices without removing material, so the gap is blade clearance and practice. No
leather-specific figure was found; 1-3 mm between knife-cut parts is the plausible range to
confirm on the machine (leather_domain.md, section 3), and the built-in profiles take 2 mm.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leathernest.errors import InputError

ROLES = (
    "outer_cut", "inner_cut", "punch", "notch", "pen", "crease", "label", "grain", "hide", "defect",
    "zone",
)  # fmt: skip
DEFAULT_LAYERS: dict[str, tuple[str, int]] = {
    "outer_cut": ("CUT_OUTER", 1), "inner_cut": ("CUT_INNER", 5), "punch": ("PUNCH", 6),
    "notch": ("NOTCH", 4), "pen": ("PEN", 3), "crease": ("CREASE", 2), "label": ("LABEL", 7),
    "grain": ("GRAIN", 8), "hide": ("REF_HIDE", 8), "defect": ("REF_DEFECT", 30),
    "zone": ("REF_GRADE", 50),
}  # fmt: skip
# The ASTM D6673 / AAMA numbers for the same roles (leather_domain.md, section 5).
AAMA_LAYERS: dict[str, str] = {
    "outer_cut": "1", "inner_cut": "11", "punch": "13", "notch": "4", "pen": "8",
    "crease": "14", "label": "15", "grain": "7",
}  # fmt: skip
# ACI colours of zone layers by grade: yellow to green as the grade rises (the defect layer is
# orange, the outer cut red), as in the pictures' grade colours.
ZONE_COLORS = {1: 40, 2: 50, 3: 70, 4: 90}
ZONE_COLOR_OTHER = 110
# Gap between pieces a job gets when it states none, mm (see the module docstring).
KNIFE_GAP_MM = 2.0


@dataclass(frozen=True, slots=True)
class CutterProfile:
    """Layer name and colour (ACI) per role, and the knife gap (mm) for jobs that state none."""

    name: str
    layers: Mapping[str, tuple[str, int]]
    knife_gap_mm: float = KNIFE_GAP_MM

    @staticmethod
    def of(name: str, layers: Mapping[str, object] | None = None,
           knife_gap_mm: float = KNIFE_GAP_MM) -> CutterProfile:
        """Defaults overridden by ``layers`` (role -> name, or {"name": .., "color": ..})."""
        out = dict(DEFAULT_LAYERS)
        for role, spec in (layers or {}).items():
            if role not in ROLES:
                raise InputError(f"cutter profile: unknown role {role!r}", hint=f"roles: {ROLES}")
            if isinstance(spec, str):
                out[role] = (spec, out[role][1])
            elif isinstance(spec, Mapping) and "name" in spec:
                out[role] = (str(spec["name"]), int(spec.get("color", out[role][1])))
            else:
                raise InputError(f"cutter profile: role {role!r} needs a layer name")
        if not (math.isfinite(knife_gap_mm) and knife_gap_mm >= 0):
            raise InputError(f"cutter profile: knife_gap_mm must be >= 0, got {knife_gap_mm}")
        return CutterProfile(name, out, float(knife_gap_mm))

    def layer(self, role: str) -> str:
        """The layer name of a role."""
        return self.layers[role][0]

    def zone_layer(self, grade: int) -> tuple[str, int]:
        """Layer name and colour of a zone of ``grade`` (grade 0 is a defect)."""
        if grade == 0:
            return self.layers["defect"]
        return f"{self.layers['zone'][0]}{grade}", ZONE_COLORS.get(grade, ZONE_COLOR_OTHER)


DEFAULT_PROFILE = CutterProfile.of("generic")
AAMA_PROFILE = CutterProfile.of("aama", AAMA_LAYERS)
BUILT_IN = {"generic": DEFAULT_PROFILE, "aama": AAMA_PROFILE}


def load_cutter_profile(path: str | Path) -> CutterProfile:
    """Read a profile JSON (see the module docstring); problems are InputErrors naming the file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read cutter profile ({exc})", path=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict):
        raise InputError("cutter profile must be an object with a 'layers' object", path=str(path))
    gap = data.get("knife_gap_mm", KNIFE_GAP_MM)
    if isinstance(gap, bool) or not isinstance(gap, int | float):
        raise InputError("cutter profile: knife_gap_mm must be a number", path=str(path))
    try:
        return CutterProfile.of(str(data.get("name", Path(path).stem)), data.get("layers"),
                                float(gap))
    except InputError as exc:
        raise InputError(exc.message, path=str(path), hint=exc.hint) from None


def cutter_profile(name_or_path: str) -> CutterProfile:
    """A built-in profile by name (``generic``, ``aama``) or a profile file."""
    if name_or_path.lower() in BUILT_IN:
        return BUILT_IN[name_or_path.lower()]
    if not Path(name_or_path).is_file():
        raise InputError(f"no cutter profile {name_or_path!r}",
                         hint="use generic, aama or a profile JSON file")
    return load_cutter_profile(name_or_path)
