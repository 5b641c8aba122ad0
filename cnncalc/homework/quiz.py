"""Quizzes for teachers: exactly ``n`` questions, an answer key that `cnncalc check` accepts, a blank sheet.

`network_quiz` draws questions about one network: its conv and linear layers and
block instances (output shape, parameters, MACs, receptive field), its pooling
layers, its totals and its last feature map are favoured, and at most one
question in five is about a normalisation or activation layer. A question names
the layer and, unless that would give the answer away, its arguments.
`single_quiz` draws problems of one to three layers (convolution, max pooling,
fully connected) whose windows tile exactly; the receptive field is asked only
of a chain, where it is more than the kernel. Every answer is the analysis's own
value for the key (`targets.value`), so keys are right by construction. Both
draw from ``random.Random(seed)`` over candidates in a fixed order: the same seed
gives the same quiz. The text is messages; `quiz_files` writes them in a language.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from cnncalc.errors import CnnCalcError
from cnncalc.homework import targets
from cnncalc.homework.layout import axes, in_layout
from cnncalc.homework.targets import Net
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.steps import Value
from cnncalc.layers.text import Msg

MAX_QUESTIONS = 200
WEIGHTS = {"weighted": 4, "total": 3, "pooling": 2, "other": 1}  # how often each kind of question is drawn
MAX_BLOCK = 15  # block instances of at most this many layers are asked about (a fire module, not a stage)
OTHER_SHARE = 5  # at most one question in this many is about a normalisation or activation layer
ASKED = {
    "output_shape": Msg("What is the output shape of `{name}` ({what})? Write it {axes}."),
    "params": Msg("How many parameters (weights and biases) does `{name}` ({what}) have?"),
    "rf": Msg("How large is the receptive field of one output unit of `{name}` ({what}), in input pixels?"),
    "macs": Msg("How many multiply-accumulates (MACs) does `{name}` ({what}) take for one image?"),
}
ASKED_TOTAL = {
    "params": Msg("How many parameters does the whole network have?"),
    "macs": Msg("How many multiply-accumulates (MACs) does the network take for one image?"),
    "depth": Msg("How many conv and linear layers lie on the longest path from input to output (its depth)?"),
}
LAST_MAP = Msg("What is the shape of the last feature map, the output of `{name}`, before the classifier? "
               "Write it {axes}.")


@dataclass(frozen=True)
class Question:
    key: str
    text: Msg
    answer: Value


@dataclass(frozen=True)
class QuizProblem:
    """One problem: what it is about (answer-file keys: network or layers + input) and its questions."""

    intro: Msg
    source: dict[str, Any]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Quiz:
    title: Msg
    command: str
    problems: tuple[QuizProblem, ...]
    layout: str = "chw"

    @property
    def count(self) -> int:
        return sum(len(p.questions) for p in self.problems)


def _count(n: int) -> None:
    if not 1 <= n <= MAX_QUESTIONS:
        raise CnnCalcError(f"the number of questions must be between 1 and {MAX_QUESTIONS}, received {n}")


def answer_texts(answer: Value, layout: str) -> set[str]:
    """The ways an answer could be read off a question: ``4096``, ``4,096``, ``55×55×96``, ``11``."""
    if isinstance(answer, tuple):
        sizes = tuple(int(d) for d in answer)
        return {fmt_shape(in_layout(sizes, layout)), fmt_shape(sizes)} | ({str(sizes[0])} if len(sizes) == 1 else set())
    return {str(answer), f"{answer:,}"} if isinstance(answer, int) else {str(answer)}


def gives_away(text: str, answer: Value, layout: str) -> bool:
    """Whether `text` contains the answer as a whole number or shape."""
    import re

    return any(re.search(rf"(?<![\d.,×]){re.escape(a)}(?![\d.,×])", text) for a in answer_texts(answer, layout))


def _candidates(net: Net) -> dict[str, list[tuple[int, str, str]]]:
    """(order, key, quantity) per kind of question: weighted, pooling, other (norm/activation), total."""
    found: dict[str, list[tuple[int, str, str]]] = {kind: [] for kind in WEIGHTS}
    report = net.report
    for k, row in enumerate(report.layers):
        reshapes = tuple(row.output_shape) != tuple(row.input_shapes[0])
        spatial = len(row.output_shape) > 1 and not row.rf.whole
        if net.layer(row).WEIGHTED:
            kind, asked = "weighted", ["output_shape", "params", "macs"] + (["rf"] if spatial else [])
        elif reshapes:
            kind, asked = "pooling", ["output_shape"] + (["rf"] if spatial else [])
        else:
            kind, asked = "other", ["params"] if row.params else []
        found[kind] += [(k, row.name, q) for q in asked]
    for block in report.blocks:
        members = sum(1 for r in report.layers if block.path in r.scope)
        if members <= MAX_BLOCK and block.out in net.index:
            k = net.index[block.out]
            found["weighted"] += [(k, block.path, q) for q in ("output_shape", "params")]
    found["total"] = [(len(report.layers) + j, targets.TOTAL, q) for j, q in enumerate(ASKED_TOTAL)]
    grids = [k for k, r in enumerate(report.layers)
             if len(r.output_shape) > 1 and any(d > 1 for d in r.output_shape[1:])]
    if grids and grids[-1] < len(report.layers) - 1:
        last = report.layers[grids[-1]].name
        outer = sorted((b.path for b in report.blocks if b.out == last), key=len)  # the stage it ends, if any
        found["total"].append((grids[-1], outer[0] if outer else last, "last_map"))
    return found


def network_quiz(net: Net, source: str, n: int, seed: int, layout: str = "chw") -> Quiz:
    """`n` questions about `net`, drawn with `seed`, weighted layers and totals favoured."""
    _count(n)
    rng = random.Random(seed)
    pools = {kind: rng.sample(items, len(items)) for kind, items in _candidates(net).items()}
    caps = {"other": n // OTHER_SHARE}
    taken = {kind: 0 for kind in WEIGHTS}
    drawn: list[tuple[int, str, str]] = []
    keys: set[tuple[str, str]] = set()
    while len(drawn) < n:
        kinds = [k for k in WEIGHTS if pools[k] and taken[k] < caps.get(k, n)]
        if not kinds:
            raise CnnCalcError(f"{net.report.name} has only {len(drawn)} questions to draw; ask for fewer")
        kind = rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds])[0]
        item = pools[kind].pop()
        key = (item[1], "output_shape" if item[2] == "last_map" else item[2])
        if key not in keys:
            keys.add(key)
            drawn.append(item)
            taken[kind] += 1
    questions = [_question(net, name, quantity, layout) for _, name, quantity in sorted(drawn)]
    report = net.report
    source_keys: dict[str, Any] = {"network": source, "input": list(in_layout(report.input_shape, layout))}
    intro = Msg("{title} on a {shape} input ({axes}).", title=report.title,
                shape=fmt_shape(in_layout(report.input_shape, layout)), axes=axes(len(report.input_shape), layout))
    command = f"cnncalc quiz {source} -n {n} --seed {seed}" + (" --layout hwc" if layout == "hwc" else "")
    return Quiz(Msg("Quiz: {title}", title=report.title), command, (QuizProblem(intro, source_keys,
                                                                                tuple(questions)),), layout)


def _question(net: Net, name: str, quantity: str, layout: str) -> Question:
    if quantity == "last_map":
        shape = targets.value(net, targets.find(net, name), "output_shape")
        assert isinstance(shape, tuple)
        return Question(f"{name}.output_shape", Msg(LAST_MAP.text, name=name, axes=axes(len(shape), layout)), shape)
    target = targets.find(net, name)
    answer = targets.value(net, target, quantity)
    if target.is_total:
        return Question(f"{name}.{quantity}", ASKED_TOTAL[quantity], answer)
    assert target.output is not None
    what: Msg | str
    if target.is_block:
        block = next(b for b in net.report.blocks if b.path == name)
        what = Msg("a {block} block", block=block.block)
    else:
        row = net.report.layers[target.output]
        described = f"{row.type} {row.description}".strip()
        what = row.type if gives_away(described, answer, layout) else described
    rank = len(answer) if isinstance(answer, tuple) else 0
    return Question(f"{name}.{quantity}", Msg(ASKED[quantity].text, name=name, what=what, axes=axes(rank, layout)),
                    answer)


__all__ = ["MAX_QUESTIONS", "Question", "Quiz", "QuizProblem", "gives_away", "network_quiz"]
