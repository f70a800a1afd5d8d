"""``leathernest import PHOTO --hide``: a photo of a hide on the table becomes a job's hide.

The options of the photo branch of ``leathernest import`` and what it prints and writes; the image
analysis is ``leathernest.capture``, the file reading ``leathernest.io.photo``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from leathernest.cli.common import Finite, err, fail_input, writing

COLOURS = ["red", "yellow", "green", "blue", "magenta"]  # leathernest.capture.marks.MARK_COLOURS


def _size(_ctx: click.Context, _param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        w, h = (float(v) for v in value.lower().replace("x", ",").split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not W,H in mm (e.g. 297,210)") from None
    if not (0 < w <= 1e5 and 0 < h <= 1e5):
        raise click.BadParameter("both sides must be positive numbers of millimetres, up to "
                                 "100 m")
    return w, h


PHOTO_OPTIONS = [
    click.option("--mm-per-px", "mm_per_px", type=Finite(min=0, min_open=True, max=1e4),
                 default=None, help="Photo: scale on the table, mm per pixel."),
    click.option("--reference-mm", "reference_mm", callback=_size, metavar="W,H", default=None,
                 help="Photo: size of a flat card lying on the table (A4: 297,210); gives the "
                      "scale and corrects perspective."),
    click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
                 help="Photo: write a job whose hides hold the captured hide."),
    click.option("--dxf", "dxf_out", type=click.Path(dir_okay=False), default=None,
                 help="Photo: also write the hide as DXF (layers HIDE, GRADE<n>, BACKBONE)."),
    click.option("--pieces", "pieces_from", default="demo_wallets", show_default=True,
                 help="Photo: job file or bundled name whose pieces, gap and margin --out takes."),
    click.option("--defect-colour", default="red", show_default=True,
                 type=click.Choice(COLOURS), help="Photo: chalk/tape colour of grade-0 defects."),
    click.option("--zone-colour", default="blue", show_default=True,
                 type=click.Choice(COLOURS), help="Photo: colour of lower-grade zones."),
    click.option("--zone-grade", type=click.IntRange(min=1), default=1, show_default=True,
                 help="Photo: grade of the zones marked in --zone-colour."),
    click.option("--backbone-colour", default="green", show_default=True,
                 type=click.Choice(COLOURS), help="Photo: colour of the backbone line."),
    click.option("--defect-margin-mm", type=click.FloatRange(min=0, max=100), default=2.0,
                 show_default=True, help="Photo: safety margin round every marked region."),
    click.option("--accuracy-mm", type=click.FloatRange(min=0.01, max=50), default=1.0,
                 show_default=True, help="Photo: warn when one pixel is coarser than this."),
    click.option("--hide-id", default=None, help="Photo: id of the hide (default: file stem)."),
]
PHOTO_ONLY = ("mm_per_px", "reference_mm", "out", "dxf_out")  # options without a default


def photo_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the photo branch's options to a command."""
    for option in reversed(PHOTO_OPTIONS):
        func = option(func)
    return func


def reject_photo_options(given: dict[str, Any]) -> None:
    """Exit 2 when an option that only a photo uses was given for another kind of file."""
    used = [k for k in PHOTO_ONLY if given.get(k) is not None]
    if used:
        flag = "--" + used[0].replace("_out", "").replace("_", "-")
        fail_input(f"{flag} is for photos (PNG or JPEG); this file is read as DXF")


def run_photo(file: str, as_hide: bool, as_json: bool, opts: dict[str, Any]) -> None:
    """Read the photo's hide, print what was found, write --out and --dxf."""
    import dataclasses

    from leathernest.errors import InputError

    if not as_hide:
        fail_input(f"{file}: a photo is read as a hide - add --hide")
    if (opts["mm_per_px"] is None) == (opts["reference_mm"] is None):
        fail_input(f"{file}: give the photo's scale with --mm-per-px S or --reference-mm W,H "
                   "(one of them)")
    try:
        from leathernest.capture.capture import CaptureOptions
        from leathernest.generators import hides as hidegen
        from leathernest.io.instance import load_job
        from leathernest.io.photo import read_hide_photo

        options = CaptureOptions(
            mm_per_px=opts["mm_per_px"], reference_mm=opts["reference_mm"],
            defect_colour=opts["defect_colour"], zone_colour=opts["zone_colour"],
            backbone_colour=opts["backbone_colour"], zone_grade=opts["zone_grade"],
            defect_margin_mm=opts["defect_margin_mm"], accuracy_mm=opts["accuracy_mm"],
            hide_id=opts["hide_id"] or Path(file).stem or "photo")
        base = load_job(opts["pieces_from"]) if opts["out"] else None
        captured = read_hide_photo(file, options)
    except InputError as exc:
        fail_input(exc.one_line())
        return
    for w in captured.warnings:
        err(f"leathernest: warning: {Path(file).name}: {w}")
    written = []
    try:
        if opts["out"]:
            job = dataclasses.replace(base, name=f"{base.name}-on-{captured.hide.id}",
                                      stock=(captured.hide,))
            with writing("--out", opts["out"]):
                written.append(str(hidegen.write_job_json(opts["out"], job, [captured])))
        if opts["dxf_out"]:
            with writing("--dxf", opts["dxf_out"]):
                written.append(str(hidegen.write_hide_dxf(opts["dxf_out"], captured.hide)))
    except InputError as exc:
        fail_input(exc.one_line())
    _show(file, captured, written, as_json)


def _show(file: str, c, written: list[str], as_json: bool) -> None:
    h = c.hide
    defects = sum(lab == "marked_defect" for lab in c.labels)
    zones = len(c.labels) - defects
    row = {"id": h.id, "area": round(h.area, 3), "defects": defects, "zones": zones,
           "bbox": [round(v, 3) for v in h.outline.bbox], "vertices": h.outline.n_vertices,
           "backbone": c.backbone_source, "mm_per_px": round(c.mm_per_px, 5)}
    if as_json:
        click.echo(json.dumps({"schema": "leathernest.import/1", "path": file, "kind": "photo",
                               "hide": row, "warnings": list(c.warnings), "written": written}))
        return
    x0, y0, x1, y1 = h.outline.bbox
    click.echo(f"{file}: hide {h.id}, area {h.area / 1e6:.4f} m², {x1 - x0:.0f} x {y1 - y0:.0f} "
               f"mm, {defects} marked defect(s), {zones} lower-grade zone(s), backbone "
               f"{c.backbone_source.replace('_', ' ')}, {c.mm_per_px:.3f} mm/px")
    for p in written:
        err(f"wrote {p}")
