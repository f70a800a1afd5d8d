"""Tell the hide from the table: a background model, a contrast map, and the objects on the table.

Why this way: light over a cutting table is uneven (a lamp to one side, vignetting of the lens), so
a fixed colour threshold fails at the corners. The table is modelled instead as a smooth colour
field (a quadratic in x and y per channel, fitted to the picture's rim, then to everything that
looks like table), and each pixel is scored by its colour distance from that field *relative to the
field's brightness*. Light falling off multiplies table and leather alike, so the score of leather
stays constant across the picture, and a pixel that is a mix of a fraction α of leather and 1 − α
of table scores exactly α times the leather's score: the level halfway between table and leather
scores is the leather's edge, to a fraction of a pixel, whatever the blur.

The picture must show table all round the hide (the rim is the first sample of the table).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from leathernest.errors import InputError

RIM = 0.04  # share of each side taken as the first sample of the table
MIN_CONTRAST = 0.10  # leather must differ from the table by 10 % of the table's brightness ...
MIN_SEPARATION = 5.0  # ... and by 5 times the table's own spread (texture, noise)
MIN_OBJECT_SHARE = 0.0005  # objects under 0.05 % of the picture are specks of dust or noise
MIN_HIDE_SHARE = 0.02  # a hide fills at least 2 % of the picture


def block_mean(rgb: np.ndarray, f: int) -> np.ndarray:
    """The picture shrunk by an integer factor (the mean of each f x f block), float32 in 0..1.

    Sums strided views in integers (faster than a float mean over a reshaped 12 MP picture).
    """
    h, w = (rgb.shape[0] // f) * f, (rgb.shape[1] // f) * f
    acc = np.zeros((h // f, w // f, 3), np.uint32 if f > 16 else np.uint16)
    for dy in range(f):
        for dx in range(f):
            acc += rgb[dy:h:f, dx:w:f]
    return acc.astype(np.float32) * np.float32(1.0 / (255.0 * f * f))


def _design(xs: np.ndarray, ys: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Quadratic terms in x and y scaled to -1..1 (a well-conditioned least-squares problem)."""
    u = 2.0 * xs / max(shape[1] - 1, 1) - 1.0
    v = 2.0 * ys / max(shape[0] - 1, 1) - 1.0
    return np.column_stack([np.ones_like(u), u, v, u * u, u * v, v * v])


def _fit_field(img: np.ndarray, sample: np.ndarray, rng: np.random.Generator,
               n: int = 40_000) -> np.ndarray:
    """The table's colour field fitted to the pixels where ``sample`` is set (H, W, 3)."""
    step = max(1, int(np.sqrt(sample.size / (4 * n))))  # a grid sample is plenty for 6 terms
    ys, xs = np.nonzero(sample[::step, ::step])
    ys, xs = ys * step, xs * step
    if len(ys) > n:
        pick = rng.choice(len(ys), n, replace=False)
        ys, xs = ys[pick], xs[pick]
    a = _design(xs.astype(np.float64), ys.astype(np.float64), img.shape[:2])
    coef, *_ = np.linalg.lstsq(a, img[ys, xs].astype(np.float64), rcond=None)
    h, w = img.shape[:2]
    u = np.linspace(-1.0, 1.0, w, dtype=np.float32)
    v = np.linspace(-1.0, 1.0, h, dtype=np.float32)
    out = np.empty((h, w, 3), np.float32)
    for k in range(3):  # (c0 + c2 v + c5 v²) + u (c1 + c4 v) + c3 u², row terms first
        c = coef[:, k].astype(np.float32)
        rows = c[0] + c[2] * v + c[5] * v * v
        slope = c[1] + c[4] * v
        out[..., k] = rows[:, None] + slope[:, None] * u[None, :] + (c[3] * u * u)[None, :]
    return out


def _norm(img: np.ndarray) -> np.ndarray:
    """Euclidean length of each pixel's colour (faster than ``np.linalg.norm`` on an axis)."""
    return np.sqrt(np.einsum("ijk,ijk->ij", img, img))


def rim_mask(shape: tuple[int, int]) -> np.ndarray:
    """The outer band of the picture, ``RIM`` of each side wide."""
    h, w = shape
    m = np.zeros(shape, dtype=bool)
    bh, bw = max(2, int(RIM * h)), max(2, int(RIM * w))
    m[:bh], m[-bh:], m[:, :bw], m[:, -bw:] = True, True, True, True
    return m


@dataclass(frozen=True)
class Contrast:
    """The contrast map and the level that separates leather from table."""

    score: np.ndarray  # (H, W) float32: colour distance from the table, relative to its brightness
    level: float  # the leather's edge: halfway between table and leather scores
    low: float  # surely not table: what lies on the table is found at this level
    table: float  # median score of the table
    leather: float  # median score of the leather (and whatever else lies on the table)
    spread: float  # robust spread (1.4826 MAD) of the table's score


