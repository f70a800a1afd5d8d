"""Hides from photos: the capture on synthetic photos with known truth, and its parts.

The photos are small (about 0.7 MP, 1 mm per pixel, a 0.3 m² goat skin) so the module runs in
seconds; the 4000 x 3000 timing and the wider accuracy table are in benchmarks/photo_accuracy.py.
"""

import math

import numpy as np
import pytest
import shapely
from scipy import ndimage
from shapely import affinity
from shapely.geometry import Polygon

from leathernest.capture import marks as mk
from leathernest.capture import outline as ol
from leathernest.capture import segment as sg
from leathernest.capture.capture import CaptureOptions, capture_hide
from leathernest.capture.reference import Quad, fit_quad, table_homography
from leathernest.capture.synth import Scene, render, score
from leathernest.errors import InputError
from leathernest.generators import hides as hidegen

BASE = {"px_per_mm": 1.0, "margin_mm": 80.0}
SCENES = {
    "plain": Scene(**BASE),
    "light_noise_blur_jpeg": Scene(**BASE, light=0.3, vignette=0.3, noise=5.0, blur_px=1.0,
                                   jpeg_quality=80, seed=1),
    "cutting_mat": Scene(**BASE, table="mat", light=0.2, noise=3.0, blur_px=0.7,
                         jpeg_quality=85, seed=2),
    "perspective_card": Scene(**BASE, perspective=0.015, reference_mm=(297.0, 210.0), noise=3.0,
                              blur_px=0.6, jpeg_quality=90, seed=3),
}


@pytest.fixture(scope="module")
def goat():
    return hidegen.generate("goat", 3, quality="typical", area_m2=0.3)


@pytest.fixture(scope="module")
def captures(goat):
    out = {}
    for name, scene in SCENES.items():
        photo = render(goat, scene)
        opts = CaptureOptions(mm_per_px=None if scene.reference_mm else photo.mm_per_px,
                              reference_mm=scene.reference_mm, defect_margin_mm=0.0)
        out[name] = (photo, capture_hide(photo.rgb, opts))
    return out


@pytest.mark.parametrize("name", list(SCENES))
def test_outline_area_and_iou_meet_the_targets(captures, name):
    photo, cap = captures[name]
    s = score(cap, photo)
    assert abs(s.area_error) <= 0.02, s
    assert s.iou >= 0.97, s
    # conservative: what lies outside the leather is a sliver of the edge, ~0.1 px on average
    assert s.outside_mm2 <= 0.25 * photo.outline.length * cap.mm_per_px, s


@pytest.mark.parametrize("name", list(SCENES))
def test_every_marked_defect_and_zone_is_found_and_none_invented(captures, name):
    photo, cap = captures[name]
    s = score(cap, photo)
    assert photo.marked_defects
    assert photo.marked_zones
    assert all(i >= 0.8 for i in s.defect_ious), s.defect_ious
    assert all(i >= 0.8 for i in s.zone_ious), s.zone_ious
    assert s.defects_invented == 0
    assert s.zones_invented == 0
    assert {z.grade for z, lab in zip(cap.hide.zones, cap.labels, strict=True)
            if lab == "marked_defect"} == {0}
    assert {z.grade for z, lab in zip(cap.hide.zones, cap.labels, strict=True)
            if lab == "marked_zone"} == {1}


@pytest.mark.parametrize("name", list(SCENES))
def test_the_marked_backbone_line_is_read(captures, name):
    photo, cap = captures[name]
    s = score(cap, photo)
    assert cap.backbone_source == "marked"
    assert s.backbone_angle_deg < 1.0
    assert s.backbone_offset_mm < 2.0
    assert not [w for w in cap.warnings if "backbone" in w]


def test_the_safety_margin_covers_the_marked_defects(goat):
    photo = render(goat, SCENES["plain"])
    cap = capture_hide(photo.rgb, CaptureOptions(mm_per_px=photo.mm_per_px))  # 2 mm margin
    assert score(cap, photo).defects_covered >= 0.99
    hide = Polygon(cap.hide.outline.outer)
    for z in cap.hide.zones:
        assert hide.buffer(1e-6).contains(Polygon(z.outline.outer))


