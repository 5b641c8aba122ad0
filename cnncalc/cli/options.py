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
    from cnncalc.dsl.shape import parse_shape

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
    from cnncalc.render.plain import plain_output

    return None if plain_output() else make_console()


class Optimizer(str, Enum):
    sgd = "sgd"
    momentum = "momentum"
    adam = "adam"
    adamw = "adamw"


class Amp(str, Enum):
    bf16 = "bf16"
    fp16 = "fp16"


TrainOpt = Annotated[bool, typer.Option("--train", help="Training memory: what autograd keeps for the backward "
                                        "pass per layer, parameters, gradients, optimizer state, the step's peak.")]
OptimizerOpt = Annotated[Optimizer, typer.Option("--optimizer", help="With --train: sgd, momentum, adam or adamw.")]
AmpOpt = Annotated[Amp | None, typer.Option("--amp", help="With --train: mixed precision (torch.autocast) in bf16 "
                                            "or fp16; weights, gradients and optimizer state stay float32.")]
FitOpt = Annotated[str | None, typer.Option("--fit", help="The largest batch whose training step fits in this "
                                            "memory, e.g. 24GiB, 80GB, 512MiB (implies --train).")]
UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30,
         "tib": 2**40}


def parse_size(text: str) -> int:
    """A memory size with its unit, in bytes: ``24GiB`` (2³⁰), ``80GB`` (10⁹), ``1.5 TiB``, ``512MiB``."""
    number = text.strip().rstrip("BbIiKkMmGgTt ")
    unit = text.strip()[len(number):].strip().lower()
    if unit not in UNITS:
        raise CnnCalcError(f"--fit {text!r}: give a size with its unit, e.g. 24GiB, 80GB or 512MiB")
    try:
        value = float(number)
    except ValueError:
        raise CnnCalcError(f"--fit {text!r}: {number!r} is not a number; write e.g. 24GiB") from None
    if not 0 < value < 2**70 / UNITS[unit]:
        raise CnnCalcError(f"--fit {text!r}: give a positive size, e.g. 24GiB")
    return int(value * UNITS[unit])


class Layout(str, Enum):
    chw = "chw"
    hwc = "hwc"


LayoutOpt = Annotated[Layout, typer.Option("--layout", help="Read and print shapes C×H×W (chw) or H×W×C (hwc), "
                                           "as textbooks write them.")]
LangOpt = Annotated[str | None, typer.Option("--lang", is_eager=True,  # read before the network names (`meant`)
                                             help="Language of the text: ru or en (default: from LC_ALL, "
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


def meant(ctx: typer.Context, value: str | list[str] | None) -> str | list[str] | None:
    """A network argument as the zoo reads it (`cnncalc.zoo.meaning`): ``squeezenet`` -> squeezenet1_0,
    a missing ``vgg16.yaml`` -> the zoo's vgg16, each said on stderr."""
    if value is None or ctx.resilient_parsing:
        return value
    from cnncalc import zoo
    from cnncalc.cli.inputs import warn
    from cnncalc.render import i18n

    def one(text: str) -> str:
        name, note = zoo.meaning(text)
        if note is not None:
            warn(note, i18n.choose(ctx.params.get("lang")))
        return name

    return [one(v) for v in value] if isinstance(value, list) else one(value)


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Leave out the network's notes (where it comes "
                                        "from, what its paper got wrong) under the table.")]
NetworkArg = Annotated[str, typer.Argument(help=NETWORK_HELP + " Family names as the papers say them work too "
                                           "(squeezenet, vgg_d).", callback=meant)]
