"""Formatting of `shapes` and `compare`: tables, JSON, CSV and Markdown. Never computes.

The JSON form is the contract of DESIGN.md ("Output contract"): keys are added,
never renamed or dropped. Tables are drawn by `fasttable` (rich only on a
terminal); `list` is in `catalogue`, the formats and number styles in `formats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport, Report, Totals
from cnncalc.analysis.compare import ComparisonRow
from cnncalc.homework.layout import in_layout
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.rf import RF
from cnncalc.layers.text import ENGLISH, Language, Msg, render
from cnncalc.render.fasttable import Column, Grid, Line, emit
from cnncalc.render.formats import human, human_bytes, to_csv, to_json, to_markdown
from cnncalc.spec import Published

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
        "totals": totals_dict(report.totals), "notes": report.notes,
    }


def comparison_dict(rows: Sequence[ComparisonRow]) -> dict[str, Any]:
    return {"networks": [
        {"name": r.report.name, "title": r.report.title, "input_shape": list(r.report.input_shape),
         "totals": totals_dict(r.report.totals),
         "ratios": {"params": r.params_ratio, "macs": r.macs_ratio, "flops": r.flops_ratio,
                    "activations": r.activations_ratio, "size": r.size_ratio},
         "size": r.size.as_dict() if r.size else None, "accuracy": r.accuracy.as_dict() if r.accuracy else None}
        for r in rows]}


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
    return [row.name, row.type if not row.description else f"{row.type} {row.description}",
            fmt_shape(in_layout(row.output_shape, layout)), f"{row.params:,}", f"{row.macs:,}", rf_text(row.rf), note]


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
    notes = f"\n{report.notes}\n" if report.notes else ""
    return md + "\n" + "\n".join(f"- **{k}**: {v}" for k, v in totals_lines(report)) + "\n" + notes


def notes_lines(notes: str, language: Language = ENGLISH, width: int = 100) -> list[Line]:
    """A network file's notes (where it comes from, what its paper got wrong), wrapped, under a label."""
    import textwrap

    if not notes:
        return []
    label = Msg("notes (from the network's file; --quiet leaves them out):").render(language)
    lines: list[Line] = [[("", None)], [(label, "bold")]]
    return lines + [[(f"  {line}", None)] for line in textwrap.wrap(notes, width)]


def shapes_grids(report: Report, rows: Sequence[LayerReport], language: Language = ENGLISH,
                 layout: str = "chw", notes: bool = False) -> list[Grid | Line]:
    """The `shapes` table, its layers' remarks, the totals and (with `notes`) the network's notes, for `emit`."""
    from cnncalc.render import summary

    table = Grid([Column(col, right=right, no_wrap=col in ("layer", "output"))
                  for col, right in zip(LAYER_HEADER, (False, False, False, True, True, False, False), strict=True)],
                 title=summary.shapes_title(report, language, layout))
    table.rows = [layer_cells(row, layout) for row in rows]
    items: list[Grid | Line] = [table]
    for r in rows:
        for n in r.notes:
            shown = f"{r.name}: {render(n, language)}"
            items.append([("⚠", "yellow"), (f" {shown}", None)] if "tile" in render(n) else [(f"* {shown}", None)])
    totals = Grid([Column("", bold=True), Column("")], box="none", pad=2)
    totals.rows = [list(kv) for kv in totals_lines(report, language, layout)]
    return [*items, totals, *(notes_lines(report.notes, language) if notes else [])]


def print_shapes(console: Console | None, report: Report, rows: Sequence[LayerReport], language: Language = ENGLISH,
                 layout: str = "chw", notes: bool = False) -> None:
    """The `shapes` table (console None: plain text on stdout, see `plain.plain_output`)."""
    emit(console, shapes_grids(report, rows, language, layout, notes))


# -- compare ---------------------------------------------------------------------------------

COMPARE_HEADER = ("network", "input", "params", "MACs", "FLOPs", "activations", "param MB", "depth", "RF",
                  "params ratio", "MACs ratio", "size ratio", "top-1 %")
# the columns a narrow output leaves out, the highest first (the rest never: no number is cut short)
COMPARE_DROP = {"RF": 5, "depth": 4, "activations": 3, "FLOPs": 2, "input": 1}


def accuracy_text(accuracy: Published | None) -> str:
    """The top-1 column (top-5 and the source are under the table)."""
    return "—" if accuracy is None or accuracy.top1 is None else f"{accuracy.top1:.1f}"


def comparison_cells(r: ComparisonRow, exact: bool, language: Language = ENGLISH) -> list[str]:
    t = r.report.totals
    num = (lambda n: f"{n:,}") if exact else human
    size = f"{r.size.mb:.3f}" if r.size is not None and r.size.mb < 1 else \
        f"{(r.size.mb if r.size is not None else t.param_bytes / 1e6):.2f}"
    return [r.report.name, fmt_shape(r.report.input_shape), num(t.params), num(t.macs), num(t.flops),
            num(t.activations), size, str(t.depth), rf_text(t.rf),
            ratio_text(r.params_ratio, language), ratio_text(r.macs_ratio, language),
            ratio_text(r.size_ratio, language), accuracy_text(r.accuracy)]


def comparison_text(rows: Sequence[ComparisonRow], fmt: str) -> str:
    if fmt == "json":
        return to_json(comparison_dict(rows))
    cells = [comparison_cells(r, exact=True) for r in rows]
    if fmt == "csv":
        return to_csv(COMPARE_HEADER, cells)
    from cnncalc.render import summary

    notes = "".join(f"\n- {line}" for line in summary.compare_notes(rows))
    return to_markdown(COMPARE_HEADER, cells, [False, False, *[True] * 6, False, True, True, True, True]) + notes


def print_comparison(console: Console | None, rows: Sequence[ComparisonRow], language: Language = ENGLISH,
                     layout: str = "chw") -> None:
    from cnncalc.render import summary

    inputs = [r.report.input_shape for r in rows]
    same_input = len(set(inputs)) == 1
    title = summary.compare_title(len(rows), rows[0].report.name, inputs, language, layout)
    # the size ratio is the params ratio unless --bits or --sparsity differ between the networks
    sized = any(r.size_ratio != r.params_ratio for r in rows)
    hidden = {"input"} if same_input else set()
    hidden |= {"FLOPs"} if sized else {"size ratio"}  # FLOPs (in CSV and JSON) makes room for the size ratio
    columns = [Column(col, right=col not in ("network", "input", "RF"), no_wrap=True, drop=COMPARE_DROP.get(col, 0))
               for col in COMPARE_HEADER if col not in hidden]
    left_out = Msg("left out to fit the width: {columns} (--format json has every column)", columns="{columns}")
    table = Grid(columns, title=title, box="simple_head", dropped_note=left_out.render(language))
    for r in rows:
        cells = comparison_cells(r, exact=False, language=language)
        table.rows.append([c for c, col in zip(cells, COMPARE_HEADER, strict=True) if col not in hidden])
    notes: list[Grid | Line] = [[(f"* {line}", None)] for line in summary.compare_notes(rows, language)]
    emit(console, [table, *notes])


__all__ = ["comparison_text", "human", "human_bytes", "layer_cells", "print_comparison", "print_shapes",
           "report_dict", "shapes_text", "to_csv", "to_json", "to_markdown"]