def test_without_a_backbone_line_the_symmetry_axis_is_taken_and_said():
    g = hidegen.generate("calf", 2, quality="clean", area_m2=0.5)
    photo = render(g, Scene(px_per_mm=0.8, margin_mm=80.0, mark_backbone=False))
    cap = capture_hide(photo.rgb, CaptureOptions(mm_per_px=photo.mm_per_px))
    assert cap.backbone_source == "symmetry"
    assert any("symmetry axis" in w for w in cap.warnings)
    assert score(cap, photo).backbone_angle_deg < 4.0


def test_a_side_takes_its_straight_cut_edge_as_the_backbone():
    g = hidegen.generate("cow_side", 3, quality="clean", area_m2=0.8)
    photo = render(g, Scene(px_per_mm=0.6, margin_mm=80.0, mark_backbone=False))
    cap = capture_hide(photo.rgb, CaptureOptions(mm_per_px=photo.mm_per_px, accuracy_mm=2.0))
    s = score(cap, photo)
    assert cap.backbone_source == "straight_edge"
    assert s.backbone_angle_deg < 1.0
    assert s.backbone_offset_mm < 3.0


# --- the parts ----------------------------------------------------------------------------------


def test_conservative_outline_never_grows_past_the_leather():
    rng = np.random.default_rng(4)
    for _ in range(30):
        n = int(rng.integers(12, 60))
        a = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = 100 * rng.uniform(0.5, 1.5, n)
        raw = shapely.make_valid(Polygon(np.column_stack([r * np.cos(a), r * np.sin(a)])))
        raw = ol.largest(raw)
        out = ol.conservative(raw, smooth_mm=2.0, tol_mm=0.5)
        assert raw.buffer(1e-9).contains(out)  # inside, up to round-off on a shared edge
        assert out.area >= raw.area - raw.length * 3.0  # shrunk by a rim, not more


def test_fill_holes_and_block_mean_agree_with_the_slow_originals():
    rng = np.random.default_rng(1)
    m = ndimage.binary_opening(rng.random((120, 90)) < 0.55)
    assert np.array_equal(sg.fill_holes(m), ndimage.binary_fill_holes(m))
    img = rng.integers(0, 256, (60, 44, 3), dtype=np.uint8)
    for f in (1, 2, 3):
        h, w = 60 // f, 44 // f
        slow = img[:h * f, :w * f].astype(np.float32).reshape(h, f, w, f, 3).mean(axis=(1, 3))
        assert np.allclose(sg.block_mean(img, f), slow / 255, atol=1e-6)


def _ring_scene():
    yy, xx = np.mgrid[0:120, 0:160]
    d = np.hypot(yy - 60, xx - 60)
    ring = (d >= 25) & (d <= 30)
    line = (np.abs(yy - 60) <= 2) & (xx >= 10) & (xx <= 150)
    return ring & ~line, line, d


def test_a_ring_crossed_by_another_colour_still_marks_its_inside():
    ring, line, d = _ring_scene()
    regions = mk.mark_regions({"defect": ring, "backbone": line}, min_px=20, cross_px=4)
    red = regions["defect"] > 0
    assert ndimage.label(red)[1] == 1
    assert red[d <= 24].all()  # the inside, the backbone line across it included
    assert not red[(d > 33) & (np.abs(np.mgrid[0:120, 0:160][0] - 60) <= 2)].any()


def test_open_strokes_stay_strokes_and_thin_fringes_are_dropped():
    m = np.zeros((80, 120), bool)
    m[20:25, 10:110] = True  # a chalk stroke along a scratch
    m[60, 5:115] = True  # a one-pixel fringe, as along the hide's edge
    regions = mk.mark_regions({"defect": m}, min_px=20)
    got = regions["defect"] > 0
    assert got[20:25, 12:108].all()
    assert not got[55:70].any()


