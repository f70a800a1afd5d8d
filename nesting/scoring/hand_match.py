"""Turn a hand layout's outlines into placements: which job piece each outline is, and how it lies.

A trainee's outline is the piece moved by some mirror, rotation and translation. Registration
recovers them in two steps: candidate angles, then an exact check.

- Candidates (for the piece as drawn and mirrored): every cyclic vertex correspondence when both
  rings have the same number of vertices (the rotation of each is the 2D Procrustes angle; all
  shifts at once by FFT cross-correlation), the principal axes of the two areas (second moments,
  both directions, and all four when the shape is nearly isotropic), and the directions of the
  longest edges. The translation then follows from the area centroids, which a rigid motion maps
  onto each other exactly.
- Check: the largest distance from the vertices and edge midpoints of either ring to the boundary
  of the other (a Hausdorff distance measured at vertices, robust to extra collinear vertices,
  where shapely's discrete ``hausdorff_distance`` compares vertex sets only) must be within
  :data:`MATCH_TOL_MM`.

When several registrations fit (a rectangle fits at 0 and 180 degrees, mirrored or not), the legal
one is taken: mirroring as the piece allows, a rotation in its set, the grain within tolerance. The
shape cannot tell these apart, so the trainee gets the benefit of the doubt.

Imports numpy, shapely, the model and the validator's public helpers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LinearRing, Point, Polygon

from leathernest.config import ANGLE_TOL_DEG
from leathernest.geometry.transform import place_points
from leathernest.model import Hide, Mirror, Piece, Placement, ring_signed_area
from leathernest.validate import grain_error_deg

# Largest boundary deviation (mm) between a drawn outline and the registered piece. Digitising
# tablets are accurate to 0.2-0.5 mm (leather_domain.md, section 1) and CAD re-flattens arcs at
# about 0.05 mm; a shape further off than 0.5 mm is not that pattern piece.
MATCH_TOL_MM = 0.5
# ... but never more than this share of the piece's diameter, so a 10 mm square is not taken for
# a 10.4 mm one.
MATCH_REL_TOL = 0.01
# A recovered rotation this close to an allowed angle is that angle (float noise of CAD output).
ROTATION_SNAP_DEG = 0.05
# Eigenvalue ratio above which a shape's principal axes are too weak to orient it (a square).
ISOTROPIC_RATIO = 0.9
# How many of the outline's longest edges propose rotation candidates, against how many of the
# piece's edges of similar length each.
N_EDGE_PROBES = 3
N_EDGE_PARTNERS = 12
# Outline vertices tried first to reject a wrong angle cheaply.
N_PROBE_POINTS = 24
# Registrations closer than this (degrees, same hand) are the same one found twice.
CLUSTER_DEG = 1.0


@dataclass(frozen=True, slots=True)
class Registration:
    """A rigid placement of a piece onto an outline, and how far (mm) the two boundaries differ."""

    rotation_deg: float
    mirrored: bool
    x: float
    y: float
    deviation_mm: float

    def placement(self, piece_id: str, copy: int, hide_id: str | None, hide_copy: int) -> Placement:
        """The placement of one copy with this transform."""
        return Placement(piece_id, copy, hide_id, self.rotation_deg, self.mirrored, self.x, self.y,
                         hide_copy)


def match_tolerance(piece: Piece) -> float:
    """The boundary tolerance (mm) for recognising ``piece``."""
    x0, y0, x1, y1 = piece.outline.bbox
    return min(MATCH_TOL_MM, MATCH_REL_TOL * math.hypot(x1 - x0, y1 - y0))


def ring_centroid(ring: np.ndarray) -> np.ndarray:
    """Area centroid of a simple ring (float64 (n, 2))."""
    x, y = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    a = cross.sum() / 2.0
    return np.array([((x + xn) * cross).sum(), ((y + yn) * cross).sum()]) / (6.0 * a)


def _principal(ring: np.ndarray) -> tuple[float, float]:
    """(major axis direction in degrees, minor/major eigenvalue ratio) of the ring's area."""
    c = ring - ring_centroid(ring)
    x, y = c[:, 0], c[:, 1]
    xn, yn = np.roll(x, -1), np.roll(y, -1)
    cross = x * yn - xn * y
    ixx = (cross * (x * x + x * xn + xn * xn)).sum() / 12.0  # integral of x² dA
    iyy = (cross * (y * y + y * yn + yn * yn)).sum() / 12.0  # integral of y² dA
    ixy = (cross * (x * yn + 2 * x * y + 2 * xn * yn + xn * y)).sum() / 24.0
    vals, vecs = np.linalg.eigh(np.array([[ixx, ixy], [ixy, iyy]]))
    major = vecs[:, 1]
    ratio = float(vals[0] / vals[1]) if vals[1] > 0 else 1.0
    return math.degrees(math.atan2(major[1], major[0])), ratio


