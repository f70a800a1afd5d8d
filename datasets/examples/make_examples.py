"""Build the bundled example jobs and the hide picture (run once; outputs are committed).

Usage::

    python datasets/examples/make_examples.py

Writes, from the pattern library (``leathernest.datasets.patterns.catalog``) and the hide generator
(``leathernest.generators.hides``), all deterministic:

- ``datasets/examples/demo_wallets.json``: 4 bifold wallets and 6 card holders on two calf skins;
- ``datasets/examples/demo_goods.json``: a tote bag, a zip pouch and a belt on a cow side;
- ``datasets/examples/tiny.json``: one card holder and a zip pull on a small goat skin, for tests;
- ``datasets/hides/*.dxf``: the hides of those jobs as DXF (layers HIDE, GRADE<n>, BACKBONE);
- ``datasets/hides.svg``: a picture of generated hides (each kind, the three quality presets).
"""

from __future__ import annotations

import sys
from pathlib import Path

from leathernest.datasets.patterns.catalog import product_pieces
from leathernest.generators import hides as hidegen
from leathernest.io.atomic import write_atomic
from leathernest.io.svg import GRADE_FILL, HIDE_FILL
from leathernest.model import Job, Objective

ROOT = Path(__file__).resolve().parent.parent  # datasets/
GAP_MM = 2.0  # knife clearance between pieces (leather_domain.md section 3: 1-3 mm plausible)
MARGIN_MM = 3.0  # distance to the hide's edge and to blocking zones

# Seeds chosen once; any seed gives a valid hide, these are simply the committed ones.
DEMO_CALF_SEEDS = (11, 12)
# About 1 m² per calf skin (leather_domain.md section 1); the order below is about half of one
# skin's usable leather, and the second skin gives a grade-aware nester room to keep every grade.
DEMO_CALF_M2 = 0.95
GOODS_COW_SEED = 22  # the belt strap (1.2 m, best grade) fits along its backbone
TINY_GOAT_SEED = 31


def _job(name: str, pieces: list, hides: list[hidegen.GeneratedHide], seed: int = 0) -> Job:
    return Job(name=name, pieces=tuple(pieces), stock=tuple(g.hide for g in hides),
               gap_mm=GAP_MM, margin_mm=MARGIN_MM, time_limit_s=60.0, seed=seed,
               objective=Objective.MIN_HIDES)


def demo_wallets() -> tuple[Job, list[hidegen.GeneratedHide]]:
    """4 bifold wallets + 6 card holders (pairs, grain, grades) on two calf skins."""
    hides = [hidegen.generate("calf", s, hide_id=f"calf-{s}", area_m2=DEMO_CALF_M2)
             for s in DEMO_CALF_SEEDS]
    pieces = product_pieces("bifold_wallet", 4) + product_pieces("card_holder", 6)
    return _job("demo_wallets", pieces, hides), hides


def demo_goods() -> tuple[Job, list[hidegen.GeneratedHide]]:
    """A tote bag, a zip pouch and a belt on one cow side (the belt runs along the backbone)."""
    hides = [hidegen.generate("cow_side", GOODS_COW_SEED, hide_id=f"cow-side-{GOODS_COW_SEED}")]
    pieces = (product_pieces("tote_bag") + product_pieces("zip_pouch")
              + product_pieces("belt"))
    return _job("demo_goods", pieces, hides), hides


def tiny() -> tuple[Job, list[hidegen.GeneratedHide]]:
    """One card holder and a zip pull on a small goat skin: a fast job for tests."""
    hides = [hidegen.generate("goat", TINY_GOAT_SEED, quality="clean", hide_id="goat-small",
                              area_m2=0.3)]
    pieces = product_pieces("card_holder") + [
        p for p in product_pieces("zip_pouch") if p.id.endswith("zip_pull")
    ]
    return _job("tiny", pieces, hides), hides


# -------------------------------------------------------------------------------------------------
# The picture

# The report's grade colours (leathernest.io.svg), so the README's picture reads like the report.
DEFECT_EDGE = "#5a1010"  # defects are outlined, so that a grade-1 tick patch shows on a leg


def _ring_d(ring) -> str:
    pts = [f"{x:.1f},{y:.1f}" for x, y in ring]
    return "M" + "L".join(pts) + "Z"


