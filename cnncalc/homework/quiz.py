"""Quizzes for teachers: questions in Markdown and an answer key that `cnncalc check` accepts.

`network_quiz` draws questions about one network (a layer's output shape,
parameters, receptive field or MACs; the totals); `single_quiz` draws
single-layer problems (convolution, max pooling, fully connected) whose sizes
tile exactly. Both draw from ``random.Random(seed)`` over candidates in a fixed
order, so the same seed gives the same quiz.
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncalc.errors import CnnCalcError
from cnncalc.homework import targets
from cnncalc.homework.answers import yaml_text
from cnncalc.homework.targets import Net
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.rf import field_value
from cnncalc.layers.steps import Value

MAX_QUESTIONS = 200
ASKED = {
    "output_shape": "What is the output shape of `{name}` ({what})? Write it C×H×W or H×W×C.",
    "params": "How many parameters (weights and biases) does `{name}` ({what}) have?",
    "rf": "How large is the receptive field of one output unit of `{name}` ({what}), in input pixels?",
    "macs": "How many multiply-accumulates (MACs) does `{name}` ({what}) take for one image?",
}
ASKED_TOTAL = {
    "params": "How many parameters does the whole network have?",
    "macs": "How many multiply-accumulates (MACs) does the network take for one image?",
    "depth": "How many conv and linear layers lie on the longest path from input to output (its depth)?",
    "jump": "By what factor does the network reduce the input's width before its last spatial layer "
            "(the product of the strides)?",
}


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    answer: Value


@dataclass(frozen=True)
class QuizProblem:
    """One problem: what it is about (answer-file keys: network or layer + input) and its questions."""

    intro: str
    source: dict[str, Any]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Quiz:
    title: str
    command: str
    problems: tuple[QuizProblem, ...]


def _count(n: int) -> None:
    if not 1 <= n <= MAX_QUESTIONS:
        raise CnnCalcError(f"the number of questions must be between 1 and {MAX_QUESTIONS}, received {n}")


def network_quiz(net: Net, source: str, n: int, seed: int) -> Quiz:
    """`n` questions about `net`, drawn with `seed` from its weighted and pooling layers and its totals."""
    _count(n)
    candidates: list[tuple[str, str]] = [(targets.TOTAL, q) for q in ASKED_TOTAL]
    for row in net.report.layers:
        reshapes = tuple(row.output_shape) != tuple(row.input_shapes[0])
        asked = {"output_shape": row.params or reshapes, "params": row.params, "macs": row.macs,
                 "rf": len(row.output_shape) > 1 and not row.rf.whole and (row.params or reshapes)}
        candidates += [(row.name, q) for q in ASKED if asked[q]]
    if n > len(candidates):
        raise CnnCalcError(f"{net.report.name} has only {len(candidates)} distinct questions; ask for fewer")
    drawn = random.Random(seed).sample(candidates, n)
    questions = []
    for name, quantity in drawn:
        target = targets.find(net, name)
        if target.is_total:
            text = ASKED_TOTAL[quantity]
        else:
            row = net.report.layers[target.rows[0]]
            what = f"{row.type} {row.description}".strip()
            text = ASKED[quantity].format(name=name, what=what)
        questions.append(Question(f"{name}.{quantity}", text, targets.value(net, target, quantity)))
    report = net.report
    source_keys: dict[str, Any] = {"network": source, "input": list(report.input_shape)}
    intro = f"{report.title} on a {fmt_shape(report.input_shape)} input (C×H×W)."
    return Quiz(f"Quiz: {report.title}", f"cnncalc quiz {source} -n {n} --seed {seed}",
                (QuizProblem(intro, source_keys, tuple(questions)),))


# -- single-layer problems ----------------------------------------------------------------------------

CHANNELS = (1, 3, 16, 32, 64, 96, 128, 256)
FILTERS = (6, 8, 10, 16, 32, 64, 96, 128, 256)
SIZES = (5, 7, 13, 14, 27, 28, 32, 55, 56, 64, 112, 224, 227)


def _tiles(n: int, k: int, s: int, p: int) -> bool:
    return n + 2 * p >= k and (n + 2 * p - k) % s == 0


def _conv(rng: random.Random) -> tuple[str, dict[str, Any], tuple[int, ...], tuple[str, ...]]:
    while True:
        k = rng.choice((1, 3, 5, 7, 11))
        s = rng.choice((1, 1, 2, 4) if k > 3 else (1, 1, 2))
        p = rng.choice((0, (k - 1) // 2))
        sizes = [n for n in SIZES if _tiles(n, k, s, p)]
        if sizes:
            break
    n, c, out = rng.choice(sizes), rng.choice(CHANNELS), rng.choice(FILTERS)
    text = (f"A convolution with {out} filters of {k}×{k}, stride {s}, padding {p} on a {n}×{n}×{c} input "
            "(H×W×C).")
    return text, {"conv": {"out": out, "kernel": k, "stride": s, "padding": p}}, (c, n, n), \
        ("output_shape", "params", "macs", "rf")


def _pool(rng: random.Random) -> tuple[str, dict[str, Any], tuple[int, ...], tuple[str, ...]]:
    k, s = rng.choice(((2, 2), (3, 2), (3, 3), (2, 1)))
    n = rng.choice([n for n in SIZES if _tiles(n, k, s, 0)])
    c = rng.choice(CHANNELS)
    text = f"Max pooling {k}×{k} with stride {s} on a {n}×{n}×{c} input (H×W×C)."
    return text, {"maxpool": {"kernel": k, "stride": s}}, (c, n, n), ("output_shape", "params", "rf")


def _linear(rng: random.Random) -> tuple[str, dict[str, Any], tuple[int, ...], tuple[str, ...]]:
    c, n = rng.choice(((1, 5), (1, 28), (3, 32), (256, 6), (512, 7), (3, 224)))
    out = rng.choice((10, 100, 1000, 4096))
    text = f"A fully connected layer with {out} outputs on a {n}×{n}×{c} input (H×W×C), flattened."
    return text, {"linear": {"out": out}}, (c, n, n), ("output_shape", "params", "macs")


SINGLE_ASKED = {
    "output_shape": "What is the output shape?",
    "params": "How many parameters (weights and biases)?",
    "macs": "How many multiply-accumulates (MACs)?",
    "rf": "How large is the receptive field of one output unit, in input pixels?",
}


def single_quiz(n: int, seed: int) -> Quiz:
    """`n` single-layer problems whose windows tile their inputs exactly."""
    from cnncalc.homework.worked import solve_layer

    _count(n)
    rng = random.Random(seed)
    problems = []
    for _ in range(n):
        make = rng.choice((_conv, _conv, _conv, _pool, _linear))
        text, entry, shape, asked = make(rng)
        [(kind, args)] = entry.items()
        solved = solve_layer(kind, args, [shape])
        assert solved.fits
        found: dict[str, Value] = {"output_shape": solved.output_shape, "params": solved.params,
                                   "macs": solved.macs, "rf": field_value(solved.rf)}
        questions = tuple(Question(q, SINGLE_ASKED[q], found[q]) for q in asked)
        problems.append(QuizProblem(text, {"layer": entry, "input": list(shape)}, questions))
    return Quiz("Quiz: single layers", f"cnncalc quiz --single -n {n} --seed {seed}", tuple(problems))


# -- writing ------------------------------------------------------------------------------------------


def markdown(quiz: Quiz, sheet_name: str) -> str:
    lines = [f"# {quiz.title}", "", f"_Made with `{quiz.command}`._", ""]
    number = 0
    for problem in quiz.problems:
        lines += [problem.intro, ""]
        for question in problem.questions:
            number += 1
            lines.append(f"{number}. {question.text} (`{question.key}`)")
        lines.append("")
    lines += [f"Write the answers in `{sheet_name}` in place of each `?` (shapes as 55x55x96 or [96, 55, 55]; "
              "`~0.72G`-style approximations and `± 1%` tolerances are accepted), then run "
              f"`cnncalc check {sheet_name}`.", ""]
    return "\n".join(lines)


def answers_yaml(quiz: Quiz, base: Path, *, blank: bool = False) -> str:
    """The answer key as an answer file (`blank`: every answer '?', the sheet students fill in).

    A network path is written relative to `base`, the folder the file goes in.
    """
    lines = [f"# {'Answer sheet' if blank else 'Answer key'}: {quiz.command}"]
    items = [_problem_lines(p, base, blank) for p in quiz.problems]
    if len(items) == 1:
        lines += items[0]
    else:
        lines.append("problems:")
        for item in items:
            lines.append("  - " + item[0])
            lines += ["    " + line for line in item[1:]]
    return "\n".join(lines) + "\n"


def _problem_lines(problem: QuizProblem, base: Path, blank: bool) -> list[str]:
    lines = [f"question: {json.dumps(problem.intro, ensure_ascii=False)}"]
    for key, value in problem.source.items():
        if key == "network" and Path(value).suffix in (".yaml", ".yml"):
            value = os.path.relpath(Path(value).resolve(), base.resolve())
        lines.append(f"{key}: {_flow(value)}")
    lines.append("answers:")
    lines += [f"  {q.key}: {'?' if blank else yaml_text(q.answer)}" for q in problem.questions]
    return lines


def _flow(value: Any) -> str:
    """A value as YAML flow text (JSON-compatible, keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value)


def write(quiz: Quiz, stem: Path) -> tuple[Path, Path, Path]:
    """Write ``STEM.md`` (the questions), ``STEM.key.yaml`` (the answers) and ``STEM.sheet.yaml``.

    The sheet is the key with every answer '?', for students to fill in and `check`.
    """
    from cnncalc.homework.check import write_atomic

    md, key, sheet = (stem.parent / f"{stem.name}{suffix}" for suffix in (".md", ".key.yaml", ".sheet.yaml"))
    write_atomic(key, answers_yaml(quiz, key.parent))
    write_atomic(sheet, answers_yaml(quiz, sheet.parent, blank=True))
    write_atomic(md, markdown(quiz, sheet.name))
    return md, key, sheet
