"""What five FLOP counters would report for a network, and why they disagree (`--as`, `conventions`).

fvcore, torch's FlopCounterMode, torchinfo, ptflops (both backends) and thop give
different totals for the same network, because each counts different
operations, and some count the same operation differently depending on how the
PyTorch code calls it. cnncalc knows every layer analytically, and every layer
kind knows the PyTorch call that computes it (`cnncalc.layers.torchop`); each
tool's rules, keyed the way that tool keys them, turn those calls into the
numbers the tool prints — without importing the tool or torch. The tests hold
these rules to the tools themselves.

    report = cnncalc.analyze("resnet50")
    counts = counted(cnncalc.load("resnet50"), report)
    counts.totals["fvcore"]     # 4,111,512,576, as FlopCountAnalysis(model, x).total() says
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnncalc.analysis.conventions import facts
from cnncalc.analysis.conventions.aten import FLOP_COUNTER_TOOL, FVCORE_TOOL, PTFLOPS_ATEN_TOOL
from cnncalc.analysis.conventions.hooks import THOP_TOOL, TORCHINFO_TOOL
from cnncalc.analysis.conventions.ptflops import PTFLOPS_TOOL
from cnncalc.analysis.conventions.tool import Number, Tally, Tool, joined
from cnncalc.analysis.report import Report
from cnncalc.errors import CnnCalcError, LayerError
from cnncalc.graph import Graph
from cnncalc.layers.base import did_you_mean

TOOLS: dict[str, Tool] = {t.id: t for t in (FVCORE_TOOL, FLOP_COUNTER_TOOL, TORCHINFO_TOOL, PTFLOPS_TOOL,
                                            PTFLOPS_ATEN_TOOL, THOP_TOOL)}


@dataclass(frozen=True)
class LayerCount:
    """One layer as the tools count it: its PyTorch call, its category, each tool's tally."""

    name: str
    type: str
    target: str
    category: str
    tallies: dict[str, Tally]


@dataclass(frozen=True)
class Counted:
    """Every layer and the totals, as each of `tools` reports them, for the report's batch."""

    name: str
    title: str
    input_shape: tuple[int, ...]
    batch: int
    tools: tuple[Tool, ...]
    layers: tuple[LayerCount, ...]
    totals: dict[str, Number]

    def by_category(self) -> list[tuple[str, dict[str, Number]]]:
        """(category, count per tool) for every category a layer falls in, in `facts.CATEGORIES` order."""
        sums: dict[str, dict[str, Number]] = {}
        for layer in self.layers:
            row = sums.setdefault(layer.category, {t.id: 0 for t in self.tools})
            for tool in self.tools:
                row[tool.id] += layer.tallies[tool.id].value
        return [(c, sums[c]) for c in facts.CATEGORIES if c in sums]

    def collapsed(self, report: Report, depth: int | None) -> list[LayerCount]:
        """The layers with block instances nested deeper than `depth` summed into one row each,
        as `cnncalc.analysis.collapse` does for the report."""
        if depth is None:
            return list(self.layers)
        if depth < 0:
            raise CnnCalcError(f"--depth must be >= 0, received {depth}")
        kinds = {b.path: b.block for b in report.blocks}
        groups: dict[str, list[LayerCount]] = {}
        for row, layer in zip(report.layers, self.layers, strict=True):
            key = row.scope[depth] if len(row.scope) > depth else row.name
            groups.setdefault(key, []).append(layer)
        result = []
        for key, members in groups.items():
            if len(members) == 1 and members[0].name == key:
                result.append(members[0])
                continue
            tallies = {t.id: Tally(joined([m.tallies[t.id] for m in members]).value, f"{len(members)} layers")
                       for t in self.tools}
            result.append(LayerCount(key, kinds.get(key, "block"), f"{len(members)} calls", "block", tallies))
        return result


def tool(name: str) -> Tool:
    """A tool by its id (fvcore, flopcounter, torchinfo, ptflops, ptflops-aten, thop)."""
    if name not in TOOLS:
        raise CnnCalcError(f"unknown counting tool {name!r}{did_you_mean(name, TOOLS)}; the tools are: "
                           f"{', '.join(TOOLS)}")
    return TOOLS[name]


def counted(graph: Graph, report: Report, tools: Sequence[str] | None = None) -> Counted:
    """Each layer of `report` (the analysis of `graph`) as `tools` (default: all) count it."""
    chosen = tuple(tool(t) for t in tools) if tools is not None else tuple(TOOLS.values())
    specs = {s.name: s for s in graph.order}
    layers = []
    for row in report.layers:
        spec = specs[row.name]
        assert row.bound is not None
        try:
            op = spec.layer.torch_op(row.bound, spec.torch)
            if op.target in facts.UNMODELLED:
                raise CnnCalcError(f"{op.target} is cnncalc's own PyTorch module for a layer no library has; what "
                                   "the counting tools would make of it is not modelled")
            category = facts.lookup(op.target).category
            tallies = {t.id: t.count(op, report.batch) for t in chosen}
        except LayerError as exc:
            raise CnnCalcError(f"layer {row.name!r} ({row.type}): {exc.message}", spec.location) from None
        except CnnCalcError as exc:
            raise CnnCalcError(f"layer {row.name!r} ({row.type}): {exc.message}", spec.location) from None
        layers.append(LayerCount(row.name, row.type, op.target, category, tallies))
    totals = {t.id: t.total([layer.tallies[t.id].value for layer in layers]) for t in chosen}
    return Counted(report.name, report.title, report.input_shape, report.batch, chosen, tuple(layers), totals)


__all__ = ["TOOLS", "Counted", "LayerCount", "Tally", "Tool", "counted", "tool"]
