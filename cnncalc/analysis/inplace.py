"""Which layers run in place: the one rule that the training memory (`cnncalc.analysis.training`) counts
and the torch module (`cnncalc.torch.lower`) and the exported file follow, so that what is measured is
what was counted."""

from __future__ import annotations

from collections import Counter

from cnncalc.analysis import Report
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import Layer
from cnncalc.layers.memory import SavedRule
from cnncalc.spec import INPUT


def saved_rule(layer: Layer) -> SavedRule:
    """The kind's own ``SAVED`` rule (declared by the kind itself, never inherited)."""
    found = vars(type(layer)).get("SAVED")
    if not isinstance(found, SavedRule):
        raise CnnCalcError(f"layer type {layer.KIND!r} has no rule for what it keeps for the backward pass "
                           "(SAVED, cnncalc/layers/saved.py); training memory cannot be computed")
    return found


def in_place(graph: Graph, report: Report) -> frozenset[str]:
    """The layers that run in place, as `cnncalc.torch.lower` lowers them (`_in_place_once`), the same for
    every layer written by one entry of the network file (every copy, in every instance of a block), since
    the exported file builds them with one constructor call: a layer that may not is left out with all its
    siblings, until no entry is split."""
    entries: dict[object, list[str]] = {}
    for spec in graph.spec.layers:
        entries.setdefault(spec.location, []).append(spec.name)
    forbidden: set[str] = set()
    while True:
        chosen = _in_place_once(graph, report, forbidden)
        split = {n for group in entries.values() if chosen & set(group) and not set(group) <= chosen for n in group}
        if not split:
            return frozenset(chosen)
        forbidden |= split


def _in_place_once(graph: Graph, report: Report, forbidden: set[str]) -> set[str]:
    """Layers whose kind can overwrite its (first) input (``SAVED.in_place``: as torchvision's
    ``ReLU(inplace=True)`` and ``out += identity``), and may.

    The input's storage must be read by no other layer, and be neither the network's
    input nor its output. A layer without arithmetic (identity, dropout, flatten: no
    FLOPs) may return its input or a view of it, and an in-place layer returns its
    input: the chain back to the layer that made the storage is followed, and each
    link must have that one reader. For training, the storage must be made by a
    layer that does not keep its output for the backward pass: one with parameters
    (conv, linear, norms) or a merge; and only merges (which keep nothing) may have
    written into it in place before.
    """
    readers = Counter(i for node in graph.order for i in node.inputs)
    rows = {r.name: r for r in report.layers}
    merges = {n.name for n in graph.order if n.layer.MAX_INPUTS != 1}
    alias_of: dict[str, str] = {}  # layer -> the input whose storage its output may share
    written: set[str] = set()  # layers made in place
    for node in graph.order:
        source = node.inputs[0]
        if len(node.inputs) == 1 and rows[node.name].flops == 0:
            alias_of[node.name] = source
        if not saved_rule(node.layer).in_place or node.name in forbidden:
            continue
        chain = [source]
        while chain[-1] in alias_of:
            chain.append(alias_of[chain[-1]])
        root = chain[-1]
        if (all(c not in (INPUT, graph.output) and readers[c] == 1 for c in chain)
                and all(c in merges for c in chain if c in written)
                and (rows[root].params > 0 or root in merges)):
            written.add(node.name)
            alias_of[node.name] = source
    return written
