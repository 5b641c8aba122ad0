"""The analytic commands: `shapes`, `compare` and `list` (no torch, no numpy)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import cnncalc
from cnncalc.analysis import collapse
from cnncalc.cli.app import app
from cnncalc.cli.draw import ForceOpt, PlotOpt, chart_format, save, writable
from cnncalc.cli.options import (
    BatchOpt,
    Dtype,
    DtypeOpt,
    Format,
    FormatOpt,
    InputOpt,
    SetOpt,
    make_console,
    parse_input,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError
from cnncalc.render import tables as render


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
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """Per-layer output shapes, params, MACs and receptive fields, with totals."""
    if plot is not None:
        chart_format(writable(plot, force))
    report = cnncalc.analyze(network, input_shape=parse_input(input), batch=batch, dtype=dtype.value,
                             overrides=parse_overrides(set))
    rows = collapse(report, depth)
    if plot is not None:
        from cnncalc.render import chart

        per = "layer" if depth is None else f"layer or block (--depth {depth})"
        save(plot, chart.cost_chart(report, chart.bars(rows), chart_format(plot), per), force)
    if format is Format.table:
        render.print_shapes(make_console(), report, rows)
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
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """Totals of several networks side by side, with ratios to the first."""
    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    if plot is not None:
        chart_format(writable(plot, force))
    rows = cnncalc.compare(networks, input_shape=parse_input(input), batch=batch, dtype=dtype.value)
    if plot is not None:
        from cnncalc.render import chart

        save(plot, chart.bubble_chart(chart.points([r.report for r in rows]), chart_format(plot)), force)
    if bench:
        from cnncalc.cli.bench import compare_bench

        compare_bench(rows, networks, parse_input(input), batch, dtype.value, format)
        return
    if format is Format.table:
        render.print_comparison(make_console(), rows)
    else:
        sys.stdout.write(render.comparison_text(rows, format.value))


@app.command("list")
def list_(
    format: FormatOpt = Format.table,
    family: Annotated[str | None, typer.Option("--family", help="Only this family (ResNet, VGG ...).")] = None,
    plot: PlotOpt = None,
    force: ForceOpt = False,
) -> None:
    """The built-in zoo: every architecture with its params, MACs, depth and source."""
    if plot is not None:
        chart_format(writable(plot, force))
    reports = cnncalc.catalogue()
    if family is not None:
        families = list(dict.fromkeys(r.family for r in reports))
        reports = [r for r in reports if r.family.lower() == family.lower()]
        if not reports:
            raise CnnCalcError(f"no zoo family {family!r}; the families are {', '.join(families)}")
    if plot is not None:
        from cnncalc.render import chart

        title = f"The zoo{f': {reports[0].family}' if family else ''}: accuracy, MACs and parameters"
        save(plot, chart.bubble_chart(chart.points(reports), chart_format(plot), title), force)
    if format is Format.table:
        render.print_catalogue(make_console(), reports)
    else:
        sys.stdout.write(render.catalogue_text(reports, format.value))
