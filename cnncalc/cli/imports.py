"""Networks from PyTorch and other tools' conventions: `import`, `conventions`, and `--as` for shapes/compare.

`conventions` and `--as` never import torch (the tools' rules are cnncalc's own);
`import` and any PyTorch source (``torchvision:NAME``, ``file.py:Name`` ...) do.
Importing the module is cheap: each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cnncalc.cli.app import app
from cnncalc.cli.options import (
    NETWORK_HELP,
    ArgOpt,
    BatchOpt,
    Format,
    FormatOpt,
    InputOpt,
    LangOpt,
    Layout,
    LayoutOpt,
    SetOpt,
    make_console,
    parse_overrides,
)
from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from cnncalc.analysis import Report
    from cnncalc.analysis.conventions import Counted
    from cnncalc.layers.text import Language


def _count(network: str, tools: Sequence[str] | None, input_shape: tuple[int, ...] | None, batch: int,
           dtype: str, overrides: Mapping[str, Any]) -> tuple[Report, Counted]:
    import cnncalc
    from cnncalc.analysis import analyze_graph
    from cnncalc.analysis.conventions import counted

    graph = cnncalc.load(network, input_shape=input_shape, overrides=overrides)
    report = analyze_graph(graph, batch=batch, dtype=dtype)
    return report, counted(graph, report, tools)


def shapes_as(network: str, tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
              overrides: Mapping[str, Any], depth: int | None, format: Format, language: Language) -> None:
    """`cnncalc shapes NET --as TOOL`."""
    from cnncalc.analysis.conventions import tool
    from cnncalc.render import conventions as render

    report, counts = _count(network, [tool_id], input_shape, batch, dtype, overrides)
    layers = counts.collapsed(report, depth)
    if format is Format.table:
        render.print_shapes_as(make_console(), report, counts, layers, tool(tool_id), language)
    else:
        sys.stdout.write(render.shapes_as_text(report, counts, layers, tool(tool_id), format.value))


def compare_as(networks: Sequence[str], tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
               format: Format, language: Language) -> None:
    """`cnncalc compare A B ... --as TOOL`."""
    from cnncalc.analysis.conventions import tool
    from cnncalc.render import conventions as render

    pairs = [_count(n, [tool_id], input_shape, batch, dtype, {}) for n in networks]
    reports, counts = [p[0] for p in pairs], [p[1] for p in pairs]
    if format is Format.table:
        render.print_comparison_as(make_console(), reports, counts, tool(tool_id), language)
    else:
        sys.stdout.write(render.comparison_as_text(reports, counts, tool(tool_id), format.value))


@app.command()
def conventions(
    ctx: typer.Context,
    network: Annotated[str, typer.Argument(help=NETWORK_HELP)],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    set: SetOpt = None,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    format: FormatOpt = Format.table,
    arg: ArgOpt = None,
) -> None:
    """What fvcore, FlopCounterMode, torchinfo, ptflops and thop count, per operation category: why they disagree."""
    from cnncalc.cli import inputs
    from cnncalc.render import conventions as render
    from cnncalc.render import i18n
    from cnncalc.sources import with_args

    language = i18n.choose(lang)
    network = with_args(network, arg)
    shape = inputs.optional(ctx, input, layout.value, network, language)
    report, counts = _count(network, None, shape, batch, "fp32", parse_overrides(set))
    if format is Format.table:
        render.print_conventions(make_console(), report, counts, language)
    else:
        sys.stdout.write(render.conventions_text(report, counts, format.value))


@app.command("import")
def import_(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="SRC", help="torchvision:NAME, timm:NAME, path/to/file.py:Name or "
                                          "package.module:Name: a class or a factory function, with its arguments "
                                          "as ?key=value. Importing a .py file or a module runs its code: name "
                                          "only code you trust.")],
    output: Annotated[str | None, typer.Option("--output", "-o", help="Write the network file here (default: "
                                               "stdout).")] = None,
    input: InputOpt = None,
    layout: LayoutOpt = Layout.chw,
    lang: LangOpt = None,
    arg: ArgOpt = None,
    allow_uncounted: Annotated[bool, typer.Option(
        "--allow-uncounted", help="Import operations cnncalc has no layer kind for as 'uncounted' layers (traced "
        "shape and parameters, no MACs), listed as not counted, instead of stopping at the first.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
) -> None:
    """Trace a PyTorch model into a network file: a module class used more than once becomes a block
    with arguments, consecutive uses of it a repeat."""
    from cnncalc.cli import inputs
    from cnncalc.layers.text import Msg
    from cnncalc.render import i18n
    from cnncalc.render.files import write_text
    from cnncalc.sources import parse, require_torch, with_args

    language = i18n.choose(lang)
    parsed = parse(with_args(source, arg))
    if parsed is None:
        raise CnnCalcError(f"{source!r} is not a PyTorch model; write torchvision:NAME, timm:NAME, file.py:Name or "
                           "package.module:Name")
    shape = inputs.optional(ctx, input, layout.value, None, language)
    require_torch(parsed)
    from cnncalc.torch.importer_sources import import_yaml

    text = import_yaml(parsed, input_shape=shape, allow_uncounted=allow_uncounted)
    if output is None:
        sys.stdout.write(text)
        return
    write_text(output, text, force=force, inputs=[parsed.name] if parsed.kind == "file" else [])
    inputs.warn(Msg("wrote {file}: {n} lines; `cnncalc shapes {file}` analyses it", file=output,
                    n=text.count("\n")), language)
