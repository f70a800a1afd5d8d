"""The whole chain: a picture of a hide on the table becomes a :class:`~leathernest.model.Hide`.

Steps (each in its own module): shrink the picture to a working size; smooth it; model the table and
score every pixel against it (:mod:`.segment`); find what lies on the table and check it (one hide,
clear of the picture's edge, not two hides touching; a rectangle is the reference card); trace the
hide's edge to a fraction of a pixel and map it to mm, through the card's homography when there is
one (:mod:`.reference`); shrink it conservatively (:mod:`.outline`); read the chalk marks inside it
(:mod:`.marks`) as grade-0 defects, lower-grade zones and the backbone line, each grown by the
safety margin; without a backbone line take the straight cut edge of a side, or the hide's mirror
axis.

Every problem with the picture is an :class:`~leathernest.errors.InputError` whose message says what
to do; what the capture had to assume is a warning in :attr:`CapturedHide.warnings`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from shapely.geometry import Polygon

from leathernest.capture import marks as mk
from leathernest.capture import outline as ol
from leathernest.capture import segment as sg
from leathernest.capture.reference import find_quad, table_homography
from leathernest.errors import InputError
from leathernest.model import Hide, Outline, Zone

WORK_SIDE = 2000  # the working picture is shrunk by an integer factor to about this longest side
MAX_HIDE_M2 = 7.5  # larger than any hide (a bull hide for furniture is up to ~7 m² [S28])
SEVERAL_SHARE = 0.2  # a second object this large beside the hide is another hide
REF_SHARE = 0.25  # a reference shorter than this share of the hide extrapolates poorly


@dataclass(frozen=True)
class CaptureOptions:
    """How to read the picture; lengths in mm.

    Attributes
    ----------
    mm_per_px : float, optional
        Scale of the picture on the table; or give ``reference_mm``.
    reference_mm : (float, float), optional
        Size of a flat rectangle (card, sheet) lying on the table in the picture; gives scale and
        corrects perspective.
    defect_colour, zone_colour, backbone_colour : str
        Mark colours (:data:`leathernest.capture.marks.MARK_COLOURS`).
    zone_grade : int
        Grade of the zones marked in ``zone_colour`` (1 = hidden parts only).
    defect_margin_mm : float
        Safety margin added round every marked defect and zone.
    smooth_mm : float
        Outline details narrower than twice this are taken off (hair, frayed edge, noise).
    accuracy_mm : float
        Wanted accuracy: a warning when one pixel of the picture is coarser.
    min_mark_mm2 : float
        Marks smaller than this are specks, not marks.
    hide_id : str
        Id of the captured hide.
    """

    mm_per_px: float | None = None
    reference_mm: tuple[float, float] | None = None
    defect_colour: str = "red"
    zone_colour: str = "blue"
    backbone_colour: str = "green"
    zone_grade: int = 1
    defect_margin_mm: float = 2.0
    smooth_mm: float = 2.0
    accuracy_mm: float = 1.0
    min_mark_mm2: float = 30.0
    hide_id: str = "photo"

    def __post_init__(self) -> None:
        if (self.mm_per_px is None) == (self.reference_mm is None):
            raise InputError("give the scale: either mm per pixel or the reference rectangle's "
                             "size", hint="use --mm-per-px S or --reference-mm W,H")
        if self.mm_per_px is not None and not (0 < self.mm_per_px < 100):
            raise InputError(f"mm per pixel must be in (0, 100), got {self.mm_per_px}")
        if self.reference_mm is not None and not all(0 < v < 5000 for v in self.reference_mm):
            raise InputError(f"reference size must be two lengths in (0, 5000) mm, "
                             f"got {self.reference_mm}")
        colours = (self.defect_colour, self.zone_colour, self.backbone_colour)
        for c in colours:
            if c not in mk.MARK_COLOURS:
                raise InputError(f"unknown mark colour {c!r}",
                                 hint=f"use one of {', '.join(mk.MARK_COLOURS)}")
        if len(set(colours)) != 3:
            raise InputError(f"defect, zone and backbone marks need three different colours, "
                             f"got {', '.join(colours)}")
        if self.zone_grade < 1:
            raise InputError(f"zone grade must be >= 1 (0 is a defect), got {self.zone_grade}")
        for name in ("defect_margin_mm", "smooth_mm", "min_mark_mm2"):
            if not (0 <= getattr(self, name) < 1000):
                raise InputError(f"{name} must be in [0, 1000), got {getattr(self, name)}")
        if not (0 < self.accuracy_mm < 100):
            raise InputError(f"accuracy must be in (0, 100) mm, got {self.accuracy_mm}")


@dataclass(frozen=True)
class CapturedHide:
    """A hide read from a picture, with what the model does not keep."""

    hide: Hide
    labels: tuple[str, ...]  # per zone: marked_defect, marked_zone or hole
    warnings: tuple[str, ...]
    image_to_hide: np.ndarray  # 3 x 3: full-picture pixels (x right, y down) -> the hide's mm
    mm_per_px: float  # at the hide's centre, full picture
    backbone_source: str  # "marked", "straight_edge" or "symmetry"
    working_factor: int
    stats: dict = field(default_factory=dict)


def _scale_at(m: np.ndarray, x: float, y: float) -> float:
    """Millimetres per pixel of ``m`` at picture point (x, y): the root of its Jacobian."""
    p = ol.apply(m, np.array([[x, y], [x + 1.0, y], [x, y + 1.0]]))
    (ax, ay), (bx, by) = p[1] - p[0], p[2] - p[0]
    return math.sqrt(abs(float(ax * by - ay * bx)))


def _factor(shape: tuple[int, ...], mm_per_px: float | None, accuracy_mm: float) -> int:
    f = max(1, max(shape[:2]) // WORK_SIDE)
    if mm_per_px is not None:
        f = max(1, min(f, int(accuracy_mm / mm_per_px)))
    return f


def capture_hide(rgb: np.ndarray, opts: CaptureOptions) -> CapturedHide:
    """Read the hide in an RGB picture (H, W, 3 uint8).

    Raises
    ------
    InputError
        No hide found, several hides, the hide cut by the picture's edge, no reference rectangle
        when one was asked for; each message says what to do.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or min(rgb.shape[:2]) < 32:
        raise InputError(f"a picture of at least 32 x 32 pixels is needed, got {rgb.shape[:2]}",
                         hint="photograph the hide with the camera's normal resolution")
    f = _factor(rgb.shape, opts.mm_per_px, opts.accuracy_mm)
    result = _capture(rgb, opts, f)
    finer = _factor(rgb.shape, result.mm_per_px, opts.accuracy_mm)
    if opts.mm_per_px is None and finer < f:  # the card showed the working pixels too coarse
        result = _capture(rgb, opts, finer)
    return result


