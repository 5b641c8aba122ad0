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
