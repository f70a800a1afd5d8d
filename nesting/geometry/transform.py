"""The placement transform, written once: mirror about the local y axis, rotate, translate.

The validator keeps its own independent copy (with shapely.affinity) and a test checks that the two
agree, so a slip here cannot hide itself.
"""

from __future__ import annotations

import math

import numpy as np


def place_points(
    points: np.ndarray, rotation_deg: float, mirrored: bool, x: float, y: float
) -> np.ndarray:
    """Apply a placement to float64 (n, 2) points; returns a new array."""
    pts = np.array(points, dtype=np.float64, copy=True)
    if mirrored:
        pts[:, 0] = -pts[:, 0]
    a = math.radians(rotation_deg)
    c, s = math.cos(a), math.sin(a)
    out = np.empty_like(pts)
    out[:, 0] = c * pts[:, 0] - s * pts[:, 1] + x
    out[:, 1] = s * pts[:, 0] + c * pts[:, 1] + y
    return out


def place_ring(ring: np.ndarray, rotation_deg: float, mirrored: bool, x: float, y: float):
    """Place a ring, reversing it after a mirror so outer rings stay counter-clockwise."""
    out = place_points(ring, rotation_deg, mirrored, x, y)
    return out[::-1].copy() if mirrored else out


def placed_direction_deg(direction_deg: float, rotation_deg: float, mirrored: bool) -> float:
    """Where a direction drawn in the piece points after the placement, degrees in [0, 360)."""
    d = 180.0 - direction_deg if mirrored else direction_deg
    return (d + rotation_deg) % 360.0
