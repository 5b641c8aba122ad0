"""A report as a drawing: nodes, edges and boxed block instances, before any syntax (DOT, Mermaid).

`diagram(report, depth)` reads the analysis (`collapse` for ``--depth``) and
lays out nothing: it says which node is which layer, what it shows, which block
instance box holds it, which edges carry which tensor and which colour each
layer kind gets. `render.dot`, `render.mermaid` and `render.html` write it in
their syntax; Graphviz does the layout. Nothing here computes a number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cnncalc.analysis import LayerReport, Report, collapse
from cnncalc.homework.layout import in_layout
from cnncalc.layers.base import Shape, fmt_shape
from cnncalc.layers.registry import lookup
from cnncalc.layers.text import render
from cnncalc.render.tables import human, rf_text
from cnncalc.spec import INPUT

# The colour of each category of layer kinds, in legend order. A kind's category is
# the module of cnncalc.layers it is written in (CATEGORY_OF_MODULE), unless
# CATEGORY_OF_KIND says otherwise; a module not listed is its own category,
# coloured from EXTRA_COLOURS, so a new kind is drawn without a change here.
COLOURS: dict[str, str] = {
    "input": "#e0e0e0",
    "conv": "#9ecae1",
    "linear": "#c5b0d5",
    "pooling": "#a1d99b",
    "normalisation": "#fdd0a2",
    "activation": "#fff2a8",
    "merge": "#fcbba1",
    "reshape": "#d9d9d9",
    "dropout": "#f2f2f2",
    "other": "#ffffff",
    "block": "#bcbddc",
}
EXTRA_COLOURS = ("#c7e9c0", "#fee0d2", "#deebf7", "#efedf5", "#fdae6b", "#9e9ac8", "#74c476")
CATEGORY_OF_MODULE = {"conv": "conv", "transposed": "conv", "linear": "linear", "pool": "pooling",
                      "adaptive": "pooling", "norm": "normalisation", "act": "activation", "merge": "merge",
                      "misc": "other"}
CATEGORY_OF_KIND = {"flatten": "reshape", "dropout": "dropout"}


def category(kind: str) -> str:
    """The colour category of a layer kind (a block's name, not a kind, is 'block')."""
    if kind in CATEGORY_OF_KIND:
        return CATEGORY_OF_KIND[kind]
    cls = lookup(kind)
    if cls is None:
        return "block"
    module = cls.__module__.rsplit(".", 1)[-1]
    return CATEGORY_OF_MODULE.get(module, module)


def colour(name: str) -> str:
    if name in COLOURS:
        return COLOURS[name]
    return EXTRA_COLOURS[sum(name.encode()) % len(EXTRA_COLOURS)]


@dataclass(frozen=True)
class Node:
    id: str  # n0, n1 ... (never user text: safe in every syntax)
    name: str  # the layer's full name ("layer1.basic1.conv1"), or "input"
    label: str  # the name inside its box ("conv1")
    kind: str  # the layer kind, or the block's name for a collapsed block instance
    category: str
    description: str  # "conv 7×7/2 p3 no bias", "bottleneck, 10 layers"
    shape: str  # the output shape, "64×112×112"
    costs: str  # "9.41 K params · 118.01 M MACs", or "" when both are zero
    cluster: str | None  # the id of the box it sits in
    details: tuple[tuple[str, str], ...]  # (what, value) for tooltips and the HTML hover panel


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    label: str  # the tensor's shape where the producer changed it, else ""


@dataclass(frozen=True)
class Cluster:
    id: str  # c0, c1 ...
    path: str  # the block instance's full name
    label: str  # "b1x1 · conv_relu"
    parent: str | None


@dataclass(frozen=True)
class Diagram:
    name: str
    title: str
    input_shape: str
    summary: str  # "142 layers · 7.00 M params · 1.58 G MACs"
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]
    legend: tuple[tuple[str, str], ...]  # (category, colour) of the categories drawn, in legend order

    def children(self, cluster: str | None) -> tuple[tuple[Cluster, ...], tuple[Node, ...]]:
        """The boxes and nodes directly inside box `cluster` (None: the top level)."""
        return (tuple(c for c in self.clusters if c.parent == cluster),
                tuple(n for n in self.nodes if n.cluster == cluster))


def _local(name: str, path: str | None) -> str:
    return name[len(path) + 1:] if path and name.startswith(path + ".") else name


