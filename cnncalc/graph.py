"""The layer graph: named nodes, their inputs, a topological order, the consumers.

Built from an expanded `NetSpec`; the analysis and the torch backend walk
`Graph.order`, in which every node comes after the nodes it reads.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from cnncalc.errors import CnnCalcError
from cnncalc.spec import INPUT, LayerSpec, NetSpec


@dataclass(frozen=True)
class Graph:
    spec: NetSpec
    order: tuple[LayerSpec, ...]  # topological; definition order where the edges allow
    last_use: dict[str, int]  # producer name -> index in `order` of its last consumer

    @property
    def output(self) -> str:
        return self.spec.output


def build(spec: NetSpec) -> Graph:
    """Order the layers so that each comes after its inputs; a cycle is an error."""
    pending = {s.name: sum(1 for i in set(s.inputs) if i != INPUT) for s in spec.layers}
    consumers: dict[str, list[str]] = {}
    for s in spec.layers:
        for i in set(s.inputs):
            consumers.setdefault(i, []).append(s.name)
    position = {s.name: k for k, s in enumerate(spec.layers)}
    ready = [k for k, s in enumerate(spec.layers) if pending[s.name] == 0]  # a heap: earliest-defined first
    order: list[LayerSpec] = []
    while ready:
        node = spec.layers[heapq.heappop(ready)]
        order.append(node)
        for c in consumers.get(node.name, ()):
            pending[c] -= 1
            if pending[c] == 0:
                heapq.heappush(ready, position[c])
    if len(order) != len(spec.layers):
        stuck = [s for s in spec.layers if pending[s.name] > 0]
        names = ", ".join(s.name for s in stuck[:6])
        raise CnnCalcError(
            f"the layers {names}{' ...' if len(stuck) > 6 else ''} form a cycle through their 'from' names; "
            "a layer cannot depend on its own output",
            stuck[0].location,
        )
    last_use: dict[str, int] = {}
    for k, s in enumerate(order):
        for i in s.inputs:
            last_use[i] = k
    return Graph(spec, tuple(order), last_use)
