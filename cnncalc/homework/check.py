"""Answer files checked against the analysis: each answer right, wrong (with the working and the likely
mistake), unreadable (one ✗ with the reason) or unanswered (``?``: filled in with ``--fill``).

The file's format is described in `cnncalc.homework.sheet`, which reads it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncalc.dsl.document import check_text as check_no_control
from cnncalc.errors import CnnCalcError, Location
from cnncalc.homework import answers, mistakes, sheet, targets
from cnncalc.homework.targets import Net
from cnncalc.homework.typed import in_units
from cnncalc.layers.steps import Value, Worked
from cnncalc.layers.text import Msg

_QUESTION = re.compile(r"(?<=:)[ \t]*(\"\?\"|'\?'|\?)(?=[ \t]*(?:#.*)?$|[ \t]*[,}])")
LAYOUTS = sheet.LAYOUTS


@dataclass(frozen=True)
class Result:
    """One answer: what was written, the right value, and the working."""

    problem: int  # 1-based
    network: str
    key: str
    given: str
    expected: Value
    expected_text: str  # the right value as a table shows it, shapes in the answer's layout
    correct: bool | None  # None: a '?' (filled in with --fill, else unanswered)
    mistake: Msg | None
    steps: tuple[tuple[str, Worked], ...]  # (layer, worked line)
    location: Location
    fill_text: str  # the right value as the answer file writes it
    codes: tuple[str, ...] = ()  # the recognised mistakes' stable codes (JSON: mistake_code)
    reason: Msg | None = None  # why the answer could not be read (then correct is False)
    notes: tuple[Msg, ...] = ()  # what a block holds; the memory units of the answer


@dataclass(frozen=True)
class Problem:
    number: int
    network: str
    question: str


@dataclass(frozen=True)
class CheckReport:
    file: str
    title: str
    problems: tuple[Problem, ...]
    results: tuple[Result, ...]
    filling: bool = False  # --fill: a '?' is filled in; without it, a '?' is unanswered
    warnings: tuple[Msg, ...] = ()

    @property
    def right(self) -> int:
        return sum(1 for r in self.results if r.correct is True)

    @property
    def wrong(self) -> int:
        return sum(1 for r in self.results if r.correct is False)

    @property
    def filled(self) -> int:
        return sum(1 for r in self.results if r.correct is None) if self.filling else 0

    @property
    def unanswered(self) -> int:
        return 0 if self.filling else sum(1 for r in self.results if r.correct is None)

    @property
    def passed(self) -> bool:
        """Exit status 0: nothing wrong, nothing left unanswered."""
        return not self.wrong and not self.unanswered


def check_file(path: str | Path, *, filling: bool = False, allow: Sequence[str | Path] = ()) -> CheckReport:
    """Check an answer file; its ``network:`` files are read from under its folder or a folder in `allow`."""
    path = Path(path)
    return check_document(sheet.read(path)[1], path, filling=filling, allow=allow)


def check_text(text: str, filename: str = "<answers>", base: Path | None = None, *,
               filling: bool = False, allow: Sequence[str | Path] = ()) -> CheckReport:
    return check_document(sheet.load(text, filename), base or Path(filename), filling=filling, allow=allow)


def check_document(doc: Any, path: Path, *, filling: bool = False, allow: Sequence[str | Path] = ()) -> CheckReport:
    found, shared = sheet.entries(doc, path)
    networks = sheet.Networks(path, allow)
    problems: list[Problem] = []
    results: list[Result] = []
    warnings: list[Msg] = []
    for number, (entry, _) in enumerate(found, start=1):
        setting = sheet.setting(entry, shared, path, networks)
        problems.append(Problem(number, setting.net.report.name, setting.question))
        warnings += setting.warnings
        given = setting.answers
        results += [_result(number, setting.net, key, given[key], given.key_locations[key], given.loc(key),
                            setting.layouts) for key in given]
    title = doc.get("title", "")
    check_no_control(str(title), "title", doc.loc("title"))
    return CheckReport(str(path), str(title), tuple(problems), tuple(results), filling, tuple(warnings))


def _result(number: int, net: Net, key: str, value: Any, key_where: Location, where: Location,
            layouts: tuple[str, ...]) -> Result:
    name, _, quantity = key.rpartition(".")
    if not name:
        name = net.report.layers[0].name if len(net.report.layers) == 1 else targets.TOTAL
    try:
        target = targets.find(net, name)
        expected = targets.value(net, target, quantity)
    except CnnCalcError as exc:
        raise exc.at(key_where) from None
    given = answers.parse(value, quantity)
    correct = None if given.fill else answers.matches(given, expected, layouts)
    mistake: Msg | None = None
    codes: tuple[str, ...] = ()
    if correct is False and given.kind != "unreadable":
        found = mistakes.recognise(mistakes.Context(net, target, quantity, expected, given, layouts))
        mistake, codes = found if found else (None, ())
    shown = layouts[0] if len(layouts) == 1 else "chw" if given.fill else answers.written_layout(given, expected)
    notes = [n for n in (targets.contents(net, target), _units(given, expected, quantity)) if n is not None]
    return Result(number, net.report.name, key, given.text, expected, answers.show(expected, shown), correct,
                  mistake, tuple(targets.steps(net, target, quantity)), where,
                  answers.yaml_text(expected, layouts[0] if len(layouts) == 1 else "chw"), codes, given.reason,
                  tuple(notes))


def _units(given: answers.Given, expected: Value, quantity: str) -> Msg | None:
    """A memory answer's unit, and the right value in every unit: 4,993,696 B = 4.99 MB = 4.76 MiB."""
    if quantity not in answers.MEMORY or not isinstance(expected, int) or given.kind != "number":
        return None
    units = in_units(expected)
    scale = "MB" if expected < 10**9 else "GB"
    binary = scale[0] + "iB"
    return Msg("the answer is in {unit}; {b} B = {d} {scale} = {i} {binary}", unit=given.memory_unit or "B",
               b=units["B"], d=units[scale], scale=scale, i=units[binary], binary=binary)


