"""Receptive fields measured by gradients, to check the analytic ones.

For a chosen layer, one of its central output units is back-propagated to the
network input through a copy of the network made linear: every layer lowered
by its `Layer.to_torch_linear` stand-in (non-linearities become identities,
max pooling a sum over the same windows), every weight a positive constant,
and after every layer the gradient reset to 1 where it is non-zero (see
`cnncalc.backends.torch.support`). The extent of the non-zero input gradient
along each spatial axis is the unit's receptive field.

The input is enlarged so that the field is not clipped by the border (the sizes
are chosen by `cnncalc.verify_plan`), and the analytic field compared is the
one at that input.

Status of a field: ``exact`` (the analytic size must be measured exactly),
``bound`` (the analytic size is the largest over units, after a transposed
convolution or uneven adaptive bins: the measurement may not exceed it),
``approximate`` (a window after a bound, or branches with different jumps
merged: the recurrence, with an average jump, bounds nothing; shown, not
checked), ``global`` (the units see the whole input: not measured),
``unmeasured`` (the layers do not analyse at any input size tried: a failure).
A field that no input size holds (adaptive pooling to one or two bins reaches
the border at every size) is measured clipped to the input, against the
analytic field clipped likewise, as an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING

from cnncalc.analysis import Report, analyze_graph
from cnncalc.graph import Graph, build
from cnncalc.layers.base import Shape
from cnncalc.spec import INPUT
from cnncalc.verify.plan import central_unit, field_window, plans, with_input

if TYPE_CHECKING:
    import torch

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
    for shape, axes in plans(sub, report.input_shape, targets) if targets else []:
        sub_graph = with_input(sub, shape)
        sub_report = analyze_graph(sub_graph)
        statuses = _statuses(sub_graph, sub_report)
        sizes = _run(sub_graph, sub_report, targets, axes, device)
        sub_rows = {r.name: r for r in sub_report.layers}
        for t in targets:
            for a in axes:
                analytic = sub_rows[t].rf.size_ints()[a]
                lo, hi = field_window(sub_rows[t], a, shape[1 + a])
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


def _statuses(graph: Graph, report: Report) -> dict[str, str]:
    """exact / bound / approximate per layer, as the receptive-field recurrences set them (`RF.status`):
    a ``loose`` field (after uneven adaptive bins) is checked as a bound."""
    return {row.name: "bound" if row.rf.status == "loose" else row.rf.status for row in report.layers}


def _run(graph: Graph, report: Report, targets: Sequence[str], axes: Sequence[int],
         device: str) -> dict[str, dict[int, int]]:
    """One forward pass of the linear copy; one backward pass per target; extents per axis."""
    import torch

    from cnncalc.torch.lower import lower

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
        unit = tuple(central_unit(row, a, report.input_shape[1 + a]) for a in range(rank))
        (grad,) = torch.autograd.grad(out[(0, slice(None), *unit)].sum(), x, retain_graph=True)
        reached = grad[0].ne(0).any(dim=0)
        result[t] = {}
        for a in axes:
            other = tuple(b for b in range(rank) if b != a)
            line = reached.any(dim=other) if other else reached
            hits = torch.nonzero(line).flatten()
            result[t][a] = int(hits.max() - hits.min() + 1) if len(hits) else 0
    return result


def _fill_positive(module: torch.nn.Module) -> None:
    """Weights 1/fan-in (each unit averages its inputs), other parameters 1, BN statistics neutral."""
    import torch

    with torch.no_grad():
        for p in module.parameters():
            p.fill_(1.0 / (p.numel() // p.shape[0]) if p.dim() >= 2 else 1.0)
        for name, b in module.named_buffers():
            b.fill_(1 if name.endswith("running_var") else 0)


__all__ = ["FieldCheck", "default_targets", "measure_fields"]