def _capture(rgb: np.ndarray, opts: CaptureOptions, f: int) -> CapturedHide:
    warnings: list[str] = []
    img = sg.block_mean(rgb, f)
    smooth = ndimage.gaussian_filter(img, sigma=(1.0, 1.0, 0))
    con = sg.contrast(smooth)
    objs = sg.objects(con.score, con.low)
    order = [int(k) for k in np.argsort(objs.areas)[::-1] if objs.areas[k] > 0]
    quads = {}
    cut_cards = 0
    for k in order[1:4]:  # the hide is the largest object; a card is one of the next few
        m = objs.mask(k)
        q = find_quad(m, con.score, con.table, scale=f)
        if q is not None and sg.edges_touched(m):
            cut_cards += 1  # a rectangle cut by the picture's edge cannot give the scale
        elif q is not None:
            quads[k] = q
    others = [k for k in order if k not in quads]
    if not others or objs.areas[others[0]] < sg.MIN_HIDE_SHARE * con.score.size:
        raise sg.no_hide("no object on the table is large enough to be a hide")
    hide_k = others[0]
    hide_mask = objs.mask(hide_k)
    touched = sg.edges_touched(hide_mask)
    if touched:
        raise InputError(f"the hide is cut by the picture's {' and '.join(touched)} edge",
                         hint="move the camera back, or the hide inwards, so that table shows "
                              "all round it")
    big_others = [k for k in others[1:] if objs.areas[k] >= SEVERAL_SHARE * objs.areas[hide_k]]
    if big_others:
        raise InputError(f"{1 + len(big_others)} hides (or other large objects) in the picture",
                         hint="photograph one hide at a time, with nothing else on the table")
    parts = sg.parts_after_opening(hide_mask)
    if parts > 1:
        raise InputError(f"the hide looks like {parts} hides touching or overlapping",
                         hint="lay the hides apart and photograph one at a time")
    small = [k for k in others[1:] if k not in big_others]
    if small:
        warnings.append(f"ignored {len(small)} small object(s) on the table beside the hide "
                        f"(offcuts, tools?)")

    # --- scale: pixels -> table mm
    if opts.reference_mm is not None:
        if not quads:
            where = " whole" if cut_cards else ""
            raise InputError(f"no{where} reference rectangle found in the picture",
                             hint=f"lay the {opts.reference_mm[0]:g} x {opts.reference_mm[1]:g} "
                                  "mm card flat on the table, fully in the picture and clear of "
                                  "the hide, or give --mm-per-px")
        ref_k = max(quads, key=lambda k: objs.areas[k])
        to_mm = table_homography(quads[ref_k], opts.reference_mm)
        ref_span = float(np.ptp(quads[ref_k].corners, axis=0).max())
        hide_span = float(max(np.ptp(np.nonzero(hide_mask)[k]) for k in (0, 1))) * f
        if ref_span < REF_SHARE * hide_span:
            warnings.append(f"the reference is small beside the hide ({ref_span:.0f} against "
                            f"{hide_span:.0f} pixels): perspective errors grow with the "
                            f"distance from it; use a board at least a quarter of the hide's "
                            f"length")
        if len(quads) > 1:
            warnings.append(f"{len(quads)} rectangles on the table: took the largest as the "
                            f"reference")
    else:
        s = float(opts.mm_per_px)  # type: ignore[arg-type]
        to_mm = np.array([[s, 0.0, 0.0], [0.0, -s, 0.0], [0.0, 0.0, 1.0]])
        if quads:
            warnings.append("a rectangle (a reference card?) lies on the table, but no "
                            "--reference-mm was given: ignored it")

    # --- outline, traced in a crop round the hide (other objects count as table there)
    ys, xs = np.nonzero(hide_mask)
    r0, c0 = max(int(ys.min()) - 4, 0), max(int(xs.min()) - 4, 0)
    sl = (slice(r0, int(ys.max()) + 5), slice(c0, int(xs.max()) + 5))
    lab = objs.labels[sl]
    hide_mask = lab == hide_k
    # Objects are found at a low level, so that a chalk mark whose colour scores little against
    # the table still counts as hide; the edge is traced at the mid level, against the table only.
    field_crop = np.where((lab == hide_k) | (lab == 0), con.score[sl], con.table)
    core = mk.shrink(hide_mask, 2)
    field_crop = np.where(core, np.maximum(field_crop, con.level + 1.0), field_crop)
    contour_rings = ol.rings(field_crop, con.level, (r0, c0), f)
    if not contour_rings:
        raise sg.no_hide("the hide's edge could not be traced")
    polys = [ol.polygon(ol.apply(to_mm, r)) for r in contour_rings]
    order_p = sorted(range(len(polys)), key=lambda i: -polys[i].area)
    raw = Polygon(polys[order_p[0]].exterior)  # holes are found below, apart from the marks
    cy, cx = ndimage.center_of_mass(hide_mask)
    mm_per_px = _scale_at(to_mm, (cx + c0 + 0.5) * f, (cy + r0 + 0.5) * f)
    work_mm = mm_per_px * f
    if mm_per_px > 1.05 * opts.accuracy_mm:  # 5 % slack: a nominal 1 mm/px passes 1 mm
        warnings.append(f"the picture is too small for {opts.accuracy_mm:g} mm accuracy: one "
                        f"pixel is {mm_per_px:.2f} mm on the hide; photograph it closer or "
                        f"with more pixels")
    area_m2 = raw.area / 1e6
    if area_m2 > MAX_HIDE_M2:
        raise InputError(f"the hide measures {area_m2:.1f} m², more than any single hide: "
                         f"several hides overlapping, or a wrong scale?",
                         hint="lay the hides apart, and check --mm-per-px / --reference-mm")
    tol = max(0.25 * work_mm, 0.05)
    outer = ol.conservative(raw, opts.smooth_mm, tol)
    if outer.is_empty:
        raise sg.no_hide("the hide's outline vanished when smoothed (far too small?)")

    # --- marks, in the same crop
    inside = core
    colours = mk.hide_colours(smooth[sl], inside)
    leather = colours.leather
    min_px = opts.min_mark_mm2 / (work_mm * work_mm)
    masks: dict[str, np.ndarray] = {}
    roles = {"defect": opts.defect_colour, "zone": opts.zone_colour,
             "backbone": opts.backbone_colour}
    for role, name in roles.items():
        colour = mk.MARK_COLOURS[name]
        if leather.clashes_with(colour):
            warnings.append(f"the leather's own colour reads as {name}: {role} marks in {name} "
                            f"cannot be told from it; use another colour")
            masks[role] = np.zeros_like(inside)
        else:
            masks[role] = mk.colour_mask(colours, colour)
    marked = np.logical_or.reduce(list(masks.values()))
    regions = mk.mark_regions(masks, min_px, cross_px=max(2, round(6.0 / work_mm)))
    found = {role: _traced(regions[role], f, to_mm, (r0, c0)) for role in ("defect", "zone")}
    yy, xx = np.nonzero(regions["backbone"] > 0)
    backbone_pts = ol.apply(to_mm, np.column_stack([(xx + c0 + 0.5) * f, (yy + r0 + 0.5) * f]))

    # holes: table seen through the hide, where no mark is (chalk may look like the table)
    see_through = core & (con.score[sl] < con.low) & ~mk.grow(marked, 1)
    hole_labels, _n = ndimage.label(mk.solid(see_through))
    sizes = np.bincount(hole_labels.ravel())
    small = sizes < min_px
    small[0] = True
    hole_labels[small[hole_labels]] = 0
    holes = [p for p in _traced(ndimage.label(hole_labels > 0)[0], f, to_mm, (r0, c0))
             if p.area >= opts.min_mark_mm2]
    defects = ol.grown(found["defect"] + holes, opts.defect_margin_mm, outer, tol)
    zones_g = ol.grown(found["zone"], opts.defect_margin_mm, outer, tol)

    # --- backbone
    backbone = None
    source = "marked"
    if len(backbone_pts):
        backbone = ol.marked_line(backbone_pts, outer)
        if backbone is not None and _length(backbone) < 0.3 * _extent(outer):
            warnings.append(f"the {opts.backbone_colour} backbone line is too short "
                            f"({_length(backbone):.0f} mm) to use")
            backbone = None
    if backbone is None:
        edge = ol.straight_edge(outer)
        if edge is not None:
            backbone, source = edge, "straight_edge"
            warnings.append(f"no {opts.backbone_colour} backbone line marked: took the straight "
                            f"cut edge of the side as the backbone")
        else:
            backbone, source = ol.symmetry_axis(outer), "symmetry"
            warnings.append(f"no {opts.backbone_colour} backbone line marked: took the hide's "
                            f"symmetry axis as the backbone")

    # --- the hide, its bounding box at (0, 0)
    x0, y0 = outer.bounds[:2]
    shift = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]])
    image_to_hide = shift @ to_mm
    move = np.array([x0, y0])
    zone_list, labels_out = [], []
    for polys_, grade, label in ((defects, 0, "marked_defect"), (zones_g, opts.zone_grade,
                                                                 "marked_zone")):
        for p in polys_:
            zone_list.append(_zone(p, grade, move, f"{opts.hide_id} {label}"))
            labels_out.append(label)
    hide = Hide(id=opts.hide_id,
                outline=Outline.of(np.asarray(outer.exterior.coords)[:-1] - move,
                                   what=f"hide {opts.hide_id}"),
                zones=tuple(zone_list), backbone=np.asarray(backbone) - move)
    stats = {"raw_area_mm2": raw.area, "contrast": con.leather - con.table,
             "table_spread": con.spread, "leather_hue": leather.hue,
             "marks": {k: len(v) for k, v in found.items()},
             "holes_seen": len(holes)}
    return CapturedHide(hide, tuple(labels_out), tuple(warnings), image_to_hide, mm_per_px,
                        source, f, stats)