def test_a_four_sided_contour_gives_its_corners_to_a_fraction_of_a_pixel():
    corners = np.array([[100.3, 50.2], [420.7, 61.9], [415.1, 290.4], [96.6, 281.0]])
    pts = []
    rng = np.random.default_rng(2)
    for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        t = np.linspace(0, 1, 200, endpoint=False)[:, None]
        pts.append(a + t * (b - a) + rng.normal(0, 0.15, (200, 2)))
    quad = fit_quad(np.vstack(pts))
    assert quad is not None
    got = quad.corners
    for c in corners:
        assert np.min(np.hypot(*(got - c).T)) < 0.3


def test_the_card_homography_undoes_a_perspective():
    truth = np.array([[1.0, 0.05, 10.0], [0.02, 1.1, 5.0], [2e-5, 1e-5, 1.0]])  # mm -> px
    card = np.array([[0.0, 0.0], [297.0, 0.0], [297.0, 210.0], [0.0, 210.0]])
    px = ol.apply(truth, card * [1, -1])  # the card as the camera sees it (y down)
    quad = Quad(px[::-1] if not shapely.is_ccw(Polygon(px * [1, -1]).exterior) else px, 1.0)
    m = table_homography(quad, (297.0, 210.0))
    far = ol.apply(truth, np.array([[1500.0, -900.0], [-300.0, -50.0]]))
    back = ol.apply(m, far)
    d = np.hypot(*(back[0] - back[1]))
    assert d == pytest.approx(math.hypot(1800.0, 850.0), rel=1e-6)  # lengths kept far away


def test_one_hide_stays_one_and_two_touching_hides_are_told_apart():
    for kind, seed in (("calf", 1), ("goat", 2), ("cow_side", 3), ("calf", 5)):
        hide = Polygon(hidegen.generate(kind, seed, quality="clean").hide.outline.outer)
        assert sg.parts_after_opening(_raster(hide)) == 1, (kind, seed)
    a = Polygon(hidegen.generate("goat", 1, quality="clean").hide.outline.outer)
    dx = a.bounds[2] - a.bounds[0]
    while a.intersection(b := affinity.translate(a, dx, 30.0)).area < 2000.0:
        dx -= 5.0  # slide the second skin in until the two just overlap (a leg on a leg)
    both = a.union(b)
    assert isinstance(both, Polygon)  # one blob: they touch
    assert sg.parts_after_opening(_raster(both)) == 2


def _raster(p: Polygon, step: float = 4.0) -> np.ndarray:
    x0, y0, x1, y1 = p.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, step), np.arange(y0, y1, step))
    return shapely.contains_xy(p, xs, ys)


def test_straight_edge_only_for_a_side_and_symmetry_of_a_mirrored_shape():
    side = Polygon(hidegen.generate("cow_side", 1, quality="clean").hide.outline.outer)
    calf = Polygon(hidegen.generate("calf", 1, quality="clean").hide.outline.outer)
    assert ol.straight_edge(side) is not None
    assert ol.straight_edge(calf) is None
    half = Polygon([(0, 0), (400, 0), (380, 120), (250, 180), (120, 150), (30, 90)])
    whole = shapely.union_all([half, affinity.scale(half, 1, -1, origin=(0, 0))])
    tilted = affinity.rotate(whole, 17.0, origin=(0, 0))
    axis = ol.symmetry_axis(tilted)
    d = axis[1] - axis[0]
    assert abs(math.degrees(math.atan2(d[1], d[0])) % 180 - 17.0) < 0.5
    p = -axis[0]  # from the axis to the origin
    assert abs(d[0] * p[1] - d[1] * p[0]) / np.hypot(*d) < 2.0  # the line runs through (0, 0)


def test_options_are_checked():
    with pytest.raises(InputError):
        CaptureOptions()
    with pytest.raises(InputError):
        CaptureOptions(mm_per_px=1.0, reference_mm=(297.0, 210.0))
    with pytest.raises(InputError):
        CaptureOptions(mm_per_px=1.0, defect_colour="blue")  # same as the zone colour
    with pytest.raises(InputError):
        CaptureOptions(mm_per_px=1.0, zone_grade=0)
    with pytest.raises(InputError):
        capture_hide(np.zeros((10, 10, 3), np.uint8), CaptureOptions(mm_per_px=1.0))
