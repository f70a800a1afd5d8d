"""What orientations a copy may take: rotation rules, mirroring and grain, in one place.

Every engine asks this module, so a piece turns the same way in the search, the baseline and the
constructive start. An orientation *row* is float64[6] ``(lo_deg, hi_deg, mirrored, mode, g0_deg,
tol_deg)``:

- ``MODE_FIXED``: the rotation lies in ``[lo, hi]`` (``lo == hi``: one angle); nothing more to
  check. Rows of pieces without grain, and of grain pieces where the reference direction is the
  same everywhere (strips, straight or no backbone), are all of this mode: the grain window was
  intersected with the rotation rule when the rows were built.
- ``MODE_ALONG``: a grain piece free to rotate, on a bent backbone: the rotation is
  ``reference(p) + u`` with ``u`` in ``[lo, hi]`` (the grain window, ± tolerance), p the piece's
  centroid. The piece follows the spine wherever it lies and may turn anywhere within its
  tolerance.
- ``MODE_CHECKED``: a grain piece with a rotation rule (angle set or ranges) on a bent backbone:
  the rotation lies in ``[lo, hi]`` and its grain must be within ``tol_deg`` of the reference at p:
  ``axis_diff(g0 + rotation, reference(p)) <= tol``.

``g0_deg`` is the grain's placed direction at rotation 0 minus 90 for ``across`` (so the target is
the reference itself), ``tol_deg`` the tolerance less a tiny inset: angles are kept
:data:`RANGE_INSET_DEG` inside every bound, so rounding in the validator's own transform can never
push a placement out.

A mirrored copy mirrors the piece about its local y axis (x -> -x) before the rotation, as
:mod:`leathernest.geometry.transform` says.
"""

from __future__ import annotations

import numpy as np

from leathernest.config import ANGLE_TOL_DEG
from leathernest.geometry.transform import placed_direction_deg
from leathernest.model import Piece

MODE_FIXED, MODE_ALONG, MODE_CHECKED = 0.0, 1.0, 2.0
ROW_WIDTH = 6
RANGE_INSET_DEG = 1e-4  # angles stay this far inside every bound (degrees)


def axis_diff_deg(a: float, b: float) -> float:
    """Angle between two undirected axes, degrees in [0, 90]."""
    d = abs(a - b) % 180.0
    return min(d, 180.0 - d)


def mirror_options(piece: Piece, copy: int) -> tuple[bool, ...]:
    """The mirror states a copy may take (pairs: fixed by the copy's parity)."""
    must = piece.mirrored_copy(copy)
    return (False, True) if must is None else (must,)


def grain_offset_deg(piece: Piece, mirrored: bool) -> float:
    """``g0``: placed grain direction at rotation 0, less 90 degrees when cut across."""
    assert piece.grain is not None
    base = placed_direction_deg(piece.grain.direction_deg, 0.0, mirrored)
    return base - (90.0 if piece.grain.across else 0.0)


def grain_ok(piece: Piece, rotation_deg: float, mirrored: bool, reference_deg: float) -> bool:
    """Whether the placed grain lies within tolerance of the reference direction (or across)."""
    if piece.grain is None:
        return True
    g = grain_offset_deg(piece, mirrored) + rotation_deg
    return axis_diff_deg(g, reference_deg) <= piece.grain.tolerance_deg


def _windows(piece: Piece, mirrored: bool, reference_deg: float) -> list[tuple[float, float]]:
    """Rotation windows (degrees) that lay the grain within tolerance of the reference."""
    g0 = grain_offset_deg(piece, mirrored)
    tol = max(piece.grain.tolerance_deg - RANGE_INSET_DEG, 0.0)  # type: ignore[union-attr]
    out = []
    for flip in (0.0, 180.0):
        c = (reference_deg + flip - g0) % 360.0
        out.append((c - tol, c + tol))
    return out


def _intersect(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
    """Intersections of two angle ranges modulo 360, in a's numbers."""
    out = []
    for shift in (-720.0, -360.0, 0.0, 360.0, 720.0):
        lo, hi = max(a[0], b[0] + shift), min(a[1], b[1] + shift)
        if lo <= hi:
            out.append((lo, hi))
    return out


def _rule_ranges(piece: Piece) -> tuple[list[float], list[tuple[float, float]]]:
    """The piece's rotation rule as (angles, ranges), ranges inset from their ends."""
    r = piece.rotations
    if r.free:
        return [], [(0.0, 360.0)]
    ranges = [(lo + RANGE_INSET_DEG, hi - RANGE_INSET_DEG) if hi > lo else (lo, hi)
              for lo, hi in r.ranges_deg]
    return list(r.angles_deg), ranges


def orientation_rows(piece: Piece, mirrors: tuple[bool, ...],
                     reference_deg: float | None = 0.0) -> np.ndarray:
    """float64[m, ROW_WIDTH] rows of everything the copy may take (see the module docstring).

    reference_deg: the reference direction when it is the same everywhere (0 for strips and hides
    without a backbone, the backbone's direction when straight); None for a bent backbone, which
    gives ALONG / CHECKED rows for grain pieces.
    """
    rows: list[tuple[float, ...]] = []
    angles, ranges = _rule_ranges(piece)
    grain = piece.grain
    for mir in mirrors:
        m = 1.0 if mir else 0.0
        if grain is None:
            rows += [(a, a, m, MODE_FIXED, 0.0, 0.0) for a in angles]
            rows += [(lo, hi, m, MODE_FIXED, 0.0, 0.0) for lo, hi in ranges]
            continue
        g0 = grain_offset_deg(piece, mir)
        tol = max(grain.tolerance_deg - RANGE_INSET_DEG, 0.0)
        if reference_deg is not None:
            rows += [(a, a, m, MODE_FIXED, 0.0, 0.0) for a in angles
                     if axis_diff_deg(g0 + a, reference_deg) <= tol]
            for w in _windows(piece, mir, reference_deg):
                for rg in ranges:
                    rows += [(lo, hi, m, MODE_FIXED, 0.0, 0.0) for lo, hi in _intersect(w, rg)]
        elif piece.rotations.free:
            for flip in (0.0, 180.0):
                c = (flip - g0) % 360.0
                rows.append((c - tol, c + tol, m, MODE_ALONG, g0, tol))
        else:
            rows += [(a, a, m, MODE_CHECKED, g0, tol) for a in angles]
            rows += [(lo, hi, m, MODE_CHECKED, g0, tol) for lo, hi in ranges]
    out: list[tuple[float, ...]] = []
    for row in rows:
        lo, hi = row[0], row[1]
        if hi < lo:
            continue
        if hi - lo >= 360.0 - 1e-9:
            row = (lo, lo + 360.0, *row[2:])
        if all(abs(row[0] - o[0]) > ANGLE_TOL_DEG or abs(row[1] - o[1]) > ANGLE_TOL_DEG
               or row[2:4] != o[2:4] for o in out):
            out.append(row)
    return np.ascontiguousarray(np.array(out, dtype=np.float64).reshape(-1, ROW_WIDTH))


def sample_angles(row: np.ndarray, n_range: int) -> list[float]:
    """Angles (or ALONG offsets) a constructive fill tries for one row: n_range over a range."""
    lo, hi = float(row[0]), float(row[1])
    if hi <= lo:
        return [lo]
    if hi - lo >= 360.0 - 1e-9:
        return [lo + 360.0 * i / n_range for i in range(n_range)]
    if n_range <= 1:
        return [0.5 * (lo + hi)]
    return [lo + (hi - lo) * i / (n_range - 1) for i in range(n_range)]
