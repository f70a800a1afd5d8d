"""Tuned constants and the configuration tree, each with its unit and reason.

Change a configuration with ``dataclasses.replace``; the configuration used is written into every
solution file so that a figure can be reproduced.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# The validator's length tolerance, relative to the job's size (the largest width or height of a
# hide, the strip or a piece; see leathernest.validate.length_tolerance). 1e-6 of a 2 m hide is
# 2 µm: far below a knife's precision, far above float64 rounding after a rotation (about 1e-13
# relative). Overlaps, outside and defect reach are lengths compared with it, never areas.
VALIDATION_REL_TOL = 1e-6

# Angles (rotation sets, grain) are compared with this tolerance in degrees; readers of other tools'
# layouts recover angles from coordinates, which costs a few ulps.
ANGLE_TOL_DEG = 1e-6


@dataclass(frozen=True)
class BaselineConfig:
    """The constructive bottom-left nester (shapely, slow, always valid)."""

    free_angles: int = 8  # free rotation is sampled at this many evenly spaced angles
    grid_steps: int = 24  # candidate positions per axis of a hide or strip height
    slide_steps: int = 12  # bisection steps when sliding a placed piece down and left
    # Extra clearance the baseline keeps beyond the gap, relative to the job size: ten times the
    # validator's tolerance, so rounding can never turn a layout it found feasible into a violation.
    clearance_rel: float = 1e-5


@dataclass(frozen=True)
class NestConfig:
    """Every tunable of the engine in one tree."""

    baseline: BaselineConfig = field(default_factory=BaselineConfig)

    def as_dict(self) -> dict:
        """Plain dict for solution files."""
        return asdict(self)


DEFAULT_CONFIG = NestConfig()