# -- the answer key -----------------------------------------------------------------------------------


def fill(report: CheckReport, source: Path, output: Path | None = None, *, force: bool = False) -> Path:
    """Write `source` with every ``?`` replaced by the right value (to `output`, default in place).

    Comments, layout and line endings are kept; the file is written by `cnncalc.render.files`
    (whole, through a symbolic link, its mode and hard links kept). An `output` that exists
    (other than `source` itself) is replaced only with `force`.
    """
    from cnncalc.render.files import write_text

    try:
        lines = source.read_bytes().decode("utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError) as exc:
        raise CnnCalcError(f"cannot read the answer file again: {exc}", Location(str(source))) from None
    by_line: dict[int, list[Result]] = {}
    for result in report.results:
        if result.correct is None:
            by_line.setdefault(result.location.line - 1, []).append(result)
    for k, results in by_line.items():
        # the '?'s of a line in order (columns moved when earlier bare ones were quoted for YAML)
        tokens = list(_QUESTION.finditer(lines[k].rstrip("\r\n"))) if k < len(lines) else []
        if len(tokens) != len(results):
            raise CnnCalcError("cannot find the '?' to fill in; write each on its own line", results[0].location)
        line = lines[k]
        for token, result in sorted(zip(tokens, sorted(results, key=lambda r: r.location.column), strict=True),
                                    key=lambda pair: -pair[0].start(1)):
            line = line[:token.start(1)] + result.fill_text + line[token.end(1):]
        lines[k] = line
    target = output or source
    in_place = target.exists() and source.exists() and os.path.samefile(target, source)
    return write_text(target, "".join(lines), force=force or in_place)


__all__ = ["CheckReport", "Problem", "Result", "check_file", "check_text", "fill"]