def _details(row: LayerReport, shapes: Sequence[Shape], shown: Callable[[Shape], str]) -> tuple[tuple[str, str], ...]:
    items = [("layer", row.name), ("type", row.type if not row.description else f"{row.type} {row.description}"),
             ("input", ", ".join(shown(s) for s in shapes)), ("output", shown(row.output_shape)),
             ("params", f"{row.params:,}"), ("MACs", f"{row.macs:,}"), ("FLOPs", f"{row.flops:,}"),
             ("receptive field", rf_text(row.rf))]
    items += [("note", render(n)) for n in row.notes]
    return tuple(items)


def _costs(row: LayerReport) -> str:
    parts = [f"{human(row.params)} params" if row.params else "", f"{human(row.macs)} MACs" if row.macs else ""]
    return " · ".join(p for p in parts if p)


def diagram(report: Report, depth: int | None = None, layout: str = "chw") -> Diagram:
    """The drawing of `report`, with block instances nested deeper than `depth` as one node each and the
    shapes written in `layout` (``hwc``: 224×224×3)."""

    def shown(shape: Shape) -> str:
        return fmt_shape(in_layout(shape, layout))

    rows = collapse(report, depth)
    blocks = {b.path: b for b in report.blocks}
    shape_of: dict[str, Shape] = {INPUT: tuple(report.input_shape)}
    shape_of.update((r.name, r.output_shape) for r in report.layers)
    # every layer's name -> the node that shows it (itself, or the collapsed block instance holding it)
    node_of = {INPUT: INPUT}
    for r in report.layers:
        node_of[r.name] = r.name if depth is None or len(r.scope) <= depth else r.scope[depth]

    clusters: dict[str, Cluster] = {}

    def box(scope: tuple[str, ...]) -> str | None:
        """The id of the innermost box of `scope`, the boxes made as needed."""
        outer: str | None = None
        for path in scope:
            if path not in clusters:
                block = blocks[path].block if path in blocks else ""
                label = _local(path, outer)
                parent = clusters[outer].id if outer else None
                clusters[path] = Cluster(f"c{len(clusters)}", path, f"{label} · {block}" if block else label, parent)
            outer = path
        return clusters[outer].id if outer else None

    ids = {INPUT: "n0"}
    nodes = [Node("n0", INPUT, INPUT, "input", "input", "input", shown(report.input_shape), "", None,
                  (("input", shown(report.input_shape)),))]
    for r in rows:
        ids[r.name] = f"n{len(ids)}"
        cluster = box(r.scope)
        inner = r.scope[-1] if r.scope else None
        collapsed = r.bound is None
        description = f"{r.type}, {r.description}" if collapsed else \
            (f"{r.type} {r.description}" if r.description else r.type)
        inputs = [shape_of[i] for i in r.inputs]
        nodes.append(Node(ids[r.name], r.name, _local(r.name, inner), r.type,
                          "block" if collapsed else category(r.type), description, shown(r.output_shape),
                          _costs(r), cluster, _details(r, inputs, shown)))
    edges: list[Edge] = []
    seen: set[tuple[str, str]] = set()
    fed_by = {INPUT: tuple(report.input_shape)}  # each node's (first) input shape
    fed_by.update((r.name, shape_of[r.inputs[0]] if r.inputs else ()) for r in rows)
    for r in rows:
        for i in r.inputs:
            src = node_of[i]
            if src == r.name or (src, r.name) in seen:
                continue
            seen.add((src, r.name))
            # the tensor is labelled where its producer changed the shape (and at the input)
            changed = i == INPUT or shape_of[i] != fed_by[src]
            edges.append(Edge(ids[src], ids[r.name], shown(shape_of[i]) if changed else ""))
    used = list(dict.fromkeys(n.category for n in nodes))
    order = list(COLOURS)
    used.sort(key=lambda c: (order.index(c) if c in order else len(order), c))
    t = report.totals
    summary = f"{len(report.layers)} layers · {human(t.params)} params · {human(t.macs)} MACs"
    return Diagram(report.name, report.title or report.name, shown(report.input_shape), summary, tuple(nodes),
                   tuple(edges), tuple(clusters.values()), tuple((c, colour(c)) for c in used))


__all__ = ["COLOURS", "Cluster", "Diagram", "Edge", "Node", "category", "colour", "diagram"]
