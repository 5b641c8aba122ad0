"""The analysis's results as plain frozen data: one row per layer, the totals, the report.

A `LayerReport` is a bound layer (`cnncalc.layers.base.Bound`) placed in its
network: its name, inputs, scope and depth, with the bound layer's numbers read
once from their formulas (MACs, FLOPs and activations for the report's batch).
Rendering reads these; the worked formulas stay in `bound`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.errors import CnnCalcError
from cnncalc.layers.base import Bound, Shape, numel
from cnncalc.layers.rf import RF
from cnncalc.layers.text import Msg
from cnncalc.spec import BlockInstance, Published

DTYPES = {"fp32": ("float32", 4), "fp16": ("float16", 2), "bf16": ("bfloat16", 2), "int8": ("int8", 1)}
DTYPE_ALIASES = {"float32": "fp32", "float": "fp32", "float16": "fp16", "half": "fp16", "bfloat16": "bf16"}


@dataclass(frozen=True)
class LayerReport:
    """One layer's numbers; macs, flops and activations are for the report's batch.

    `bound` is the layer bound to its inputs, whose formulas gave the numbers (None
    for a row that sums a block instance collapsed by `collapse`).
    """

    name: str
    type: str
    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    params: int
    biases: int
    buffers: int
    macs: int
    flops: int
    activations: int
    rf: RF
    fits: bool
    notes: tuple[Msg | str, ...]
    scope: tuple[str, ...]
    description: str
    depth: int  # conv/linear layers on the longest path from the input to here, this one included
    bound: Bound | None = None

    @property
    def weights(self) -> int:
        return self.params - self.biases


def layer_report(name: str, inputs: tuple[str, ...], scope: tuple[str, ...], bound: Bound, depth: int,
                 batch: int = 1) -> LayerReport:
    """A bound layer as a row of its network's report."""
    return LayerReport(
        name=name, type=bound.kind, inputs=inputs, input_shapes=bound.inputs, output_shape=bound.output,
        params=int(bound.params.value), biases=int(bound.biases.value), buffers=int(bound.buffers.value),
        macs=int(bound.macs.value) * batch, flops=int(bound.flops.value) * batch,
        activations=numel(bound.output) * batch, rf=bound.rf, fits=bound.fits, notes=bound.notes, scope=scope,
        description=bound.describe(), depth=depth, bound=bound,
    )


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
    notes: str = ""
    accuracy: Published | None = None  # the accuracy the file cites (see `cnncalc.analysis.accuracy`)


def dtype_info(dtype: str) -> tuple[str, int]:
    """Canonical name and bytes per element of fp32/fp16/bf16/int8 (or float32 ...)."""
    key = DTYPE_ALIASES.get(dtype, dtype)
    if key not in DTYPES:
        raise CnnCalcError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    return DTYPES[key]


__all__ = ["DTYPES", "LayerReport", "Report", "Totals", "dtype_info", "layer_report"]
