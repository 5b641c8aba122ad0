"""The `cnncalc` command line: thin typer commands over the library.

Each command parses its options, makes one library call and hands the result to
`render`. A `CnnCalcError` becomes one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

import cnncalc
from cnncalc import render
from cnncalc.analysis import collapse
from cnncalc.dsl.document import parse_shape
from cnncalc.dsl.expr import evaluate
from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from rich.console import Console

app = typer.Typer(
    name="cnncalc",
    help="Shapes, parameters, receptive fields, MACs/FLOPs and memory of convolutional networks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Dtype(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    int8 = "int8"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json, csv or markdown.")]
InputOpt = Annotated[
    str | None, typer.Option("--input", "-i", help="Input shape, channels first: 3x224x224 or 3,224,224.")
]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1, help="Batch size (scales MACs, FLOPs, activations).")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Element type for memory figures.")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="Override a network variable: NAME=VALUE (repeatable).")
]


def _shape(text: str | None) -> tuple[int, ...] | None:
    return None if text is None else parse_shape(text)


def _overrides(items: list[str] | None) -> dict[str, object]:
    result: dict[str, object] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CnnCalcError(f"--set {item!r}: write NAME=VALUE, e.g. --set num_classes=10")
        result[name.strip()] = evaluate(value.strip(), {})
    return result


def _console() -> Console:
    from rich.console import Console

    console = Console()
    # piped or captured output is not squeezed to rich's 80-column default
    return console if console.is_terminal else Console(width=140)


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
    report = cnncalc.analyze(network, input_shape=_shape(input), batch=batch, dtype=dtype.value,
                             overrides=_overrides(set))
    rows = collapse(report, depth)
    if format is Format.table:
        render.print_shapes(_console(), report, rows)
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
    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    rows = cnncalc.compare(networks, input_shape=_shape(input), batch=batch, dtype=dtype.value)
    if bench:
        _compare_bench(rows, networks, _shape(input), batch, dtype.value, format)
        return
    if format is Format.table:
        render.print_comparison(_console(), rows)
    else:
        sys.stdout.write(render.comparison_text(rows, format.value))


@app.command("list")
def list_(format: FormatOpt = Format.table) -> None:
    """The built-in zoo: every architecture with its params, MACs, depth and source."""
    reports = cnncalc.catalogue()
    if format is Format.table:
        render.print_catalogue(_console(), reports)
    else:
        sys.stdout.write(render.catalogue_text(reports, format.value))


# -- bench ----------------------------------------------------------------------------------------


class BenchDevice(str, Enum):
    cpu = "cpu"
    cuda = "cuda"
    auto = "auto"


class BenchDtype(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"


def _batches(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise CnnCalcError(f"--batch {text!r}: give batch sizes >= 1 separated by commas, e.g. 1,8,32")
    return values


@app.command()
def bench(
    networks: Annotated[list[str], typer.Argument(help="Zoo names or YAML paths.")],
    device: Annotated[BenchDevice, typer.Option("--device", help="cpu, cuda, or auto (cuda if available).")]
    = BenchDevice.auto,
    batch: Annotated[str, typer.Option("--batch", "-b", help="Batch sizes, a sweep: 1,8,32.")] = "1",
    dtype: Annotated[BenchDtype, typer.Option("--dtype", help="fp32, fp16 or bf16.")] = BenchDtype.fp32,
    channels_last: Annotated[bool, typer.Option("--channels-last", help="NHWC memory format.")] = False,
    compile_: Annotated[bool, typer.Option("--compile", help="Run the module through torch.compile.")] = False,
    threads: Annotated[int | None, typer.Option("--threads", min=1, help="torch's CPU threads.")] = None,
    warmup: Annotated[int, typer.Option("--warmup", min=0, help="Untimed calls first.")] = 10,
    min_iters: Annotated[int, typer.Option("--min-iters", min=1, help="Timed calls, at least.")] = 10,
    min_time: Annotated[float, typer.Option("--min-time", min=0, help="Seconds of timed calls, at least.")] = 1.0,
    input: InputOpt = None,
    format: FormatOpt = Format.table,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Also save the results to FILE (in "
                                               "--format; JSON when the format is table).")] = None,
) -> None:
    """Measured latency, throughput, GFLOP/s against the device's ceiling, and peak memory."""
    from cnncalc import bench as bench_lib
    from cnncalc import render_bench

    options = bench_lib.BenchOptions(device=device.value, batches=_batches(batch), dtype=dtype.value,
                                     channels_last=channels_last, compile=compile_, threads=threads,
                                     warmup=warmup, min_iters=min_iters, min_time=min_time)
    with render_bench.progress_bar() as progress:
        run = bench_lib.run(networks, options, input_shape=_shape(input), progress=progress)
    if output is not None:
        render_bench.save(output, render_bench.bench_text(run, "json" if format is Format.table else format.value))
    if format is Format.table:
        render_bench.print_bench(_console(), run)
    else:
        sys.stdout.write(render_bench.bench_text(run, format.value))


