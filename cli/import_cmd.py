"""``leathernest import FILE``: what a DXF holds, as the nester will see it; a photo's hide.

stdout carries only the result (a table, or exactly one JSON object with ``--json``, which also
carries every warning); warnings go to stderr as well (the first :data:`MAX_WARNING_LINES`).
A file with some closed outlines imports them (exit 0) and warns about the rest; unusable input
exits with code 2 and one line naming the file, layer and handle. The library is imported inside
the command so that ``leathernest --help`` stays instant.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from pathlib import Path

import click

from leathernest.cli.common import handle_errors
from leathernest.cli.import_photo import photo_options, reject_photo_options, run_photo

# Warnings printed to stderr; the rest are counted (all of them are in --json).
MAX_WARNING_LINES = 20
UNIT_CHOICES = ["mm", "cm", "dm", "m", "in", "ft", "yd"]


def parse_layer_map(values: tuple[str, ...], file: str | None = None) -> dict[str, str] | None:
    """``LAYER=ROLE`` items (globs allowed) or JSON files holding such a mapping."""
    from leathernest.errors import InputError

    if not values:
        return None
    out: dict[str, str] = {}
    for v in values:
        if "=" in v:
            layer, role = (t.strip() for t in v.split("=", 1))
            if not layer or not role:
                raise InputError(f"--layer-map {v!r}: give a layer (or pattern) and a role, "
                                 "LAYER=ROLE", path=file,
                                 hint=f"roles: {', '.join(LAYER_ROLES)}")
            _check_role(role, v, file)
            out[layer] = role
            continue
        p = Path(v)
        if not p.is_file():
            raise InputError(
                f"--layer-map {v!r} is neither LAYER=ROLE nor a JSON file",
                path=file,
                hint="give LAYER=ROLE, or a JSON object {\"LAYER\": \"ROLE\"} in a file",
            )
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(
                f"--layer-map: not a JSON object ({str(exc).splitlines()[0]})", path=v
            ) from None
        if not isinstance(data, dict):
            raise InputError("--layer-map: expected a JSON object of LAYER: ROLE", path=v)
        for k, r in data.items():
            if not str(k).strip() or not isinstance(r, str):
                raise InputError(f"--layer-map: {k!r}: give a layer and a role (a string)",
                                 path=v)
            _check_role(r.strip(), f"{k}={r}", v)
            out[str(k).strip()] = r.strip()
    return out


# Roles of pattern layers (leathernest.io.dxf_pieces.Role) and of hide layers.
LAYER_ROLES = ("cut", "cutout", "punch", "notch", "mark", "crease", "grain", "mirror", "text",
               "ignore", "outline", "defect", "backbone", "grade<N>")


def _check_role(role: str, given: str, file: str | None) -> None:
    from leathernest.errors import InputError

    low = role.lower()
    if low in LAYER_ROLES or re.fullmatch(r"grade\d{1,3}", low):
        return
    raise InputError(f"--layer-map {given!r}: unknown role {role!r}", path=file,
                     hint=f"roles: {', '.join(LAYER_ROLES)}")


def _piece_row(piece) -> dict:
    kinds = Counter(f.kind.value for f in piece.features if f.kind.value != "text")
    x0, y0, x1, y1 = piece.outline.bbox
    return {
        "id": piece.id,
        "name": piece.name,
        "area": round(piece.area, 6),
        "quantity": piece.n_copies,  # pieces to cut: both hands of a left/right pair
        "mirror": piece.mirror.value,
        "min_grade": piece.min_grade,
        "holes": len(piece.outline.holes),
        "features": dict(kinds),
        "bbox": [round(v, 6) for v in (x0, y0, x1, y1)],
        "grain_deg": None if piece.grain is None else round(piece.grain.direction_deg, 6),
        "vertices": piece.outline.n_vertices,
        "true_arc_paths": len(piece.cut_paths),
        "product": piece.product,
        "size": piece.size,
    }


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--units", metavar="UNIT",
              help=f"Drawing unit, overriding the file: {', '.join(UNIT_CHOICES)}.")
@click.option(
    "--layer-map",
    multiple=True,
    metavar="LAYER=ROLE|FILE.json",
    help="Role of a layer (glob patterns allowed); repeatable. Pattern roles: cut, cutout, punch, "
    "notch, mark, crease, grain, mirror, text, ignore. Hide roles: outline, defect, grade<N>, "
    "backbone, ignore.",
)
@click.option("--hide", "as_hide", is_flag=True, help="Read the file as a hide, not as patterns.")
@click.option(
    "--close-gaps-mm", type=float, default=0.0, show_default=True,
    help="Join free line ends up to this far apart (0 to 100 mm).",
)  # fmt: skip
@photo_options
@handle_errors
def command(
    file: str,
    as_json: bool,
    units: str | None,
    layer_map: tuple[str, ...],
    as_hide: bool,
    close_gaps_mm: float,
    **photo: object,
) -> None:
    """Read a DXF (patterns or, with --hide, a hide) or a photo of a hide, and show what was found.

    A photo (PNG or JPEG) of a hide on the table, with --hide and --mm-per-px or --reference-mm,
    gives the hide's outline, its chalk-marked defects (red), lower-grade zones (blue) and
    backbone (green line); --out writes it as a job, --dxf as a hide DXF.

    Closed outlines are imported; open contours, stray lines and skipped entities are warnings
    (layer, handle, gap). Graded AAMA/ASTM files list their sizes.

    Exit codes: 0 read; 2 the file cannot be used (one line on stderr); 3 internal error.
    """
    from leathernest.io import dxf_in
    from leathernest.io.photo import is_photo

    if is_photo(file):
        run_photo(file, as_hide, as_json, photo)
        return
    reject_photo_options(photo)

    # ezdxf logs its own repairs as warnings; the import report already says what matters.
    logging.getLogger("ezdxf").setLevel(logging.ERROR)
    mapping = parse_layer_map(layer_map, file)
    if as_hide:
        result = dxf_in.read_hide_dxf(
            file, units=units, layer_map=mapping, close_gaps_mm=close_gaps_mm
        )
    else:
        result = dxf_in.read_pattern_dxf(
            file, units=units, layer_map=mapping, close_gaps_mm=close_gaps_mm
        )
    report = result.report
    shown = report.warnings()
    for issue in shown[:MAX_WARNING_LINES]:
        click.echo(f"leathernest: warning: {Path(file).name}: {issue.one_line()}", err=True)
    if len(shown) > MAX_WARNING_LINES:
        click.echo(
            f"leathernest: warning: {Path(file).name}: {len(shown) - MAX_WARNING_LINES} more "
            "warnings (--json lists them all)",
            err=True,
        )
    if as_hide:
        _show_hide(result.hide, report, as_json)
    else:
        _show_pieces(result.pieces, result.sizes, result.sample_size, report, as_json)


def _report_json(report) -> dict:
    return {
        "schema": "leathernest.import/1",
        **report.as_dict(),
        "warnings": [i.one_line() for i in report.warnings()],
    }


def _show_pieces(pieces, sizes, sample: str | None, report, as_json: bool) -> None:
    rows = [_piece_row(p) for p in pieces]
    products = list(dict.fromkeys(p.product for p in pieces if p.product))
    if as_json:
        out = {**_report_json(report), "products": products, "sizes": list(sizes),
               "sample_size": sample, "pieces": rows}  # fmt: skip
        click.echo(json.dumps(out))
        return
    click.echo(f"{report.path}: {len(rows)} pieces, units {report.units}, {report.convention}")
    if sizes:
        names = len({p.name for p in pieces})
        click.echo(
            f"  {len(sizes)} sizes: {', '.join(sizes)}"
            + (f" (sample size {sample})" if sample else "")
            + f"; {names} piece name(s); product {', '.join(products)}"
        )
    for r in rows:
        feats = ", ".join(f"{k} {v}" for k, v in sorted(r["features"].items())) or "-"
        grain = "-" if r["grain_deg"] is None else f"{r['grain_deg']:.1f}°"
        grade = "best" if r["min_grade"] is None else f">={r['min_grade']}"
        pair = " (pairs)" if r["mirror"] == "pair" else ""
        size = f" size {r['size']}" if r["size"] else ""
        w = r["bbox"][2] - r["bbox"][0]
        h = r["bbox"][3] - r["bbox"][1]
        click.echo(
            f"  {r['name']:<24} x{r['quantity']:<3}{pair}{size} area {r['area']:>12.1f} mm²  "
            f"{w:.1f} x {h:.1f} mm  grade {grade}  holes {r['holes']}  grain {grain}  "
            f"features {feats}"
        )


def _show_hide(hide, report, as_json: bool) -> None:
    x0, y0, x1, y1 = hide.outline.bbox
    row = {
        "id": hide.id,
        "area": round(hide.area, 6),
        "holes": len(hide.outline.holes),
        "zones": [{"grade": z.grade, "area": round(z.outline.area, 6)} for z in hide.zones],
        "bbox": [x0, y0, x1, y1],
        "backbone_points": 0 if hide.backbone is None else len(hide.backbone),
    }
    if as_json:
        click.echo(json.dumps({**_report_json(report), "hide": row}))
        return
    click.echo(
        f"{report.path}: hide {hide.id}, area {hide.area / 1e6:.4f} m², "
        f"{len(hide.zones)} zones, holes {row['holes']}, "
        f"backbone {'yes' if row['backbone_points'] else 'no'}"
    )
