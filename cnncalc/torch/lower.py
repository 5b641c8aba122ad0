"""Graph -> `torch.nn.Module`: each layer lowered by its own `to_torch`, the forward generated.

The module's submodules carry the graph's layer names, nested by scope, so that
layer ``fire2.squeeze`` is ``module.get_submodule("fire2.squeeze")``; each block
instance is a container of the block's class name (``Bottleneck``), registered in
the network's order: the module tree, and so the state_dict, of the file
`cnncalc export` writes. The forward pass is Python generated from the
topological order by the same writer as the exported file's (`forward`): one
straight-line call per layer, each intermediate deleted after its last use,
additions in place where nothing else reads the left operand, no interpreter
loop. The batch dimension is the caller's: the module takes ``(N, *input_shape)``
tensors.

This module is imported lazily (the analytic commands never import torch).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from cnncalc.analysis import LayerReport, Report, analyze_graph
from cnncalc.analysis.inplace import in_place
from cnncalc.graph import Graph
from cnncalc.spec import INPUT
from cnncalc.torch.codegen import attr, class_name
from cnncalc.torch.forward import Step, forward_lines

if TYPE_CHECKING:
    from cnncalc.spec import LayerSpec

_TAKEN = frozenset({*dir(nn.Module()), "code", "out_channels"})  # attributes a submodule may not take


@dataclass(frozen=True)
class Built:
    """A lowered network: the module, where each layer lives in it, the analysis it was built from."""

    module: nn.Module
    paths: dict[str, str]  # layer name -> qualified submodule name (equal unless a name had to change)
    report: Report

    def submodule(self, layer: str) -> nn.Module:
        return self.module.get_submodule(self.paths[layer])


def build_module(graph: Graph, *, device: str | torch.device | None = None, inplace: bool = True) -> nn.Module:
    """The torch module of `graph`, freshly initialised by torch's default initialisers.

    With `inplace`, activations whose input nobody else reads run in place (as
    torchvision's ``ReLU(inplace=True)``) and additions accumulate into their first
    input (``out += identity``): same results, less memory traffic.
    """
    return lower(graph, device=device, inplace=inplace).module


def lower(graph: Graph, report: Report | None = None, *, rf_copy: bool = False,
          outputs: Collection[str] | None = None, device: str | torch.device | None = None,
          inplace: bool = False) -> Built:
    """Lower every layer and generate the forward.

    `rf_copy` lowers with each layer's `to_torch_linear` (the stand-in used to
    measure receptive fields) and passes every layer's output through `support`.
    `outputs` makes the forward return those layers' outputs as a tuple instead
    of the network's output. `device` is where the modules are created ("meta":
    shapes only, no memory). `inplace`: see `build_module`.
    """
    report = report if report is not None else analyze_graph(graph)
    rows = {r.name: r for r in report.layers}
    defined = list(graph.spec.layers)  # registered in the network's order, as the exported classes do
    paths = module_paths([n.name for n in defined])
    with _device(device):
        lowered = {n.name: _lower_one(n, rows[n.name], rf_copy) for n in defined}
    for name in in_place(graph, report) if inplace else ():
        if isinstance(getattr(lowered[name], "inplace", None), bool):  # a receptive-field stand-in may have none
            lowered[name].inplace = True  # type: ignore[assignment]
    steps = [Step(n.name, n.inputs, call=access("self", paths[n.name]), hint=n.name.rsplit(".", 1)[-1],
                  wrap="support" if rf_copy else "") for n in graph.order]
    wanted = [graph.output] if outputs is None else list(outputs)
    lines = forward_lines(steps, wanted, INPUT, indent="    ")
    if outputs is not None and len(wanted) == 1:
        lines[-1] = lines[-1].rstrip() + ","  # a tuple of one
    code = "def forward(self, x):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"torch": torch, "support": support}
    exec(compile(code, "<cnncalc forward>", "exec"), namespace)  # names only as identifiers or repr'd strings
    cls = type(class_name(graph.spec.name), (nn.Module,), {"forward": namespace["forward"], "code": code,
                                                           "__module__": __name__})
    root = cls()
    blocks = {b.path: class_name(b.block) for b in graph.spec.blocks}
    containers: dict[str, type] = {}
    for node in defined:
        _attach(root, paths[node.name], node.name, lowered[node.name], blocks, containers)
    return Built(root.eval(), paths, report)


def access(owner: str, path: str) -> str:
    """Code that reads the submodule at `path`: ``self.fire2.squeeze``, ``getattr(self, 'global')``."""
    for part in path.split("."):
        owner = attr(owner, part)
    return owner


def _attach(root: nn.Module, path: str, name: str, module: nn.Module, blocks: dict[str, str],
            containers: dict[str, type]) -> None:
    """Register `module` at `path`, creating the block instances' containers on the way."""
    *scopes, leaf = path.split(".")
    names = name.split(".")
    parent = root
    for k, scope in enumerate(scopes):
        if scope not in parent._modules:
            cls_name = blocks.get(".".join(names[: k + 1]), "Block")
            if cls_name not in containers:  # an empty container of the block's class name: the export's tree
                containers[cls_name] = type(cls_name, (nn.Module,), {"__module__": __name__})
            parent.add_module(scope, containers[cls_name]())
        parent = parent.get_submodule(scope)
    parent.add_module(leaf, module)


def _lower_one(node: LayerSpec, row: LayerReport, rf_copy: bool) -> nn.Module:
    bound = row.bound
    assert bound is not None
    return node.layer.to_torch_linear(bound) if rf_copy else node.layer.to_torch(bound)


class _Support(torch.autograd.Function):
    """Identity forward; backward replaces the gradient by 1 where it is non-zero, 0 elsewhere."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return (grad != 0).to(grad.dtype)


def support(x: torch.Tensor) -> torch.Tensor:
    """Back-propagate where a gradient reaches, not how much of it.

    Receptive fields are measured from the extent of the non-zero input gradient of
    one output unit. Through many layers the gradient at a field's border is a
    product of many small weights and would underflow (1/9 per 3×3 layer: 10⁻⁹⁴
    after a hundred); resetting it to 1 after every layer keeps the extent exact
    in float32, with no cancellation when the weights are positive.
    """
    out: torch.Tensor = _Support.apply(x)
    return out


def module_paths(names: list[str]) -> dict[str, str]:
    """Layer name -> submodule path: the name itself, unless a part of it is an attribute
    every module has (``forward``, ``training`` ...), which gets a trailing ``_``."""
    renamed: dict[str, str] = {}  # scoped prefix -> its path
    used: set[str] = set(names)
    result = {}
    for name in names:
        parts = name.split(".")
        path: list[str] = []
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix not in renamed:
                part = parts[k - 1]
                parent = ".".join(path)
                candidate = part
                while candidate in _TAKEN or (candidate != part and f"{parent}.{candidate}".lstrip(".") in used):
                    candidate += "_"
                renamed[prefix] = f"{parent}.{candidate}".lstrip(".")
                used.add(renamed[prefix])
            path = renamed[prefix].split(".")
        result[name] = renamed[name]
    return result


@contextmanager
def _device(device: str | torch.device | None) -> Iterator[None]:
    if device is None:
        yield
        return
    with torch.device(device):
        yield


__all__ = ["Built", "access", "build_module", "lower", "module_paths", "support"]
