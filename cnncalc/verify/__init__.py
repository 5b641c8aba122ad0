"""Analytic numbers checked against PyTorch: `cnncalc verify`.

The network is lowered to a torch module (`cnncalc.backends.torch`) and run once
on zeros at its input size (batch 1). Per layer, against the analytic report:

- output shape: the module's output, seen by a forward hook;
- params and buffers: ``numel()`` of the module's parameters and buffers
  (without batch norm's ``num_batches_tracked`` counter, a step count);
- MACs: fvcore's ``FlopCountAnalysis`` per module, its conv, linear and matmul
  operators only (fvcore counts one multiply-add as one flop; it also counts
  batch norm, pooling etc., which are not MACs in our convention).

Totals: params, buffers and MACs as summed above, and 2·MACs against torch's own
``torch.utils.flop_counter.FlopCounterMode``, which counts 2 FLOPs per
multiply-add of convolutions and matrix products (and nothing else). Receptive
fields: measured by gradients (`cnncalc.verify_rf`). With ``against`` set to
``torchvision:NAME``, torchvision's model is built too and compared in totals,
MACs, parameter shapes and, with its weights copied into ours, outputs
(`cnncalc.verify.against`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.analysis import analyze_graph
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers.base import Shape, did_you_mean
from cnncalc.verify import against as reference
from cnncalc.verify.fields import FieldCheck, default_targets, measure_fields

if TYPE_CHECKING:
    import torch

    from cnncalc.torch.lower import Built

MAC_OPS = reference.MAC_OPS
TORCHVISION_OPTIONS = reference.TORCHVISION_OPTIONS  # torchvision's models as their reference counts were made


@dataclass(frozen=True)
class Cell:
    """One compared quantity: ours (analytic) and theirs (measured by torch/fvcore)."""

    ours: Any
    theirs: Any

    @property
    def ok(self) -> bool:
        return bool(self.ours == self.theirs)


@dataclass(frozen=True)
class LayerCheck:
    name: str
    type: str
    shape: Cell
    params: Cell
    buffers: Cell
    macs: Cell

    @property
    def ok(self) -> bool:
        return self.shape.ok and self.params.ok and self.buffers.ok and self.macs.ok


@dataclass(frozen=True)
class TotalCheck:
    what: str
    cell: Cell
    note: str = ""
    verdict: bool | None = None  # set where agreement is not equality (outputs within a tolerance)
    detail: str = ""  # what a failing check says instead of "ours != theirs"

    @property
    def ok(self) -> bool:
        return self.cell.ok if self.verdict is None else self.verdict


@dataclass(frozen=True)
class VerifyResult:
    name: str
    input_shape: Shape
    device: str
    layers: tuple[LayerCheck, ...]
    totals: tuple[TotalCheck, ...]
    fields: tuple[FieldCheck, ...]
    against: str | None = None
    against_checks: tuple[TotalCheck, ...] = ()
    against_error: str | None = None  # the reference could not be built or run (exit status 2)

    @property
    def ok(self) -> bool:
        return (all(c.ok for c in self.layers) and all(c.ok for c in self.totals)
                and all(f.ok for f in self.fields) and all(c.ok for c in self.against_checks)
                and self.against_error is None)

    def mismatches(self) -> list[str]:
        """One line per disagreeing check."""
        lines = []
        for row in self.layers:
            for what in ("shape", "params", "buffers", "macs"):
                cell: Cell = getattr(row, what)
                if not cell.ok:
                    lines.append(f"{row.name}: {what} {cell.ours} (analytic) != {cell.theirs} (torch)")
        for total in self.totals:
            if not total.ok:
                lines.append(f"total {total.what}: {total.cell.ours} != {total.cell.theirs}")
        for field in self.fields:
            if not field.ok:
                if field.status == "unmeasured":
                    lines.append(f"{field.name}: receptive field {field.analytic} could not be measured")
                    continue
                relation = "<=" if any(field.at_most) else "=="
                lines.append(f"{field.name}: receptive field measured {field.measured}, expected {relation} "
                             f"{field.expected}")
        for check in self.against_checks:
            if not check.ok:
                lines.append(f"{self.against} {check.what}: "
                             + (check.detail or f"{check.cell.ours} != {check.cell.theirs}"))
        return lines


def verify(graph: Graph, device: str = "cpu", against: str | None = None,
           rf_layers: Sequence[str] | None = None, settings: Mapping[str, Any] | None = None) -> VerifyResult:
    """Check every analytic number of `graph` against PyTorch (see the module docstring).

    `settings` are the ``--set`` values the graph was loaded with (``num_classes``
    is passed on to the reference)."""
    import torch

    from cnncalc.torch import budget
    from cnncalc.torch.lower import lower

    _check_device(device)
    report = analyze_graph(graph)
    budget.check(report, device, "verify")  # before anything is built
    target = reference.parse(against, settings) if against is not None else None
    rows = {r.name: r for r in report.layers}
    instances = {b.path: b.out for b in graph.spec.blocks}  # a block instance stands for its output layer
    names = [instances.get(n, n) for n in rf_layers] if rf_layers is not None else default_targets(report)
    for name in names:
        if name not in rows:
            raise CnnCalcError(f"no layer {name!r} to measure the receptive field of{did_you_mean(name, rows)}")
    names = list(dict.fromkeys(names))
    sides = side_outputs(graph)  # returned too, or fvcore's trace would drop their work (GoogLeNet's aux heads)
    built = lower(graph, report, device="meta", outputs=[graph.output, *sides] if sides else None)
    module = built.module.to_empty(device=device)
    with torch.no_grad():
        for p in module.parameters():
            p.zero_()
        for b_name, b in module.named_buffers():
            b.fill_(1 if b_name.endswith("running_var") else 0)
    x = torch.zeros((1, *report.input_shape), device=device)
    shapes, flop_counter_total = _forward(built, x)
    fv = _fvcore_macs(module, x)
    layers = []
    for row in report.layers:
        sub = built.submodule(row.name)
        layers.append(LayerCheck(
            row.name, row.type,
            shape=Cell(row.output_shape, shapes.get(row.name)),
            params=Cell(row.params, sum(p.numel() for p in sub.parameters())),
            buffers=Cell(row.buffers, _buffers(sub)),
            macs=Cell(row.macs, fv.get(built.paths[row.name], 0)),
        ))
    totals = (
        TotalCheck("params", Cell(report.totals.params, sum(p.numel() for p in module.parameters()))),
        TotalCheck("buffers", Cell(report.totals.buffers, _buffers(module)), "without num_batches_tracked"),
        TotalCheck("MACs", Cell(report.totals.macs, fv.get("", 0)), "fvcore: conv + linear, 1 per multiply-add"),
        TotalCheck("2·MACs", Cell(2 * report.totals.macs, flop_counter_total),
                   "torch FlopCounterMode: 2 per multiply-add"),
        TotalCheck("output shape", Cell(report.totals.output_shape, shapes.get(graph.output))),
    )
    fields = tuple(measure_fields(graph, report, names, device))
    against_checks: tuple[TotalCheck, ...] = ()
    error = None
    if target is not None:
        from cnncalc.verify.compare import compare

        try:
            against_checks = compare(graph, built, *target, device)
        except reference.AgainstError as exc:
            error = f"--against {against}: {exc}"
    return VerifyResult(report.name, report.input_shape, device, tuple(layers), totals, fields, against,
                        against_checks, error)


def side_outputs(graph: Graph) -> list[str]:
    """The layers whose output no other layer reads, besides the network's output: dead-end branches such
    as GoogLeNet's auxiliary classifiers (counted in the totals, computed in the forward pass)."""
    read = {source for node in graph.order for source in node.inputs}
    return [node.name for node in graph.order if node.name not in read and node.name != graph.output]


