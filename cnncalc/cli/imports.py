"""Networks from PyTorch and other tools' conventions: `import`, `conventions`, and `--as` for shapes/compare.

`conventions` and `--as` never import torch (the tools' rules are cnncalc's own);
`import` and any PyTorch source (``torchvision:NAME``, ``file.py:Name`` ...) do.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import typer

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.conventions import Counted, counted, tool
from cnncalc.cli.app import app
from cnncalc.cli.options import (
    BatchOpt,
    Format,
    FormatOpt,
    InputOpt,
    SetOpt,
    make_console,
    parse_input,
    parse_overrides,
)
from cnncalc.render import conventions as render


def _count(network: str, tools: Sequence[str] | None, input_shape: tuple[int, ...] | None, batch: int,
           dtype: str, overrides: Mapping[str, Any]) -> tuple[cnncalc.Report, Counted]:
    graph = cnncalc.load(network, input_shape=input_shape, overrides=overrides)
    report = analyze_graph(graph, batch=batch, dtype=dtype)
    return report, counted(graph, report, tools)


def shapes_as(network: str, tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
              overrides: Mapping[str, Any], depth: int | None, format: Format) -> None:
    """`cnncalc shapes NET --as TOOL`."""
    report, counts = _count(network, [tool_id], input_shape, batch, dtype, overrides)
    layers = counts.collapsed(report, depth)
    if format is Format.table:
        render.print_shapes_as(make_console(), report, counts, layers, tool(tool_id))
    else:
        sys.stdout.write(render.shapes_as_text(report, counts, layers, tool(tool_id), format.value))


def compare_as(networks: Sequence[str], tool_id: str, input_shape: tuple[int, ...] | None, batch: int, dtype: str,
               format: Format) -> None:
    """`cnncalc compare A B ... --as TOOL`."""
    pairs = [_count(n, [tool_id], input_shape, batch, dtype, {}) for n in networks]
    reports, counts = [p[0] for p in pairs], [p[1] for p in pairs]
    if format is Format.table:
        render.print_comparison_as(make_console(), reports, counts, tool(tool_id))
    else:
        sys.stdout.write(render.comparison_as_text(reports, counts, tool(tool_id), format.value))


@app.command()
def conventions(
    network: Annotated[str, typer.Argument(help="A zoo name, a YAML path or a PyTorch source (torchvision:NAME, "
                                           "file.py:Name ...).")],
    input: InputOpt = None,
    batch: BatchOpt = 1,
    set: SetOpt = None,
    format: FormatOpt = Format.table,
) -> None:
    """What fvcore, FlopCounterMode, torchinfo, ptflops and thop count, per operation category: why they disagree."""
    report, counts = _count(network, None, parse_input(input), batch, "fp32", parse_overrides(set))
    if format is Format.table:
        render.print_conventions(make_console(), report, counts)
    else:
        sys.stdout.write(render.conventions_text(report, counts, format.value))