def _shift_angles(p: np.ndarray, q: np.ndarray, tol: float) -> list[float]:
    """Rotations (deg) of every cyclic vertex correspondence whose RMS residual is within tol.

    For a shift k, p_i -> q_{i+k}: with centred points the best rotation has
    tan(theta) = sum(p x q) / sum(p . q), and the residual is |p|² + |q|² - 2 |(dot, cross)|.
    The sums for all k are circular cross-correlations, computed at once with the FFT.
    """
    p = p - p.mean(axis=0)
    q = q - q.mean(axis=0)
    fx, fy = np.fft.rfft(p[:, 0]), np.fft.rfft(p[:, 1])
    gx, gy = np.fft.rfft(q[:, 0]), np.fft.rfft(q[:, 1])
    n = len(p)

    def corr(f: np.ndarray, g: np.ndarray) -> np.ndarray:  # sum_i a_i b_{i+k}, for every k
        return np.fft.irfft(np.conj(f) * g, n)

    dot = corr(fx, gx) + corr(fy, gy)
    cross = corr(fx, gy) - corr(fy, gx)
    resid = (p * p).sum() + (q * q).sum() - 2.0 * np.hypot(dot, cross)
    rms = np.sqrt(np.maximum(resid, 0.0) / n)
    keep = np.nonzero(rms <= tol)[0]
    return [math.degrees(math.atan2(cross[k], dot[k])) for k in keep.tolist()]


def _edge_angles(p: np.ndarray, q: np.ndarray, tol: float) -> list[float]:
    """Rotations (deg) aligning one of q's longest edges with an edge of p of the same length."""
    dp, dq = np.roll(p, -1, axis=0) - p, np.roll(q, -1, axis=0) - q
    lp, lq = np.hypot(dp[:, 0], dp[:, 1]), np.hypot(dq[:, 0], dq[:, 1])
    out = []
    for j in np.argsort(-lq)[:N_EDGE_PROBES].tolist():
        near = np.nonzero(np.abs(lp - lq[j]) <= 2.0 * tol)[0]
        near = near[np.argsort(np.abs(lp[near] - lq[j]))][:N_EDGE_PARTNERS]
        aq = math.atan2(dq[j, 1], dq[j, 0])
        out += [math.degrees(aq - math.atan2(dp[i, 1], dp[i, 0])) for i in near.tolist()]
    return out


