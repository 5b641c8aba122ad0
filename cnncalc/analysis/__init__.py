"""One pass over the graph: each layer bound once to its inputs, then totals, memory, depth, fields.

The result is plain frozen data (`Report`); `cnncalc.render` formats it and never
computes. Every number comes from one formula of one bound layer
(`cnncalc.layers.base.Bound`).
"""

from __future__ import annotations

from dataclasses import replace

from cnncalc.analysis.report import DTYPES, LayerReport, Report, Totals, dtype_info, layer_report
from cnncalc.errors import CnnCalcError, LayerError
from cnncalc.graph import Graph
from cnncalc.layers import recurrence
from cnncalc.layers.base import Shape, fmt_shape, numel
from cnncalc.layers.rf import RF
from cnncalc.layers.text import Msg
from cnncalc.spec import INPUT

MAX_NUMEL = 2**48  # a tensor larger than this (256 T elements) is refused as not sensible


def analyze_graph(graph: Graph, *, batch: int = 1, dtype: str = "fp32") -> Report:
    """Walk the graph once in topological order, binding each layer to its inputs."""
    if batch < 1:
        raise CnnCalcError(f"the batch size must be >= 1, received {batch}")
    dtype_name, nbytes = dtype_info(dtype)
    spec = graph.spec
    input_shape = tuple(spec.input_shape)
    shapes: dict[str, Shape] = {INPUT: input_shape}
    fields: dict[str, RF] = {INPUT: RF.of_input(len(input_shape) - 1)}
    spatial_field: dict[str, RF] = {INPUT: fields[INPUT]}
    depths: dict[str, int] = {INPUT: 0}
    live = peak = numel(input_shape) * batch * nbytes
    rows: list[LayerReport] = []
    for k, node in enumerate(graph.order):
        ins = tuple(shapes[i] for i in node.inputs)
        try:
            bound = node.layer.bind(ins, [fields[i] for i in node.inputs])
            if numel(bound.output) > MAX_NUMEL:
                raise LayerError(f"the output {fmt_shape(bound.output)} has {numel(bound.output):,} elements, "
                                 "too many to be sensible")
        except LayerError as exc:
            shown = ", ".join(fmt_shape(s) for s in ins)
            raise CnnCalcError(f"layer {node.name!r} ({node.layer.KIND}) on input {shown}: {exc.message}",
                               node.location) from None
        depth = max(depths[node.inputs[j]] for j in node.layer.depth_inputs(bound)) + int(node.layer.WEIGHTED)
        row = layer_report(node.name, node.inputs, node.scope, bound, depth, batch)
        rows.append(row)
        out, rf = bound.output, bound.rf
        shapes[node.name], fields[node.name], depths[node.name] = out, rf, depth
        # the field the totals report: the last layer with a grid, skipping pooled-away 1×1 outputs
        has_grid = len(out) >= 2 and (not rf.whole or any(d > 1 for d in out[1:]))
        spatial_field[node.name] = rf if has_grid else recurrence.merged([spatial_field[i] for i in node.inputs])
        live += row.activations * nbytes
        peak = max(peak, live)
        for i in set(node.inputs):
            if graph.last_use.get(i) == k and i != spec.output:
                live -= numel(shapes[i]) * batch * nbytes
        if node.name not in graph.last_use and node.name != spec.output:
            live -= row.activations * nbytes  # a dead end: freed as soon as it is computed
    params = sum(r.params for r in rows)
    buffers = sum(r.buffers for r in rows)
    activations = sum(r.activations for r in rows)
    totals = Totals(
        params=params, trainable_params=params, buffers=buffers, macs=sum(r.macs for r in rows),
        flops=sum(r.flops for r in rows), activations=activations, param_bytes=params * nbytes,
        buffer_bytes=buffers * nbytes, activation_bytes=activations * nbytes, peak_activation_bytes=peak,
        depth=depths[spec.output], output_shape=shapes[spec.output], rf=spatial_field[spec.output],
    )
    return Report(spec.name, spec.title, spec.source, spec.family, spec.file, input_shape, batch, dtype_name,
                  tuple(rows), totals, spec.blocks, spec.notes, spec.accuracy)


def collapse(report: Report, depth: int | None) -> list[LayerReport]:
    """Rows with block instances nested deeper than `depth` summed into one row each.

    Like torchinfo's ``depth``: with depth 1, each top-level block instance is one
    row whose output is the instance's output and whose counts are the sums of its
    layers. ``None`` keeps every layer.
    """
    if depth is None:
        return list(report.layers)
    if depth < 0:
        raise CnnCalcError(f"--depth must be >= 0, received {depth}")
    instances = {b.path: b for b in report.blocks}
    groups: dict[str, list[LayerReport]] = {}
    rows: list[LayerReport | str] = []
    for row in report.layers:
        if len(row.scope) <= depth:
            rows.append(row)
            continue
        key = row.scope[depth]
        if key not in groups:
            groups[key] = []
            rows.append(key)
        groups[key].append(row)
    by_name = {r.name: r for r in report.layers}
    result = []
    for item in rows:
        if isinstance(item, LayerReport):
            result.append(item)
            continue
        members, block = groups[item], instances[item]
        last = by_name.get(block.out, members[-1])
        names = {m.name for m in members}
        result.append(replace(
            last, name=item, type=block.block, scope=last.scope[:depth], bound=None,
            inputs=tuple(dict.fromkeys(i for m in members for i in m.inputs if i not in names)),
            params=sum(m.params for m in members), biases=sum(m.biases for m in members),
            buffers=sum(m.buffers for m in members), macs=sum(m.macs for m in members),
            flops=sum(m.flops for m in members), activations=sum(m.activations for m in members),
            fits=all(m.fits for m in members),
            notes=tuple(Msg("{layer}: {note}", layer=m.name[len(item) + 1:], note=n) for m in members
                        for n in m.notes),
            description=f"{len(members)} layers",
        ))
    return result


__all__ = ["DTYPES", "LayerReport", "Report", "Totals", "analyze_graph", "collapse", "dtype_info", "layer_report"]
