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


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


class Dtype(str, Enum):
    fp32 = "fp32"
    fp16 = "fp16"
    bf16 = "bf16"
    int8 = "int8"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table, json, csv or markdown.")]
TableOrJsonOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")]
InputOpt = Annotated[
    str | None, typer.Option("--input", "-i", help="Input shape, channels first: 3x224x224 or 3,224,224.")
]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1, help="Batch size (scales MACs, FLOPs, activations).")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Element type for memory figures.")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="Override a network variable: NAME=VALUE (repeatable).")
]


def parse_input(text: str | None) -> tuple[int, ...] | None:
    return None if text is None else parse_shape(text)


def parse_overrides(items: list[str] | None) -> dict[str, object]:
    result: dict[str, object] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CnnCalcError(f"--set {item!r}: write NAME=VALUE, e.g. --set num_classes=10")
        result[name.strip()] = evaluate(value.strip(), {})
    return result


def make_console() -> Console:
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
) -> None:
    """Totals of several networks side by side, with ratios to the first."""
    if len(networks) < 2:
        raise CnnCalcError("compare needs at least two networks, e.g. cnncalc compare alexnet squeezenet1_0")
    rows = cnncalc.compare(networks, input_shape=parse_input(input), batch=batch, dtype=dtype.value)
    if bench:
        cli_torch.compare_bench(rows, networks, parse_input(input), batch, dtype.value, format)
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


# The other commands register themselves on `app` when their modules are imported.
from cnncalc import cli_check, cli_torch  # noqa: E402

__all__ = ["app", "cli_check", "cli_torch", "main"]
