"""The analytic commands: `shapes`, `compare` and `list` (no torch, no numpy)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    BatchOpt,
    Dtype,
    DtypeOpt,
    Format,
    FormatOpt,
    InputOpt,
    SetOpt,
    make_output,
    parse_input,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError


@app.command()
def shapes(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    set: SetOpt = None,
    depth: Annotated[
        int | None, typer.Option("--depth", "-d", help="Collapse block instances nested deeper than N into one row.")
    ] = None,
    format: FormatOpt = Format.table,
) -> None:
    """Per-layer output shapes, params, MACs and receptive fields, with totals."""
    from cnncalc.analysis import collapse
    from cnncalc.render import tables as render

    report = cnncalc.analyze(network, input_shape=parse_input(input), batch=batch, dtype=dtype.value,
                             overrides=parse_overrides(set))
    rows = collapse(report, depth)
    if format is Format.table:
        render.print_shapes(make_output(), report, rows)
    else:
        sys.stdout.write(render.shapes_text(report, rows, format.value))


@app.command()
def compare(
    networks: Annotated[list[str], typer.Argument(help="Two or more zoo names or YAML paths.")],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    format: FormatOpt = Format.table,
    bench: Annotated[bool, typer.Option("--bench", help="Also measure latency and throughput (torch, "
                                        "--device auto, the given --batch and --dtype).")] = False,
) -> None:
    """Totals of several networks side by side, with ratios to the first."""
    from cnncalc.render import tables as render

    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    rows = cnncalc.compare(networks, input_shape=parse_input(input), batch=batch, dtype=dtype.value)
    if bench:
        from cnncalc.cli.bench import compare_bench

        compare_bench(rows, networks, parse_input(input), batch, dtype.value, format)
        return
    if format is Format.table:
        render.print_comparison(make_output(), rows)
    else:
        sys.stdout.write(render.comparison_text(rows, format.value))


@app.command("list")
def list_(format: FormatOpt = Format.table) -> None:
    """The built-in zoo: every architecture with its params, MACs, depth and source."""
    from cnncalc import zoo
    from cnncalc.render import catalogue as render

    reports = zoo.entries()
    if format is Format.table:
        render.print_catalogue(make_output(), reports)
    else:
        sys.stdout.write(render.catalogue_text(reports, format.value))
