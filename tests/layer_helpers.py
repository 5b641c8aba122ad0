"""Helpers shared by the layer tests: build a registered layer from YAML-style arguments."""

from __future__ import annotations

import importlib
from typing import Any

from cnncalc.layers import Layer, lookup

Shape = tuple[int, ...]


def build(kind: str, **args: Any) -> Layer:
    """The layer `kind` with `args` as they would be written in YAML (validated)."""
    cls = lookup(kind)
    assert cls is not None, kind
    return cls.from_args(args)


def analyse(kind: str, shape: Shape, **args: Any) -> tuple[Layer, Shape]:
    """The layer and its output shape for one input of `shape`."""
    layer = build(kind, **args)
    layer.check_inputs([shape])
    return layer, layer.output_shape([shape])


def run_in_torch(layer: Layer, ins: list[Shape], x: Any = None) -> tuple[Any, Any]:
    """Lower `layer`, run it on batch-1 inputs (zeros unless `x` is given) and check it against the rules.

    Asserts that torch's output shape, parameter count and buffer count (without
    BN's num_batches_tracked) equal the analytic ones; returns (module, output).
    """
    torch = importlib.import_module("torch")
    out = layer.output_shape(ins)
    module = layer.to_torch(ins, out).eval()
    xs = [torch.zeros(1, *shape) for shape in ins] if x is None else [x]
    with torch.no_grad():
        y = module(*xs)
    assert tuple(y.shape) == (1, *out)
    assert sum(p.numel() for p in module.parameters()) == layer.params(ins, out)
    buffers = sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked"))
    assert buffers == layer.buffers(ins, out)
    return module, y
