"""Rendering of worked formulas: `layer` and `explain` (a layer, a block, a network's totals). Never computes.

Tables and worked steps for the terminal (rich, imported inside the printers) and
the JSON forms (shapes channels first, as in the output contract; ``--layout
hwc`` changes only what the tables show). Every sentence is a message rendered in
the command's `Language`; formulas and numbers are the same in every language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import LayerReport
from cnncalc.homework.layout import axes, in_layout
from cnncalc.homework.worked import BlockSummary, Breakdown
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.rf import field_value, jump_value
from cnncalc.layers.steps import Step, Value, Worked
from cnncalc.layers.text import ENGLISH, Language, Msg, Noun, Plural, render
from cnncalc.render.literal import literal
from cnncalc.render.tables import human, to_json

if TYPE_CHECKING:
    from rich.console import Console

TOPICS = {"output_shape": ("output_shape",), "params": ("params",), "buffers": ("buffers",), "macs": ("macs",),
          "flops": ("flops", "other_flops"), "rf": ("rf", "jump")}  # "start" is in the JSON only
SECTIONS = (("output_shape", Msg("output shape")), ("params", Msg("params")), ("buffers", Msg("buffers")),
            ("macs", Msg("MACs")), ("flops", Msg("FLOPs")), ("rf", Msg("receptive field")))


def _json_value(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def shape_text(shape: Sequence[int], layout: str = "chw") -> str:
    """The shape as `fmt_shape` writes it, in C×H×W or H×W×C order."""
    return fmt_shape(in_layout(tuple(shape), layout))


def warns(w: Worked | Step) -> bool:
    """Whether a line's remark is a warning (a window that does not tile), read from its English text."""
    note = w.note if isinstance(w, Step) else render(w.note)
    return "does not tile" in note


# -- one layer ----------------------------------------------------------------------------------------


def _lines(s: LayerReport) -> list[Worked]:
    assert s.bound is not None
    return s.bound.worked_lines()


def solved_dict(s: LayerReport, language: Language = ENGLISH, saved: Worked | None = None) -> dict[str, Any]:
    """The JSON of `cnncalc layer` (and of each layer of `cnncalc explain`); with `saved` (``--train``),
    what it keeps for the backward pass."""
    extra = {"saved_for_backward": saved.step(language).as_dict()} if saved is not None else {}
    return {
        "name": s.name, "type": s.type, "args": s.description, "input_shape": list(s.input_shapes[0]),
        "input_shapes": [list(i) for i in s.input_shapes], "output_shape": list(s.output_shape),
        "params": s.params, "weights": s.weights, "biases": s.biases, "buffers": s.buffers, "macs": s.macs,
        "flops": s.flops, "rf": {**s.rf.as_dict(), "size_value": _json_value(field_value(s.rf)),
                                 "jump_value": _json_value(jump_value(s.rf))},
        "fits": s.fits, "notes": [render(n, language) for n in s.notes],
        "steps": [w.step(language).as_dict() for w in _lines(s)],
        **extra,
    }


def block_dict(b: BlockSummary, language: Language = ENGLISH) -> dict[str, Any]:
    return {"name": b.name, "contents": render(b.contents, language), "layers": list(b.layers),
            "output_shape": list(b.output_shape), "params": b.params, "macs": b.macs, "flops": b.flops,
            "activations": b.activations, "rf": _json_value(b.rf),
            "steps": [{"layer": layer, **w.step(language).as_dict()} for layer, w in b.lines]}


def solved_text(solved: Sequence[LayerReport], language: Language = ENGLISH, block: BlockSummary | None = None,
                saved: Sequence[Worked] | None = None) -> str:
    kept = list(saved) if saved is not None else [None] * len(solved)
    data: Any = (solved_dict(solved[0], language, kept[0]) if len(solved) == 1
                 else {"layers": [solved_dict(s, language, w) for s, w in zip(solved, kept, strict=True)]})
    if block is not None:
        data["block"] = block_dict(block, language)
    return to_json(data)


def _headline(s: LayerReport, section: str, layout: str, language: Language) -> str:
    if section == "output_shape":
        return shape_text(s.output_shape, layout)
    if section == "params":
        split = Msg(" ({w} + {b})", w=Plural(s.weights, "weight", "weights"), b=Plural(s.biases, "bias", "biases"))
        return f"{s.params:,}" + (split.render(language) if s.biases else "")
    if section == "rf":
        size, jump = field_value(s.rf), jump_value(s.rf)
        if s.rf.whole:
            return Msg("the whole input").render(language)
        pixels = Noun(size if isinstance(size, int) else 2, "pixel", "pixels")
        return Msg("{size} {pixels}, jump {jump}", size=_plain(size), pixels=pixels, jump=_plain(jump)).render(language)
    amount: int = getattr(s, section)
    return f"{amount:,}" + (f" ({human(amount)})" if amount >= 10_000 else "")


