"""The counters that read ATen operators: fvcore, torch's FlopCounterMode and ptflops' aten backend.

They see what a call dispatches to, not how it was written: ``nn.ReLU``,
``F.relu`` and ``x.relu()`` are the same ``aten::relu``. fvcore keys its handles
on the operators of a ``torch.jit`` trace (``_DEFAULT_SUPPORTED_OPS``);
FlopCounterMode and ptflops' aten backend key theirs on the dispatched
operators, where ``aten::linear`` has become ``addmm`` (or ``mm`` and a separate
bias add) and ``aten::_convolution`` is ``convolution``. Every operator without
a handle counts 0 for these tools — that is their rule, not a gap.
"""

from __future__ import annotations

from collections.abc import Callable

from cnncalc.analysis.conventions import facts
from cnncalc.analysis.conventions.tool import Tally, Tool, conv_spatial, int_total, joined, numel, walk, weight_numel
from cnncalc.layers.torchop import TorchOp

Handle = Callable[[TorchOp, int], Tally]


def _conv(scale: int, bias: bool) -> Handle:
    def count(op: TorchOp, batch: int) -> Tally:
        where = "input" if op.attrs["transposed"] else "output"
        value = scale * batch * weight_numel(op) * conv_spatial(op)
        rule = f"{'2·' if scale == 2 else ''}N·numel(weight)·∏({where} spatial)"
        if bias and op.attrs["bias"]:
            value += batch * numel(op.output)
            rule += " + bias N·numel(out)"
        elif not bias:
            rule += "; bias not counted"
        return Tally(value, rule)

    return count


def _elements(input_scale: int, output_scale: int, rule: str) -> Handle:
    """fvcore's elementwise_flop_counter(input_scale, output_scale)."""

    def count(op: TorchOp, batch: int) -> Tally:
        return Tally(batch * (input_scale * numel(op.inputs[0]) + output_scale * numel(op.output)), rule)

    return count


def _norm(flag: str) -> Handle:
    """fvcore's norm_flop_counter: 5 per element with an affine weight, 4 without."""

    def count(op: TorchOp, batch: int) -> Tally:
        per = 5 if op.attrs.get(flag) else 4
        return Tally(per * batch * numel(op.inputs[0]), f"{per}·numel(input) ({'with' if per == 5 else 'no'} weight)")

    return count


def _batch_norm(op: TorchOp, batch: int) -> Tally:
    per = 2 if op.attrs.get("affine") else 1
    return Tally(per * batch * numel(op.inputs[0]), f"{per}·numel(input) (inference{', affine' if per == 2 else ''})")


def _linear(scale: int) -> Handle:
    def count(op: TorchOp, batch: int) -> Tally:
        value = scale * batch * numel(op.inputs[0]) * op.attrs["out_features"]
        return Tally(value, f"{'2·' if scale == 2 else ''}numel(input)·out_features; bias not counted")

    return count


# fvcore 0.1.5: _DEFAULT_SUPPORTED_OPS, keyed as fvcore keys them (matmul-family handles are not
# listed: no layer kind is written as a matrix product)
FVCORE: dict[str, Handle] = {
    "aten::_convolution": _conv(1, bias=False),
    "aten::linear": _linear(1),
    "aten::batch_norm": _batch_norm,
    "aten::group_norm": _norm("affine"),
    "aten::layer_norm": _norm("elementwise_affine"),
    "aten::instance_norm": _norm("affine"),
    "aten::upsample_nearest2d": _elements(0, 1, "numel(output)"),
    "aten::upsample_bilinear2d": _elements(0, 4, "4·numel(output)"),
    "aten::adaptive_avg_pool2d": _elements(1, 0, "numel(input), whatever the output size"),
}


def dispatched(op: TorchOp) -> str:
    """The operator a call reaches at dispatch: ``aten::linear`` becomes ``addmm`` when it carries its
    bias (a 2-D input, or a contiguous one flattened to 2-D) and ``mm`` otherwise (its bias then a
    separate ``add_``); ``aten::_convolution`` is ``convolution``."""
    jit = facts.lookup(op.target).jit
    if jit == "aten::linear":
        two_d = len(op.inputs[0]) == 1
        return "aten.addmm" if op.attrs["bias"] and (two_d or op.attrs.get("contiguous", True)) else "aten.mm"
    return jit.replace("aten::_convolution", "aten.convolution").replace("::", ".")


def _matmul(scale: int, bias: bool) -> Handle:
    def count(op: TorchOp, batch: int) -> Tally:
        rows = batch * numel(op.inputs[0]) // op.attrs["in_features"]
        value = scale * rows * op.attrs["in_features"] * op.attrs["out_features"]
        rule = f"{'2·' if scale == 2 else ''}M·K·N"
        if bias:
            value += rows * op.attrs["out_features"]
            rule += " + bias M·N"
        return Tally(value, rule)

    return count


# torch.utils.flop_counter: the registry of flop formulas (2 per multiply-add)
FLOP_COUNTER: dict[str, Handle] = {
    "aten.convolution": _conv(2, bias=False),
    "aten.addmm": _matmul(2, bias=False),
    "aten.mm": _matmul(2, bias=False),
}

# ptflops 0.7.5, aten backend: ATEN_OPS_MAPPING
PTFLOPS_ATEN: dict[str, Handle] = {
    "aten.convolution": _conv(1, bias=True),
    "aten.addmm": _matmul(1, bias=True),
    "aten.mm": _matmul(1, bias=False),
}


def _traced(table: dict[str, Handle], key: Callable[[TorchOp], str], what: str) -> Callable[[TorchOp, int], Tally]:
    def count(op: TorchOp, batch: int) -> Tally:
        tallies = []
        for inner in walk(op):
            name = key(inner)
            handle = table.get(name)
            tallies.append(handle(inner, batch) if handle else Tally(0, f"{name or 'no operator'}: {what}"))
        return joined(tallies)

    return count


FVCORE_TOOL = Tool(
    "fvcore", "fvcore FlopCountAnalysis", "FlopCountAnalysis(model, x).total()", "fvcore 0.1.5.post20221221",
    "1 multiply-add = 1 flop", _traced(FVCORE, lambda op: facts.lookup(op.target).jit, "no fvcore handle"),
    int_total)
FLOP_COUNTER_TOOL = Tool(
    "flopcounter", "torch FlopCounterMode", "FlopCounterMode(display=False) under no_grad; get_total_flops()",
    "torch 2.14.1", "2 flops per multiply-add", _traced(FLOP_COUNTER, dispatched, "no flop formula"), int_total)
PTFLOPS_ATEN_TOOL = Tool(
    "ptflops-aten", "ptflops (aten backend)", "get_model_complexity_info(model, (C, H, W), backend='aten')[0]",
    "ptflops 0.7.5", "MACs (bias adds of conv and linear included)",
    _traced(PTFLOPS_ATEN, dispatched, "not in ATEN_OPS_MAPPING"), int_total)

__all__ = ["FLOP_COUNTER", "FLOP_COUNTER_TOOL", "FVCORE", "FVCORE_TOOL", "PTFLOPS_ATEN", "PTFLOPS_ATEN_TOOL",
           "dispatched"]
