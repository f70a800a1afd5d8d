"""``leathernest nest``: read a job, nest it, validate, write the solution, picture and DXF."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import click

from leathernest.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NO,
    LENGTH,
    MAX_CLOSE_GAPS_MM,
    SEED,
    STRIP,
    TIME,
    Finite,
    StopSignals,
    capped_workers,
    compile_note,
    effort_option,
    emit_json,
    err,
    handle_errors,
    json_option,
    new_out_dir,
    search_budget_s,
    usable_cores,
)
from leathernest.cli.import_cmd import parse_layer_map
from leathernest.cli.progress import FileProgress, ProgressLine

# After a signal the search has this long (plus the time validating its layout takes) to hand
# back its best layout; one still preparing its items then ends the command without a layout.
GRACE_S = 3.0
MAX_PRODUCTS = 10_000  # pattern sets of one order; the job's copy limit applies after this


class ProductsParam(click.ParamType):
    """``--products``: a count for every pattern set (``10``) or one per size (``M=10,L=5``)."""

    name = "products"

    def convert(self, value, param, ctx):  # noqa: D102 - click's interface
        if isinstance(value, int | dict):
            return value
        text = str(value).strip()
        try:
            if "=" not in text:
                count = int(text)
                if not 1 <= count <= MAX_PRODUCTS:
                    raise ValueError
                return count
            out: dict[str, int] = {}
            for item in text.split(","):
                size, _, count = item.partition("=")
                if not size.strip() or not 1 <= int(count) <= MAX_PRODUCTS:
                    raise ValueError
                out[size.strip()] = int(count)
            return out
        except ValueError:
            self.fail(f"{value!r} is neither a count from 1 to {MAX_PRODUCTS} nor SIZE=N,... "
                      "(e.g. M=10,L=5)", param, ctx)


def _split(text: str | None) -> list[str] | None:
    return None if not text else [s.strip() for s in text.split(",") if s.strip()]


@click.command("nest")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--hides", "hides", multiple=True, type=click.Path(dir_okay=False),
              help="Hides to cut from (hide DXF, or a job JSON such as a remnant file): for "
                   "pattern DXF files, or instead of a job's own hides; repeatable.")
@click.option("--strip-width", "strip_width", type=STRIP,
              default=None, help="Nest pattern DXF files on a strip of this width (mm).")
@click.option("--products", "products", type=ProductsParam(), default="1", show_default=True,
              metavar="N|SIZE=N,...",
              help="How many of each pattern set to cut (multiplies the quantities), or per size: "
                   "M=10,L=5.")
@click.option("--sizes", type=str, default=None, metavar="SIZE,...",
              help="Cut only these graded sizes (see `leathernest import`).")
@click.option("--close-gaps-mm", "close_gaps_mm", type=Finite(min=0, max=MAX_CLOSE_GAPS_MM),
              default=0.0,
              help="Join DXF contour ends up to this far apart (for drawings with small gaps).")
@click.option("--units", type=click.Choice(["mm", "cm", "m", "in", "ft"]), default=None,
              help="Units of DXF files without usable $INSUNITS (default: read from the file).")
@click.option("--layer-map", "layer_map", multiple=True, metavar="LAYER=ROLE|FILE.json",
              help="Role of a DXF layer (as for `leathernest import`); repeatable.")
@click.option("--time", "time_s", type=TIME, default=None,
              help="Time limit in seconds (default: the job's, else 60).")
@effort_option
@click.option("--seed", type=SEED, default=None, help="Random seed (default: the job's, else 0).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes for the search, sharing their best layouts (default: the "
                   "cores this process may use; capped at them).")
@click.option("--gap", "gap_mm", type=LENGTH, default=None,
              help="Knife gap between pieces in mm (overrides the job).")
@click.option("--margin", "margin_mm", type=LENGTH, default=None,
              help="Distance kept from hide edges and defects in mm (overrides the job).")
@click.option("--edge-margin", "edge_margin_mm", type=LENGTH, default=None,
              help="Distance kept from the hide's edge in mm (default: --margin).")
@click.option("--defect-margin", "defect_margin_mm", type=LENGTH, default=None,
              help="Distance kept from holes and defects in mm (default: --margin).")
@click.option("--price-per-m2", "price_per_m2", type=Finite(min=0.0, max=1e9), default=None,
              help="Price of leather per m² for hides that carry no price (e.g. read from DXF).")
@click.option("--cutter-profile", "cutter_profile", default="generic", show_default=True,
              metavar="generic|aama|FILE.json",
              help="Layer names of the cutter DXF, and the knife gap used when no --gap is given "
                   "for pattern DXF files.")
@click.option("--dxf-version", "dxf_version", default="R2000", show_default=True,
              type=click.Choice(["R12", "R2000", "R2004", "R2007", "R2010", "R2013", "R2018"],
                                case_sensitive=False),
              help="DXF version of the cutter files (R12 for old controllers).")
@click.option("--engine", type=click.Choice(["auto", "baseline", "strip"]), default="auto",
              show_default=True, help="Which nester runs.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: a new folder named after the job).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@json_option
@handle_errors
def command(inputs: tuple[str, ...], hides: tuple[str, ...], strip_width: float | None,
            products: int | dict[str, int], sizes: str | None, close_gaps_mm: float,
            units: str | None, layer_map: tuple[str, ...], time_s: float | None,
            effort: int | None, seed: int | None, workers: int | None, gap_mm: float | None,
            margin_mm: float | None, edge_margin_mm: float | None,
            defect_margin_mm: float | None, price_per_m2: float | None, cutter_profile: str,
            dxf_version: str, engine: str, out_dir: str | None, quiet: bool,
            as_json: bool) -> None:
    """Nest INPUT and write the layout into --out.

    INPUT is a leathernest job file (`-`: read it from standard input), a jagua-rs instance (strip
    or hides), the name of a bundled instance (see `leathernest datasets`), or pattern DXF files
    with --hides or --strip-width. Every layout is checked by the exact validator before it is
    written. Writes job.json (the job as nested), solution.json, layout.svg, report.html, a
    cutter-ready DXF per hide and manifest.json (last); prints one summary line (or, with --json,
    one JSON object).

    Ctrl-C, SIGTERM and SIGHUP stop the search; the best valid layout so far is written.

    \b
    Examples:
      leathernest nest albano --time 10 --out out
      leathernest nest albano --effort 500 --seed 1 --out out   # repeats exactly
      leathernest nest job.json --gap 2 --margin 3 --json
      leathernest nest wallet.dxf --hides calf.dxf --gap 2 --margin 3
      leathernest nest wallet.dxf --sizes M,L --products M=10,L=5 --hides calf.dxf
      leathernest nest order2.json --hides remnants/calf-1_0.json
    """  # noqa: D301 - click's no-rewrap marker must be a real backspace, so not r"""
    from leathernest.io.cutter_profile import cutter_profile as load_profile
    from leathernest.io.instance import job_from_patterns, load_hides, load_job
    from leathernest.io.outputs import OutputFolder, write_outputs, writing_estimate_s
    from leathernest.nest import nest, preflight, stop_token
    from leathernest.report.metrics import summary_line
    from leathernest.report.products import select_sizes

    # Signals from the first moment: before the search starts they are remembered, during the
    # search they stop it and the best valid layout so far is written; a second one acts at once.
    with StopSignals() as signals:
        started = time.monotonic()  # the time limit covers reading, searching and writing
        warn = None if quiet else err
        profile = load_profile(cutter_profile)
        mapping = parse_layer_map(layer_map)
        from_patterns = any(i.lower().endswith(".dxf") for i in inputs)
        if from_patterns:
            job = job_from_patterns(list(inputs), list(hides), strip_width, warn, units,
                                    1, close_gaps_mm, layer_map=mapping)
        elif len(inputs) > 1:
            raise click.UsageError(
                "give one job file or bundled instance name, or DXF pattern files")
        else:
            job = load_job(inputs[0], warn=warn)
            if hides:
                job = dataclasses.replace(job, stock=load_hides(list(hides), warn, units,
                                                                close_gaps_mm, mapping))
        job = select_sizes(job, _split(sizes), products)
        if from_patterns and gap_mm is None:
            gap_mm = profile.knife_gap_mm
            if warn:
                warn(f"knife gap {gap_mm:g} mm from the {profile.name} cutter profile "
                     "(--gap to change)")
        changes = {k: v for k, v in (("time_limit_s", time_s), ("seed", seed),
                                     ("gap_mm", gap_mm), ("margin_mm", margin_mm),
                                     ("edge_margin_mm", edge_margin_mm),
                                     ("defect_margin_mm", defect_margin_mm))
                   if v is not None}
        job = dataclasses.replace(job, **changes)
        if price_per_m2 is not None and not job.is_strip:
            job = dataclasses.replace(job, stock=tuple(
                h if h.cost is not None or h.price_per_m2 is not None
                else dataclasses.replace(h, price_per_m2=price_per_m2) for h in job.hides))
        preflight(job, inputs[0])
        if job.gap_mm == 0 and warn:
            warn(f"leathernest: warning: {job.name}: gap 0 mm between pieces: a knife cannot cut "
                 f"pieces that touch (the {profile.name} cutter profile suggests --gap "
                 f"{profile.knife_gap_mm:g})")
        workers = capped_workers(usable_cores() if workers is None else workers, quiet)
        search_s = search_budget_s(job, time.monotonic() - started)
        with OutputFolder(Path(out_dir) if out_dir else new_out_dir(job.name, "nest")) as out:
            out.claim()  # before the search: an unusable --out fails now, not in ten minutes
            signals.keep()  # from here a signal keeps the best layout
            compile_note(quiet, job)
            stop = signals.watch(stop_token(job, effort, search_s),
                                 grace_s=GRACE_S + writing_estimate_s(job))
            bar = ProgressLine(job.time_limit_s, enabled=not quiet and not as_json)
            try:
                solution = nest(job, engine=engine, stop=stop, listener=bar, workers=workers)
            finally:
                bar.close()
            signals.search_returned()
            files = FileProgress(enabled=not quiet and not as_json)
            paths = write_outputs(out, job, solution, profile=profile,
                                  dxfversion=dxf_version.upper(),
                                  stop=lambda: stop.interrupted, progress=files, curve=bar.curve)
            files.close()
    if effort is not None and stop.hit_deadline and not quiet:
        err(f"leathernest: warning: the time limit ({job.time_limit_s:g} s) stopped the run "
            f"before --effort {effort} was spent, so it may not repeat exactly; raise --time")
    if as_json:
        emit_json({"job": job.name, "kind": solution.kind, "seed": solution.seed,
                   "elapsed_s": solution.elapsed_s, "engine": solution.engine,
                   "interrupted": stop.interrupted, "effort": effort, "work": stop.work,
                   "hit_time_limit": stop.hit_deadline, "metrics": dict(solution.metrics),
                   "unplaced": [{"item_id": u.piece_id, "copy": u.copy, "reason": u.reason.value}
                                for u in solution.unplaced],
                   "outputs": paths})
    else:
        click.echo(summary_line(job, solution))
        if not quiet:
            err(f"wrote {', '.join(_files(paths))}")
    if stop.interrupted:
        err("leathernest: interrupted; the best valid layout so far was written")
        sys.exit(EXIT_INTERRUPTED)
    if solution.unplaced:
        sys.exit(EXIT_NO)


def _files(paths: dict) -> list[str]:
    """Every written path, in order (the manifest last)."""
    return [p for v in paths.values() for p in ([v] if isinstance(v, str) else v)]
