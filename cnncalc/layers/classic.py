"""Layers of the classic papers as published: LeNet-5's trainable subsampling, connection-table
convolution and RBF output (LeCun et al. 1998), and ResNet's parameter-free "option A" channel
padding (He et al. 2016).

Counting follows the README's conventions: MACs are those of convolutions (and linear layers)
only, so the subsampling coefficient and the RBF distances are FLOPs, not MACs (fvcore, and
the MAC column of `verify`, count them the same way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved, saved_own
from cnncalc.layers.args import IntOrTuple, boolean, int_or_tuple, nonneg_int, optional, positive_int
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape, numel, spatial_rank
from cnncalc.layers.formula import Formula, Group, Mul, Num, Sub, Sum, product, total
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg, Plural
from cnncalc.layers.window import Window, dims

if TYPE_CHECKING:
    import torch


def connection_table(value: Any) -> tuple[tuple[int, ...], ...]:
    """A connection table: for each output map, the non-empty list of input maps it reads."""
    if not isinstance(value, list | tuple) or not value:
        raise LayerError("expected a list with, for each output map, the list of input maps it reads, "
                         f"received {value!r}")
    table = []
    for k, row in enumerate(value):
        items = row if isinstance(row, list | tuple) else [row]
        if not items:
            raise LayerError(f"output map {k} reads no input map; give at least one")
        maps = tuple(nonneg_int(v) for v in items)
        if len(set(maps)) != len(maps):
            raise LayerError(f"output map {k} lists an input map twice: {list(maps)}")
        table.append(maps)
    return tuple(table)


def _subsample_flops(b: Bound) -> Formula:
    kernel = product(b.geometry.kernel)
    return Mul(Group(Sum(kernel, 1)), Group(product(b.output)))


@register("subsample")
@dataclass(frozen=True, kw_only=True)
class Subsample(Window):
    """LeNet-5's subsampling (S2, S4): each map's window summed, times a trainable coefficient, plus a
    trainable bias (LeCun et al. 1998, section II.B). params = 2C; FLOPs: ∏k − 1 adds, a multiply
    and an add per output element. Lowered as a sum-pooling times a per-map weight, plus a bias.
    """

    kernel: IntOrTuple = arg(int_or_tuple(1), 2, "window size: an int or one per dimension", primary=True)
    stride: IntOrTuple | None = arg(optional(int_or_tuple(1)), None, "an int or one per dimension (default: "
                                    "the kernel)")
    padding: int = 0  # not an argument: LeNet's windows tile their maps

    FLOPS = costs.custom("∏k − 1 adds, one multiply by the coefficient and one bias add per output element",
                         _subsample_flops)
    TORCH_CALLS = ("Subsample",)  # cnncalc's own module (cnncalc/torch/classic.py)
    SAVED = saved_own.window_sum_times_weight()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        g = self.geometry(shape)
        sizes, size_lines, fits = self.sizes(shape, g)
        out = (shape[0], *(int(f.value) for f in sizes))
        params = Mul(2, Num(shape[0], "C"))
        worked = (Worked("output_shape", "C_out", Num(shape[0], "C_in"), Msg("each map is subsampled alone"),
                         symbolic=True), *size_lines,
                  Worked("params", "params", params, Msg("a trainable coefficient and a trainable bias per map"),
                         symbolic=True))
        field = recurrence.window(fields[0], g.kernel, g.stride, g.leading, g.dilation)
        return Bound(self, ins, out, field, g, params=params, biases=Num(shape[0]), worked=worked,
                     notes=self.tiling_notes(shape, g, fits), fits=fits)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.classic import Subsample as TorchSubsample

        shape = bound.inputs[0]
        return TorchSubsample(shape[0], bound.geometry.kernel, bound.geometry.stride, spatial_rank(shape))


@register("tableconv", "table_conv")
@dataclass(frozen=True, kw_only=True)
class TableConv(Layer):
    """A convolution whose output maps each read a chosen subset of the input maps, as LeNet-5's C3
    (LeCun et al. 1998, Table I). Output map j has |t_j|·∏k weights and a bias:
    params = Σ_j (|t_j|·∏k + bias); MACs = out positions · Σ_j |t_j|·∏k.
    """

    table: tuple[tuple[int, ...], ...] = arg(connection_table, doc="for each output map, the input maps it "
                                             "reads (LeNet-5's C3: Table I)", primary=True)
    kernel: IntOrTuple = arg(int_or_tuple(1), 5, "kernel size: an int or one per dimension")
    bias: bool = arg(boolean, True, "a learned bias per output map")

    WEIGHTED = True
    FLOPS = costs.bias_adds()
    TORCH_CALLS = ("TableConv",)  # cnncalc's own module (cnncalc/torch/classic.py)
    SAVED = saved_own.gathered_maps()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        channels = shape[0]
        for k, maps in enumerate(self.table):
            if max(maps) >= channels:
                raise LayerError(f"output map {k} reads input map {max(maps)}, but the input has {channels} maps "
                                 f"(0 to {channels - 1})", arg="table")
        conv = _plain_conv(self)
        inner = conv.bind([shape], fields)
        kernel = inner.geometry.kernel
        by_size: dict[int, int] = {}
        for maps in self.table:
            by_size[len(maps)] = by_size.get(len(maps), 0) + 1
        read = total([Mul(count, size) if count > 1 else Num(size) for size, count in sorted(by_size.items())])
        kernels = Mul(Group(read), Group(product(kernel)))  # the filters' input maps, times each kernel's size
        out = (len(self.table), *inner.output[1:])
        biases: Formula = Num(len(self.table), "out") if self.bias else Num(0)
        params: Formula = Sum(kernels, biases) if self.bias else kernels
        macs = Mul(Group(product(out[1:])), Group(kernels))
        note = Msg("{maps} read {read} input maps in all, {kernel} weights each: {weights} + {biases}",
                   maps=Plural(len(self.table), "output map", "output maps"), read=int(read.value),
                   kernel=dims(kernel), weights=Plural(int(kernels.value), "weight", "weights"),
                   biases=Plural(int(biases.value), "bias", "biases"))
        worked = (Worked("output_shape", "C_out", Num(len(self.table), "out"), Msg("one output map per row of "
                                                                                     "the table"), symbolic=True),
                  *(w for w in inner.worked if w.label != "C_out" and w.quantity == "output_shape"),
                  Worked("params", "params", params, note),
                  Worked("macs", "MACs", macs, Msg("output positions × the weights of all the filters")))
        return Bound(self, ins, out, inner.receptive, inner.geometry, params=params, biases=biases, macs=macs,
                     worked=worked, notes=inner.notes, fits=inner.fits)

    def describe(self, bound: Bound) -> str:
        reads = sum(len(maps) for maps in self.table)
        return f"{dims(bound.geometry.kernel)}, {len(self.table)} maps reading {reads}" + \
            ("" if self.bias else " no bias")

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.classic import TableConv as TorchTableConv

        return TorchTableConv(self.table, bound.geometry.kernel, self.bias, spatial_rank(bound.inputs[0]))


def _plain_conv(layer: TableConv) -> Layer:
    from cnncalc.layers.conv import Conv

    return Conv(out=len(layer.table), kernel=layer.kernel, bias=layer.bias)


def _rbf_flops(b: Bound) -> Formula:
    inputs = numel(b.inputs[0])
    return Mul(Num(b.output[0], "out"), Group(Sub(Mul(3, Num(inputs, "in")), 1)))


@register("rbf")
@dataclass(frozen=True, kw_only=True)
class RBF(Layer):
    """Euclidean radial basis function units, LeNet-5's output layer: y_i = Σ_j (x_j − w_ij)² over the
    flattened input (LeCun et al. 1998, section II.B). params = in·out (the prototypes w_ij; the paper
    fixes them by hand, but they are parameters); no MACs by the convention (a distance, not a dot
    product): FLOPs out·(3·in − 1), a subtraction, a square and an add per input less one add.
    """

    out: int = arg(positive_int, doc="number of RBF units (classes)", primary=True)

    WEIGHTED = True  # an output layer with a prototype per unit, counted by depth like a linear layer
    FLOPS = costs.custom("per unit: a subtraction, a square and an add per input, less one add", _rbf_flops)
    TORCH_CALLS = ("RBF",)  # cnncalc's own module (cnncalc/torch/classic.py)
    SAVED = saved_own.differences()

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        inputs = numel(ins[0])
        params = Mul(Num(inputs, "in"), Num(self.out, "out"))
        worked = (Worked("output_shape", "features", Num(self.out, "out"), Msg("one distance per unit"),
                         symbolic=True),
                  Worked("params", "params", params, Msg("a prototype of {n} values per unit", n=inputs),
                         symbolic=True),
                  Worked("macs", "MACs", Num(0), Msg("a distance is not counted as multiply-accumulates")))
        return Bound(self, ins, (self.out,), recurrence.whole(fields), params=params, worked=worked)

    def describe(self, bound: Bound) -> str:
        return str(self.out)

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.classic import RBF as TorchRBF

        return TorchRBF(numel(bound.inputs[0]), self.out)


@register("pad_channels")
@dataclass(frozen=True, kw_only=True)
class PadChannels(Layer):
    """Zero channels added before and after the input's (ResNet's parameter-free "option A" shortcut,
    He et al. 2016, section 3.3): C_out = before + C + after; no parameters, no arithmetic; each unit
    sees what its input sees (a zero channel sees nothing, which the field does not track)."""

    before: int = arg(nonneg_int, 0, "zero channels put before the input's")
    after: int = arg(nonneg_int, 0, "zero channels put after the input's")

    FLOPS = costs.free("a copy with zeros")
    TORCH_CALLS = ("PadChannels",)  # cnncalc's own module (cnncalc/torch/classic.py)
    SAVED = saved.nothing(Msg("a copy of its input with zero channels"))

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        shape = ins[0]
        if len(shape) < 2:
            raise LayerError(f"pad_channels needs a C×L, C×H×W or C×D×H×W input, received {fmt_shape(shape)}")
        channels = Sum(Num(self.before, "before"), Num(shape[0], "C"), Num(self.after, "after"))
        out = (int(channels.value), *shape[1:])
        worked = (Worked("output_shape", "C_out", channels, Msg("zero channels around the input's"),
                         symbolic=True),)
        return Bound(self, ins, out, self.passed_field(out, fields), worked=worked)

    def describe(self, bound: Bound) -> str:
        return f"+{self.before}+{self.after}"

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        from cnncalc.torch.classic import PadChannels as TorchPadChannels

        return TorchPadChannels(self.before, self.after, spatial_rank(bound.inputs[0]))


__all__ = ["RBF", "PadChannels", "Subsample", "TableConv", "connection_table"]
