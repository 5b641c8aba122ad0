"""A quiz written out: ``STEM.md`` (the questions), ``STEM.key.yaml`` (the answers), ``STEM.sheet.yaml``.

The key and the sheet are answer files that `cnncalc check` reads, in the quiz's
layout (``layout: hwc`` and H×W×C shapes when the questions use them); the sheet
is the key with every answer ``?``. The text is rendered in the given language.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cnncalc.homework.answers import yaml_text
from cnncalc.homework.quiz import Quiz, QuizProblem
from cnncalc.layers.text import ENGLISH, Language, Msg


def markdown(quiz: Quiz, sheet_name: str, language: Language = ENGLISH) -> str:
    def tr(msg: Msg) -> str:
        return msg.render(language)

    lines = [f"# {tr(quiz.title)}", "", tr(Msg("_Made with `{command}`._", command=quiz.command)), ""]
    number = 0
    for problem in quiz.problems:
        lines += [tr(problem.intro), ""]
        for question in problem.questions:
            number += 1
            lines.append(f"{number}. {tr(question.text)} (`{question.key}`)")
        lines.append("")
    shapes = "55x55x96" if quiz.layout == "hwc" else "[96, 55, 55]"
    lines += [tr(Msg("Write the answers in `{sheet}` in place of each `?` (shapes as {shapes}; `~0.72G`-style "
                     "approximations and `± 1%` tolerances are accepted), then run `cnncalc check {sheet}`.",
                     sheet=sheet_name, shapes=shapes)), ""]
    return "\n".join(lines)


def answers_yaml(quiz: Quiz, base: Path, *, blank: bool = False, language: Language = ENGLISH) -> str:
    """The answer key as an answer file (`blank`: every answer '?', the sheet students fill in).

    A network path is written relative to `base`, the folder the file goes in.
    """
    lines = [f"# {'Answer sheet' if blank else 'Answer key'}: {quiz.command}"]
    if quiz.layout == "hwc":
        lines.append("layout: hwc")
    items = [_problem_lines(p, base, blank, quiz.layout, language) for p in quiz.problems]
    if len(items) == 1:
        lines += items[0]
    else:
        lines.append("problems:")
        for item in items:
            lines.append("  - " + item[0])
            lines += ["    " + line for line in item[1:]]
    return "\n".join(lines) + "\n"


def _problem_lines(problem: QuizProblem, base: Path, blank: bool, layout: str, language: Language) -> list[str]:
    lines = [f"question: {json.dumps(problem.intro.render(language), ensure_ascii=False)}"]
    for key, value in problem.source.items():
        if key == "network" and Path(value).suffix in (".yaml", ".yml"):
            value = os.path.relpath(Path(value).resolve(), base.resolve())
        if key == "input" and layout == "hwc":
            value = "x".join(map(str, value))
        lines.append(f"{key}: {_flow(value)}")
    lines.append("answers:")
    lines += [f"  {q.key}: {'?' if blank else yaml_text(q.answer, layout)}" for q in problem.questions]
    return lines


def _flow(value: Any) -> str:
    """A value as YAML flow text (JSON-compatible, keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return value if value.replace("x", "").isdigit() else json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def stem_of(output: str | None, default: str) -> Path:
    """The stem the files are named from: `output`, or `default` inside it when it is a folder (``out/``,
    ``.``), or `default` in the current folder when there is no `output`."""
    if output is None:
        return Path(default)
    if output.endswith(("/", os.sep)) or Path(output).is_dir():
        return Path(output) / default
    return Path(output)


def write(quiz: Quiz, stem: Path, language: Language = ENGLISH, *, force: bool = False) -> tuple[Path, Path, Path]:
    """Write ``STEM.md`` (the questions), ``STEM.key.yaml`` (the answers) and ``STEM.sheet.yaml``: all
    three, or none when one of them cannot be written (or exists, without `force`)."""
    from cnncalc.render.files import writable, write_text

    md, key, sheet = (stem.parent / f"{stem.name}{suffix}" for suffix in (".md", ".key.yaml", ".sheet.yaml"))
    if not stem.name or stem.name in (".", ".."):
        raise ValueError(f"a quiz needs a file stem, received {stem}")
    texts = {key: answers_yaml(quiz, key.parent, language=language),
             sheet: answers_yaml(quiz, sheet.parent, blank=True, language=language),
             md: markdown(quiz, sheet.name, language)}
    for path in texts:
        writable(path, force=force)
    for path, text in texts.items():
        write_text(path, text, force=force)
    return md, key, sheet


__all__ = ["answers_yaml", "markdown", "stem_of", "write"]
