"""Where receptive fields are measured: input sizes that hold them, and the unit to measure.

Used by `cnncalc.verify_rf`. An axis grows by multiples of the network's total
stride (so that every intermediate size keeps its remainder and merges still
line up) until the central unit's analytic field lies inside it. When the fields
are large, each axis is measured in its own run with the other axes as small as
the network allows, holding `NARROW` pixels of each field: far cheaper than an
input enlarged in every direction (DenseNet-201's 3,863-pixel field: two runs on
4,000×32 instead of one on 4,000×4,000).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from cnncalc.analysis import LayerReport, Report, analyze_graph
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import Shape, numel

MAX_TRIES = 16  # input sizes tried per axis before measuring a field clipped by the border
NARROW = 64  # pixels of a field kept inside the input along an axis that is not being measured

Plan = list[tuple[Shape, tuple[int, ...]]]  # input shapes, and the axes each one measures


def plans(graph: Graph, original: Shape, targets: Sequence[str]) -> Plan:
    """Input shapes to measure the targets' fields on, and the axes each one measures
    (empty when the layers analyse at no size tried)."""
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
                return []
            big.append(fallback)
    everywhere = (original[0], *big)
    single = _analyze(graph, everywhere) is not None
    if single and (rank == 1 or numel(everywhere[1:]) <= 2 * max(big) * min(original[1:])):
        return [(everywhere, tuple(range(rank)))]
    per_axis: Plan = [(_narrow(graph, original, targets, a, big, step), (a,)) for a in range(rank)]
    if single and numel(everywhere[1:]) <= sum(numel(p[0][1:]) for p in per_axis):
        return [(everywhere, tuple(range(rank)))]
    return per_axis


def with_input(graph: Graph, shape: Shape) -> Graph:
    return Graph(replace(graph.spec, input_shape=shape), graph.order, graph.last_use)


def central_unit(row: LayerReport, axis: int, n: int) -> int:
    """The index of the unit whose field is centred nearest the middle of an input axis of size n."""
    rf = row.rf
    count = row.output_shape[1 + axis]
    return int(min(max(round((Fraction(n - 1, 2) - rf.start[axis]) / rf.jump[axis]), 0), count - 1))


def field_window(row: LayerReport, axis: int, n: int) -> tuple[Fraction, Fraction]:
    """The analytic field [lo, hi] of the central unit of `row` along an axis of size n."""
    rf = row.rf
    c = rf.start[axis] + central_unit(row, axis, n) * rf.jump[axis]
    half = (rf.size[axis] - 1) / 2
    return Fraction(c - half), Fraction(c + half)


def _analyze(graph: Graph, shape: Shape) -> Report | None:
    try:
        return analyze_graph(with_input(graph, shape))
    except CnnCalcError:
        return None


def _inside(report: Report, targets: Sequence[str], axis: int, shape: Shape) -> bool:
    """Every target's central unit has its whole analytic field inside the input along `axis`,
    or covers all of it and more (a field that grows with the input: see `FieldCheck`)."""
    rows = {r.name: r for r in report.layers}
    n = shape[1 + axis]
    for t in targets:
        lo, hi = field_window(rows[t], axis, n)
        if not (lo >= 0 and hi <= n - 1) and not (lo <= 0 and hi >= n - 1):
            return False
    return True


def _overlaps(report: Report, targets: Sequence[str], axis: int, shape: Shape) -> bool:
    """Along an axis that is not measured, every target's central field lies inside the input for
    `NARROW` pixels around its centre (or whole, if smaller): enough to hold a piece of every branch."""
    rows = {r.name: r for r in report.layers}
    n = shape[1 + axis]
    for t in targets:
        lo, hi = field_window(rows[t], axis, n)
        size = rows[t].rf.size[axis]
        if min(hi, Fraction(n - 1)) - max(lo, Fraction(0)) + 1 < min(size, Fraction(NARROW)):
            return False
    return True


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
