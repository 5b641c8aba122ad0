"""The analytic commands: `shapes`, `compare` and `list` (no torch, no numpy)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.draw import ForceOpt, PlotOpt, chart_format, save, writable
from cnncalc.cli.options import (
    AmpOpt,
    ArgOpt,
    AsOpt,
    BatchOpt,
    Dtype,
    DtypeOpt,
    FitOpt,
    Format,
    FormatOpt,
    InputOpt,
    LangOpt,
    Layout,
    LayoutOpt,
    NetworkArg,
    Optimizer,
    OptimizerOpt,
    QuietOpt,
    SetOpt,
    TableOrJson,
    TableOrJsonOpt,
    TrainOpt,
    make_console,
    make_output,
    meant,
    parse_overrides,
    parse_size,
)
from cnncalc.errors import CnnCalcError


@app.command()
def shapes(
    ctx: typer.Context,
    network: NetworkArg,
    input: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    set: SetOpt = None,
    depth: Annotated[
        int | None, typer.Option("--depth", "-d", help="Collapse block instances nested deeper than N into one row.")
    ] = None,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    format: FormatOpt = Format.table,
    as_: AsOpt = None,
    arg: ArgOpt = None,
    plot: PlotOpt = None,
    force: ForceOpt = False,
    train: TrainOpt = False,
    optimizer: OptimizerOpt = Optimizer.sgd,
    amp: AmpOpt = None,
    fit: FitOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Per-layer output shapes, params, MACs and receptive fields, with totals and the network's notes."""
    from cnncalc.analysis import collapse
    from cnncalc.cli import inputs
    from cnncalc.render import i18n
    from cnncalc.render import tables as render
    from cnncalc.sources import with_args

    language = i18n.choose(lang)
    if plot is not None:
        chart_format(writable(plot, force))
    network = with_args(network, arg)
    shape = inputs.optional(ctx, input, layout.value, network, language)
    if as_ is not None:
        from cnncalc.cli.imports import shapes_as

        shapes_as(network, as_.value, shape, batch, dtype.value, parse_overrides(set), depth, format, language)
        return
    if train or fit:
        from cnncalc.analysis.training import analyze_training
        from cnncalc.render import training as render_training

        graph = cnncalc.load(network, input_shape=shape, overrides=parse_overrides(set))
        memory = analyze_training(graph, batch=batch, dtype=dtype.value, optimizer=optimizer.value,
                                  amp=amp.value if amp else None, budget=parse_size(fit) if fit else None)
        rows = collapse(memory.report, depth)
        if format is Format.table:
            render_training.print_shapes_training(make_console(), memory, rows)
        else:
            sys.stdout.write(render_training.shapes_training_text(memory, rows, format.value))
        return
    report = cnncalc.analyze(network, input_shape=shape, batch=batch, dtype=dtype.value,
                             overrides=parse_overrides(set))
    rows = collapse(report, depth)
    if plot is not None:
        from cnncalc.render import chart

        per = "layer" if depth is None else f"layer or block (--depth {depth})"
        save(plot, chart.cost_chart(report, chart.bars(rows), chart_format(plot), per), force)
    if format is Format.table:
        render.print_shapes(make_output(), report, rows, language, layout.value, notes=not quiet)
    else:
        sys.stdout.write(render.shapes_text(report, rows, format.value))


