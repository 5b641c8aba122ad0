"""Rendering of worked formulas: `layer`, `explain`, `check` and `quiz` output. Never computes.

Tables and worked steps for the terminal (rich, imported inside the printers) and
the JSON forms (shapes channels first, as in the output contract; ``--layout
hwc`` changes only what the tables show).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport
from cnncalc.homework.answers import in_layout
from cnncalc.homework.check import CheckReport, Result
from cnncalc.homework.worked import Breakdown
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.rf import field_value, jump_value
from cnncalc.layers.steps import Step, Value, Worked
from cnncalc.layers.text import Plural, render
from cnncalc.render.tables import human, to_json

if TYPE_CHECKING:
    from rich.console import Console

TOPICS = {"output_shape": ("output_shape",), "params": ("params",), "buffers": ("buffers",), "macs": ("macs",),
          "flops": ("flops", "other_flops"), "rf": ("rf", "jump")}  # "start" is in the JSON only
SECTIONS = (("output_shape", "output shape"), ("params", "params"), ("buffers", "buffers"), ("macs", "MACs"),
            ("flops", "FLOPs"), ("rf", "receptive field"))
AXES = {2: "C×L", 3: "C×H×W", 4: "C×D×H×W"}


def layout_name(rank: int, layout: str) -> str:
    """``C×H×W`` or, with 'hwc', ``H×W×C`` (and the 1-D and 3-D forms)."""
    name = AXES.get(rank, "")
    return name if layout == "chw" or not name else name[2:] + "×C"


def _json_value(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def shape_text(shape: Sequence[int], layout: str = "chw") -> str:
    """The shape as `fmt_shape` writes it, in C×H×W or H×W×C order."""
    return fmt_shape(in_layout(tuple(shape), layout))


# -- one layer ----------------------------------------------------------------------------------------


def _steps(s: LayerReport) -> list[Step]:
    assert s.bound is not None
    return s.bound.steps()


def solved_dict(s: LayerReport, saved: Worked | None = None) -> dict[str, Any]:
    """The JSON of `cnncalc layer` (and of each layer of `cnncalc explain`); with `saved` (``--train``),
    what it keeps for the backward pass."""
    extra = {"saved_for_backward": saved.step().as_dict()} if saved is not None else {}
    return {
        "name": s.name, "type": s.type, "args": s.description, "input_shape": list(s.input_shapes[0]),
        "input_shapes": [list(i) for i in s.input_shapes], "output_shape": list(s.output_shape),
        "params": s.params, "weights": s.weights, "biases": s.biases, "buffers": s.buffers, "macs": s.macs,
        "flops": s.flops, "rf": {**s.rf.as_dict(), "size_value": _json_value(field_value(s.rf)),
                                 "jump_value": _json_value(jump_value(s.rf))},
        "fits": s.fits, "notes": [render(n) for n in s.notes], "steps": [step.as_dict() for step in _steps(s)],
        **extra,
    }


def solved_text(solved: Sequence[LayerReport], saved: Sequence[Worked] | None = None) -> str:
    kept = list(saved) if saved is not None else [None] * len(solved)
    data: Any = solved_dict(solved[0], kept[0]) if len(solved) == 1 else {
        "layers": [solved_dict(s, w) for s, w in zip(solved, kept, strict=True)]}
    return to_json(data)


def _headline(s: LayerReport, section: str, layout: str) -> str:
    if section == "output_shape":
        return shape_text(s.output_shape, layout)
    if section == "params":
        weights, biases = Plural(s.weights, "weight", "weights"), Plural(s.biases, "bias", "biases")
        split = f" ({weights.render()} + {biases.render()})" if s.biases else ""
        return f"{s.params:,}{split}"
    if section == "rf":
        size, jump = field_value(s.rf), jump_value(s.rf)
        unit = "pixel" if size == 1 else "pixels"
        return "the whole input" if s.rf.whole else f"{_plain(size)} {unit}, jump {_plain(jump)}"
    amount: int = getattr(s, section)
    return f"{amount:,}" + (f" ({human(amount)})" if amount >= 10_000 else "")


def _plain(value: Value) -> str:
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def print_solved(console: Console, solved: Sequence[LayerReport], layout: str = "chw",
                 saved: Sequence[Worked] | None = None) -> None:
    """Each layer: a headline, then every quantity with its formulas and remarks (with `saved`, what
    it keeps for the backward pass, ``--train``)."""
    for k, s in enumerate(solved):
        if k:
            console.print()
        ins = ", ".join(shape_text(i, layout) for i in s.input_shapes)
        what = f"{s.type} {s.description}".strip()
        name = f"{s.name}: " if s.name != s.type else ""
        steps_of = _steps(s)
        console.print(f"[bold]{name}{what}[/] on {ins} → {shape_text(s.output_shape, layout)}"
                      + (f" ({layout_name(len(s.output_shape), layout)})" if len(s.output_shape) > 1 else ""),
                      highlight=False)
        for section, title in SECTIONS:
            steps = [st for st in steps_of if st.quantity in TOPICS[section]]
            if section == "buffers" and not steps:
                continue
            console.print(f"  [bold]{title}[/]: {_headline(s, section, layout)}", highlight=False)
            _print_steps(console, steps, "    ")
        if saved is not None:
            step = saved[k].step()
            console.print(f"  [bold]saved for backward[/]: {step.value:,} bytes at batch 1", highlight=False)
            _print_steps(console, [step], "    ")
        explained = " ".join(st.note for st in steps_of)
        for note in map(render, s.notes):
            if not ("tile" in note and "tile" in explained):  # the worked step already says it, in full
                console.print(f"  [yellow]⚠[/] {note}", highlight=False)


def _print_steps(console: Console, steps: Sequence[Step], indent: str, names: Sequence[str] = ()) -> None:
    for k, step in enumerate(steps):
        prefix = f"{names[k]}: " if names and names[k] else ""
        console.print(f"{indent}{prefix}{step.formula}", highlight=False)
        if step.note:
            mark = "[yellow]⚠[/]" if "does not tile" in step.note else "[dim]↳[/]"
            console.print(f"{indent}  {mark} [dim]{step.note}[/]", highlight=False)


# -- a network's totals -------------------------------------------------------------------------------


def breakdown_dict(b: Breakdown) -> dict[str, Any]:
    report = b.net.report

    def shares(items: Any) -> list[dict[str, Any]]:
        return [{"name": s.name, "type": s.kind, "value": s.value, "share": round(s.share, 6),
                 "formula": s.formula} for s in items]

    return {"network": report.name, "input_shape": list(report.input_shape),
            "totals": {"params": report.totals.params, "macs": report.totals.macs},
            "params_by_type": b.params_by_type, "macs_by_type": b.macs_by_type,
            "top_params": shares(b.top_params), "top_macs": shares(b.top_macs)}


def print_breakdown(console: Console, b: Breakdown) -> None:
    from rich.table import Table

    report = b.net.report
    console.print(f"[bold]{report.title}[/] on {shape_text(report.input_shape)}: {report.totals.params:,} params "
                  f"({human(report.totals.params)}), {report.totals.macs:,} MACs ({human(report.totals.macs)})",
                  highlight=False)
    for label, by_type, total in (("params", b.params_by_type, report.totals.params),
                                  ("MACs", b.macs_by_type, report.totals.macs)):
        parts = ", ".join(f"{kind} {human(v)} ({100 * v / (total or 1):.1f}%)" for kind, v in by_type.items())
        console.print(f"  {label} by layer type: {parts or 'none'}", highlight=False)
    for label, items in (("params", b.top_params), ("MACs", b.top_macs)):
        table = Table(title=f"largest layers by {label}", title_justify="left")
        for col in ("layer", "type", label, "share", "formula"):
            table.add_column(col, justify="right" if col in (label, "share") else "left")
        for s in items:
            table.add_row(s.name, s.kind, human(s.value), f"{100 * s.share:.1f}%", s.formula)
        console.print(table)


# -- check ------------------------------------------------------------------------------------------


def result_dict(r: Result) -> dict[str, Any]:
    return {"problem": r.problem, "network": r.network, "key": r.key, "given": r.given,
            "expected": _json_value(r.expected), "correct": r.correct, "mistake": r.mistake,
            "location": str(r.location),
            "steps": [{"layer": layer, **step.as_dict()} for layer, step in r.steps]}


def check_dict(report: CheckReport) -> dict[str, Any]:
    networks = list(dict.fromkeys(p.network for p in report.problems))
    return {"file": report.file, "title": report.title, "network": networks[0] if len(networks) == 1 else networks,
            "results": [result_dict(r) for r in report.results], "right": report.right, "wrong": report.wrong,
            "filled": report.filled}


def print_check(console: Console, report: CheckReport, filled_to: Path | None = None) -> None:
    from rich.table import Table

    several = len(report.problems) > 1
    console.print(f"[bold]{report.title or Path(report.file).name}[/]", highlight=False)
    table = Table()
    for col in (("#",) if several else ()) + ("key", "given", "correct", ""):
        table.add_column(col, justify="right" if col in ("given", "correct") else "left")
    for r in report.results:
        mark = "[green]✓[/]" if r.correct else "[red]✗[/]" if r.correct is False else "[cyan]filled[/]"
        table.add_row(*((str(r.problem),) if several else ()), r.key, r.given, r.expected_text, mark)
    console.print(table)
    for r in report.results:
        if r.correct is not False:
            continue
        where = f"#{r.problem} " if several else ""
        console.print(f"[red]✗[/] [bold]{where}{r.key}[/]: {r.given} given, {r.expected_text} is right"
                      + (f" — [yellow]{r.mistake}[/]" if r.mistake else ""), highlight=False)
        layers = {layer for layer, _ in r.steps}
        named = len(layers) > 1 or layers - {r.key.rpartition(".")[0] or next(iter(layers), "")}
        _print_steps(console, [s for _, s in r.steps], "    ", [layer if named else "" for layer, _ in r.steps])
    summary = f"{report.right} right, {report.wrong} wrong"
    if report.filled:
        summary += f", {report.filled} filled in" + (f" (written to {filled_to})" if filled_to else "")
    console.print(summary, style="bold green" if not report.wrong else "bold red")


def quiz_written(console: Console, paths: Sequence[Path], questions: int) -> None:
    console.print(f"{questions} questions: " + ", ".join(str(p) for p in paths), highlight=False)