def _traced(labels: np.ndarray, f: int, to_mm: np.ndarray,
            origin: tuple[int, int]) -> list[Polygon]:
    """One polygon (mm) per labelled region, traced at the half level of its smoothed mask.

    ``labels`` is a crop of the working picture starting at ``origin`` (row, col).
    """
    out = []
    for k, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        r0 = max(sl[0].start - 2, 0)
        c0 = max(sl[1].start - 2, 0)
        crop = labels[r0:sl[0].stop + 2, c0:sl[1].stop + 2] == k
        soft = ndimage.gaussian_filter(crop.astype(np.float32), 0.7)
        rings = ol.rings(soft, 0.5, (r0 + origin[0], c0 + origin[1]), f)
        if rings:
            p = max((ol.polygon(ol.apply(to_mm, r)) for r in rings), key=lambda g: g.area)
            if not p.is_empty:
                out.append(p)
    return out


def _zone(p: Polygon, grade: int, move: np.ndarray, what: str) -> Zone:
    return Zone(Outline.of(np.asarray(p.exterior.coords)[:-1] - move,
                           [np.asarray(r.coords)[:-1] - move for r in p.interiors], what=what),
                grade)


def _length(line: np.ndarray) -> float:
    return float(np.hypot(*np.diff(line, axis=0).T).sum())


def _extent(p: Polygon) -> float:
    x0, y0, x1, y1 = p.bounds
    return max(x1 - x0, y1 - y0)
