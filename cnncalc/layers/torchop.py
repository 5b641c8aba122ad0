"""A layer as the PyTorch operation that computes it: what a counting tool sees of it.

FLOP counters (fvcore, torch's FlopCounterMode, torchinfo, ptflops, thop) do not
see cnncalc's layer kinds: they see PyTorch calls — a module such as
``nn.Conv2d`` (its exact class matters to ptflops and thop, its name to
torchinfo), a function such as ``F.relu`` or ``torch.cat``, a tensor method such
as ``x.mean``, or an operator such as ``+``. Each layer kind names, once, the
calls that compute it (``TORCH_CALLS``: the first is what its lowering builds or
what torchvision writes, the others are other spellings of the same operation),
and the attributes of the torch module a tool reads (``torch_attrs``). A network
file may pick another spelling per layer (``torch: F.relu``), so that the zoo
mirrors the torch code it was written after.

This module holds the plain value (`TorchOp`) and the default way a bound layer
becomes one; the tools' rules are in `cnncalc.analysis.conventions`. Nothing here
imports torch.

>>> TorchOp("nn.Conv2d", ((3, 8, 8),), (4, 6, 6)).form, TorchOp("F.relu", ((4,),), (4,)).form
('module', 'function')
>>> TorchOp("x.mean", ((4, 2, 2),), (4,)).form, TorchOp("+=", ((4,), (4,)), (4,)).form
('method', 'operator')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError

if TYPE_CHECKING:
    from cnncalc.layers.base import Bound, Layer

Shape = tuple[int, ...]
FORMS = ("module", "function", "method", "operator")
OPERATORS = ("+", "+=", "*", "*=", "@")


@dataclass(frozen=True)
class TorchOp:
    """One PyTorch call, with what the counting tools read of it (shapes are without the batch).

    `target` is how the code calls it: ``nn.Conv2d`` (a torch.nn module of exactly
    that class), ``LayerNorm2d`` (a module of another class: no ``nn.`` prefix),
    ``F.relu`` or ``torch.cat`` (a function), ``x.mean`` (a tensor method) or ``+``
    (an operator). `attrs` are the module's attributes, or the call's arguments,
    in torch's own words (``kernel_size``, ``groups``, ``affine`` ...). `params`
    are a module's parameters by name, with their sizes. `calls` are what the
    forward of a module that is not a torch.nn class runs (its child modules and
    functions), which some tools see instead of the module.
    """

    target: str
    inputs: tuple[Shape, ...]
    output: Shape
    attrs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, int] = field(default_factory=dict)
    calls: tuple[TorchOp, ...] = ()

    @property
    def form(self) -> str:
        """module, function, method or operator."""
        if self.target in OPERATORS:
            return "operator"
        if self.target.startswith("x."):
            return "method"
        if self.target.startswith(("F.", "torch.")):
            return "function"
        return "module"

    @property
    def torch_nn(self) -> bool:
        """A module of exactly a torch.nn class (ptflops and thop hook no subclass)."""
        return self.target.startswith("nn.")

    @property
    def class_name(self) -> str:
        """The module's class name as ``type(m).__name__`` gives it (torchinfo tests it for "Conv")."""
        return self.target.removeprefix("nn.")

    @property
    def function(self) -> str:
        """The called name without its prefix: ``F.relu`` -> relu, ``x.add_`` -> add_."""
        return self.target.split(".", 1)[1] if "." in self.target else self.target

    def shown(self) -> str:
        """As the code reads: ``nn.Conv2d(...)``, ``F.relu(x)``, ``x.mean(...)``, ``a + b``."""
        if self.form == "operator":
            return f"a {self.target} b"
        if self.form == "method":
            return f"{self.target}(...)"
        return f"{self.target}(...)"


def spellings(layer: type[Layer] | Layer, rank: int) -> tuple[str, ...]:
    """The calls a kind may be written as, for inputs of `rank` spatial dimensions (1 for none)."""
    cls = layer if isinstance(layer, type) else type(layer)
    return tuple(dict.fromkeys(call.format(rank=max(rank, 1)) for call in cls.TORCH_CALLS))


def all_spellings(layer: type[Layer]) -> tuple[str, ...]:
    """Every spelling for any rank, in order, without repeats (for checking a network file)."""
    seen: dict[str, None] = {}
    for call in layer.TORCH_CALLS:
        for rank in (1, 2, 3):
            seen[call.format(rank=rank)] = None
    return tuple(seen)


def standard(layer: Layer, bound: Bound, call: str = "") -> TorchOp:
    """The bound layer as its default call (or `call`, one of its spellings): shapes from the bound
    layer, attributes from the kind's ``torch_attrs``, parameters ``weight`` and ``bias`` from its
    params and biases."""
    rank = len(bound.inputs[0]) - 1 if bound.inputs else 0
    options = spellings(layer, rank)
    if not options:
        raise LayerError(f"layer type {layer.KIND!r} does not say which PyTorch call computes it (TORCH_CALLS), "
                         "so the counting tools' conventions cannot be applied to it")
    target = call or options[0]
    if target not in options:
        raise LayerError(f"torch: {target!r} is not a way to write {layer.KIND} in PyTorch; "
                         f"write one of {', '.join(options)}")
    params: dict[str, int] = {}
    if target.startswith("nn.") or (not target.startswith(("F.", "torch.", "x.")) and target not in OPERATORS):
        weights, biases = bound.weights, int(bound.biases.value)
        if weights:
            params["weight"] = weights
        if biases:
            params["bias"] = biases
    return TorchOp(target, bound.inputs, bound.output, layer.torch_attrs(bound), params)


__all__ = ["FORMS", "OPERATORS", "TorchOp", "all_spellings", "spellings", "standard"]