def contrast(smooth: np.ndarray) -> Contrast:
    """Fit the table twice (rim, then all table-like pixels) and score every pixel.

    Raises
    ------
    InputError
        When nothing on the table stands out from it clearly enough to be a hide.
    """
    rng = np.random.default_rng(0)
    rim = rim_mask(smooth.shape[:2])
    field = _fit_field(smooth, rim, rng)
    for first in (True, False):
        norm = np.maximum(_norm(field), 1e-3)
        score = _norm(smooth - field) / norm
        table_vals = score[rim]
        table = float(np.median(table_vals))
        spread = float(1.4826 * np.median(np.abs(table_vals - table))) + 1e-4
        high = score[score > table + 4 * spread + MIN_CONTRAST / 2]
        if high.size < MIN_HIDE_SHARE * score.size:
            raise no_hide(f"nothing stands out from the table (at most "
                          f"{float(score.max()):.0%} colour difference)")
        leather = float(np.median(high))
        level = 0.5 * (table + leather)
        if first:  # refit to everything that surely is table, not only the rim
            field = _fit_field(smooth, score < table + 0.25 * (leather - table), rng)
    if leather - table < MIN_CONTRAST or leather - table < MIN_SEPARATION * spread:
        raise no_hide(f"the hide differs from the table by {leather - table:.0%} only "
                      f"(the table itself varies by {spread:.0%})")
    low = max(table + 0.3 * (leather - table), table + 4 * spread)
    return Contrast(score, level, min(low, level), table, leather, spread)


def no_hide(why: str) -> InputError:
    """The error for a picture in which no hide can be told from the table."""
    return InputError(f"no hide found: {why}",
                      hint="lay the hide on a table of a contrasting colour, light it evenly and "
                           "photograph it from above with table showing all round")


@dataclass(frozen=True)
class Objects:
    """What lies on the table: labelled connected regions (holes filled) and their sizes."""

    labels: np.ndarray  # (H, W) int32, 0 = table
    areas: np.ndarray  # pixel count per label (index 0 unused)

    def mask(self, k: int) -> np.ndarray:
        """The filled region of object ``k``."""
        return self.labels == k


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with its holes filled: every background region not reaching the border.

    One labelling pass; ``scipy.ndimage.binary_fill_holes`` propagates from the border pixel by
    pixel and takes many times longer on a large picture.
    """
    labels, n = ndimage.label(~mask)
    if n == 0:
        return mask.copy()
    outside = np.zeros(n + 1, dtype=bool)
    for edge in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        outside[edge] = True
    outside[0] = True
    return ~outside[labels] | mask


def objects(score: np.ndarray, level: float) -> Objects:
    """Connected regions above ``level``, holes filled, specks (``MIN_OBJECT_SHARE``) dropped."""
    fg = fill_holes(score > level)
    labels, n = ndimage.label(fg)
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    areas[0] = 0
    small = areas < MIN_OBJECT_SHARE * score.size
    if small.any():
        labels[small[labels]] = 0
        labels, n = ndimage.label(labels > 0)
        areas = np.bincount(labels.ravel(), minlength=n + 1)
        areas[0] = 0
    return Objects(labels.astype(np.int32), areas)


def edges_touched(mask: np.ndarray) -> list[str]:
    """Which edges of the picture the region touches (``left``, ``top``, ``right``, ``bottom``)."""
    out = []
    for name, line in (("left", mask[:, 0]), ("top", mask[0, :]), ("right", mask[:, -1]),
                       ("bottom", mask[-1, :])):
        if line.any():
            out.append(name)
    return out


def parts_after_opening(mask: np.ndarray, share: float = 0.12, min_part: float = 0.15) -> int:
    """How many large parts the region falls into when eroded by a disk of ``share`` of its size.

    Two hides touching at a short contact fall apart; one hide only loses its legs, tail and neck
    tip (each under ``min_part`` of the largest part). Erosion, not opening: opened, the two
    bodies would join again over the patch where they overlap. Runs on a copy at most ~240 pixels
    across.
    """
    ys, xs = np.nonzero(mask)
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    step = max(1, int(np.ceil(max(crop.shape) / 240)))
    small = np.pad(crop[::step, ::step], 2)
    radius = max(1, round(share * np.sqrt(small.sum() / np.pi)))
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disk = xx * xx + yy * yy <= radius * radius
    eroded = ndimage.binary_erosion(small, structure=disk)
    labels, n = ndimage.label(eroded)
    if n == 0:
        return 1
    sizes = np.bincount(labels.ravel())[1:]
    return int((sizes >= min_part * sizes.max()).sum())
