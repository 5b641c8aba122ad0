"""Helpers shared by the layer tests: build a registered layer from YAML-style arguments."""

from __future__ import annotations

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