def hides_svg(hides: list[hidegen.GeneratedHide], columns: int = 3) -> str:
    """An SVG of hides in rows, y up: zones by grade, defects outlined, backbone dashed."""
    cell = max(g.hide.outline.bbox[2] for g in hides) * 1.08  # column width
    rows = [hides[i:i + columns] for i in range(0, len(hides), columns)]
    heights = [max(g.hide.outline.bbox[3] for g in row) + 0.1 * cell for row in rows]
    width, height = cell * columns, sum(heights) + 0.08 * cell
    stroke = cell / 400
    body = []
    top = 0.0
    for row, row_h in zip(rows, heights, strict=True):
        for k, g in enumerate(row):
            h = g.hide
            ox = k * cell + 0.03 * cell
            t = f'transform="translate({ox:.1f},{top + row_h - 0.07 * cell:.1f}) scale(1,-1)"'
            parts = [f'<path d="{_ring_d(h.outline.outer)}" fill="{HIDE_FILL}" stroke="#333" '
                     f'stroke-width="{stroke:.1f}"/>']
            zones = sorted(zip(h.zones, g.labels, strict=True),
                           key=lambda zl: (zl[1] in hidegen.DEFECT_LABELS, -zl[0].grade))
            for z, label in zones:
                d = "".join(_ring_d(r) for r in (z.outline.outer, *z.outline.holes))
                edge = (f'stroke="{DEFECT_EDGE}" stroke-width="{stroke:.1f}"'
                        if label in hidegen.DEFECT_LABELS else 'stroke="none"')
                parts.append(f'<path d="{d}" fill="{GRADE_FILL.get(z.grade, "#ccc")}" '
                             f'fill-rule="evenodd" {edge}/>')
            if h.backbone is not None:
                pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in h.backbone)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f3b73" '
                             f'stroke-width="{cell / 250:.1f}" '
                             f'stroke-dasharray="{cell / 60:.1f}"/>')
            body.append(f"<g {t}>{''.join(parts)}</g>")
            label = (f"{g.spec.kind} {g.quality.name}, seed {g.seed}: {h.area / 1e6:.2f} m², "
                     f"{100 * g.defect_share:.1f} % defects")
            body.append(f'<text x="{ox:.1f}" y="{top + row_h - 0.02 * cell:.1f}" '
                        f'font-size="{cell / 30:.1f}" font-family="sans-serif">{label}</text>')
        top += row_h
    key = [("best (croupon, unmarked)", HIDE_FILL), ("3 shoulder", GRADE_FILL[3]),
           ("2 belly, neck, veins", GRADE_FILL[2]),
           ("1 legs, healed scars, tick bites", GRADE_FILL[1]),
           ("0 holes, scratches, brands", GRADE_FILL[0])]
    y = top + 0.05 * cell
    size = cell / 32
    for i, (text, fill) in enumerate(key):
        x = 0.03 * cell + i * width / len(key)
        body.append(f'<rect x="{x:.1f}" y="{y - size:.1f}" width="{size:.1f}" height="{size:.1f}" '
                    f'fill="{fill}" stroke="#333"/><text x="{x + 1.4 * size:.1f}" y="{y:.1f}" '
                    f'font-size="{size:.1f}" font-family="sans-serif">{text}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width / cell * 360:.0f}" '
            f'height="{height / cell * 360:.0f}" viewBox="0 0 {width:.1f} {height:.1f}">'
            f'<rect width="100%" height="100%" fill="white"/>{"".join(body)}</svg>\n')


def main() -> int:
    """Write the example jobs, their hide DXFs and the picture."""
    written = []
    for build in (demo_wallets, demo_goods, tiny):
        job, hides = build()
        written.append(hidegen.write_job_json(ROOT / "examples" / f"{job.name}.json", job, hides))
        written.extend(hidegen.write_hide_dxf(ROOT / "hides" / f"{g.hide.id}.dxf", g)
                       for g in hides)
    gallery = [hidegen.generate(kind, 0, quality=q) for kind in ("calf", "goat", "cow_side")
               for q in hidegen.QUALITY_NAMES]
    svg = write_atomic(ROOT / "hides.svg", hides_svg(gallery))
    written.append(svg)
    for p in written:
        p.chmod(0o644)
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
