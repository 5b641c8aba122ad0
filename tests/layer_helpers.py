"""Helpers shared by the layer tests: build a registered layer kind from YAML-style arguments and bind it."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from cnncalc.layers import Layer, lookup, recurrence
from cnncalc.layers.base import Bound
from cnncalc.layers.rf import RF

Shape = tuple[int, ...]


def build(kind: str, **args: Any) -> Layer:
    """The layer `kind` with `args` as they would be written in YAML (validated)."""
    cls = lookup(kind)
    assert cls is not None, kind
    return cls.from_args(args)


def bind(kind: str, ins: Shape | list[Shape], fields: Sequence[RF] | None = None, **args: Any) -> Bound:
    """The layer `kind` bound to one input shape, or to a list of them (merges)."""
    shapes = [ins] if ins and isinstance(ins[0], int) else ins
    return build(kind, **args).bind(shapes, fields)  # type: ignore[arg-type]


def run_in_torch(bound: Bound, x: Any = None) -> tuple[Any, Any]:
    """Lower a bound layer, run it on batch-1 inputs (zeros unless `x` is given) and check it against the rules.

    Asserts that torch's output shape, parameter count and buffer count (without
    BN's num_batches_tracked) equal the analytic ones; returns (module, output).
    """
    torch = importlib.import_module("torch")
    module = bound.layer.to_torch(bound).eval()
    xs = [torch.zeros(1, *shape) for shape in bound.inputs] if x is None else [x]
    with torch.no_grad():
        y = module(*xs)
    assert tuple(y.shape) == (1, *bound.output)
    assert sum(p.numel() for p in module.parameters()) == bound.params.value
    buffers = sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked"))
    assert buffers == bound.buffers.value
    return module, y


def lowered(kind: str, ins: Shape | list[Shape], **args: Any) -> Any:
    """The torch module of the layer `kind` bound to `ins`."""
    bound = bind(kind, ins, **args)
    return bound.layer.to_torch(bound)


def through(rf: RF, kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
            dilation: Sequence[int] | None = None) -> RF:
    """The field after a sliding window (the recurrence's value alone)."""
    return recurrence.window(rf, kernel, stride, padding, dilation or (1,) * len(kernel)).rf
