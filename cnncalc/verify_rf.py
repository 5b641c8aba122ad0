"""Receptive fields measured by gradients, to check the analytic ones.

For a chosen layer, one of its central output units is back-propagated to the
network input through a copy of the network made linear: every layer lowered
by its `Layer.to_torch_linear` stand-in (non-linearities become identities,
max pooling a sum over the same windows), every weight a positive constant,
and after every layer the gradient reset to 1 where it is non-zero (see
`cnncalc.backends.torch.support`). The extent of the non-zero input gradient
along each spatial axis is the unit's receptive field.

The input is enlarged so that the field is not clipped by the border: an axis
grows by multiples of the network's total stride (so that every intermediate
size keeps its remainder and merges still line up) until the central unit's
analytic field lies inside it. When the fields are large, each axis is measured
in its own run with the other axes as small as the network allows, which costs
far less than an input enlarged in every direction.

Status of a field: ``exact`` (the analytic size must be measured exactly),
``bound`` (the analytic size is the largest over units, after a transposed
convolution or uneven adaptive bins: the measurement may not exceed it),
``approximate`` (branches with different jumps merged: the analytic size is the
first unit's; shown, not checked), ``global`` (the units see the whole input:
not measured), ``unmeasured`` (no input size holds the field: a failure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc.analysis import LayerReport, Report, analyze_graph
from cnncalc.dsl.expand import INPUT
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph, build
from cnncalc.layers.base import Shape, numel
from cnncalc.layers.rf import RF

if TYPE_CHECKING:
    import torch

MAX_TRIES = 16  # input sizes tried per axis before measuring a field clipped by the border
NARROW = 64  # pixels of a field kept inside the input along an axis that is not being measured


@dataclass(frozen=True)
class FieldCheck:
    """One layer's receptive field: analytic and measured size per spatial axis.

    `expected` is the analytic size, except along an axis where no input size holds
    the central unit's analytic field (it reaches into the padding at every size, as
    after adaptive pooling to one or two bins): there the measurement sees the
    field clipped to the input, and the analytic field clipped to the input is an
    upper bound (padding inside the network, or a floored strided layer, may hide
    border rows from the unit). `at_most` marks the axes compared with ≤: those,
    and all of them for a ``bound``.
    """

    name: str
    status: str  # exact | bound | approximate | global | unmeasured
    analytic: tuple[int, ...]
    measured: tuple[int, ...]
    expected: tuple[int, ...]
    at_most: tuple[bool, ...]
    inputs: tuple[Shape, ...]  # the input shapes it was measured on (one per run)

    @property
    def ok(self) -> bool:
        if self.status in ("exact", "bound"):
            return all(m <= e if le else m == e
                       for m, e, le in zip(self.measured, self.expected, self.at_most, strict=True))
        return self.status != "unmeasured"

    @property
    def clipped(self) -> bool:
        return self.expected != self.analytic


def default_targets(report: Report) -> list[str]:
    """The last layer with a spatial field and three intermediate ones, evenly spaced."""
    spatial = [r.name for r in report.layers if not r.rf.whole]
    if not spatial:
        return []
    picks = {spatial[-1], *(spatial[len(spatial) * k // 4] for k in (1, 2, 3))}
    return [n for n in spatial if n in picks]


def measure_fields(graph: Graph, report: Report, names: Sequence[str], device: str = "cpu") -> list[FieldCheck]:
    """Measure the receptive fields of the named layers (global ones are reported as such)."""
    rows = {r.name: r for r in report.layers}
    targets = [n for n in names if not rows[n].rf.whole]
    sub = _ancestors(graph, targets)
    # per target and axis: analytic, measured, expected, at most, status, input shape
    found: dict[str, dict[int, tuple[int, int, int, bool, str, Shape]]] = {t: {} for t in targets}
    for shape, axes in _plans(sub, report.input_shape, targets) if targets else []:
        sub_graph = _with_input(sub, shape)
        sub_report = analyze_graph(sub_graph)
        statuses = _statuses(sub_graph, sub_report)
        sizes = _run(sub_graph, sub_report, targets, axes, device)
        sub_rows = {r.name: r for r in sub_report.layers}
        for t in targets:
            for a in axes:
                analytic = sub_rows[t].rf.size_ints()[a]
                lo, hi = _window(sub_rows[t], a, shape[1 + a])
                clipped = max(lo, Fraction(0)), min(hi, Fraction(shape[1 + a] - 1))
                expected = analytic
                if clipped != (lo, hi) and statuses[t] == "exact":  # a bound's position is not exact either
                    expected = math.floor(clipped[1]) - math.ceil(clipped[0]) + 1
                # clipped: padding inside the network may stand for input rows at the border, so the
                # analytic field clipped to the input is only an upper bound there
                at_most = statuses[t] == "bound" or clipped != (lo, hi)
                found[t][a] = (analytic, sizes[t][a], expected, at_most, statuses[t], shape)
    checks = []
    for name in names:
        if rows[name].rf.whole:
            checks.append(FieldCheck(name, "global", (), (), (), (), ()))
            continue
        if not found[name]:
            size = rows[name].rf.size_ints()
            checks.append(FieldCheck(name, "unmeasured", size, (), size, (), ()))
            continue
        per_axis = [found[name][a] for a in sorted(found[name])]
        states = {p[4] for p in per_axis}
        status = next(s for s in ("approximate", "bound", "exact") if s in states)
        checks.append(FieldCheck(name, status, tuple(p[0] for p in per_axis), tuple(p[1] for p in per_axis),
                                 tuple(p[2] for p in per_axis), tuple(p[3] for p in per_axis),
                                 tuple(dict.fromkeys(p[5] for p in per_axis))))
    return checks


def _ancestors(graph: Graph, targets: Sequence[str]) -> Graph:
    """The part of the graph the targets depend on, with the last target as output."""
    by_name = {n.name: n for n in graph.order}
    needed: set[str] = set()
    stack = list(targets)
    while stack:
        name = stack.pop()
        if name in needed or name == INPUT:
            continue
        needed.add(name)
        stack.extend(by_name[name].inputs)
    layers = tuple(s for s in graph.spec.layers if s.name in needed)
    return build(replace(graph.spec, layers=layers, output=targets[-1] if targets else graph.output))


def _with_input(graph: Graph, shape: Shape) -> Graph:
    return Graph(replace(graph.spec, input_shape=shape), graph.order, graph.last_use)


def _analyze(graph: Graph, shape: Shape) -> Report | None:
    try:
        return analyze_graph(_with_input(graph, shape))
    except CnnCalcError:
        return None


def _window(row: LayerReport, axis: int, n: int) -> tuple[Fraction, Fraction]:
    """The analytic field [lo, hi] of the unit of `row` nearest the centre of an axis of size n."""
    rf = row.rf
    c = rf.start[axis] + _central(row, axis, n) * rf.jump[axis]
    half = (rf.size[axis] - 1) / 2
    return Fraction(c - half), Fraction(c + half)


def _inside(report: Report, targets: Sequence[str], axis: int, shape: Shape) -> bool:
    """Every target's central unit has its whole analytic field inside the input along `axis`,
    or covers all of it and more (a field that grows with the input: see `FieldCheck`)."""
    rows = {r.name: r for r in report.layers}
    n = shape[1 + axis]
    for t in targets:
        lo, hi = _window(rows[t], axis, n)
        if not (lo >= 0 and hi <= n - 1) and not (lo <= 0 and hi >= n - 1):
            return False
    return True


def _overlaps(report: Report, targets: Sequence[str], axis: int, shape: Shape) -> bool:
    """Along an axis that is not measured, every target's central field lies inside the input for
    `NARROW` pixels around its centre (or whole, if smaller): enough to hold a piece of every branch."""
    rows = {r.name: r for r in report.layers}
    n = shape[1 + axis]
    for t in targets:
        lo, hi = _window(rows[t], axis, n)
        size = rows[t].rf.size[axis]
        if min(hi, Fraction(n - 1)) - max(lo, Fraction(0)) + 1 < min(size, Fraction(NARROW)):
            return False
    return True


def _plans(graph: Graph, original: Shape, targets: Sequence[str]) -> list[tuple[Shape, tuple[int, ...]]]:
    """Input shapes to measure on, and the axes each one measures."""
    base = _analyze(graph, original)
    if base is None:
        raise CnnCalcError("the layers whose receptive fields are measured do not analyse on their own")
    rank = len(original) - 1
    step = [_step(base, a) for a in range(rank)]
    spatial = [r.rf for r in base.layers if not r.rf.whole]
    big: list[int] = []
    for a in range(rank):
        need = max(math.ceil(rf.size[a] + 4 * rf.jump[a]) for rf in spatial)
        m = max(0, -(-(need - original[1 + a]) // step[a]))
        fallback = None  # the first size that analyses: fields that always reach the border are clipped
        for _ in range(MAX_TRIES):
            shape = _set(original, a, original[1 + a] + m * step[a])
            report = _analyze(graph, shape)
            if report is not None and _inside(report, targets, a, shape):
                big.append(shape[1 + a])
                break
            if report is not None and fallback is None:
                fallback = shape[1 + a]
            m += 1
        else:
            if fallback is None:
                return []  # no input size analyses: the fields are reported unmeasured
            big.append(fallback)
    everywhere = (original[0], *big)
    single = _analyze(graph, everywhere) is not None
    if single and (rank == 1 or numel(everywhere[1:]) <= 2 * max(big) * min(original[1:])):
        return [(everywhere, tuple(range(rank)))]
    plans: list[tuple[Shape, tuple[int, ...]]] = []
    for a in range(rank):
        plans.append((_narrow(graph, original, targets, a, big, step), (a,)))
    cost = sum(numel(p[0][1:]) for p in plans)
    if single and numel(everywhere[1:]) <= cost:
        return [(everywhere, tuple(range(rank)))]
    return plans


def _narrow(graph: Graph, original: Shape, targets: Sequence[str], axis: int, big: Sequence[int],
            step: Sequence[int]) -> Shape:
    """Axis `axis` at its enlarged size, the other axes as small as the network analyses with
    while still holding every field there (`_overlaps`); at worst the others enlarged too."""
    rank = len(original) - 1
    smallest = [(original[1 + b] - 1) % step[b] + 1 for b in range(rank)]
    k = 0
    while True:
        sizes = [big[b] if b == axis else min(big[b], smallest[b] + k * step[b]) for b in range(rank)]
        shape = (original[0], *sizes)
        report = _analyze(graph, shape)
        if report is not None and all(_overlaps(report, targets, b, shape) for b in range(rank) if b != axis):
            return shape
        if sizes == list(big):  # some field reaches the border on another axis at any size
            return shape if report is not None else _set(original, axis, big[axis])
        k = 2 * k + 1


def _step(report: Report, axis: int) -> int:
    """The least common multiple of the jumps' numerators along an axis: the network's total stride."""
    step = 1
    for row in report.layers:
        if not row.rf.whole:
            step = math.lcm(step, Fraction(row.rf.jump[axis]).numerator)
    return step


def _set(shape: Shape, axis: int, value: int) -> Shape:
    return tuple(value if k == 1 + axis else d for k, d in enumerate(shape))


def _statuses(graph: Graph, report: Report) -> dict[str, str]:
    """exact / bound / approximate per layer, from its inputs and its own `Layer.rf_exact`.

    A bound (after a transposed convolution or uneven adaptive bins) stays a bound
    through layers that do not widen the field; a window after it is approximate:
    its units are unevenly spaced, and the field's recurrence (with the average
    jump) bounds neither the largest nor the smallest field. So is a merge of
    branches whose jumps differ.
    """
    rank = len(report.input_shape) - 1
    fields = {INPUT: RF.of_input(rank), **{r.name: r.rf for r in report.layers}}
    status: dict[str, str] = {INPUT: "exact"}
    for node, row in zip(graph.order, report.layers, strict=True):
        ins = [status[i] for i in node.inputs]
        seen = [fields[i] for i in node.inputs if not fields[i].whole]
        wider = any(row.rf.size[a] > max(f.size[a] for f in seen) for a in range(rank))
        if "approximate" in ins or len({f.jump for f in seen}) > 1 or ("bound" in ins and wider):
            status[node.name] = "approximate"
        elif "bound" in ins or not node.layer.rf_exact(row.input_shapes, row.output_shape):
            status[node.name] = "bound"
        else:
            status[node.name] = "exact"
    return status


def _run(graph: Graph, report: Report, targets: Sequence[str], axes: Sequence[int],
         device: str) -> dict[str, dict[int, int]]:
    """One forward pass of the linear copy; one backward pass per target; extents per axis."""
    import torch

    from cnncalc.backends.torch import lower

    built = lower(graph, report, rf_copy=True, outputs=targets, device="meta")
    module = built.module.to_empty(device=device)
    _fill_positive(module)
    x = torch.ones((1, *report.input_shape), device=device, requires_grad=True)
    outs = module(x)
    rows = {r.name: r for r in report.layers}
    result: dict[str, dict[int, int]] = {}
    for t, out in zip(targets, outs, strict=True):
        row = rows[t]
        rank = len(row.output_shape) - 1
        unit = tuple(_central(row, a, report.input_shape[1 + a]) for a in range(rank))
        (grad,) = torch.autograd.grad(out[(0, slice(None), *unit)].sum(), x, retain_graph=True)
        reached = grad[0].ne(0).any(dim=0)
        result[t] = {}
        for a in axes:
            other = tuple(b for b in range(rank) if b != a)
            line = reached.any(dim=other) if other else reached
            hits = torch.nonzero(line).flatten()
            result[t][a] = int(hits.max() - hits.min() + 1) if len(hits) else 0
    return result


def _central(row: LayerReport, axis: int, n: int) -> int:
    """The index of the unit whose field is centred nearest the middle of an input axis of size n."""
    rf = row.rf
    count = row.output_shape[1 + axis]
    return int(min(max(round((Fraction(n - 1, 2) - rf.start[axis]) / rf.jump[axis]), 0), count - 1))


def _fill_positive(module: torch.nn.Module) -> None:
    """Weights 1/fan-in (each unit averages its inputs), other parameters 1, BN statistics neutral."""
    import torch

    with torch.no_grad():
        for p in module.parameters():
            p.fill_(1.0 / (p.numel() // p.shape[0]) if p.dim() >= 2 else 1.0)
        for name, b in module.named_buffers():
            b.fill_(1 if name.endswith("running_var") else 0)


__all__ = ["FieldCheck", "default_targets", "measure_fields"]
