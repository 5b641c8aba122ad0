"""Formatting of results: rich tables, JSON, CSV and Markdown. Never computes.

The JSON form is the contract of DESIGN.md ("Output contract"): keys are added,
never renamed or dropped. rich is imported only by the table renderers, so
``--format json`` stays fast.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport, Report, Totals
from cnncalc.analysis.compare import ComparisonRow
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.rf import RF
from cnncalc.layers.text import ENGLISH, Language, render

if TYPE_CHECKING:
    from rich.console import Console


# -- plain data ------------------------------------------------------------------------


def layer_dict(row: LayerReport) -> dict[str, Any]:
    return {
        "name": row.name, "type": row.type, "inputs": list(row.inputs), "output_shape": list(row.output_shape),
        "params": row.params, "buffers": row.buffers, "macs": row.macs, "flops": row.flops,
        "activations": row.activations, "rf": row.rf.as_dict(), "fits": row.fits,
        "notes": [render(n) for n in row.notes], "depth": row.depth, "scope": list(row.scope), "args": row.description,
    }


def totals_dict(t: Totals) -> dict[str, Any]:
    rf = t.rf.as_dict()
    return {
        "params": t.params, "trainable_params": t.trainable_params, "buffers": t.buffers, "macs": t.macs,
        "flops": t.flops, "activations": t.activations, "param_bytes": t.param_bytes,
        "buffer_bytes": t.buffer_bytes, "activation_bytes": t.activation_bytes,
        "peak_activation_bytes": t.peak_activation_bytes, "depth": t.depth, "output_shape": list(t.output_shape),
        "rf": {"size": rf["size"], "jump": rf["jump"], "global": rf["global"]},
    }


def report_dict(report: Report, rows: Sequence[LayerReport] | None = None) -> dict[str, Any]:
    return {
        "name": report.name, "title": report.title, "source": report.source, "family": report.family,
        "file": report.file, "input_shape": list(report.input_shape), "batch": report.batch, "dtype": report.dtype,
        "layers": [layer_dict(r) for r in (report.layers if rows is None else rows)],
        "totals": totals_dict(report.totals),
    }


def comparison_dict(rows: Sequence[ComparisonRow]) -> dict[str, Any]:
    return {"networks": [
        {"name": r.report.name, "title": r.report.title, "input_shape": list(r.report.input_shape),
         "totals": totals_dict(r.report.totals),
         "ratios": {"params": r.params_ratio, "macs": r.macs_ratio, "flops": r.flops_ratio,
                    "activations": r.activations_ratio}}
        for r in rows]}


def to_json(data: Any) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_markdown(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# -- numbers as people read them -----------------------------------------------------------


def human(n: float, unit: str = "") -> str:
    """1234567 -> '1.23 M'; exact below a thousand."""
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def human_bytes(n: int) -> str:
    """Binary units, with the decimal megabytes of `compare` beside them: ``97.49 MiB (102.23 MB)``."""
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= scale:
            return f"{n / scale:.2f} {unit}" + (f" ({n / 1e6:.2f} MB)" if n >= 10**6 else "")
    return f"{n} B"


def rf_text(rf: RF) -> str:
    if rf.whole:
        return "global"
    sizes = rf.size_ints()
    size = str(sizes[0]) if len(set(sizes)) == 1 else "×".join(str(s) for s in sizes)
    jumps = rf.jump_ints()
    jump = str(jumps[0]) if len(set(jumps)) == 1 else "×".join(str(j) for j in jumps)
    return f"{size} / {jump}"


def ratio_text(ratio: float, language: Language = ENGLISH) -> str:
    from cnncalc.render import summary

    return summary.ratio_text(ratio, language)


# -- shapes ----------------------------------------------------------------------------------

LAYER_HEADER = ("layer", "type", "output", "params", "MACs", "RF / jump", "note")


def layer_cells(row: LayerReport, layout: str = "chw") -> list[str]:
    note = "⚠" if not row.fits else "*" if row.notes else ""
    shape = row.output_shape if layout == "chw" or len(row.output_shape) < 2 else (*row.output_shape[1:],
                                                                                   row.output_shape[0])
    return [row.name, row.type if not row.description else f"{row.type} {row.description}",
            fmt_shape(shape), f"{row.params:,}", f"{row.macs:,}", rf_text(row.rf), note]


def totals_lines(report: Report, language: Language = ENGLISH, layout: str = "chw") -> list[tuple[str, str]]:
    from cnncalc.render import summary  # the summary's sentences, in the language asked

    return summary.totals_lines(report, rf_text(report.totals.rf), language, layout)


def shapes_text(report: Report, rows: Sequence[LayerReport], fmt: str) -> str:
    """The `shapes` output in a non-table format."""
    if fmt == "json":
        return to_json(report_dict(report, rows))
    header = ["name", "type", "inputs", "output_shape", "params", "buffers", "macs", "flops", "activations",
              "rf_size", "rf_jump", "fits", "notes"]
    cells = []
    for r in rows:
        size = "x".join(map(str, r.rf.size_ints())) if not r.rf.whole else "global"
        jump = "x".join(map(str, r.rf.jump_ints())) if not r.rf.whole else ""
        cells.append([r.name, r.type, " ".join(r.inputs), fmt_shape(r.output_shape), r.params, r.buffers,
                      r.macs, r.flops, r.activations, size, jump, r.fits, "; ".join(map(render, r.notes))])
    if fmt == "csv":
        return to_csv(header, cells)
    right = [False, False, False, True, True, False]
    md = to_markdown(LAYER_HEADER[:-1], [layer_cells(r)[:-1] for r in rows], right)
    return md + "\n" + "\n".join(f"- **{k}**: {v}" for k, v in totals_lines(report)) + "\n"


def print_shapes(console: Console, report: Report, rows: Sequence[LayerReport], language: Language = ENGLISH,
                 layout: str = "chw") -> None:
    from rich.table import Table

    from cnncalc.render import summary

    table = Table(title=summary.shapes_title(report, language, layout), title_justify="left")
    for col, right in zip(LAYER_HEADER, (False, False, False, True, True, False, False), strict=True):
        table.add_column(col, justify="right" if right else "left", no_wrap=col in ("layer", "output"))
    for row in rows:
        table.add_row(*layer_cells(row, layout))
    console.print(table)
    for r in rows:
        for n in r.notes:
            shown = f"{r.name}: {render(n, language)}"
            console.print(f"[yellow]⚠[/] {shown}" if "tile" in render(n) else f"* {shown}", highlight=False)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for k, v in totals_lines(report, language, layout):
        grid.add_row(k, v)
    console.print(grid)


# -- compare ---------------------------------------------------------------------------------

COMPARE_HEADER = ("network", "input", "params", "MACs", "FLOPs", "activations", "param MB", "depth", "RF",
                  "params ratio", "MACs ratio")


def comparison_cells(r: ComparisonRow, exact: bool, language: Language = ENGLISH) -> list[str]:
    t = r.report.totals
    num = (lambda n: f"{n:,}") if exact else human
    return [r.report.name, fmt_shape(r.report.input_shape), num(t.params), num(t.macs), num(t.flops),
            num(t.activations), f"{t.param_bytes / 1e6:.2f}", str(t.depth), rf_text(t.rf),
            ratio_text(r.params_ratio, language), ratio_text(r.macs_ratio, language)]


def comparison_text(rows: Sequence[ComparisonRow], fmt: str) -> str:
    if fmt == "json":
        return to_json(comparison_dict(rows))
    cells = [comparison_cells(r, exact=True) for r in rows]
    if fmt == "csv":
        return to_csv(COMPARE_HEADER, cells)
    return to_markdown(COMPARE_HEADER, cells, [False, False, *[True] * 6, False, True, True])


def print_comparison(console: Console, rows: Sequence[ComparisonRow], language: Language = ENGLISH,
                     layout: str = "chw") -> None:
    from rich import box
    from rich.table import Table

    from cnncalc.render import summary

    inputs = [r.report.input_shape for r in rows]
    same_input = len(set(inputs)) == 1
    title = summary.compare_title(len(rows), rows[0].report.name, inputs, language, layout)
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for col in COMPARE_HEADER:
        if col == "input" and same_input:
            continue
        table.add_column(col, justify="left" if col in ("network", "input", "RF") else "right", no_wrap=True)
    for r in rows:
        cells = comparison_cells(r, exact=False, language=language)
        table.add_row(*(cells[:1] + cells[2:] if same_input else cells))
    console.print(table)


# -- list ------------------------------------------------------------------------------------

LIST_HEADER = ("family", "name", "title", "input", "params", "MACs", "depth", "source")


def catalogue_cells(report: Report, exact: bool) -> list[str]:
    t = report.totals
    num = (lambda n: f"{n:,}") if exact else human
    return [report.family or "Other", report.name, report.title, fmt_shape(report.input_shape),
            num(t.params), num(t.macs), str(t.depth), report.source]


def catalogue_text(reports: Sequence[Report], fmt: str) -> str:
    if fmt == "json":
        return to_json({"networks": [
            {"name": r.name, "title": r.title, "family": r.family, "source": r.source,
             "input_shape": list(r.input_shape), "params": r.totals.params, "macs": r.totals.macs,
             "flops": r.totals.flops, "depth": r.totals.depth} for r in reports]})
    cells = [catalogue_cells(r, exact=True) for r in reports]
    if fmt == "csv":
        return to_csv(LIST_HEADER, cells)
    return to_markdown(LIST_HEADER, cells, [False, False, False, False, True, True, True, False])


def print_catalogue(console: Console, reports: Sequence[Report]) -> None:
    from rich.table import Table

    table = Table(title=f"The zoo: {len(reports)} networks", title_justify="left")
    for col in LIST_HEADER:
        table.add_column(col, justify="right" if col in ("params", "MACs", "depth") else "left",
                         no_wrap=True, overflow="ellipsis", max_width={"source": 26, "title": 24}.get(col),
                         min_width={"params": 8, "MACs": 8, "input": 9, "depth": 5}.get(col))
    family = None
    for r in reports:
        cells = catalogue_cells(r, exact=False)
        if cells[0] == family:
            cells[0] = ""
        else:
            family = cells[0]
            if table.row_count:
                table.add_section()
        table.add_row(*cells)
    console.print(table)
