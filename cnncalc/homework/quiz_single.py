"""Single-layer and chained problems for `cnncalc quiz --single`, as the notes' exercises are set.

A problem is one to three layers (convolution, max pooling, fully connected) on an
input whose windows tile exactly at every step. One layer: its output volume,
parameters and MACs. A chain: the output of a middle layer, the parameters and
MACs in all, and the receptive field of the last layer, which is then more than
its kernel. Problems are drawn until exactly ``n`` questions are asked.
"""

from __future__ import annotations

import json
import random
from typing import Any

import cnncalc
from cnncalc.homework import targets
from cnncalc.homework.layout import axes, in_layout
from cnncalc.homework.quiz import Question, Quiz, QuizProblem, _count
from cnncalc.homework.targets import Net
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.text import Msg, Plural

CHANNELS = (1, 3, 16, 32, 64, 96, 128, 256)
FILTERS = (6, 8, 10, 16, 32, 64, 96, 128, 256)
SIZES = (5, 7, 13, 14, 27, 28, 32, 55, 56, 64, 112, 224, 227)
Layer = tuple[dict[str, Any], Msg]  # the YAML entry and how the problem states it

ONE = {
    "output_shape": Msg("What is the output volume's size? Write it {axes}."),
    "params": Msg("How many parameters (weights and biases) does the layer have?"),
    "macs": Msg("How many multiply-accumulates (MACs) does it take?"),
}
CHAIN = {
    "middle": Msg("What is the output size after layer {k}? Write it {axes}."),
    "params": Msg("How many parameters (weights and biases) do the layers have in all?"),
    "rf": Msg("How large is the receptive field of one output unit of the last layer, in input pixels?"),
    "macs": Msg("How many multiply-accumulates (MACs) do the layers take in all?"),
}


def _tiles(n: int, k: int, s: int, p: int) -> bool:
    return n + 2 * p >= k and (n + 2 * p - k) % s == 0


def _out(n: int, k: int, s: int, p: int) -> int:
    return (n + 2 * p - k) // s + 1


def _conv(rng: random.Random, n: int, chained: bool = False) -> tuple[Layer, int] | None:
    for _ in range(20):
        k = rng.choice(((1,) if not chained else ()) + ((3, 5, 7, 11) if n >= 11 else (3, 5)))
        s = rng.choice((1, 1, 2, 4) if k > 3 else (1, 1, 2))
        p = rng.choice((0, (k - 1) // 2))
        if _tiles(n, k, s, p):
            out = rng.choice(FILTERS)
            text = Msg("a convolution with {filters} of {k}×{k}, stride {s}, padding {p}",
                       filters=Plural(out, "filter", "filters"), k=k, s=s, p=p)
            return ({"conv": {"out": out, "kernel": k, "stride": s, "padding": p}}, text), _out(n, k, s, p)
    return None


def _pool(rng: random.Random, n: int) -> tuple[Layer, int] | None:
    options = [(k, s) for k, s in ((2, 2), (3, 2), (3, 3), (2, 1)) if _tiles(n, k, s, 0)]
    if not options:
        return None
    k, s = rng.choice(options)
    text = Msg("max pooling {k}×{k} with stride {s}", k=k, s=s)
    return ({"maxpool": {"kernel": k, "stride": s}}, text), _out(n, k, s, 0)


def _linear(rng: random.Random) -> Layer:
    out = rng.choice((10, 100, 1000, 4096))
    return {"linear": {"out": out}}, Msg("a fully connected layer with {outputs}, on the flattened input",
                                         outputs=Plural(out, "output", "outputs"))


def _layers(rng: random.Random) -> tuple[tuple[int, int], list[Layer]]:
    """An input (C, N) and one to three layers that tile it exactly."""
    while True:
        count = rng.choice((1, 2, 2, 3))
        c = rng.choice(CHANNELS)
        n = rng.choice(SIZES)
        if count == 1:
            if rng.random() < 0.2:
                c, n = rng.choice(((1, 5), (1, 28), (3, 32), (256, 6), (512, 7)))
                return (c, n), [_linear(rng)]
            made = _conv(rng, n) if rng.random() < 0.7 else _pool(rng, n)
            if made:
                return (c, n), [made[0]]
            continue
        chain: list[Layer] = []
        size = n
        for k in range(count):
            made = _conv(rng, size, chained=True) if k % 2 == 0 or rng.random() < 0.5 else _pool(rng, size)
            if made is None:
                break
            chain.append(made[0])
            size = made[1]
        if len(chain) == count and size > 1:
            return (c, n), chain


def _net(c: int, n: int, layers: list[Layer]) -> Net:
    entries = ", ".join(json.dumps(entry) for entry, _ in layers)
    return Net.of(cnncalc.load_text_graph(f"name: problem\ninput: [{c}, {n}, {n}]\nlayers: [{entries}]\n",
                                          "<quiz>"))


def _problem(rng: random.Random, layout: str) -> QuizProblem:
    (c, n), layers = _layers(rng)
    net = _net(c, n, layers)
    shape = (c, n, n)
    written = fmt_shape(in_layout(shape, layout))
    if len(layers) == 1:
        intro = Msg("On a {shape} input ({axes}): {layer}.", shape=written, axes=axes(3, layout), layer=layers[0][1])
        asked = [q for q in ONE if q == "output_shape" or getattr(net.report.totals, q)]  # no "params of a pool"
        questions = [Question(q, Msg(ONE[q].text, axes=axes(len(net.report.totals.output_shape), layout)),
                              targets.value(net, targets.find(net, targets.TOTAL), q)) for q in asked]
        return QuizProblem(intro, {"layer": layers[0][0], "input": list(in_layout(shape, layout))}, tuple(questions))
    steps = Msg("; ".join(f"{{l{k}}}" for k in range(len(layers))),
                **{f"l{k}": Msg("layer {k}: {what}", k=k + 1, what=text) for k, (_, text) in enumerate(layers)})
    intro = Msg("On a {shape} input ({axes}), in turn: {layers}.", shape=written, axes=axes(3, layout), layers=steps)
    rows = net.report.layers
    middle = rng.randrange(len(rows) - 1)
    last = rows[-1].name
    found = [
        Question(f"{rows[middle].name}.output_shape", Msg(CHAIN["middle"].text, k=middle + 1, axes=axes(3, layout)),
                 tuple(rows[middle].output_shape)),
        Question("total.params", CHAIN["params"], net.report.totals.params),
        Question(f"{last}.rf", CHAIN["rf"], targets.value(net, targets.find(net, last), "rf")),
        Question("total.macs", CHAIN["macs"], net.report.totals.macs),
    ]
    return QuizProblem(intro, {"layers": [entry for entry, _ in layers], "input": list(in_layout(shape, layout))},
                       tuple(found))


def single_quiz(n: int, seed: int, layout: str = "chw") -> Quiz:
    """Problems of one to three layers, exactly `n` questions in all."""
    _count(n)
    rng = random.Random(seed)
    problems: list[QuizProblem] = []
    asked = 0
    while asked < n:
        problem = _problem(rng, layout)
        questions = problem.questions[:n - asked]
        problems.append(QuizProblem(problem.intro, problem.source, questions))
        asked += len(questions)
    command = f"cnncalc quiz --single -n {n} --seed {seed}" + (" --layout hwc" if layout == "hwc" else "")
    return Quiz(Msg("Quiz: layer by layer"), command, tuple(problems), layout)


__all__ = ["single_quiz"]
