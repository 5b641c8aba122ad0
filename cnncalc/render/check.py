"""Rendering of `check` and `quiz`: the answers table, each ✗ with its working and mistake. Never computes.

Each result has a status: right ✓, wrong ✗ (with the working, the recognised
mistake and its stable code), unreadable ✗ (with the reason), unanswered (a ``?``
without ``--fill``: its right value is not shown, so a blank sheet gives nothing
away) or filled (``--fill``). Sentences are messages in the command's `Language`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc.homework.check import CheckReport, Result
from cnncalc.layers.steps import Value
from cnncalc.layers.text import ENGLISH, Language, Msg, Plural, render
from cnncalc.render.homework import print_lines
from cnncalc.render.literal import literal
from cnncalc.render.literal import shown as shown_text

if TYPE_CHECKING:
    from rich.console import Console

MARKS = {"right": "[green]✓[/]", "wrong": "[red]✗[/]", "unreadable": "[red]✗[/]", "unanswered": "[yellow]?[/]",
         "filled": "[cyan]{filled}[/]"}


def status(r: Result, report: CheckReport) -> str:
    """right, wrong, unreadable, unanswered or filled."""
    if r.correct is None:
        return "filled" if report.filling else "unanswered"
    if r.correct:
        return "right"
    return "unreadable" if r.reason is not None else "wrong"


def _json_value(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value


def result_dict(r: Result, report: CheckReport, language: Language = ENGLISH) -> dict[str, Any]:
    state = status(r, report)
    hidden = state == "unanswered"  # a blank sheet's JSON gives no answer away either
    return {"problem": r.problem, "network": r.network, "key": r.key, "given": r.given,
            "expected": None if hidden else _json_value(r.expected), "correct": r.correct, "status": state,
            "mistake": render(r.mistake, language) if r.mistake else None,
            "mistake_code": r.codes[0] if r.codes else None, "mistake_codes": list(r.codes),
            "reason": render(r.reason, language) if r.reason else None,
            "notes": [render(n, language) for n in r.notes], "location": str(r.location),
            "steps": [] if hidden else [{"layer": layer, **w.step(language).as_dict()} for layer, w in r.steps]}


def check_dict(report: CheckReport, language: Language = ENGLISH) -> dict[str, Any]:
    networks = list(dict.fromkeys(p.network for p in report.problems))
    return {"file": report.file, "title": report.title, "network": networks[0] if len(networks) == 1 else networks,
            "results": [result_dict(r, report, language) for r in report.results], "right": report.right,
            "wrong": report.wrong, "filled": report.filled, "unanswered": report.unanswered,
            "warnings": [render(w, language) for w in report.warnings], "language": language.code}


def print_check(console: Console, report: CheckReport, filled_to: Path | None = None,
                language: Language = ENGLISH) -> None:
    from rich.table import Table
    from rich.text import Text

    def tr(msg: Msg) -> str:
        return msg.render(language)

    for warning in report.warnings:
        console.print(f"[yellow]⚠[/] {literal(tr(warning))}", highlight=False)
    several = len(report.problems) > 1
    console.print(f"[bold]{literal(report.title or Path(report.file).name)}[/]", highlight=False)
    table = Table()
    for col in (("#",) if several else ()) + (tr(Msg("key")), tr(Msg("given")), tr(Msg("correct")), ""):
        table.add_column(col, justify="right" if col in (tr(Msg("given")), tr(Msg("correct"))) else "left")
    for r in report.results:
        state = status(r, report)
        mark = MARKS[state].format(filled=tr(Msg("filled")))
        shown = "" if state == "unanswered" else r.expected_text
        table.add_row(*((str(r.problem),) if several else ()), r.key, Text(shown_text(r.given)), shown, mark)
    console.print(table)
    for r in report.results:
        if r.correct is not False:
            continue
        where = f"#{r.problem} " if several else ""
        if r.reason is not None:
            console.print(f"[red]✗[/] [bold]{where}{r.key}[/]: " + literal(tr(Msg("cannot read {given!r}: {reason}",
                                                                                   given=r.given, reason=r.reason))),
                          highlight=False)
            continue
        line = literal(tr(Msg("{given} given, {right} is right", given=r.given, right=r.expected_text)))
        console.print(f"[red]✗[/] [bold]{where}{r.key}[/]: {line}" + (f" — [yellow]{literal(tr(r.mistake))}[/]"
                                                                        if r.mistake else ""), highlight=False)
        for note in r.notes:
            console.print(f"    [cyan]•[/] {literal(tr(note))}", highlight=False)
        layers = {layer for layer, _ in r.steps}
        named = len(layers) > 1 or layers - {r.key.rpartition(".")[0] or next(iter(layers), "")}
        print_lines(console, [w for _, w in r.steps], "    ", language,
                    [layer if named else "" for layer, _ in r.steps])
    console.print(literal(tr(summary(report, filled_to))), style="bold green" if report.passed else "bold red",
                  highlight=False)


def summary(report: CheckReport, filled_to: Path | None = None) -> Msg:
    """``2 right, 2 wrong``, ``, 3 unanswered`` or ``, 3 filled in (written to key.yaml)``."""
    text = Msg("{right} right, {wrong} wrong", right=report.right, wrong=report.wrong)
    if report.unanswered:
        text = Msg("{text}, {n} (write the answers, or run check --fill for the key)", text=text,
                   n=Plural(report.unanswered, "unanswered", "unanswered"))
    if report.filled:
        filled = Msg("{text}, {n} filled in", text=text, n=report.filled)
        text = Msg("{text} (written to {path})", text=filled, path=str(filled_to)) if filled_to else filled
    return text


def quiz_written(console: Console, paths: Sequence[Path], questions: int, language: Language = ENGLISH) -> None:
    console.print(literal(Msg("{n}: {paths}", n=Plural(questions, "question", "questions"),
                              paths=", ".join(str(p) for p in paths)).render(language)), highlight=False)


__all__ = ["check_dict", "print_check", "quiz_written", "result_dict", "status", "summary"]