@app.command()
def compare(
    ctx: typer.Context,
    networks: Annotated[list[str], typer.Argument(help="Two or more zoo names, YAML paths or PyTorch models "
                                                  "(torchvision:NAME, file.py:Name ...).", callback=meant)],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    dtype: DtypeOpt = Dtype.fp32,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    format: FormatOpt = Format.table,
    bench: Annotated[bool, typer.Option("--bench", help="Also measure latency and throughput (torch, "
                                        "--device auto, the given --batch and --dtype).")] = False,
    as_: AsOpt = None,
    bits: Annotated[list[int] | None, typer.Option("--bits", min=1, max=32, help="Model size with N-bit parameters "
                                                   "(1-32; default: --dtype's). One for all networks, or "
                                                   "repeated: one per network.")] = None,
    sparsity: Annotated[list[float] | None, typer.Option("--sparsity", min=0.0, max=1.0,
                                                         help="Model size with this fraction F of the parameters "
                                                         "pruned (0 <= F < 1; one for all, or one per network); "
                                                         "the sparse index is not counted unless --index-bits.")]
    = None,
    index_bits: Annotated[list[int] | None, typer.Option("--index-bits", min=0, max=32, help="With --sparsity: "
                                                         "bits of index per stored parameter (Deep Compression: "
                                                         "4); one for all, or one per network.")] = None,
    plot: PlotOpt = None,
    force: ForceOpt = False,
    train: TrainOpt = False,
    optimizer: OptimizerOpt = Optimizer.sgd,
    amp: AmpOpt = None,
    fit: FitOpt = None,
) -> None:
    """Totals of several networks side by side, with ratios to the first."""
    from cnncalc.cli import inputs
    from cnncalc.render import i18n
    from cnncalc.render import tables as render

    language = i18n.choose(lang)
    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    if plot is not None:
        chart_format(writable(plot, force))
    shape = inputs.optional(ctx, input, layout.value, networks[0], language)
    if as_ is not None:
        from cnncalc.cli.imports import compare_as

        compare_as(networks, as_.value, shape, batch, dtype.value, format, language)
        return
    if train or fit:
        from cnncalc.analysis.training import analyze_training
        from cnncalc.render import training as render_training

        if bench:
            raise CnnCalcError("--bench measures inference: use it without --train and --fit")
        budget = parse_size(fit) if fit else None
        memories = [analyze_training(cnncalc.load(n, input_shape=shape), batch=batch, dtype=dtype.value,
                                     optimizer=optimizer.value, amp=amp.value if amp else None, budget=budget)
                    for n in networks]
        if format is Format.table:
            render_training.print_comparison_training(make_console(), memories)
        else:
            sys.stdout.write(render_training.comparison_training_text(memories, format.value))
        return
    rows = cnncalc.compare(networks, input_shape=shape, batch=batch, dtype=dtype.value, bits=bits,
                           sparsity=sparsity, index_bits=index_bits)
    if plot is not None:
        from cnncalc.render import chart

        save(plot, chart.bubble_chart(chart.points([r.report for r in rows]), chart_format(plot)), force)
    if bench:
        from cnncalc.cli.bench import compare_bench

        compare_bench(rows, networks, shape, batch, dtype.value, format)
        return
    if format is Format.table:
        render.print_comparison(make_output(), rows, language, layout.value)
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
    from cnncalc.analysis.catalogue import entries
    from cnncalc.render import catalogue as render

    if plot is not None:
        chart_format(writable(plot, force))
    reports = entries()
    if family is not None:
        families = list(dict.fromkeys(r.family for r in reports))
        reports = [r for r in reports if r.family.lower() == family.lower()]
        if not reports:
            raise CnnCalcError(f"no zoo family {family!r}; the families are {', '.join(families)}")
    if plot is not None:
        from cnncalc.render import chart

        title = f"The zoo{f': {reports[0].family}' if family else ''}: accuracy, MACs and parameters"
        analysed = [cnncalc.analyze(r.name) for r in reports]  # the chart needs each network's file and output
        save(plot, chart.bubble_chart(chart.points(analysed), chart_format(plot), title), force)
    if format is Format.table:
        render.print_catalogue(make_output(), reports)
    else:
        sys.stdout.write(render.catalogue_text(reports, format.value))


@app.command()
def show(
    network: NetworkArg,
    format: TableOrJsonOpt = TableOrJson.table,
    lang: LangOpt = None,
) -> None:
    """A zoo network's YAML file with its notes, to start one's own from (a family's variant: its family
    file, and which variant)."""
    from cnncalc import zoo
    from cnncalc.dsl.header import read_header
    from cnncalc.render import catalogue as render
    from cnncalc.render import i18n

    path, variant = zoo.locate(network)
    text = render.show_text(read_header(path, variant), format.value, i18n.choose(lang))
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
