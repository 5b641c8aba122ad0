"""Rendering of the training memory (`shapes --train`, `compare --train`, `verify --train`). Never computes.

The JSON adds to the output contract: per layer ``saved_bytes`` (the distinct
storages the layer keeps for the backward pass) and ``saved_first_bytes`` (those no
earlier layer kept: they sum to the total), and ``totals.training``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport
from cnncalc.analysis.training import Training
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.memory import describe
from cnncalc.layers.text import render
from cnncalc.render.formats import binary_bytes
from cnncalc.render.tables import human_bytes, report_dict, to_csv, to_json, to_markdown, totals_dict

if TYPE_CHECKING:
    from rich.console import Console

    from cnncalc.verify.training import TrainingResult

OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam", "adamw": "AdamW"}


def training_dict(t: Training) -> dict[str, Any]:
    """``totals.training``: every figure in bytes at the report's batch."""
    peak = t.peak()
    data: dict[str, Any] = {
        "batch": t.report.batch, "dtype": t.report.dtype, "amp": t.amp, "optimizer": t.optimizer, "device": t.device,
        "saved_bytes": t.saved, "param_bytes": t.params, "grad_bytes": t.grads, "optimizer_bytes": t.optimizer_state,
        "buffer_bytes": t.buffers, "batch_bytes": t.batch_data.at(t.report.batch),
        "param_cast_bytes": t.param_casts.at(t.report.batch), "peak_bytes": peak.live.at(t.report.batch),
        "peak_phase": peak.phase, "peak_layer": peak.layer,
        "per_sample": {"saved_bytes": t.saved_total.per_sample, "peak_bytes": peak.live.per_sample},
    }
    if t.fit_answer is not None:
        f = t.fit_answer
        data["fit"] = {"budget_bytes": f.budget, "batch": f.batch, "peak_bytes": f.peak, "next_peak_bytes": f.next_peak}
    return data


def _layer(row: LayerReport, t: Training) -> dict[str, Any]:
    saved, first = t.part(row)
    m = t.by_name.get(row.name)
    return {"saved_bytes": saved, "saved_first_bytes": first, "saved_what": render(describe(m.effect)) if m else "",
            "in_place": bool(m and m.in_place)}


def shapes_training_dict(t: Training, rows: Sequence[LayerReport]) -> dict[str, Any]:
    data = report_dict(t.report, rows)
    for layer, row in zip(data["layers"], rows, strict=True):
        layer.update(_layer(row, t))
    data["totals"]["training"] = training_dict(t)
    return data


HEADER = ("layer", "type", "output", "saved", "first saved here", "what it keeps")


def _size(style: str) -> Any:
    """Bytes as the format wants them: plain (csv), grouped (markdown), in KiB/MiB/GiB with MB beside
    (tables) or in KiB/MiB/GiB alone (the comparison's table: five sizes to a row)."""
    if style == "csv":
        return str
    if style == "markdown":
        return lambda n: f"{n:,}"
    return binary_bytes if style == "compact" else human_bytes


def _cells(row: LayerReport, t: Training, style: str) -> list[str]:
    layer = _layer(row, t)
    size = _size(style)
    what = layer["saved_what"] + (" (in place)" if layer["in_place"] else "") if row.bound else row.description
    return [row.name, row.type, fmt_shape(row.output_shape), size(layer["saved_bytes"]),
            size(layer["saved_first_bytes"]), what]


def totals_lines(t: Training) -> list[tuple[str, str]]:
    b = t.report.batch
    peak = t.peak()
    precision = f"{t.report.dtype}" + (f", autocast {t.amp}" if t.amp else "")
    lines = [
        ("saved for backward", f"{human_bytes(t.saved)} ({t.saved:,} B): each storage once, the input batch "
                               "included, parameters not"),
        ("parameters", f"{human_bytes(t.params)} ({precision})"),
        ("gradients", human_bytes(t.grads)),
        ("optimizer state", f"{human_bytes(t.optimizer_state)} ({OPTIMIZER_NAMES[t.optimizer]})"),
        ("buffers, batch", f"{human_bytes(t.buffers)}, {human_bytes(t.batch_data.at(b))} (input and targets)"),
    ]
    if t.amp:
        lines.append(("weight casts", f"{human_bytes(t.param_casts.at(b))} ({t.amp} copies kept for the backward)"))
    where = f" at {peak.layer}" if not peak.layer.startswith("(") else ""
    lines.append(("peak of a step", f"{human_bytes(peak.live.at(b))} ({peak.live.at(b):,} B) in the {peak.phase}"
                                    f"{where}; tensors only, as torch on {t.device} allocates them"))
    if t.fit_answer is not None:
        lines.append(fit_line(t))
    return lines


def fit_line(t: Training) -> tuple[str, str]:
    f = t.fit_answer
    assert f is not None
    if not f.batch:
        return (f"fits in {human_bytes(f.budget)}", f"no: batch {t.min_batch} needs {human_bytes(f.next_peak)}")
    return (f"fits in {human_bytes(f.budget)}", f"up to batch {f.batch:,} (peak {human_bytes(f.peak)}); "
                                                f"batch {f.batch + 1:,} needs {human_bytes(f.next_peak)}")


def title(t: Training) -> str:
    r = t.report
    name = r.name if r.title == r.name else f"{r.title} — {r.name}"
    amp = f" with {t.amp} autocast" if t.amp else ""
    return (f"{name}, input {fmt_shape(r.input_shape)}: training at batch {r.batch}, {r.dtype}{amp}, "
            f"{OPTIMIZER_NAMES[t.optimizer]}")