def _check_device(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise CnnCalcError("no CUDA device: use --device cpu")
    elif device != "cpu":
        raise CnnCalcError(f"unknown device {device!r}: use cpu or cuda")


def _forward(built: Built, x: torch.Tensor) -> tuple[dict[str, Shape], int]:
    """Output shape per layer (forward hooks, batch dimension dropped) and FlopCounterMode's total."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    shapes: dict[str, Shape] = {}
    handles = []
    for name in built.paths:
        def hook(module: Any, args: Any, output: torch.Tensor, name: str = name) -> None:
            shapes[name] = tuple(output.shape[1:])

        handles.append(built.submodule(name).register_forward_hook(hook))
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            built.module(x)
    finally:
        for handle in handles:
            handle.remove()
    return shapes, int(counter.get_total_flops())


def _fvcore_macs(module: torch.nn.Module, x: torch.Tensor) -> dict[str, int]:
    """Multiply-adds per module path (and "" for the whole), from fvcore's conv/linear/matmul counts."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fvcore's import and trace warn about deprecated torch.jit APIs
        from fvcore.nn import FlopCountAnalysis

        analysis = FlopCountAnalysis(module, x).unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        counts = analysis.by_module_and_operator()
    return {path: sum(n for op, n in ops.items() if op in MAC_OPS) for path, ops in counts.items()}


def _buffers(module: torch.nn.Module) -> int:
    return sum(b.numel() for name, b in module.named_buffers() if not name.endswith("num_batches_tracked"))


def against_torchvision(graph: Graph, against: str) -> tuple[TotalCheck, ...]:
    """Only the counting ``--against torchvision:NAME`` checks, with nothing run: both models built
    on the meta device where possible (no memory, no arithmetic), compared in params, buffers, output
    shape and parameter shapes (`cnncalc.verify.compare.counts`)."""
    from cnncalc.torch.lower import lower
    from cnncalc.verify.compare import counts

    name, options = reference.parse(against)
    report = analyze_graph(graph)
    return counts(lower(graph, report, device="meta"), report, name, options)


__all__ = ["Cell", "FieldCheck", "LayerCheck", "TotalCheck", "VerifyResult", "against_torchvision", "verify"]
