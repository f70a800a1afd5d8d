"""Chalk and tape marks of documented colours on the hide.

Why hue: chalk and tape are chosen to stand out from leather, and what tells them apart is their
hue, which (like saturation) does not change when the light over the table does. A pixel of the hide
is a mark of colour *c* when its hue lies in *c*'s window, it is saturated enough to be a colour at
all, and it differs clearly from the leather's own colour (so a reddish leather is not read as red
chalk).

What a mark means (``leather_domain.md`` section 7: trainees chalk-mark faults):

- a **closed** line (a ring drawn round a fault) marks everything inside it;
- a **filled** patch (tape, or chalk rubbed over the fault) marks itself;
- an **open** stroke (a line along a scratch) marks the stroke.

All three follow from one rule: a mark is a connected region of its colour with its holes filled.

Documented colours (``MARK_COLOURS``): red, blue, green, yellow, magenta. Defaults: red = grade-0
defects, blue = lower-grade zones, green = the backbone line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from leathernest.capture.segment import fill_holes


@dataclass(frozen=True)
class MarkColour:
    """A chalk or tape colour: its hue window in degrees (may wrap through 0) and an example."""

    name: str
    hue_from: float
    hue_to: float
    example_rgb: tuple[int, int, int]

    def hue_in(self, hue_deg: np.ndarray) -> np.ndarray:
        """Whether each hue lies in the window."""
        if self.hue_from <= self.hue_to:
            return (hue_deg >= self.hue_from) & (hue_deg <= self.hue_to)
        return (hue_deg >= self.hue_from) | (hue_deg <= self.hue_to)


# Leather is brown to tan, hues 15-45° (dark brown ~20°, tan ~30°); the windows keep clear of it.
MARK_COLOURS: dict[str, MarkColour] = {
    "red": MarkColour("red", 340.0, 10.0, (215, 35, 40)),
    "yellow": MarkColour("yellow", 50.0, 70.0, (235, 215, 40)),
    "green": MarkColour("green", 90.0, 160.0, (40, 170, 70)),
    "blue": MarkColour("blue", 190.0, 250.0, (40, 90, 210)),
    "magenta": MarkColour("magenta", 285.0, 330.0, (200, 40, 180)),
}
MIN_SATURATION = 0.35  # below this a pixel is leather, grey chalk dust or glare, not a colour
MIN_VALUE = 0.12  # too dark to judge a hue
MIN_CHROMA_GAP = 0.25  # distance from the leather's colour in the (S cos H, S sin H) plane


def hsv(px: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hue in degrees (0-360), saturation and value (0-1) of RGB float pixels (..., 3)."""
    r, g, b = px[..., 0], px[..., 1], px[..., 2]
    mx = np.maximum(np.maximum(r, g), b)
    mn = np.minimum(np.minimum(r, g), b)
    c = mx - mn
    safe = np.where(c > 1e-6, c, 1.0)
    h = np.where(mx == r, ((g - b) / safe) % 6.0,
                 np.where(mx == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    h = np.where(c > 1e-6, 60.0 * h, 0.0)
    s = np.where(mx > 1e-6, c / np.maximum(mx, 1e-6), 0.0)
    return h.astype(np.float32), s.astype(np.float32), mx.astype(np.float32)


def _chroma(h: np.ndarray, s: np.ndarray) -> np.ndarray:
    rad = np.radians(h)
    return np.stack([s * np.cos(rad), s * np.sin(rad)], axis=-1)


@dataclass(frozen=True)
class LeatherColour:
    """The hide's own colour: median hue and saturation of its pixels."""

    hue: float
    saturation: float

    def clashes_with(self, colour: MarkColour) -> bool:
        """Whether the leather itself would read as this mark colour."""
        return bool(colour.hue_in(np.array([self.hue]))[0]) and self.saturation >= MIN_SATURATION


@dataclass(frozen=True)
class HideColours:
    """Hue and saturation of the hide's pixels that are colourful enough to be a mark."""

    shape: tuple[int, int]
    index: np.ndarray  # flat indices into the picture (crop) of those pixels
    hue: np.ndarray
    sat: np.ndarray
    leather: LeatherColour


def hide_colours(img: np.ndarray, inside: np.ndarray) -> HideColours:
    """Colours of the pixels ``inside`` the hide, and the leather's own colour (their median).

    Marks are few, so the median colour of the hide is the leather's; it is taken on every 7th
    pixel, which is plenty for a median and saves most of the work on a large picture.
    """
    idx = np.flatnonzero(inside)
    px = img.reshape(-1, 3)[idx]
    h, s, _v = hsv(px[::7])
    mid = np.median(_chroma(h, s), axis=0)
    leather = LeatherColour(float(np.degrees(np.arctan2(mid[1], mid[0])) % 360.0),
                            float(np.hypot(*mid)))
    mx, mn = px.max(axis=1), px.min(axis=1)
    keep = (mx >= MIN_VALUE) & (mx - mn >= MIN_SATURATION * mx)
    h, s, _v = hsv(px[keep])
    return HideColours(inside.shape, idx[keep], h, s, leather)


def colour_mask(colours: HideColours, colour: MarkColour) -> np.ndarray:
    """Pixels inside the hide that show ``colour`` and not the leather."""
    lc = colours.leather
    rad = np.radians(lc.hue)
    ref = np.array([lc.saturation * np.cos(rad), lc.saturation * np.sin(rad)], np.float32)
    ch = _chroma(colours.hue, colours.sat)
    hit = colour.hue_in(colours.hue) & (np.hypot(ch[:, 0] - ref[0], ch[:, 1] - ref[1])
                                        >= MIN_CHROMA_GAP)
    out = np.zeros(colours.shape[0] * colours.shape[1], bool)
    out[colours.index[hit]] = True
    return out.reshape(colours.shape)


def grow(mask: np.ndarray, r: int) -> np.ndarray:
    """Dilation by a (2r + 1) square (a separable maximum filter: fast on large pictures)."""
    return ndimage.maximum_filter(mask.view(np.uint8), size=2 * r + 1, mode="nearest") > 0


def shrink(mask: np.ndarray, r: int) -> np.ndarray:
    """Erosion by a (2r + 1) square."""
    return ndimage.minimum_filter(mask.view(np.uint8), size=2 * r + 1, mode="nearest") > 0


def solid(mask: np.ndarray, min_core: int = 2) -> np.ndarray:
    """The connected parts of ``mask`` that are at least 3 pixels thick somewhere.

    Drops the thin fringe where leather blends into the table (an in-between hue along the edge)
    but keeps a chalk line whole where it happens to be thin (an opening would cut it there).
    """
    labels, n = ndimage.label(mask, structure=np.ones((3, 3), bool))
    if n == 0:
        return mask
    inner = shrink(mask, 1)  # pixels whose 3 x 3 neighbourhood is all mask
    keep = np.bincount(labels[inner], minlength=n + 1) >= min_core
    keep[0] = False
    return keep[labels]


def mark_regions(masks: dict[str, np.ndarray], min_px: float,
                 cross_px: int = 4) -> dict[str, np.ndarray]:
    """Connected marks per colour, with what each encloses; specks under ``min_px`` dropped.

    Each colour's thin fringes are dropped (a line of a pixel or two along the hide's edge, where
    leather and table blend into an in-between hue, is no mark). Lines of different colours may
    cross (the backbone line across a ring or a patch of tape): the marks of all colours together,
    their pixel gaps and seams closed, enclose regions; each region belongs to the colour that
    makes most of its border, and a gap or a foreign line across a mark (up to ``2 cross_px`` wide)
    is part of it. Returns a label image per colour (0 = no mark).
    """
    box = np.ones((3, 3), bool)
    clean = {k: solid(m) for k, m in masks.items() if m.any()}
    out = {k: np.zeros(m.shape, np.int32) for k, m in masks.items()}
    if not clean:
        return out
    union = np.logical_or.reduce(list(clean.values()))
    union |= shrink(grow(union, 2), 2)  # pixel gaps in a line, seams between two colours
    enclosed, n = ndimage.label(fill_holes(union) & ~union)
    owned = {k: np.zeros(n + 1, bool) for k in clean}
    if n:
        spread = ndimage.grey_dilation(enclosed, footprint=box)  # one pixel into the border
        counts = np.stack([np.bincount(spread[clean[k] & (spread > 0)], minlength=n + 1)
                           for k in clean])
        owner = np.argmax(counts, axis=0)
        owned = {k: (owner == i) & (counts.max(axis=0) > 0) for i, k in enumerate(clean)}
    for k, mine in clean.items():
        region = mine | owned[k][enclosed]
        foreign = union & ~mine
        if foreign.any():  # a line of another colour across the mark is part of it
            ys, xs = np.nonzero(region)
            pad = cross_px + 2
            r0, c0 = max(int(ys.min()) - pad, 0), max(int(xs.min()) - pad, 0)
            sl = (slice(r0, int(ys.max()) + pad + 1), slice(c0, int(xs.max()) + pad + 1))
            bridged = shrink(grow(region[sl], cross_px), cross_px)
            region[sl] |= bridged & foreign[sl]
        labels, n_k = ndimage.label(fill_holes(region))
        sizes = np.bincount(labels.ravel(), minlength=n_k + 1)
        small = sizes < min_px
        small[0] = True
        labels[small[labels]] = 0
        out[k] = ndimage.label(labels > 0)[0].astype(np.int32)
    return out