def _compare_bench(rows: list[cnncalc.ComparisonRow], networks: list[str], input_shape: tuple[int, ...] | None,
                   batch: int, dtype: str, format: Format) -> None:
    from cnncalc import bench as bench_lib
    from cnncalc import render_bench

    with render_bench.progress_bar() as progress:
        run = bench_lib.run(networks, bench_lib.BenchOptions(batches=(batch,), dtype=dtype),
                            input_shape=input_shape, progress=progress)
    if format is Format.table:
        render_bench.print_comparison_bench(_console(), rows, run)
    else:
        sys.stdout.write(render_bench.comparison_bench_text(rows, run, format.value))


# -- verify and export ------------------------------------------------------------------------


class VerifyDevice(str, Enum):
    cpu = "cpu"
    cuda = "cuda"


class VerifyFormat(str, Enum):
    table = "table"
    json = "json"


class ExportTarget(str, Enum):
    torch = "torch"


@app.command()
def verify(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    device: Annotated[VerifyDevice, typer.Option("--device", help="Where to run the torch module.")]
    = VerifyDevice.cpu,
    against: Annotated[str | None, typer.Option("--against", help="Also compare with a reference model: "
                                                "torchvision:NAME, e.g. torchvision:resnet50.")] = None,
    rf: Annotated[list[str] | None, typer.Option("--rf", help="Measure the receptive field of this layer "
                                                 "(repeatable; default: the last spatial layer and three "
                                                 "intermediate ones).")] = None,
    input: InputOpt = None,
    set: SetOpt = None,
    format: Annotated[VerifyFormat, typer.Option("--format", "-f", help="table or json.")] = VerifyFormat.table,
) -> None:
    """Check every analytic number against PyTorch: shapes, params, buffers, MACs (fvcore), FLOPs
    (FlopCounterMode) and receptive fields (gradients). Exit status 1 on any disagreement."""
    from cnncalc import render_verify
    from cnncalc.verify import verify as verify_graph

    graph = cnncalc.load(network, input_shape=_shape(input), overrides=_overrides(set))
    result = verify_graph(graph, device=device.value, against=against, rf_layers=rf)
    if format is VerifyFormat.table:
        render_verify.print_verify(_console(), result)
    else:
        sys.stdout.write(render_verify.verify_text(result) + "\n")
    if not result.ok:
        raise typer.Exit(code=1)


@app.command()
def export(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    to: Annotated[ExportTarget, typer.Option("--to", help="The framework to write code for.")] = ExportTarget.torch,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write to FILE (default: stdout).")] = None,
    input: InputOpt = None,
    set: SetOpt = None,
) -> None:
    """Write the network as a standalone PyTorch file: one nn.Module class, no cnncalc import."""
    from cnncalc.backends.export import export_torch

    source = export_torch(cnncalc.load(network, input_shape=_shape(input), overrides=_overrides(set)))
    if output is None:
        sys.stdout.write(source)
        return
    try:
        with open(output, "w", encoding="utf-8") as f:
            f.write(source)
    except OSError as exc:
        raise CnnCalcError(f"cannot write {output}: {exc.strerror}") from None


# -- worked formulas: layer, explain, check, quiz -----------------------------------------------


class Layout(str, Enum):
    chw = "chw"
    hwc = "hwc"


class WorkedFormat(str, Enum):
    table = "table"
    json = "json"


LayoutOpt = Annotated[Layout, typer.Option("--layout", help="Read and print shapes C×H×W (chw) or H×W×C (hwc), "
                                           "as textbooks write them.")]
WorkedFormatOpt = Annotated[WorkedFormat, typer.Option("--format", "-f", help="table or json.")]


@app.command()
def layer(
    kind: Annotated[str, typer.Argument(metavar="TYPE", help="A layer type: conv, maxpool, linear, bn ...")],
    args: Annotated[list[str] | None, typer.Argument(metavar="[KEY=VALUE]...", help="The layer's arguments, "
                                                     "as in YAML: out=10 kernel=5 padding=2 (or same).")] = None,
    inputs: Annotated[list[str], typer.Option("--input", "-i", help="Input shape, channels first unless "
                                              "--layout hwc: 3x32x32 (repeat for merges).")] = [],  # noqa: B006
    layout: LayoutOpt = Layout.chw,
    format: WorkedFormatOpt = WorkedFormat.table,
) -> None:
    """One layer, no network: output shape, params, MACs, FLOPs and receptive field, each with its formula."""
    from cnncalc import render_check, worked

    if not inputs:
        raise CnnCalcError("give the input shape with --input, e.g. --input 3x32x32 (or 32x32x3 --layout hwc)")
    solved = worked.solve_layer(kind, worked.parse_layer_args(args or []),
                                worked.input_shapes(inputs, layout.value))
    if format is WorkedFormat.json:
        sys.stdout.write(render_check.solved_text([solved]) + "\n")
    else:
        render_check.print_solved(_console(), [solved], layout.value)


