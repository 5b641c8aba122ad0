"""The Layer base class: what every registered layer type declares and computes.

A subclass declares its arguments (`ARGS`, with `PRIMARY` the one a
``{TYPE: VALUE}`` shorthand sets) and implements the rules as pure functions of
its input shapes. Shapes are channels-first tuples without the batch dimension:
``(C,)``, ``(C, L)``, ``(C, H, W)`` or ``(C, D, H, W)``.

Counting conventions (README, "Counting conventions"):

- ``params``: learnable elements; ``buffers``: non-learnable state.
- ``macs``: multiply-accumulates of conv, transposed conv and linear only.
- ``flops``: ``2·macs`` plus `extra_flops`, the other arithmetic. Every class
  states its extra cost through `FLOPS` (a rule from `costs`) or by overriding
  `extra_flops`; a class that does neither is an error, never a silent zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.errors import LayerError
from cnncalc.layers import steps as worked
from cnncalc.layers.args import Arg
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step

if TYPE_CHECKING:  # the torch backend imports torch lazily; the analysis never does
    import torch

Shape = tuple[int, ...]
Shapes = Sequence[Shape]


def numel(shape: Shape) -> int:
    """Number of elements of a shape (batch 1)."""
    n = 1
    for d in shape:
        n *= d
    return n


def fmt_shape(shape: Shape) -> str:
    return "×".join(str(d) for d in shape)


class Layer:
    """One registered layer kind: its arguments and its rules.

    Class attributes set by subclasses:

    - ``ARGS``: the arguments, in the order they are documented.
    - ``PRIMARY``: the argument that ``{TYPE: VALUE}`` sets (``{conv: 64}`` sets ``out``).
    - ``MIN_INPUTS``/``MAX_INPUTS``: how many inputs it takes (None: any number >= MIN).
    - ``WEIGHTED``: a conv or linear layer, counted by `depth`.
    - ``FLOPS``: the extra-FLOP rule, from `cnncalc.layers.costs`.
    - ``SPATIAL``: the layer keeps the spatial grid (elementwise); the field passes through.
    """

    KIND: ClassVar[str] = ""  # set by @register
    ARGS: ClassVar[tuple[Arg, ...]] = ()
    PRIMARY: ClassVar[str | None] = None
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1
    WEIGHTED: ClassVar[bool] = False
    FLOPS: ClassVar[Any] = None

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.validate()

    # -- construction -----------------------------------------------------------------

    @classmethod
    def from_args(cls, raw: Mapping[str, Any]) -> Layer:
        """Validate the arguments as written and build the layer.

        Raises `LayerError` with ``arg`` set to the offending argument's name, so the
        caller can point at its line in the YAML file.
        """
        known = {a.name: a for a in cls.ARGS}
        for name in raw:
            if name not in known:
                raise LayerError(
                    f"{cls.KIND} has no argument {name!r}{did_you_mean(name, known)}; "
                    f"its arguments are: {', '.join(known) or 'none'}",
                    arg=name,
                    about_name=True,
                )
        values: dict[str, Any] = {}
        for arg in cls.ARGS:
            if arg.name in raw:
                try:
                    values[arg.name] = arg.convert(raw[arg.name])
                except LayerError as exc:
                    raise LayerError(f"{cls.KIND} argument {arg.name}: {exc.message}", arg=arg.name) from None
            elif arg.required:
                raise LayerError(f"{cls.KIND} needs the argument {arg.name!r} ({arg.doc})", arg=arg.name)
            else:
                values[arg.name] = arg.default
        return cls(**values)

    def validate(self) -> None:
        """Checks between arguments (e.g. output padding smaller than the stride)."""

    def arg_values(self) -> dict[str, Any]:
        return {a.name: getattr(self, a.name) for a in self.ARGS}

    def describe(self) -> str:
        """A short summary of the arguments for tables, e.g. ``3×3/2 pad 1``."""
        parts = []
        for arg in self.ARGS:
            value = getattr(self, arg.name)
            if value != arg.default or arg.required:
                parts.append(f"{arg.name}={_compact(value)}")
        return " ".join(parts)

    # -- rules ----------------------------------------------------------------------

    def check_inputs(self, ins: Shapes) -> None:
        """The number of inputs; called by the analysis before `output_shape`."""
        n = len(ins)
        if n < self.MIN_INPUTS or (self.MAX_INPUTS is not None and n > self.MAX_INPUTS):
            want = (
                str(self.MIN_INPUTS)
                if self.MAX_INPUTS == self.MIN_INPUTS
                else f"at least {self.MIN_INPUTS}"
                if self.MAX_INPUTS is None
                else f"{self.MIN_INPUTS} to {self.MAX_INPUTS}"
            )
            raise LayerError(f"{self.KIND} takes {want} input{'s' if want != '1' else ''}, received {n}")

    def output_shape(self, ins: Shapes) -> Shape:
        raise NotImplementedError

    def params(self, ins: Shapes, out: Shape) -> int:
        return 0

    def buffers(self, ins: Shapes, out: Shape) -> int:
        return 0

    def macs(self, ins: Shapes, out: Shape) -> int:
        return 0

    def extra_flops(self, ins: Shapes, out: Shape) -> int:
        """Arithmetic other than the multiply-accumulates (README table)."""
        if self.FLOPS is None:
            raise NotImplementedError(f"layer type {self.KIND!r} declares no FLOP rule")
        return int(type(self).FLOPS(ins, out))  # via the class: a plain function must not bind to self

    def flops(self, ins: Shapes, out: Shape) -> int:
        return 2 * self.macs(ins, out) + self.extra_flops(ins, out)

    def depth_inputs(self, ins: Shapes, out: Shape) -> tuple[int, ...]:
        """The inputs whose paths count for `depth` (all of them, unless a layer says otherwise)."""
        return tuple(range(len(ins)))

    def receptive_field(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> RF:
        """Default: an elementwise layer, whose units see what their input's units see.

        Layers that change the spatial grid override this; layers whose output has no
        spatial dimensions return `RF.whole_input()`.
        """
        if len(out) < 2:
            return RF.whole_input()
        return RF.union(fields)

    def notes(self, ins: Shapes, out: Shape) -> tuple[str, ...]:
        """Remarks for the table, e.g. that a window does not tile its input evenly."""
        return ()

    def fits(self, ins: Shapes) -> bool:
        """False when an output size had to be rounded (the window does not tile the input)."""
        return True

    def biases(self, ins: Shapes, out: Shape) -> int:
        """The part of `params` that is biases (torch's ``.bias`` tensors); the rest are weights."""
        return 0

    # -- worked formulas (cnncalc layer / explain / check) -----------------------------

    def steps(self, ins: Shapes, out: Shape, fields: Sequence[RF] | None = None) -> list[Step]:
        """The formulas behind every number of this layer, numbers substituted, in reading order.

        `fields` are the inputs' receptive fields (default: the layer on its own, r = j = 1).
        Subclasses override the ``*_steps`` hooks for the quantities they have a formula for.
        """
        if fields is None:
            fields = [RF.of_input(spatial_rank(s)) for s in ins]
        return [*self.shape_steps(ins, out), *self.params_steps(ins, out), *self.macs_steps(ins, out),
                *self.flops_steps(ins, out), *self.rf_steps(fields, ins, out)]

    def shape_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        if tuple(out) == tuple(ins[0]):
            return [worked.unchanged_shape(out)]
        return [Step("output_shape", f"output = {fmt_shape(out)}", tuple(out))]

    def params_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        params, buffers = self.params(ins, out), self.buffers(ins, out)
        result = [worked.counted("params", "params", params, "" if params else "no learnable parameters")]
        if buffers:
            result.append(worked.counted("buffers", "buffers", buffers, "non-learnable state"))
        return result

    def macs_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        macs = self.macs(ins, out)
        note = "" if macs else "only convolutions and linear layers multiply-accumulate"
        return [worked.counted("macs", "MACs", macs, note)]

    def flops_steps(self, ins: Shapes, out: Shape) -> list[Step]:
        """``2·MACs`` plus the other arithmetic, explained by the FLOP rule's docstring."""
        doc = ""
        for cls in type(self).__mro__[:-2]:  # the most derived declaration wins; not Layer, not object
            if "extra_flops" in vars(cls):
                doc = vars(cls)["extra_flops"].__doc__ or cls.__doc__ or ""
                break
            if vars(cls).get("FLOPS") is not None:
                doc = vars(cls)["FLOPS"].__doc__ or ""
                break
        doc = doc.strip().splitlines()[0].rstrip(".") if doc.strip() else ""
        return [worked.flops_step(self.macs(ins, out), self.extra_flops(ins, out), doc)]

    def rf_steps(self, fields: Sequence[RF], ins: Shapes, out: Shape) -> list[Step]:
        return worked.passed_field(fields, self.receptive_field(fields, ins, out))

    def to_torch(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        """The equivalent torch module (torch is imported inside implementations)."""
        raise NotImplementedError(f"layer type {self.KIND!r} has no torch lowering yet")

    def to_torch_linear(self, ins: Shapes, out: Shape) -> torch.nn.Module:
        """A stand-in with the same geometry for measuring receptive fields by gradients.

        `cnncalc verify` sets every weight to a positive constant and back-propagates
        one output unit; this stand-in must be linear (or at least monotone) with the
        same windows, so that no gradient cancels. Default: `to_torch` (convolution,
        average pooling and the like already are). Non-linearities return an
        identity, max/min pooling a sum over the same windows.
        """
        return self.to_torch(ins, out)

    def rf_exact(self, ins: Shapes, out: Shape) -> bool:
        """Whether every output unit sees exactly `receptive_field`'s size (the default).

        False where the analytic field is the largest over output positions (a
        transposed convolution, adaptive bins of unequal width): a measured field
        may then be smaller.
        """
        return True


def spatial_rank(shape: Shape) -> int:
    return len(shape) - 1


def did_you_mean(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _compact(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_compact(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
