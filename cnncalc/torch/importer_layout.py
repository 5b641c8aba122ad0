"""Channels-last stretches of a traced model, and the calls that only reorder or cut tensors.

cnncalc's shapes are channels first. Some models permute to channels last for a
few calls (ConvNeXt: ``Permute([0, 2, 3, 1])``, a LayerNorm and an MLP of
``nn.Linear`` over the last dimension, ``Permute([0, 3, 1, 2])``). The importer
follows which tensors are channels last: a permute that moves the channels to
the end (or back) is no layer, the calls in between see their inputs channels
first, and only calls that act on every position alike may run there.

Also here: ``x.chunk``/``torch.split`` followed by ``x[k]`` (ShuffleNet's
branches), which become cnncalc's ``split`` with ``part: k``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
from torch import fx

from cnncalc.torch.importer_table import Call, Mapped, Unsupported

Shape = tuple[int, ...]
# what may run on a channels-last tensor: calls that treat every position alike
POSITIONWISE = frozenset({
    "linear", "layernorm", "add", "mul", "dropout", "identity", "stochastic_depth", "scale", "relu", "relu6",
    "leaky_relu", "elu", "prelu", "gelu", "silu", "sigmoid", "tanh", "softplus", "hardswish", "hardsigmoid",
})
PERMUTES = ("permute",)  # the method name; torch.permute and torchvision's Permute module below


def permute_dims(module: fx.GraphModule, node: fx.Node) -> list[int] | None:
    """The dims of a permute call (torch.permute, x.permute, torchvision's Permute module), else None."""
    if node.op == "call_module":
        sub = module.get_submodule(str(node.target))
        cls = type(sub)
        dims: Any = getattr(sub, "dims", None)
        return [int(d) for d in dims] if cls.__name__ == "Permute" and dims is not None else None
    if (node.op == "call_method" and node.target == "permute") or node.target is torch.permute:
        given: Any = node.args[1:] if node.kwargs.get("dims") is None else (node.kwargs["dims"],)
        if len(given) == 1 and isinstance(given[0], list | tuple):
            given = tuple(given[0])
        return [int(d) for d in given] if all(isinstance(d, int) for d in given) else None
    return None


def after_permute(dims: list[int], channels_last: bool) -> bool | None:
    """Whether the output of permuting by `dims` is channels last; None for any other permutation."""
    rank = len(dims)
    to_last = [0, *range(2, rank), 1]
    to_first = [0, rank - 1, *range(1, rank - 1)]
    if not channels_last and dims == to_last:
        return True
    if channels_last and dims == to_first:
        return False
    if dims == list(range(rank)):
        return channels_last
    return None


def channels_first(shape: Shape) -> Shape:
    """(H, W, C) -> (C, H, W)."""
    return (shape[-1], *shape[:-1]) if len(shape) > 1 else shape


def chunk_part(node: fx.Node, parts_of: dict[fx.Node, Any]) -> tuple[fx.Node, Mapped] | None:
    """``x[k]`` of a chunk/split node: (the chunk node, ``split`` with ``part: k``), else None."""
    if node.target is not operator.getitem or not isinstance(node.args[0], fx.Node) or node.args[0] not in parts_of:
        return None
    k = node.args[1]
    if not isinstance(k, int):
        return None
    parts = parts_of[node.args[0]]
    args: dict[str, Any] = {"sizes": list(parts)} if isinstance(parts, list) else {"parts": parts}
    return node.args[0], Mapped("split", {**args, "part": k % (len(parts) if isinstance(parts, list) else parts)})


def chunking(node: fx.Node, channels: int) -> int | list[int] | Unsupported | None:
    """A chunk or split along the channels: the number of equal parts or the sizes; None if not one."""
    method = node.op == "call_method" and node.target in ("chunk", "split")
    function = node.op == "call_function" and node.target in (torch.chunk, torch.split)
    if not (method or function):
        return None
    name = str(node.target) if method else getattr(node.target, "__name__", "")
    what = f"x.{name}" if method else f"torch.{name}"
    amount = node.args[1] if len(node.args) > 1 else node.kwargs.get("chunks",
                                                                     node.kwargs.get("split_size_or_sections"))
    dim = node.args[2] if len(node.args) > 2 else node.kwargs.get("dim", 0)
    if not isinstance(dim, int) or dim != 1:
        return Unsupported(f"{what} along dimension {dim} (cnncalc splits the channels, dim=1)")
    if isinstance(amount, list | tuple):
        return [int(a) for a in amount]
    if not isinstance(amount, int) or amount < 1:
        return Unsupported(f"{what} by {amount!r}")
    if name == "chunk":
        return amount if channels % amount == 0 else Unsupported(f"{what}({amount}) of {channels} channels")
    sizes = [amount] * (channels // amount) + ([channels % amount] if channels % amount else [])
    return sizes if len(set(sizes)) > 1 else len(sizes)


def channel_shuffle(c: Call) -> Mapped | Unsupported:
    """torchvision's ``channel_shuffle(x, groups)`` (traced as one call)."""
    groups = c.arg(1, "groups")
    return Mapped("channel_shuffle", {"groups": groups}) if isinstance(groups, int) else Unsupported(
        "channel_shuffle with groups that are not a number")


def flat(args: Any, kwargs: Any) -> list[Any]:
    """Every value in a call's arguments, lists and dicts flattened (torch.cat's list of tensors)."""
    found: list[Any] = []

    def visit(value: Any) -> None:
        if isinstance(value, list | tuple):
            for v in value:
                visit(v)
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)
        else:
            found.append(value)

    visit(args)
    visit(kwargs)
    return found


def shapes_of(value: Any, shape: Callable[[Any], Any]) -> Any:
    """A call's arguments with each tensor node replaced by its `shape`, and other nodes by None."""
    if isinstance(value, fx.Node):
        return shape(value)
    if isinstance(value, list | tuple):
        return type(value)(shapes_of(v, shape) for v in value)
    if isinstance(value, dict):
        return {k: shapes_of(v, shape) for k, v in value.items()}
    return value


__all__ = ["POSITIONWISE", "after_permute", "channel_shuffle", "channels_first", "chunk_part", "chunking", "flat",
           "permute_dims", "shapes_of"]