def shapes_training_text(t: Training, rows: Sequence[LayerReport], fmt: str) -> str:
    if fmt == "json":
        return to_json(shapes_training_dict(t, rows))
    cells = [_cells(r, t, fmt) for r in rows]
    if fmt == "csv":
        return to_csv(HEADER, cells)
    md = to_markdown(HEADER, cells, [False, False, False, True, True, False])
    return md + "\n" + "\n".join(f"- **{k}**: {v}" for k, v in totals_lines(t)) + "\n"


def print_shapes_training(console: Console, t: Training, rows: Sequence[LayerReport]) -> None:
    from rich.table import Table

    table = Table(title=title(t), title_justify="left")
    for col in HEADER:
        table.add_column(col, justify="right" if col in ("saved", "first saved here") else "left",
                         no_wrap=col in ("layer", "output"))
    for row in rows:
        table.add_row(*_cells(row, t, "table"))
    console.print(table)
    _print_totals(console, totals_lines(t))


def _print_totals(console: Console, lines: list[tuple[str, str]]) -> None:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for k, v in lines:
        grid.add_row(k, v)
    console.print(grid)


# -- compare ------------------------------------------------------------------------------------------

COMPARE_HEADER = ("network", "saved", "params", "grads", "optimizer", "peak", "phase")


def comparison_training_dict(trainings: Sequence[Training]) -> dict[str, Any]:
    return {"networks": [
        {"name": t.report.name, "title": t.report.title, "input_shape": list(t.report.input_shape),
         "totals": {**totals_dict(t.report.totals), "training": training_dict(t)}}
        for t in trainings]}


def _compare_cells(t: Training, style: str) -> list[str]:
    size = _size(style)
    peak = t.peak()
    cells = [t.report.name, size(t.saved), size(t.params), size(t.grads), size(t.optimizer_state),
             size(peak.live.at(t.report.batch)), peak.phase]
    if t.fit_answer is not None:
        cells.append(f"{t.fit_answer.batch:,}")
    return cells


def comparison_training_text(trainings: Sequence[Training], fmt: str) -> str:
    if fmt == "json":
        return to_json(comparison_training_dict(trainings))
    header = [*COMPARE_HEADER, *(["largest batch"] if trainings[0].fit_answer else [])]
    cells = [_compare_cells(t, fmt) for t in trainings]
    if fmt == "csv":
        return to_csv(header, cells)
    return to_markdown(header, cells, [False, *[True] * 5, False, True][:len(header)])


def print_comparison_training(console: Console, trainings: Sequence[Training]) -> None:
    from rich import box
    from rich.table import Table

    t0 = trainings[0]
    fit = f"; largest batch within {human_bytes(t0.fit_answer.budget)}" if t0.fit_answer else ""
    amp = f", {t0.amp} autocast" if t0.amp else ""
    table = Table(title=f"Training at batch {t0.report.batch}, {t0.report.dtype}{amp}, "
                        f"{OPTIMIZER_NAMES[t0.optimizer]}{fit}", title_justify="left", box=box.SIMPLE_HEAD)
    header = [*COMPARE_HEADER, *(["largest batch"] if t0.fit_answer else [])]
    for col in header:
        table.add_column(col, justify="left" if col in ("network", "phase") else "right", no_wrap=True)
    for t in trainings:
        table.add_row(*_compare_cells(t, "compact"))
    console.print(table)


# -- verify --train -----------------------------------------------------------------------------------


def verify_training_dict(result: TrainingResult) -> dict[str, Any]:
    def cell(c: Any) -> dict[str, Any]:
        return {"ours": c.ours, "theirs": c.theirs, "ok": c.ok}

    return {
        "name": result.name, "input_shape": list(result.input_shape), "device": result.device,
        "optimizer": result.optimizer, "amp": result.amp, "torch": result.torch_version, "ok": result.ok,
        "layers": [{"name": c.name, "type": c.type, "batch": c.batch, "ok": c.ok, "saved": cell(c.saved),
                    "first": cell(c.first)} for c in result.layers],
        "totals": [{"what": t.what, **cell(t.cell), "note": t.note} for t in result.totals],
        "measured": [{"what": t.what, "analytic": t.cell.ours, "measured": t.cell.theirs, "note": t.note}
                     for t in result.measured],
        "mismatches": result.mismatches(),
    }


def print_verify_training(console: Console, result: TrainingResult) -> None:
    from rich.table import Table

    table = Table(title=f"{result.name}: training memory, analytic vs torch {result.torch_version} on "
                        f"{result.device}", title_justify="left")
    for col in ("check", "analytic", "torch", ""):
        table.add_column(col, justify="right" if col in ("analytic", "torch") else "left")
    batches = sorted({c.batch for c in result.layers})
    for b in batches:
        rows = [c for c in result.layers if c.batch == b]
        bad = [c for c in rows if not c.ok]
        table.add_row(f"layers, batch {b}", f"{len(rows) - len(bad)}/{len(rows)} exact", "", "✓" if not bad else "✗")
    for t in result.totals:
        table.add_row(t.what, f"{t.cell.ours:,}", f"{t.cell.theirs:,}", "✓" if t.ok else "✗")
    for t in result.measured:
        gap = t.cell.theirs - t.cell.ours
        table.add_row(t.what, f"{t.cell.ours:,}", f"{t.cell.theirs:,}", "= (reported)" if not gap else
                      f"{gap:+,} (reported)")
    console.print(table)
    for line in result.mismatches()[:20]:
        console.print(f"[red]✗[/] {line}", highlight=False)
    console.print("[green]all exact[/]" if result.ok else "[red]mismatches[/]", highlight=False)


__all__ = ["comparison_training_text", "print_comparison_training", "print_shapes_training",
           "print_verify_training", "shapes_training_dict", "shapes_training_text", "training_dict",
           "verify_training_dict"]
