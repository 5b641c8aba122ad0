"""Rendering of other tools' counts: `shapes --as TOOL`, `compare --as TOOL`, `conventions`. Never computes."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import Report
from cnncalc.analysis.conventions import Counted, LayerCount, Tool
from cnncalc.analysis.conventions.tool import Number
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.text import ENGLISH, Language, Msg
from cnncalc.render.tables import human, report_dict, to_csv, to_json, to_markdown

if TYPE_CHECKING:
    from rich.console import Console


def plain(value: Number) -> int | float:
    """A count as JSON holds it: an integer when it is one (thop's floats included)."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def shown(value: Number) -> str:
    """1234.0 -> '1,234'; a fraction (ptflops' per-sample hooks at batch > 1) to two decimals."""
    v = plain(value)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def tool_dict(tool: Tool) -> dict[str, str]:
    return {"tool": tool.id, "title": tool.title, "call": tool.call, "version": tool.version, "unit": tool.unit}


def how(tool: Tool) -> str:
    return f"{tool.call}; {tool.version}; {tool.unit}"


# -- shapes --as TOOL --------------------------------------------------------------------------

AS_HEADER = ("layer", "type", "torch", "output", "count", "rule")


def _shapes(report: Report) -> dict[str, tuple[int, ...]]:
    """Output shape per layer name, and per block instance (its output layer's)."""
    shapes = {r.name: r.output_shape for r in report.layers}
    return {**shapes, **{b.path: shapes[b.out] for b in report.blocks if b.out in shapes}}


def _cells(layer: LayerCount, tool: Tool, shapes: dict[str, tuple[int, ...]]) -> list[str]:
    tally = layer.tallies[tool.id]
    return [layer.name, layer.type, layer.target, fmt_shape(shapes.get(layer.name, ())), shown(tally.value),
            tally.rule if tally.value else ""]


def counted_as_dict(counted: Counted, layers: Sequence[LayerCount], tool: Tool) -> dict[str, Any]:
    return {**tool_dict(tool), "total": plain(counted.totals[tool.id]), "layers": [
        {"name": x.name, "torch": x.target, "category": x.category, "count": plain(x.tallies[tool.id].value),
         "rule": x.tallies[tool.id].rule} for x in layers]}


def shapes_as_text(report: Report, counted: Counted, layers: Sequence[LayerCount], tool: Tool, fmt: str) -> str:
    """`shapes --as TOOL` in a non-table format: the report's JSON plus ``counted_as``, or rows."""
    if fmt == "json":
        return to_json({**report_dict(report), "counted_as": counted_as_dict(counted, layers, tool)})
    shapes = _shapes(report)
    rows = [_cells(x, tool, shapes) for x in layers]
    header = [*AS_HEADER[:4], tool.id, AS_HEADER[5]]
    if fmt == "csv":
        return to_csv(header, rows)
    total = f"\n- **{tool.id} total**: {shown(counted.totals[tool.id])} ({how(tool)})\n"
    return to_markdown(header, rows, [False, False, False, False, True, False]) + total


def _title(report: Report) -> str:
    return report.name if report.title == report.name else f"{report.title} — {report.name}"


def print_shapes_as(console: Console, report: Report, counted: Counted, layers: Sequence[LayerCount],
                    tool: Tool, language: Language = ENGLISH) -> None:
    from rich.table import Table

    title = Msg("{title}, input {shape}, counted as {tool}", title=_title(report),
                shape=fmt_shape(report.input_shape), tool=tool.title)
    table = Table(title=title.render(language), title_justify="left")
    shapes = _shapes(report)
    for col in (*AS_HEADER[:4], tool.id, AS_HEADER[5]):
        table.add_column(col, justify="right" if col == tool.id else "left", no_wrap=col in ("layer", "output"))
    for layer in layers:
        table.add_row(*_cells(layer, tool, shapes))
    console.print(table)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    batch = report.batch
    total = counted.totals[tool.id]
    label = Msg("{tool} total", tool=tool.id) if batch == 1 else Msg("{tool} total (batch {n})", tool=tool.id, n=batch)
    ours = Msg("cnncalc MACs") if batch == 1 else Msg("cnncalc MACs (batch {n})", n=batch)
    grid.add_row(label.render(language), f"{shown(total)} ({human(float(total))})")
    grid.add_row(Msg("how").render(language), how(tool))
    grid.add_row(ours.render(language), Msg("{macs} ({short}); `cnncalc conventions {name}` shows where they differ",
                                            macs=f"{report.totals.macs:,}", short=human(report.totals.macs),
                                            name=report.name).render(language))
    console.print(grid)


# -- compare --as TOOL -------------------------------------------------------------------------

def comparison_as_text(reports: Sequence[Report], counts: Sequence[Counted], tool: Tool, fmt: str) -> str:
    if fmt == "json":
        return to_json({**tool_dict(tool), "networks": [
            {"name": r.name, "title": r.title, "input_shape": list(r.input_shape), "params": r.totals.params,
             "macs": r.totals.macs, "total": plain(c.totals[tool.id])} for r, c in zip(reports, counts, strict=True)]})
    header = ["network", "input", "params", "MACs", tool.id]
    rows = [[r.name, fmt_shape(r.input_shape), f"{r.totals.params:,}", f"{r.totals.macs:,}",
             shown(c.totals[tool.id])] for r, c in zip(reports, counts, strict=True)]
    if fmt == "csv":
        return to_csv(header, rows)
    return to_markdown(header, rows, [False, False, True, True, True])


def print_comparison_as(console: Console, reports: Sequence[Report], counts: Sequence[Counted], tool: Tool,
                        language: Language = ENGLISH) -> None:
    from rich import box
    from rich.table import Table

    title = Msg("{n} networks, counted as {tool}", n=len(reports), tool=tool.title).render(language)
    table = Table(title=title, title_justify="left",
                  box=box.SIMPLE_HEAD, caption=how(tool), caption_justify="left")
    for col in ("network", "input", "params", "MACs", tool.id, f"{tool.id} / MACs"):
        table.add_column(col, justify="left" if col in ("network", "input") else "right", no_wrap=True)
    for r, c in zip(reports, counts, strict=True):
        total = c.totals[tool.id]
        ratio = f"{float(total) / r.totals.macs:.3f}" if r.totals.macs else "—"
        table.add_row(r.name, fmt_shape(r.input_shape), human(r.totals.params), human(r.totals.macs),
                      shown(total), ratio)
    console.print(table)


# -- conventions NET ---------------------------------------------------------------------------

def _grid(report: Report, counted: Counted) -> tuple[list[str], list[list[str]]]:
    header = ["operation", "cnncalc MACs", *(t.id for t in counted.tools)]
    macs: dict[str, int] = {}
    for row, layer in zip(report.layers, counted.layers, strict=True):
        macs[layer.category] = macs.get(layer.category, 0) + row.macs
    rows = [[category, f"{macs.get(category, 0):,}", *(shown(values[t.id]) for t in counted.tools)]
            for category, values in counted.by_category()]
    rows.append(["total", f"{report.totals.macs:,}", *(shown(counted.totals[t.id]) for t in counted.tools)])
    return header, rows


def conventions_dict(report: Report, counted: Counted) -> dict[str, Any]:
    macs: dict[str, int] = {}
    for row, layer in zip(report.layers, counted.layers, strict=True):
        macs[layer.category] = macs.get(layer.category, 0) + row.macs
    return {
        "name": report.name, "title": report.title, "input_shape": list(report.input_shape), "batch": report.batch,
        "tools": [tool_dict(t) for t in counted.tools],
        "categories": [{"category": c, "macs": macs.get(c, 0), "counts": {k: plain(v) for k, v in values.items()}}
                       for c, values in counted.by_category()],
        "totals": {"macs": report.totals.macs, **{k: plain(v) for k, v in counted.totals.items()}},
    }


def conventions_text(report: Report, counted: Counted, fmt: str) -> str:
    if fmt == "json":
        return to_json(conventions_dict(report, counted))
    header, rows = _grid(report, counted)
    if fmt == "csv":
        return to_csv(header, rows)
    return to_markdown(header, rows, [False, *[True] * (len(header) - 1)])


def print_conventions(console: Console, report: Report, counted: Counted, language: Language = ENGLISH) -> None:
    from rich.table import Table

    header, rows = _grid(report, counted)
    shape = fmt_shape(report.input_shape)
    title = Msg("{title}, input {shape}: what each tool counts", title=_title(report), shape=shape) \
        if report.batch == 1 else Msg("{title}, input {shape}, batch {n}: what each tool counts",
                                      title=_title(report), shape=shape, n=report.batch)
    table = Table(title=title.render(language), title_justify="left")
    for k, col in enumerate(header):
        table.add_column(col, justify="left" if k == 0 else "right", no_wrap=True)
    for k, row in enumerate(rows):
        table.add_row(*row, end_section=k == len(rows) - 2)
    console.print(table)
    for tool in counted.tools:
        console.print(f"  {tool.id}: {how(tool)}", highlight=False)