@app.command()
def explain(
    network: Annotated[str, typer.Argument(help="A zoo name (see `cnncalc list`) or a path to a YAML file.")],
    name: Annotated[str, typer.Argument(metavar="LAYER", help="A layer or block name from `cnncalc shapes`, "
                                        "or 'total' for where the parameters and MACs are.")],
    input: InputOpt = None,
    set: SetOpt = None,
    layout: LayoutOpt = Layout.chw,
    top: Annotated[int, typer.Option("--top", min=1, help="With 'total': how many of the largest layers.")] = 5,
    format: WorkedFormatOpt = WorkedFormat.table,
) -> None:
    """The worked formulas of one layer inside a network, or the breakdown of its totals."""
    from cnncalc import render_check, worked
    from cnncalc.targets import TOTAL, Net

    net = Net.of(cnncalc.load(network, input_shape=_shape(input), overrides=_overrides(set)))
    if name == TOTAL:
        result = worked.breakdown(net, top)
        if format is WorkedFormat.json:
            sys.stdout.write(render.to_json(render_check.breakdown_dict(result)) + "\n")
        else:
            render_check.print_breakdown(_console(), result)
        return
    solved = worked.explain(net, name)
    if format is WorkedFormat.json:
        sys.stdout.write(render_check.solved_text(solved) + "\n")
    else:
        render_check.print_solved(_console(), solved, layout.value)


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="ANSWERS", help="An answer file (YAML): network and answers.")],
    fill: Annotated[bool, typer.Option("--fill", help="Write the right value in place of every '?' (the "
                                       "answer key), in the file itself or in --output.")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o", help="With --fill: write to FILE "
                                               "instead.")] = None,
    format: WorkedFormatOpt = WorkedFormat.table,
) -> None:
    """Check homework or exam answers; each wrong one with its formula and the likely mistake.

    Exit status 0 when all are right, 1 when any is wrong, 2 for a bad file."""
    from pathlib import Path

    from cnncalc import check as check_lib
    from cnncalc import render_check

    if output is not None and not fill:
        raise CnnCalcError("--output goes with --fill")
    report = check_lib.check_file(Path(file))
    written = check_lib.fill(report, Path(file), Path(output) if output else None) if fill and report.filled \
        else None
    if format is WorkedFormat.json:
        sys.stdout.write(render.to_json(render_check.check_dict(report)) + "\n")
    else:
        render_check.print_check(_console(), report, written)
    if report.wrong:
        raise typer.Exit(code=1)


@app.command()
def quiz(
    network: Annotated[str | None, typer.Argument(help="A zoo name or YAML path (leave out with "
                                                  "--single).")] = None,
    n: Annotated[int, typer.Option("-n", "--questions", min=1, help="How many questions (--single: "
                                   "problems).")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same quiz.")] = 0,
    single: Annotated[bool, typer.Option("--single", help="Single-layer problems whose sizes tile "
                                         "exactly, instead of questions about a network.")] = False,
    output: Annotated[str | None, typer.Option("--output", "-o", help="File stem: writes STEM.md (questions), "
                                               "STEM.key.yaml (answers) and STEM.sheet.yaml (to fill in); "
                                               "default quiz_NETWORK_SEED.")] = None,
    input: InputOpt = None,
    set: SetOpt = None,
) -> None:
    """Draw a quiz: questions in Markdown and an answer key that `cnncalc check` accepts."""
    from pathlib import Path

    from cnncalc import quiz as quiz_lib
    from cnncalc import render_check
    from cnncalc.targets import Net

    if single == (network is not None):
        raise CnnCalcError("give a network, or --single for single-layer problems (not both)")
    if network is None:
        made = quiz_lib.single_quiz(n, seed)
    else:
        net = Net.of(cnncalc.load(network, input_shape=_shape(input), overrides=_overrides(set)))
        made = quiz_lib.network_quiz(net, network, n, seed)
    stem = Path(output or f"quiz_{'single' if network is None else Path(network).stem}_{seed}")
    paths = quiz_lib.write(made, stem)
    render_check.quiz_written(_console(), paths, sum(len(p.questions) for p in made.problems))


def main() -> None:
    """Entry point: run the app; user errors become one line and exit status 2."""
    try:
        app()
    except CnnCalcError as exc:
        sys.stderr.write(f"cnncalc: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("cnncalc: interrupted\n")
        sys.exit(130)
