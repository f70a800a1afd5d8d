"""The reference rectangle: a card of known size lying on the table gives scale and perspective.

Why: a camera over the table is seldom exactly square to it, and a phone's scale is unknown. A flat
rectangle of known size (an A4 sheet is 210 x 297 mm) in the plane of the table fixes the projective
map from the picture to the table: four corners, four known positions, one homography, which then
carries every point of the hide (it lies in the same plane) to millimetres.

Corners are found to a fraction of a pixel: the rectangle's sub-pixel contour is reduced to four
sides, a straight line is fitted to the middle of each side, and neighbouring lines are intersected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage
from shapely.geometry import Polygon
from skimage.measure import find_contours
from skimage.transform import ProjectiveTransform

MIN_RECTANGULARITY = 0.93  # region area over the area of its four-corner fit
MAX_SIDE_DEVIATION = 0.02  # contour points within 2 % of the shorter side from the fitted sides


@dataclass(frozen=True)
class Quad:
    """Four corners in picture coordinates (x right, y down), counter-clockwise as seen y-up."""

    corners: np.ndarray  # (4, 2)
    rectangularity: float


def _four_corners(ring: np.ndarray) -> np.ndarray | None:
    """Four vertices of the convex hull that best carry the ring (Douglas-Peucker, widening)."""
    hull = np.asarray(Polygon(ring).convex_hull.exterior.coords)[:-1]
    size = float(np.ptp(ring, axis=0).max())
    for tol in size * np.array([0.005, 0.01, 0.02, 0.04, 0.08]):
        simple = shapely.simplify(Polygon(hull), tol)
        pts = np.asarray(simple.exterior.coords)[:-1]
        if len(pts) == 4:
            return pts
        if len(pts) < 4:
            return None
    return None


def _fit_line(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total least-squares line through points: (a point on it, its unit direction)."""
    c = pts.mean(axis=0)
    _u, _s, vt = np.linalg.svd(pts - c, full_matrices=False)
    return c, vt[0]


def _intersect(l1: tuple[np.ndarray, np.ndarray], l2: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    (p, d), (q, e) = l1, l2
    a = np.column_stack([d, -e])
    t = np.linalg.solve(a, q - p)
    return p + t[0] * d


def fit_quad(ring: np.ndarray) -> Quad | None:
    """A four-sided fit of a closed contour (x, y), or None when the contour is not four-sided."""
    rough = _four_corners(ring)
    if rough is None:
        return None
    lines = []
    for k in range(4):
        a, b = rough[k], rough[(k + 1) % 4]
        ab = b - a
        length = float(np.hypot(*ab))
        t = (ring - a) @ ab / (length * length)
        rel = ring - a
        dist = np.abs(ab[0] * rel[:, 1] - ab[1] * rel[:, 0]) / length
        near = (t > 0.15) & (t < 0.85) & (dist < 0.05 * length)
        if near.sum() < 5:
            return None
        lines.append(_fit_line(ring[near]))
    try:
        corners = np.array([_intersect(lines[k - 1], lines[k]) for k in range(4)])
    except np.linalg.LinAlgError:
        return None
    quad = Polygon(corners)
    if not quad.is_valid or quad.area <= 0:
        return None
    region = Polygon(ring)
    sides = np.hypot(*(np.roll(corners, -1, axis=0) - corners).T)
    deviation = float(quad.exterior.hausdorff_distance(region.exterior))
    if deviation > MAX_SIDE_DEVIATION * sides.min() + 1.5:
        return None
    rect = region.area / quad.area
    if not (MIN_RECTANGULARITY <= rect <= 1 / MIN_RECTANGULARITY):
        return None
    if not shapely.is_ccw(Polygon(corners * [1.0, -1.0]).exterior):
        corners = corners[::-1]  # counter-clockwise as seen with y up
    return Quad(corners, float(rect))


def find_quad(mask: np.ndarray, score: np.ndarray, table: float,
              scale: float = 1.0) -> Quad | None:
    """The four-sided fit of a region's outer contour, in picture pixels (times ``scale``).

    The contour is traced on the contrast ``score`` at the region's own half level (between the
    table's score and the region's median): a white card scores far higher than leather, and its
    edge lies at half of *its* contrast, not of the leather's.
    """
    ys, xs = np.nonzero(mask)
    y0, x0 = max(ys.min() - 3, 0), max(xs.min() - 3, 0)
    sl = (slice(y0, ys.max() + 4), slice(x0, xs.max() + 4))
    own = mask[sl]
    level = 0.5 * (table + float(np.median(score[sl][own])))
    crop = np.where(ndimage.binary_dilation(own, iterations=3), score[sl], table)
    contours = find_contours(np.pad(crop, 1, constant_values=table), level)
    if not contours:
        return None
    ring = max(contours, key=len)[:, ::-1] - 1 + [x0, y0] + 0.5  # pixel centres at +0.5
    quad = fit_quad(ring * scale)
    return quad


def table_homography(quad: Quad, size_mm: tuple[float, float]) -> np.ndarray:
    """The 3 x 3 map from picture pixels (x right, y down) to table mm (x right, y up).

    The rectangle's longer side in the picture takes the longer of ``size_mm``; its first corner
    goes to (0, 0) and its sides to the x and y axes.
    """
    c = quad.corners
    sides = np.hypot(*(np.roll(c, -1, axis=0) - c).T)
    if sides[0] + sides[2] < sides[1] + sides[3]:
        c = np.roll(c, -1, axis=0)
    long_mm, short_mm = max(size_mm), min(size_mm)
    dst = np.array([[0.0, 0.0], [long_mm, 0.0], [long_mm, short_mm], [0.0, short_mm]])
    src = c * [1.0, -1.0]
    t = ProjectiveTransform.from_estimate(src, dst)
    if not t:
        raise ValueError("degenerate reference rectangle")
    flip = np.diag([1.0, -1.0, 1.0])
    return np.asarray(t.params) @ flip
