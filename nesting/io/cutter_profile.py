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

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leathernest.errors import InputError
from leathernest.io.jsonfile import parse_json
from leathernest.limits import MAX_GAP_MM

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
# A layer's colour is an AutoCAD Color Index from 1 to 255 (0 and 256 mean "by block" and "by
# layer", which a layer cannot be); a layer name is at most 255 characters, without the
# characters DXF reserves and without control characters (a newline would break the file).
MIN_ACI, MAX_ACI = 1, 255
MAX_LAYER_NAME = 255
_BAD_LAYER_CHARS = set('<>/\\":;?*|=`')
# Largest profile file: a profile is a few hundred bytes.
MAX_PROFILE_BYTES = 100_000


def layer_name_issue(name: str) -> str | None:
    """Why ``name`` cannot be a DXF layer name, or None."""
    if not name.strip():
        return "is empty"
    if len(name) > MAX_LAYER_NAME:
        return f"is {len(name)} characters long (at most {MAX_LAYER_NAME})"
    bad = sorted({c for c in name if c in _BAD_LAYER_CHARS or ord(c) < 32 or ord(c) == 127})
    if bad:
        return f"holds {', '.join(repr(c) for c in bad)}, which DXF layer names may not"
    return None


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
                layer, color = spec, out[role][1]
            elif isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
                layer, color = spec["name"], spec.get("color", out[role][1])
            else:
                raise InputError(f"cutter profile: role {role!r} needs a layer name (a string)")
            issue = layer_name_issue(layer)
            if issue is not None:
                raise InputError(f"cutter profile: the layer name of role {role!r} {issue}",
                                 hint="use letters, digits, spaces, _ and -")
            if (isinstance(color, bool) or not isinstance(color, int)
                    or not MIN_ACI <= color <= MAX_ACI):
                raise InputError(f"cutter profile: the colour of role {role!r} must be a colour "
                                 f"number from {MIN_ACI} to {MAX_ACI}, got {color!r:.40}",
                                 hint="AutoCAD colour index: 1 red, 2 yellow, 3 green, 5 blue")
            out[role] = (layer, color)
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
        with Path(path).open("rb") as f:
            raw = f.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read cutter profile ({exc.strerror})", path=str(path)) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise InputError(f"a cutter profile is a small JSON object; this file is over "
                         f"{MAX_PROFILE_BYTES:,} bytes", path=str(path))
    try:
        data = parse_json(raw.decode("utf-8"), str(path))
    except UnicodeDecodeError:
        raise InputError("cutter profile: not a UTF-8 text file", path=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("layers", {}), dict):
        raise InputError("cutter profile must be an object with a 'layers' object", path=str(path))
    gap = data.get("knife_gap_mm", KNIFE_GAP_MM)
    if isinstance(gap, bool) or not isinstance(gap, int | float) or not 0 <= gap <= MAX_GAP_MM:
        raise InputError(f"cutter profile: knife_gap_mm must be a number from 0 to "
                         f"{MAX_GAP_MM:g} mm", path=str(path))
    try:
        return CutterProfile.of(str(data.get("name", Path(path).stem))[:100],
                                data.get("layers"), float(gap))
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
