"""Functions, tensor methods and operators -> cnncalc layer kinds: the importer's second table.

Keyed as ``torch.fx`` records the call: the function itself (``F.relu``,
``torch.cat``, ``operator.add`` for ``+``) or a tensor method's name
(``"mean"`` for ``x.mean(...)``). A rule sees the call's arguments with tensors
replaced by their shapes (`importer_table.Call`) and returns the kind, its
arguments and the spelling the code used, or why cnncalc has no kind for it.
An activation's spellings come from its kind's own ``TORCH_CALLS``.
"""

from __future__ import annotations

import operator
from typing import Any

import torch
import torch.nn.functional as F

from cnncalc import layers
from cnncalc.torch import importer_layout as layout
from cnncalc.torch.importer_table import Call, Mapped, Rule, Unsupported, adaptive, compact


def _merge(kind: str, spelling: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        if len(c.inputs) != 2:
            return Unsupported(f"{spelling} with a constant operand (cnncalc's {kind} combines two tensors)")
        return Mapped(kind, torch=spelling if spelling not in ("+", "*") else "")

    return rule


def _cat(c: Call) -> Mapped | Unsupported:
    if len(c.inputs) == 1:
        return Mapped("")  # torch.cat([x]): x itself (DenseNet's first layer)
    dim = c.arg(1, "dim", 0)
    rank = len(c.inputs[0]) + 1
    if dim % rank != 1:
        return Unsupported(f"torch.cat along dimension {dim} (cnncalc concatenates the channels, dim=1)")
    return Mapped("concat")


def _flatten(spelling: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        if c.output is None or len(c.output) != 1 or len(c.inputs) != 1:
            shape = "×".join(map(str, c.output or ()))
            return Unsupported(f"{spelling} to {shape} (only flattening to a vector has a cnncalc kind)")
        return Mapped("flatten", torch=spelling)

    return rule


def _function(kind: str, spelling: str, **positions: tuple[int, str]) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        args = {}
        for name, (index, torch_name) in positions.items():
            value = c.arg(index, torch_name)
            if value is not None:
                args[name] = compact(value)
        return Mapped(kind, args, torch=spelling)

    return rule


def _hardtanh(c: Call) -> Mapped | Unsupported:
    if (c.arg(1, "min_val", -1.0), c.arg(2, "max_val", 1.0)) != (0.0, 6.0):
        return Unsupported("F.hardtanh other than relu6 (min 0, max 6)")
    return Mapped("relu6", torch="F.hardtanh")


def _softmax_function(spelling: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        dim, rank = c.arg(1, "dim"), len(c.inputs[0]) + 1
        if dim is None or dim % rank != 1:
            return Unsupported(f"{spelling} over dimension {dim} (cnncalc's softmax is over the channels)")
        return Mapped("softmax", torch=spelling)

    return rule


def _pool_function(kind: str, spelling: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        kernel = c.arg(1, "kernel_size")
        stride = c.arg(2, "stride") or kernel
        args = {"kernel": compact(kernel), "stride": compact(stride), "padding": compact(c.arg(3, "padding", 0))}
        if kind == "maxpool":
            args |= {"dilation": compact(c.arg(4, "dilation", 1)), "ceil_mode": c.arg(5, "ceil_mode", False)}
            if c.arg(6, "return_indices", False):
                return Unsupported(f"{spelling} with return_indices")
        else:
            args |= {"ceil_mode": c.arg(4, "ceil_mode", False), "count_include_pad": c.arg(5, "count_include_pad",
                                                                                              True)}
            if c.arg(6, "divisor_override"):
                return Unsupported(f"{spelling} with divisor_override")
        return Mapped(kind, args, torch=spelling)

    return rule


def _mean(spelling: str) -> Rule:
    def rule(c: Call) -> Mapped | Unsupported:
        rank = len(c.inputs[0]) + 1
        dims = c.arg(1, "dim")
        dims = (dims,) if isinstance(dims, int) else tuple(dims or ())
        if sorted(d % rank for d in dims) != list(range(2, rank)):
            return Unsupported(f"{spelling} over dimensions {list(dims)} (only a mean over every spatial "
                               "dimension, global average pooling, has a cnncalc kind)")
        return Mapped("global_avgpool", torch=spelling, then_flatten=not c.arg(2, "keepdim", False))

    return rule


def _activation_function(kind: str, spelling: str, **positions: tuple[int, str]) -> Rule:
    return _function(kind, spelling, **positions)


def _spellings(kind: str) -> dict[Any, Rule]:
    """F.relu, torch.relu, x.relu ... of an activation kind, from the kind's own spellings."""
    result: dict[Any, Rule] = {}
    cls = layers.require(kind)
    for spelling in cls.TORCH_CALLS:
        prefix, _, name = spelling.partition(".")
        if prefix == "F" and hasattr(F, name):
            result[getattr(F, name)] = _activation_function(kind, spelling)
        elif prefix == "torch" and hasattr(torch, name):
            result[getattr(torch, name)] = _activation_function(kind, spelling)
        elif prefix == "x":
            result[name] = _activation_function(kind, spelling)
    return result


def _ignore(c: Call) -> Mapped | Unsupported:
    return Mapped("")  # passes its input through: no layer (x.contiguous())


FUNCTIONS: dict[Any, Rule] = {
    **{f: rule for kind in ("relu", "relu6", "gelu", "silu", "sigmoid", "tanh", "softplus", "hardswish",
                            "hardsigmoid") for f, rule in _spellings(kind).items()},
    F.leaky_relu: _function("leaky_relu", "F.leaky_relu", negative_slope=(1, "negative_slope")),
    F.gelu: _function("gelu", "F.gelu", approximate=(1, "approximate")),
    F.elu: _function("elu", "F.elu", alpha=(1, "alpha")),
    F.hardtanh: _hardtanh,
    F.softmax: _softmax_function("F.softmax"), torch.softmax: _softmax_function("torch.softmax"),
    "softmax": _softmax_function("x.softmax"),
    operator.add: _merge("add", "+"), operator.iadd: _merge("add", "+="), torch.add: _merge("add", "torch.add"),
    "add": _merge("add", "x.add"), "add_": _merge("add", "x.add_"),
    operator.mul: _merge("mul", "*"), operator.imul: _merge("mul", "*="), torch.mul: _merge("mul", "torch.mul"),
    "mul": _merge("mul", "x.mul"), "mul_": _merge("mul", "x.mul_"),
    torch.cat: _cat,
    torch.flatten: _flatten("torch.flatten"), "flatten": _flatten("x.flatten"), "view": _flatten("x.view"),
    "reshape": _flatten("x.reshape"), torch.reshape: _flatten("x.reshape"),
    **{getattr(F, f"max_pool{r}d"): _pool_function("maxpool", f"F.max_pool{r}d") for r in (1, 2, 3)},
    **{getattr(F, f"avg_pool{r}d"): _pool_function("avgpool", f"F.avg_pool{r}d") for r in (1, 2, 3)},
    **{getattr(F, f"adaptive_avg_pool{r}d"): adaptive(True) for r in (1, 2, 3)},
    **{getattr(F, f"adaptive_max_pool{r}d"): adaptive(False) for r in (1, 2, 3)},
    "mean": _mean("x.mean"), torch.mean: _mean("torch.mean"),
    F.dropout: _function("dropout", "F.dropout", p=(1, "p")),
    "contiguous": _ignore,
}


def _wrapped() -> tuple[Any, ...]:
    """Library functions traced as one call (fx would trace through them into views and transposes)."""
    try:
        from torchvision.models.shufflenetv2 import channel_shuffle
    except ImportError:
        return ()
    FUNCTIONS[channel_shuffle] = layout.channel_shuffle
    return (channel_shuffle,)


WRAPPED = _wrapped()


def function_rule(target: Any) -> Rule | None:
    """The rule for a call_function target or a call_method name."""
    try:
        return FUNCTIONS.get(target)
    except TypeError:  # an unhashable target
        return None


def describe(target: Any) -> str:
    """A function as the code names it: F.relu, torch.cat, operator.add -> '+', a method -> x.name."""
    if isinstance(target, str):
        return f"x.{target}"
    symbols = {operator.add: "+", operator.iadd: "+=", operator.mul: "*", operator.imul: "*=",
               operator.getitem: "x[...]", operator.matmul: "@", operator.truediv: "/", operator.sub: "-"}
    if target in symbols:
        return symbols[target]
    module = getattr(target, "__module__", "") or ""
    name = getattr(target, "__name__", repr(target))
    if module.startswith("torch.nn.functional") or getattr(F, name, None) is target:
        return f"F.{name}"
    if module.startswith("torch") or getattr(torch, name, None) is target:
        return f"torch.{name}"
    return f"{module}.{name}" if module else name


__all__ = ["FUNCTIONS", "WRAPPED", "describe", "function_rule"]
