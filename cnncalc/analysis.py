"""One pass over the graph: per-layer shapes and counts, totals, memory, depth, fields.

The result is plain frozen data (`Report`); `render` formats it and never
computes. Every number comes from one layer rule in `cnncalc.layers`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnncalc.dsl.expand import INPUT, BlockInstance
from cnncalc.errors import CnnCalcError, LayerError
from cnncalc.graph import Graph
from cnncalc.layers.base import Shape, fmt_shape, numel
from cnncalc.layers.rf import RF

DTYPES = {"fp32": ("float32", 4), "fp16": ("float16", 2), "bf16": ("bfloat16", 2), "int8": ("int8", 1)}
DTYPE_ALIASES = {"float32": "fp32", "float": "fp32", "float16": "fp16", "half": "fp16", "bfloat16": "bf16"}
MAX_NUMEL = 2**48  # a tensor larger than this (256 T elements) is refused as not sensible


@dataclass(frozen=True)
class LayerReport:
    """One layer's numbers; macs, flops and activations are for the report's batch."""

    name: str
    type: str
    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    params: int
    buffers: int
    macs: int
    flops: int
    activations: int
    rf: RF
    fits: bool
    notes: tuple[str, ...]
    scope: tuple[str, ...]
    description: str
    depth: int  # conv/linear layers on the longest path from the input to here, this one included


@dataclass(frozen=True)
class Totals:
    params: int
    trainable_params: int
    buffers: int
    macs: int
    flops: int
    activations: int
    param_bytes: int
    buffer_bytes: int
    activation_bytes: int
    peak_activation_bytes: int
    depth: int
    output_shape: Shape
    rf: RF  # the field of the last layer on the way to the output that still has a spatial grid


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    source: str
    family: str
    file: str
    input_shape: Shape
    batch: int
    dtype: str
    layers: tuple[LayerReport, ...]
    totals: Totals
    blocks: tuple[BlockInstance, ...]


def dtype_info(dtype: str) -> tuple[str, int]:
    """Canonical name and bytes per element of fp32/fp16/bf16/int8 (or float32 ...)."""
    key = DTYPE_ALIASES.get(dtype, dtype)
    if key not in DTYPES:
        raise CnnCalcError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    return DTYPES[key]


def analyze_graph(graph: Graph, *, batch: int = 1, dtype: str = "fp32") -> Report:
    """Walk the graph once in topological order and compute every per-layer number."""
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
        layer = node.layer
        ins = tuple(shapes[i] for i in node.inputs)
        try:
            layer.check_inputs(ins)
            out = tuple(layer.output_shape(ins))
            if numel(out) > MAX_NUMEL:
                raise LayerError(f"the output {fmt_shape(out)} has {numel(out):,} elements, too many to be sensible")
            rf = layer.receptive_field([fields[i] for i in node.inputs], ins, out)
            row = LayerReport(
                name=node.name, type=layer.KIND, inputs=node.inputs, input_shapes=ins, output_shape=out,
                params=layer.params(ins, out), buffers=layer.buffers(ins, out),
                macs=layer.macs(ins, out) * batch, flops=layer.flops(ins, out) * batch,
                activations=numel(out) * batch, rf=rf, fits=layer.fits(ins), notes=layer.notes(ins, out),
                scope=node.scope, description=layer.describe(),
                depth=max(depths[node.inputs[k]] for k in layer.depth_inputs(ins, out)) + int(layer.WEIGHTED),
            )
        except LayerError as exc:
            shown = ", ".join(fmt_shape(s) for s in ins)
            raise CnnCalcError(f"layer {node.name!r} ({layer.KIND}) on input {shown}: {exc.message}",
                               node.location) from None
        rows.append(row)
        shapes[node.name], fields[node.name], depths[node.name] = out, rf, row.depth
        # the field the totals report: the last layer with a grid, skipping pooled-away 1×1 outputs
        has_grid = len(out) >= 2 and (not rf.whole or any(d > 1 for d in out[1:]))
        spatial_field[node.name] = rf if has_grid else RF.union([spatial_field[i] for i in node.inputs])
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
                  tuple(rows), totals, spec.blocks)


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
            last, name=item, type=block.block, scope=last.scope[:depth],
            inputs=tuple(dict.fromkeys(i for m in members for i in m.inputs if i not in names)),
            params=sum(m.params for m in members), buffers=sum(m.buffers for m in members),
            macs=sum(m.macs for m in members), flops=sum(m.flops for m in members),
            activations=sum(m.activations for m in members), fits=all(m.fits for m in members),
            notes=tuple(f"{m.name[len(item) + 1:]}: {n}" for m in members for n in m.notes),
            description=f"{len(members)} layers",
        ))
    return result
