"""The options shared by the commands, as module-level `Annotated` aliases, and their parsing.

Importing this module (and every command module) is cheap: the analysis is imported
when a command runs, so that ``cnncalc --help`` answers at once.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from rich.console import Console


NETWORK_HELP = ("A zoo name (see `cnncalc list`), a path to a YAML file, or a PyTorch model: torchvision:NAME, "
                "timm:NAME, path/to/file.py:Name or package.module:Name (a class or a factory; importing a .py file "
                "or module runs its code, so name only code you trust).")


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
    str | None, typer.Option("--input", "-i", help="Input shape, channels first unless --layout hwc: 3x224x224 "
                             "or 3,224,224.")
]
BatchOpt = Annotated[int, typer.Option("--batch", "-b", min=1, help="Batch size (scales MACs, FLOPs, activations).")]
DtypeOpt = Annotated[Dtype, typer.Option("--dtype", help="Element type for memory figures.")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", "-s", help="Override a network variable: NAME=VALUE (repeatable).")
]


def parse_input(text: str | None, layout: str = "chw") -> tuple[int, ...] | None:
    """An ``--input`` as written (3x224x224, or 224x224x3 with layout 'hwc'), channels first; without the
    warnings of `cnncalc.cli.inputs.read` for odd-looking inputs."""
    from cnncalc.dsl.document import parse_shape

    if text is None:
        return None
    shape = parse_shape(text.replace("х", "x").replace("Х", "x"))
    return shape if layout == "chw" or len(shape) < 2 else (shape[-1], *shape[:-1])


def parse_overrides(items: list[str] | None) -> dict[str, object]:
    from cnncalc.dsl.expr import evaluate

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


def make_output() -> Console | None:
    """Where the analytic tables go: None for plain text on a pipe or into a file (drawn without
    importing rich, see `cnncalc.render.fasttable`), else a rich console."""
    from cnncalc.render.fasttable import plain_output

    return None if plain_output() else make_console()


class Layout(str, Enum):
    chw = "chw"
    hwc = "hwc"


LayoutOpt = Annotated[Layout, typer.Option("--layout", help="Read and print shapes C×H×W (chw) or H×W×C (hwc), "
                                           "as textbooks write them.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Language of the text: ru or en (default: from LC_ALL, "
                                             "LC_MESSAGES or LANG).")]


class AsTool(str, Enum):
    fvcore = "fvcore"
    flopcounter = "flopcounter"
    torchinfo = "torchinfo"
    ptflops = "ptflops"
    ptflops_aten = "ptflops-aten"
    thop = "thop"


AsOpt = Annotated[AsTool | None, typer.Option(
    "--as", help="Count as another tool would, by its rules (no torch needed): fvcore, flopcounter (torch's "
    "FlopCounterMode), torchinfo, ptflops, ptflops-aten or thop. `cnncalc conventions NET` shows why they differ.")]


ArgOpt = Annotated[list[str] | None, typer.Option(
    "--arg", "-a", help="An argument of a PyTorch model's class or factory: KEY=VALUE (repeatable), as "
    "?KEY=VALUE in the source.")]