def _plain(value: Value) -> str:
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def print_solved(console: Console, solved: Sequence[LayerReport], layout: str = "chw",
                 language: Language = ENGLISH, block: BlockSummary | None = None,
                 saved: Sequence[Worked] | None = None) -> None:
    """Each layer: a headline, then every quantity with its formulas and remarks (with `saved`, what
    it keeps for the backward pass, ``--train``); then a block's totals."""
    for k, s in enumerate(solved):
        if k:
            console.print()
        ins = ", ".join(shape_text(i, layout) for i in s.input_shapes)
        what = f"{s.type} {s.description}".strip()
        name = f"{s.name}: " if s.name != s.type else ""
        lines = _lines(s)
        names = f" ({axes(len(s.output_shape), layout)})" if len(s.output_shape) > 1 else ""
        on = Msg("on {ins} → {out}", ins=ins, out=shape_text(s.output_shape, layout)).render(language)
        console.print(f"[bold]{literal(name + what)}[/] {on}{names}", highlight=False)
        for section, title in SECTIONS:
            chosen = [w for w in lines if w.quantity in TOPICS[section]]
            if section == "buffers" and not chosen:
                continue
            console.print(f"  [bold]{title.render(language)}[/]: {_headline(s, section, layout, language)}",
                          highlight=False)
            print_lines(console, chosen, "    ", language)
        if saved is not None:
            value = saved[k].step(language).value
            console.print("  [bold]" + Msg("saved for backward").render(language) + "[/]: "
                          + Msg("{n} bytes at batch 1", n=f"{value:,}").render(language), highlight=False)
            print_lines(console, [saved[k]], "    ", language)
        explained = any(warns(w) for w in lines)
        for note in s.notes:
            if not (explained and "tile" in render(note)):  # the worked line already says it, in full
                console.print(f"  [yellow]⚠[/] {render(note, language)}", highlight=False)
    if block is not None:
        print_block(console, block, layout, language)


def print_block(console: Console, b: BlockSummary, layout: str, language: Language) -> None:
    """A block instance's totals: what it holds, its output, and its sums with their terms."""
    console.print()
    console.print(f"[bold]{b.contents.render(language)}[/]", highlight=False)
    rf = _plain(b.rf) if not isinstance(b.rf, str) else b.rf
    console.print(Msg("  output {shape}, params {params}, MACs {macs}, FLOPs {flops}, receptive field {rf}",
                      shape=shape_text(b.output_shape, layout), params=f"{b.params:,}", macs=f"{b.macs:,}",
                      flops=f"{b.flops:,}", rf=rf).render(language), highlight=False)
    print_lines(console, [w for _, w in b.lines], "    ", language)


def print_lines(console: Console, lines: Sequence[Worked], indent: str, language: Language = ENGLISH,
                names: Sequence[str] = ()) -> None:
    """Worked lines, each formula with its remark (⚠ for a window that does not tile)."""
    for k, line in enumerate(lines):
        step = line.step(language)
        prefix = f"{names[k]}: " if names and names[k] else ""
        console.print(f"{indent}{prefix}{step.formula}", highlight=False)
        if step.note:
            mark = "[yellow]⚠[/]" if warns(line) else "[dim]↳[/]"
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
            "top_params": shares(b.top_params), "top_macs": shares(b.top_macs), "notes": report.notes}


def print_breakdown(console: Console, b: Breakdown, layout: str = "chw", language: Language = ENGLISH,
                    notes: bool = False) -> None:
    from rich.table import Table

    report = b.net.report
    t = report.totals
    console.print(f"[bold]{literal(report.title)}[/] " + Msg("on {shape}: {params} params ({hp}), {macs} MACs ({hm})",
                                                      shape=shape_text(report.input_shape, layout),
                                                      params=f"{t.params:,}", hp=human(t.params), macs=f"{t.macs:,}",
                                                      hm=human(t.macs)).render(language), highlight=False)
    for label, by_type, total in ((Msg("params by layer type: {parts}"), b.params_by_type, t.params),
                                  (Msg("MACs by layer type: {parts}"), b.macs_by_type, t.macs)):
        parts = ", ".join(f"{kind} {human(v)} ({100 * v / (total or 1):.1f}%)" for kind, v in by_type.items())
        console.print("  " + Msg(label.text, parts=parts or Msg("none")).render(language), highlight=False)
    for title, label, items in ((Msg("largest layers by params"), Msg("params"), b.top_params),
                                (Msg("largest layers by MACs"), Msg("MACs"), b.top_macs)):
        table = Table(title=title.render(language), title_justify="left")
        for col in (Msg("layer"), Msg("type"), label, Msg("share"), Msg("formula")):
            table.add_column(col.render(language), justify="right" if col in (label, Msg("share")) else "left")
        for s in items:
            table.add_row(s.name, s.kind, human(s.value), f"{100 * s.share:.1f}%", s.formula)
        console.print(table)
    if notes:
        from cnncalc.render.fasttable import emit
        from cnncalc.render.tables import notes_lines

        emit(console, notes_lines(report.notes, language))


__all__ = ["block_dict", "breakdown_dict", "print_block", "print_breakdown", "print_lines", "print_solved",
           "shape_text", "solved_dict", "solved_text", "warns"]