def boundary_deviation(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance from a vertex or edge midpoint of either ring to the other's boundary."""

    def one_way(src: np.ndarray, dst: np.ndarray) -> float:
        pts = np.vstack([src, (src + np.roll(src, -1, axis=0)) / 2.0])
        return float(shapely.distance(shapely.points(pts), LinearRing(dst)).max())

    return max(one_way(a, b), one_way(b, a))


def _snap(piece: Piece, angle_deg: float) -> float:
    """The angle in [0, 360), snapped to the nearest allowed discrete angle when very close."""
    angle = angle_deg % 360.0
    best, best_d = angle, ROTATION_SNAP_DEG
    for a in piece.rotations.angles_deg:
        d = abs((angle - a + 180.0) % 360.0 - 180.0)
        if d <= best_d:
            best, best_d = a % 360.0, d
    if best == angle and abs(angle - round(angle)) <= 1e-6:  # tidy float noise at whole degrees
        best = float(round(angle)) % 360.0
    return best


def register(piece: Piece, ring: np.ndarray, tol: float | None = None) -> list[Registration]:
    """Every distinct rigid placement of ``piece`` onto the placed outer ``ring``, best first.

    ``ring`` is float64 (n, 2), counter-clockwise. An empty list means the outline is not this
    piece (within ``tol`` mm, default :func:`match_tolerance`). Registrations less than
    ``CLUSTER_DEG`` apart are one: only the closest of them is kept.
    """
    tol = match_tolerance(piece) if tol is None else tol
    q = np.asarray(ring, dtype=np.float64)
    cq = ring_centroid(q)
    probe = q[np.linspace(0, len(q) - 1, min(len(q), N_PROBE_POINTS)).astype(np.int64)]
    found: list[Registration] = []
    for mirrored in (False, True):
        p = piece.outline.outer.copy()
        if mirrored:
            p[:, 0] = -p[:, 0]
            p = p[::-1].copy()
        cp = ring_centroid(p)
        same_count = len(p) == len(q)
        shifts = _shift_angles(p, q, tol) if same_count else []
        # Vertex correspondences find every symmetric placement of a same-vertex copy; the
        # shape-only candidates are needed when the vertices differ (re-drawn, re-flattened).
        for group in (shifts, [] if shifts else _shape_angles(p, q, tol)):
            for raw in group:
                reg = _try(piece, _snap(piece, raw), mirrored, cp, cq, q, probe, tol)
                if reg is not None:
                    found.append(reg)
    return _distinct(found)


def _try(piece: Piece, angle: float, mirrored: bool, cp: np.ndarray, cq: np.ndarray,
         q: np.ndarray, probe: np.ndarray, tol: float) -> Registration | None:
    """The registration at this angle (translation from the centroids), if within tolerance."""
    a = math.radians(angle)
    rc = np.array([math.cos(a) * cp[0] - math.sin(a) * cp[1],
                   math.sin(a) * cp[0] + math.cos(a) * cp[1]])
    # Rounded to 1e-6 mm (a nanometre), as solution files write coordinates: the float noise
    # of the centroids (1e-14) would otherwise show as 9.999999999999998 in every report.
    x, y = (round(v, 6) for v in (cq - rc).tolist())
    placed = place_points(piece.outline.outer, angle, mirrored, x, y)
    # A few of the outline's vertices first: their distance is a lower bound of the deviation,
    # so most wrong angles are rejected without the full measure.
    if float(shapely.distance(shapely.points(probe), LinearRing(placed)).max()) > tol:
        return None
    dev = boundary_deviation(placed, q)
    return Registration(angle, mirrored, x, y, dev) if dev <= tol else None


def _distinct(found: list[Registration]) -> list[Registration]:
    out: list[Registration] = []
    for reg in sorted(found, key=lambda r: (r.deviation_mm, r.mirrored, r.rotation_deg)):
        if not any(o.mirrored == reg.mirrored and abs((o.rotation_deg - reg.rotation_deg + 180.0)
                   % 360.0 - 180.0) < CLUSTER_DEG for o in out):
            out.append(reg)
    return out


def _shape_angles(p: np.ndarray, q: np.ndarray, tol: float) -> list[float]:
    """Rotation candidates that need no vertex correspondence: principal axes, long edges."""
    angles: list[float] = []
    phi_p, ratio_p = _principal(p)
    phi_q, ratio_q = _principal(q)
    turns = (0.0, 90.0, 180.0, 270.0) if max(ratio_p, ratio_q) > ISOTROPIC_RATIO else (0.0, 180.0)
    angles += [phi_q - phi_p + t for t in turns]
    angles += _edge_angles(p, q, tol)
    return angles


def legality(piece: Piece, reg: Registration, hide: Hide | None, copy: int | None) -> int:
    """How many of the piece's rules (mirror, rotation, grain) the registration keeps (0-3).

    Used only to choose among registrations that all fit the drawn outline equally well.
    """
    must = piece.mirrored_copy(copy) if copy is not None else (
        False if piece.mirror is Mirror.NO else None)
    ok_mirror = must is None or must == reg.mirrored
    ok_rotation = piece.rotations.allows(reg.rotation_deg, ANGLE_TOL_DEG)
    ok_grain = True
    if piece.grain is not None:
        pl = reg.placement(piece.id, copy or 0, None if hide is None else hide.id, 0)
        centre = Point(ring_centroid(place_points(piece.outline.outer, reg.rotation_deg,
                                                  reg.mirrored, reg.x, reg.y)))
        ok_grain = grain_error_deg(piece, pl, hide, centre) <= piece.grain.tolerance_deg
    return int(ok_mirror) + int(ok_rotation) + int(ok_grain)


def best_registration(piece: Piece, regs: list[Registration], hide: Hide | None,
                      copy: int | None, mirrored: bool | None = None) -> Registration | None:
    """The most legal registration (then the closest), optionally of one hand only."""
    pool = [r for r in regs if mirrored is None or r.mirrored == mirrored]
    if not pool:
        return None
    return max(pool, key=lambda r: (legality(piece, r, hide, copy), -r.deviation_mm))


def outer_area_matches(piece: Piece, ring: np.ndarray, tol: float) -> bool:
    """Cheap filter before registration: the outer areas agree within perimeter x tolerance."""
    outer = piece.outline.outer
    perimeter = float(np.hypot(*(np.roll(outer, -1, axis=0) - outer).T).sum())
    return abs(ring_signed_area(ring) - ring_signed_area(outer)) <= perimeter * tol + 1e-9


def coincides(ring: np.ndarray, other: np.ndarray, tol: float) -> bool:
    """Whether two rings (as placed, no transform) are the same within ``tol`` mm."""
    a, b = Polygon(ring), Polygon(other)
    if not a.bounds or abs(a.area - b.area) > a.length * tol + 1e-9:
        return False
    return boundary_deviation(np.asarray(ring), np.asarray(other)) <= tol
