"""``leathernest datasets``: list what is bundled, print a file's path, generate hides.

- ``leathernest datasets``: name, set, kind, contents and source of every entry;
- ``leathernest datasets path NAME``: the file of a bundled entry (for scripts);
- ``leathernest datasets hide KIND --seed N``: new hides from the generator, as a job and DXF.
"""

from __future__ import annotations

from pathlib import Path

import click

from leathernest.cli.common import (
    SEED,
    Finite,
    emit_json,
    err,
    handle_errors,
    json_option,
    writing,
)
from leathernest.limits import MAX_HIDE_COPIES


@click.group("datasets", invoke_without_command=True)
@json_option
@click.pass_context
@handle_errors
def command(ctx: click.Context, as_json: bool) -> None:
    """List the bundled instances, pattern library, example jobs and hide generator.

    Names load by themselves: `leathernest nest albano`, `leathernest nest demo_wallets`.
    Sources and licences: datasets/README.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    from leathernest.datasets import contents, entries

    rows = [(d.name, d.set, d.kind, contents(d), d.source) for d in entries()]
    if as_json:
        emit_json({"datasets": [dict(zip(("name", "set", "kind", "contents", "source"), r,
                                         strict=True)) for r in rows]})
        return
    head = ("NAME", "SET", "KIND", "CONTENTS", "SOURCE")
    widths = [max(len(r[i]) for r in [*rows, head]) for i in range(4)]
    for r in [head, *rows]:
        click.echo("  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4])


@command.command("path")
@click.argument("name")
@handle_errors
def path_command(name: str) -> None:
    """Print the path of the bundled file called NAME (stem, or SET/STEM)."""
    from leathernest.datasets import find
    from leathernest.errors import InputError

    d = find(name)
    if d is None:
        raise InputError(f"no bundled dataset called {name!r}",
                         hint="`leathernest datasets` lists the names")
    if d.path is None:
        raise InputError(f"{name!r} is a generator, not a file",
                         hint=f"use `leathernest datasets hide {d.name} --seed N --out FILE`")
    click.echo(str(d.path))


@command.command("hide")
@click.argument("kind", type=click.Choice(["calf", "goat", "cow_side"]))
@click.option("--seed", type=SEED, default=0, show_default=True,
              help="Seed of the first hide; further hides take seed+1, seed+2, ...")
@click.option("--count", type=click.IntRange(min=1, max=MAX_HIDE_COPIES), default=1,
              show_default=True,
              help="How many hides.")
@click.option("--area-m2", type=Finite(min=0.01, max=20.0), default=None,
              help="Fix each hide's area instead of drawing it from the kind's range.")
@click.option("--quality", type=click.Choice(["clean", "typical", "poor"]), default="typical",
              show_default=True,
              help="Defective share of the area: clean 0.5-4.9 %, typical 5-12 %, poor 13-27 %.")
@click.option("--pieces", "pieces_from", default="demo_wallets", show_default=True,
              help="Job file or bundled name whose pieces, gap and margin the new job takes.")
@click.option("--out", "out", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="Job JSON to write ('-': stdout).")
@click.option("--dxf", "dxf_dir", type=click.Path(file_okay=False), default=None,
              help="Also write each hide as DXF (layers HIDE, GRADE<n>, BACKBONE) in this folder.")
@handle_errors
def hide_command(kind: str, seed: int, count: int, area_m2: float | None, quality: str,
                 pieces_from: str, out: str, dxf_dir: str | None) -> None:
    """Generate COUNT hides of KIND and write them as a job with the pieces of --pieces."""
    import dataclasses
    import json

    from leathernest.generators import hides as hidegen
    from leathernest.io.instance import load_job

    base = load_job(pieces_from)
    hides = [hidegen.generate(kind, seed + i, area_m2=area_m2, quality=quality)
             for i in range(count)]
    job = dataclasses.replace(base, name=f"{base.name}-on-{kind}-{seed}",
                              stock=tuple(g.hide for g in hides))
    if out == "-":
        click.echo(json.dumps(hidegen.job_json(job, hides)))
    else:
        with writing("--out", out):
            err(f"wrote {hidegen.write_job_json(out, job, hides)}")
    if dxf_dir is not None:
        with writing("--dxf", dxf_dir):
            for g in hides:
                err(f"wrote {hidegen.write_hide_dxf(Path(dxf_dir) / f'{g.hide.id}.dxf', g)}")
