"""The analytic commands: `shapes`, `compare` and `list` (no torch, no numpy)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import cnncalc
from cnncalc.analysis import collapse
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    AmpOpt,
    BatchOpt,
    Dtype,
    DtypeOpt,
    FitOpt,
    Format,
    FormatOpt,
    InputOpt,
    Optimizer,
    OptimizerOpt,
    SetOpt,
    TrainOpt,
    make_console,
    parse_input,
    parse_overrides,
    parse_size,
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
    train: TrainOpt = False,
    optimizer: OptimizerOpt = Optimizer.sgd,
    amp: AmpOpt = None,
    fit: FitOpt = None,
) -> None:
    """Per-layer output shapes, params, MACs and receptive fields, with totals."""
    if train or fit:
        from cnncalc.analysis.training import analyze_training
        from cnncalc.render import training as render_training

        graph = cnncalc.load(network, input_shape=parse_input(input), overrides=parse_overrides(set))
        memory = analyze_training(graph, batch=batch, dtype=dtype.value, optimizer=optimizer.value,
                                  amp=amp.value if amp else None, budget=parse_size(fit) if fit else None)
        rows = collapse(memory.report, depth)
        if format is Format.table:
            render_training.print_shapes_training(make_console(), memory, rows)
        else:
            sys.stdout.write(render_training.shapes_training_text(memory, rows, format.value))
        return
    report = cnncalc.analyze(network, input_shape=parse_input(input), batch=batch, dtype=dtype.value,
                             overrides=parse_overrides(set))
    rows = collapse(report, depth)
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
    train: TrainOpt = False,
    optimizer: OptimizerOpt = Optimizer.sgd,
    amp: AmpOpt = None,
    fit: FitOpt = None,
) -> None:
    """Totals of several networks side by side, with ratios to the first."""
    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    if train or fit:
        from cnncalc.analysis.training import analyze_training
        from cnncalc.render import training as render_training

        if bench:
            raise CnnCalcError("--bench measures inference: use it without --train and --fit")
        budget = parse_size(fit) if fit else None
        memories = [analyze_training(cnncalc.load(n, input_shape=parse_input(input)), batch=batch, dtype=dtype.value,
                                     optimizer=optimizer.value, amp=amp.value if amp else None, budget=budget)
                    for n in networks]
        if format is Format.table:
            render_training.print_comparison_training(make_console(), memories)
        else:
            sys.stdout.write(render_training.comparison_training_text(memories, format.value))
        return
    rows = cnncalc.compare(networks, input_shape=parse_input(input), batch=batch, dtype=dtype.value)
    if bench:
        from cnncalc.cli.bench import compare_bench

        compare_bench(rows, networks, parse_input(input), batch, dtype.value, format)
        return
    if format is Format.table:
        render.print_comparison(make_console(), rows)
    else:
        sys.stdout.write(render.comparison_text(rows, format.value))


@app.command("list")
def list_(format: FormatOpt = Format.table) -> None:
    """The built-in zoo: every architecture with its params, MACs, depth and source."""
    reports = cnncalc.catalogue()
    if format is Format.table:
        render.print_catalogue(make_console(), reports)
    else:
        sys.stdout.write(render.catalogue_text(reports, format.value))
