"""Synthetic photos of generated hides, with the truth they were drawn from.

Why: the capture's accuracy can only be measured against pictures whose answer is known. A generated
hide (:mod:`leathernest.generators.hides`) is drawn on a table as a camera would see it, with the
operator's chalk marks round its defects, and with what makes real pictures hard: uneven light and
vignetting, sensor noise, blur, a camera not quite square to the table (perspective), JPEG
compression and a textured table (a green cutting mat with its grid). The truth comes along: the
outline, the marked regions, the defects themselves and the backbone, in the hide's millimetres, and
the map from those millimetres to picture pixels.

Drawing: polygons are filled on a canvas ``SUPERSAMPLE`` times finer than the picture and averaged
down, so edges are anti-aliased as a lens would blur them; every shape goes through the one
projective map, so perspective is exact for the table, the hide, the marks and the card alike.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from PIL import Image, ImageDraw
from scipy import ndimage
from shapely.geometry import LineString, MultiPolygon, Polygon
from skimage.transform import ProjectiveTransform

from leathernest.capture.marks import MARK_COLOURS
from leathernest.capture.outline import apply
from leathernest.generators.hides import GeneratedHide

SUPERSAMPLE = 2
EDGE_MM = 3.0  # chalk keeps this far from the leather's edge


@dataclass(frozen=True)
class Scene:
    """How the photo is taken. Lengths in mm, colours RGB 0-255.

    ``size_px`` (width, height) fixes the picture and fits the hide into it with ``margin_mm`` of
    table round it; without it the picture is as large as ``px_per_mm`` makes it.
    """

    px_per_mm: float = 1.0
    size_px: tuple[int, int] | None = None
    margin_mm: float = 120.0
    table: str = "grey"  # "grey" or "mat" (green cutting mat, 10 mm grid)
    leather_rgb: tuple[int, int, int] = (150, 96, 58)
    light: float = 0.0  # strength of a linear light fall-off across the picture (0.3 = ±30 %)
    vignette: float = 0.0  # darkening towards the corners (0.3 = 30 % at the corners)
    noise: float = 0.0  # sensor noise, standard deviation in 0-255 units
    blur_px: float = 0.0  # Gaussian blur of the lens, in picture pixels
    perspective: float = 0.0  # corners of the table moved by up to this share of the picture
    jpeg_quality: int | None = None
    reference_mm: tuple[float, float] | None = None  # a white card of this size on the table
    mark_style: str = "mixed"  # "ring" (chalk round the defect), "fill" (tape over it), "mixed"
    clearance_mm: float = 5.0  # the chalk ring keeps this far from the defect
    chalk_mm: float = 5.0  # width of a chalk line
    mark_backbone: bool = True
    seed: int = 0


@dataclass
class SyntheticPhoto:
    """A rendered picture and its truth (all geometry in the generated hide's mm)."""

    rgb: np.ndarray  # (H, W, 3) uint8, after the JPEG round trip when one was asked for
    encoded: bytes  # the picture as a PNG or JPEG file
    mm_to_px: np.ndarray  # 3 x 3: hide mm -> picture pixels (x right, y down)
    mm_per_px: float  # nominal, before perspective
    outline: Polygon
    marked_defects: list[Polygon]  # what the red marks enclose: components of their union
    marked_zones: list[Polygon]  # what the blue marks enclose
    defects: list[Polygon]  # the grade-0 defects themselves
    backbone: np.ndarray
    unmarked: list[str] = field(default_factory=list)  # lower-grade zones left unmarked (overlaps)


def _cover(polys: list[Polygon], m: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Coverage (0-1) of the picture's pixels by the polygons mapped through ``m``."""
    h, w = shape
    s = SUPERSAMPLE
    canvas = Image.new("L", (w * s, h * s), 0)
    draw = ImageDraw.Draw(canvas)
    for p in polys:
        for g in getattr(p, "geoms", [p]):
            if g.is_empty:
                continue
            # PIL fills a pixel whose centre (integer coordinates) is inside: shift by half a pixel
            draw.polygon([tuple(q) for q in apply(m, np.asarray(g.exterior.coords)) * s - 0.5],
                         fill=255)
            for ring in g.interiors:
                draw.polygon([tuple(q) for q in apply(m, np.asarray(ring.coords)) * s - 0.5],
                             fill=0)
    a = np.asarray(canvas, dtype=np.float32) / 255.0
    return a.reshape(h, s, w, s).mean(axis=(1, 3))


def _noise_field(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Smooth random texture of unit standard deviation at the scale ``sigma`` (pixels)."""
    small = max(1.0, sigma / 4)
    k = int(small)
    base = rng.normal(size=(shape[0] // k + 2, shape[1] // k + 2)).astype(np.float32)
    tex = ndimage.gaussian_filter(base, sigma / k)
    tex = np.kron(tex, np.ones((k, k), np.float32))[:shape[0], :shape[1]] if k > 1 else \
        tex[:shape[0], :shape[1]]
    return (tex - tex.mean()) / (tex.std() + 1e-6)


def _components(geoms: list[Polygon], touch_mm: float = 2.0) -> list[Polygon]:
    """The union's parts; marks closer than ``touch_mm`` are one (chalk lines that touch merge)."""
    if not geoms:
        return []
    u = shapely.union_all(geoms)
    near = shapely.union_all([g.buffer(touch_mm / 2) for g in geoms])
    groups = near.geoms if isinstance(near, MultiPolygon) else [near]
    return [_merge(u.intersection(grp)) for grp in groups]


def _merge(g) -> Polygon:
    """One polygon of marks that touch: their union, joined across the hair-width seams."""
    if isinstance(g, Polygon):
        return g
    return shapely.union_all([p.buffer(1.0) for p in g.geoms]).buffer(-1.0)


def _marks(g: GeneratedHide, scene: Scene, rng: np.random.Generator, hide: Polygon):
    """Chalk shapes and the regions they mark, for grade-0 defects (red) and the rest (blue)."""
    red_regions, red_draw, blue_regions, blue_draw, unmarked = [], [], [], [], []
    items = [(Polygon(z.outline.outer, list(z.outline.holes)), z.grade, lab)
             for z, lab in zip(g.hide.zones, g.labels, strict=True)
             if lab not in ("shoulder", "belly_neck", "leg")]
    # a ring is drawn on the leather, a little in from the edge where the defect reaches it
    room = hide.buffer(-scene.chalk_mm - EDGE_MM, quad_segs=6)
    for p, grade, _lab in sorted(items, key=lambda t: t[1]):
        region = p.buffer(scene.clearance_mm, quad_segs=6).intersection(room)
        outer = region.buffer(scene.chalk_mm, quad_segs=6).intersection(
            hide.buffer(-EDGE_MM, quad_segs=6))
        style = scene.mark_style if scene.mark_style != "mixed" else \
            ("ring" if rng.random() < 0.6 else "fill")
        shape = outer if style == "fill" else outer.difference(region)
        if grade == 0:
            red_regions.append(outer)
            red_draw.append(shape)
        elif red_regions and shapely.union_all(red_regions).intersects(outer):
            unmarked.append(_lab)  # lies against a defect: the operator marks them as one
        else:
            blue_regions.append(outer)
            blue_draw.append(shape)
    return red_regions, red_draw, blue_regions, blue_draw, unmarked


def _card_place(hide_px: Polygon, card: tuple[float, float], ppm: float, w: int, h: int,
                ) -> Polygon | None:
    """A free spot for the card in a corner of the table picture (table-plane pixels)."""
    cw, ch = max(card) * ppm, min(card) * ppm
    pad = 20 * ppm + 0.06 * max(w, h)  # clear of the edge, even after the perspective
    for x, y in ((w - pad - cw, pad), (pad, pad), (w - pad - cw, h - pad - ch),
                 (pad, h - pad - ch)):
        box = Polygon([(x, y), (x + cw, y), (x + cw, y + ch), (x, y + ch)])
        if not box.intersects(hide_px.buffer(15 * ppm)) and x > 0 and y > 0:
            return box
    return None


def render(g: GeneratedHide, scene: Scene | None = None) -> SyntheticPhoto:
    """Draw the generated hide ``g`` on a table as ``scene`` says (see the module docstring)."""
    scene = scene or Scene()
    rng = np.random.default_rng(scene.seed)
    hide = Polygon(g.hide.outline.outer)
    x0, y0, x1, y1 = hide.bounds
    extra = 0.0
    if scene.reference_mm is not None:
        extra = max(scene.reference_mm) + 80.0  # room beside the hide for the card
    wmm, hmm = x1 - x0 + 2 * scene.margin_mm + extra, y1 - y0 + 2 * scene.margin_mm
    if scene.size_px is not None:
        w, h = scene.size_px
        ppm = min(w / wmm, h / hmm)
    else:
        ppm = scene.px_per_mm
        w, h = math.ceil(wmm * ppm), math.ceil(hmm * ppm)
    ox = (w - (x1 - x0 + extra) * ppm) / 2  # the card's room is on the right
    oy = (h - (y1 - y0) * ppm) / 2
    affine = np.array([[ppm, 0.0, ox - x0 * ppm], [0.0, -ppm, oy + y1 * ppm], [0.0, 0.0, 1.0]])
    persp = np.eye(3)
    if scene.perspective > 0:
        src = np.array([[0, 0], [w, 0], [w, h], [0, h]], float)
        dst = src + rng.uniform(-scene.perspective, scene.perspective, (4, 2)) * [w, h]
        persp = np.asarray(ProjectiveTransform.from_estimate(src, dst).params)
    m = persp @ affine
    shape = (h, w)

    holes = [Polygon(z.outline.outer) for z, lab in zip(g.hide.zones, g.labels, strict=True)
             if lab == "hole"]
    leather = hide.difference(shapely.union_all(holes)) if holes else hide
    red_regions, red_draw, blue_regions, blue_draw, unmarked = _marks(g, scene, rng, hide)

    # table
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if scene.table == "mat":
        table_rgb = np.array([46, 104, 72], np.float32)
        img = np.broadcast_to(table_rgb, (h, w, 3)).astype(np.float32).copy()
        img *= (1 + 0.03 * _noise_field(rng, shape, 1.5 * ppm))[..., None]
        inv = np.linalg.inv(m)
        corners = apply(inv, np.array([[0, 0], [w, 0], [w, h], [0, h]], float))
        (gx0, gy0), (gx1, gy1) = corners.min(axis=0), corners.max(axis=0)
        lines = [LineString([(x, gy0), (x, gy1)]).buffer(0.4)
                 for x in np.arange(math.floor(gx0 / 10) * 10, gx1, 10.0)]
        lines += [LineString([(gx0, y), (gx1, y)]).buffer(0.4)
                  for y in np.arange(math.floor(gy0 / 10) * 10, gy1, 10.0)]
        grid = _cover(lines, m, shape)
        img += (grid * 0.35)[..., None] * (np.array([230, 230, 170], np.float32) - img)
    elif scene.table == "grey":
        img = np.broadcast_to(np.array([118, 121, 126], np.float32), (h, w, 3)).copy()
        img *= (1 + 0.02 * _noise_field(rng, shape, 1.0 * ppm))[..., None]
    else:
        raise ValueError(f"unknown table {scene.table!r}")

    # reference card
    if scene.reference_mm is not None:
        hide_px = Polygon(apply(affine, np.asarray(hide.exterior.coords)))
        box = _card_place(hide_px, scene.reference_mm, ppm, w, h)
        if box is None:
            raise ValueError("no room for the reference card")
        card_mm = Polygon(apply(np.linalg.inv(affine), np.asarray(box.exterior.coords)))
        a = _cover([card_mm], m, shape)[..., None]
        img += a * (np.array([238, 236, 228], np.float32) - img)

    # leather, its defects, the marks
    a = _cover([leather], m, shape)[..., None]
    tex = 1 + 0.05 * _noise_field(rng, shape, 0.8 * ppm) + 0.06 * _noise_field(rng, shape,
                                                                                 40 * ppm)
    img += a * (np.asarray(scene.leather_rgb, np.float32) * tex[..., None] - img)
    flaws = [Polygon(z.outline.outer) for z, lab in zip(g.hide.zones, g.labels, strict=True)
             if lab in ("scratch", "healed_scar", "vein", "brand", "tick_bites")]
    if flaws:
        img *= 1 - 0.25 * _cover(flaws, m, shape)[..., None]
    chalk_tex = np.clip(0.9 + 0.08 * _noise_field(rng, shape, 0.6 * ppm), 0.6, 1.0)[..., None]
    for draw, name in ((blue_draw, "blue"), (red_draw, "red")):
        if draw:
            a = _cover(draw, m, shape)[..., None] * chalk_tex
            img += a * (np.asarray(MARK_COLOURS[name].example_rgb, np.float32) - img)
    bb = np.asarray(g.hide.backbone)
    if scene.mark_backbone:
        line = LineString(bb).intersection(hide.buffer(-25.0))
        if not line.is_empty:
            a = _cover([line.buffer(2.5, quad_segs=4)], m, shape)[..., None] * chalk_tex
            img += a * (np.asarray(MARK_COLOURS["green"].example_rgb, np.float32) - img)

    # light, lens, sensor
    u, v = 2 * xx / w - 1, 2 * yy / h - 1
    ang = rng.uniform(0, 2 * math.pi)
    light = (1 + scene.light * (math.cos(ang) * u + math.sin(ang) * v)) \
        * (1 - scene.vignette * (u * u + v * v) / 2)
    img *= light[..., None]
    if scene.blur_px > 0:
        img = ndimage.gaussian_filter(img, sigma=(scene.blur_px, scene.blur_px, 0))
    if scene.noise > 0:
        img += rng.normal(0.0, scene.noise, img.shape).astype(np.float32)
    rgb = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    if scene.jpeg_quality is not None:
        Image.fromarray(rgb).save(buf, format="JPEG", quality=scene.jpeg_quality)
        rgb = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    else:
        Image.fromarray(rgb).save(buf, format="PNG", compress_level=1)
    grade0 = [Polygon(z.outline.outer, list(z.outline.holes)) for z in g.hide.zones
              if z.grade == 0]
    return SyntheticPhoto(rgb, buf.getvalue(), m, 1.0 / ppm, hide, _components(red_regions),
                          _components(blue_regions), grade0, bb, unmarked)


# -------------------------------------------------------------------------------------------------
# Scoring a capture against the truth


def _iou(a: Polygon, b: Polygon) -> float:
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def _match(truth: list[Polygon], found: list[Polygon]) -> tuple[list[float], int]:
    """Best IoU of each truth region among the found ones, and how many found match no truth."""
    ious = [max((_iou(t, f) for f in found), default=0.0) for t in truth]
    invented = sum(1 for f in found if not any(f.intersects(t) for t in truth))
    return ious, invented


@dataclass(frozen=True)
class Score:
    """How a capture compares with the truth of a synthetic photo (in the capture's frame)."""

    area_error: float  # captured area / true area - 1, both in mm as measured (the money figure)
    iou: float  # outline, with the truth mapped into the capture's frame
    outside_mm2: float  # captured outline area lying outside the true leather
    defect_ious: tuple[float, ...]  # per marked defect (red), best IoU among the captured
    defects_invented: int
    zone_ious: tuple[float, ...]
    zones_invented: int
    defects_covered: float  # share of the marked part of the grade-0 defects inside captured ones
    backbone_angle_deg: float  # between the captured and the true backbone's overall direction
    backbone_offset_mm: float  # mean distance of the captured backbone from the true one

    def found(self, min_iou: float = 0.8) -> tuple[int, int]:
        """Marked regions (defects and zones) found with IoU >= ``min_iou``, out of all."""
        ious = self.defect_ious + self.zone_ious
        return sum(i >= min_iou for i in ious), len(ious)


def score(captured, photo: SyntheticPhoto) -> Score:
    """Compare ``captured`` (a :class:`~leathernest.capture.capture.CapturedHide`) with truth."""
    to_hide = captured.image_to_hide @ photo.mm_to_px

    def moved(p: Polygon) -> Polygon:
        dense = shapely.segmentize(p, 5.0)
        shell = apply(to_hide, np.asarray(dense.exterior.coords))
        return Polygon(shell, [apply(to_hide, np.asarray(r.coords)) for r in dense.interiors])

    hide = captured.hide
    got = Polygon(hide.outline.outer, list(hide.outline.holes))
    true = moved(photo.outline)
    zones = [(Polygon(z.outline.outer, list(z.outline.holes)), lab)
             for z, lab in zip(hide.zones, captured.labels, strict=True)]
    got_defects = [p for p, lab in zones if lab == "marked_defect"]
    got_zones = [p for p, lab in zones if lab == "marked_zone"]
    d_ious, d_inv = _match([moved(p) for p in photo.marked_defects], got_defects)
    z_ious, z_inv = _match([moved(p) for p in photo.marked_zones], got_zones)
    marked = shapely.union_all([moved(p) for p in photo.marked_defects]) \
        if photo.marked_defects else Polygon()
    true_defects = [moved(p).intersection(marked) for p in photo.defects]
    dead = shapely.union_all(got_defects) if got_defects else Polygon()
    total = sum(p.area for p in true_defects)
    covered = sum(p.intersection(dead).area for p in true_defects) / total if total else 1.0
    bb_true = apply(to_hide, photo.backbone)
    bb = np.asarray(hide.backbone)
    d1, d2 = bb[-1] - bb[0], bb_true[-1] - bb_true[0]
    cosang = abs(float(d1 @ d2)) / (np.hypot(*d1) * np.hypot(*d2))
    line_true = LineString(bb_true)
    offset = float(np.mean([line_true.distance(shapely.Point(p))
                            for p in np.asarray(shapely.segmentize(LineString(bb), 10.0).coords)]))
    return Score(hide.area / photo.outline.area - 1.0, _iou(got, true), got.difference(true).area,
                 tuple(d_ious), d_inv, tuple(z_ious), z_inv, covered,
                 math.degrees(math.acos(min(1.0, cosang))), offset)
