"""A layer kind, and the same kind bound to its input: every number with its formula.

A layer kind is an immutable value of its arguments: a frozen dataclass whose
fields are declared once with `arg` (converter, default, documentation), which
also feed the README's layer table and the error messages. `Layer.bind` applies
it to input shapes (channels first, without the batch dimension: ``(C,)``,
``(C, L)``, ``(C, H, W)`` or ``(C, D, H, W)``) and returns a `Bound`: the output
shape and every number the layer reports — params (and the biases among them),
buffers, MACs, extra FLOPs and FLOPs, the receptive field — each a `Formula`
whose value is the number and whose text is its worked answer.

Counting conventions (README, "Counting conventions"): ``params`` learnable
elements; ``buffers`` non-learnable state; ``macs`` multiply-accumulates of conv,
transposed conv and linear only; ``flops`` = 2·MACs + the kind's extra-FLOP rule
(`costs`), declared by every kind as ``FLOPS``.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any, ClassVar

from cnncalc.errors import LayerError
from cnncalc.layers import recurrence, torchop
from cnncalc.layers.args import REQUIRED, Arg
from cnncalc.layers.costs import FlopRule
from cnncalc.layers.formula import Formula, Mul, Num, Ref, Sum
from cnncalc.layers.rf import RF, Field
from cnncalc.layers.steps import Step, Worked
from cnncalc.layers.text import ENGLISH, Language, Msg
from cnncalc.layers.torchop import TorchOp

if TYPE_CHECKING:  # the torch lowering imports torch lazily; the analysis never does
    import torch

Shape = tuple[int, ...]
Shapes = Sequence[Shape]
ZERO = Num(0)
_ARGS: dict[type, tuple[Arg, ...]] = {}  # each kind's arguments (`Layer.args`)


def numel(shape: Sequence[int]) -> int:
    """Number of elements of a shape (batch 1)."""
    n = 1
    for d in shape:
        n *= d
    return n


def fmt_shape(shape: Sequence[int]) -> str:
    return "×".join(str(d) for d in shape)


def spatial_rank(shape: Shape) -> int:
    return len(shape) - 1


def arg(convert: Any, default: Any = REQUIRED, doc: str = "", *, primary: bool = False) -> Any:
    """Declare an argument of a layer kind: a dataclass field with its converter and meaning."""
    meta = {"convert": convert, "doc": doc, "primary": primary}
    if default is REQUIRED:
        return dataclass_field(metadata=meta)
    return dataclass_field(default=default, metadata=meta)


@dataclass(frozen=True, kw_only=True)
class Layer:
    """One registered layer kind: its arguments (dataclass fields) and its rules (`_bind`).

    Class attributes: ``MIN_INPUTS``/``MAX_INPUTS`` (None: any number >= MIN),
    ``WEIGHTED`` (a conv or linear layer, counted by `depth`) and ``FLOPS`` (the
    extra-FLOP rule, from `costs`; required).
    """

    KIND: ClassVar[str] = ""  # set by @register
    MIN_INPUTS: ClassVar[int] = 1
    MAX_INPUTS: ClassVar[int | None] = 1
    WEIGHTED: ClassVar[bool] = False
    FLOPS: ClassVar[FlopRule]
    TORCH_CALLS: ClassVar[tuple[str, ...]] = ()  # the PyTorch calls that compute it, default first (`torchop`)

    def __post_init__(self) -> None:
        self.validate()

    # -- arguments --------------------------------------------------------------------

    @classmethod
    def args(cls) -> tuple[Arg, ...]:
        """The arguments, in the order they are documented (read from the fields once per kind)."""
        found = _ARGS.get(cls)
        if found is None:
            found = _ARGS[cls] = tuple(
                Arg(f.name, f.metadata["convert"], REQUIRED if f.default is dataclasses.MISSING else f.default,
                    f.metadata["doc"])
                for f in dataclasses.fields(cls) if "convert" in f.metadata)
        return found

    @classmethod
    def primary(cls) -> str | None:
        """The argument that ``{TYPE: VALUE}`` sets (``{conv: 64}`` sets ``out``)."""
        for f in dataclasses.fields(cls):
            if f.metadata.get("primary"):
                return f.name
        return None

    @classmethod
    def from_args(cls, raw: Mapping[str, Any]) -> Layer:
        """Validate the arguments as written and build the layer.

        Raises `LayerError` with ``arg`` set to the offending argument's name, so the
        caller can point at its line in the YAML file.
        """
        known = {a.name: a for a in cls.args()}
        for name in raw:
            if name not in known:
                raise LayerError(f"{cls.KIND} has no argument {name!r}{did_you_mean(name, known)}; "
                                 f"its arguments are: {', '.join(known) or 'none'}", arg=name, about_name=True)
        values: dict[str, Any] = {}
        for a in known.values():
            if a.name in raw:
                try:
                    values[a.name] = a.convert(raw[a.name])
                except LayerError as exc:
                    raise LayerError(f"{cls.KIND} argument {a.name}: {exc.message}", arg=a.name) from None
            elif a.required:
                raise LayerError(f"{cls.KIND} needs the argument {a.name!r} ({a.doc})", arg=a.name)
        return cls(**values)

    def validate(self) -> None:
        """Checks between arguments (e.g. the filters divisible by the groups)."""

    def fan_out(self) -> tuple[Layer, ...]:
        """The layers a network entry of this kind becomes, one per output (`split`'s parts, named
        ``NAME.0``, ``NAME.1`` …); empty for the usual single layer."""
        return ()

    def fan_out_count(self) -> int:
        """How many layers `fan_out` makes, without making them (the expander's layer limit comes first)."""
        return len(self.fan_out())

    def arg_values(self) -> dict[str, Any]:
        return {a.name: getattr(self, a.name) for a in self.args()}

    def with_args(self, **changes: Any) -> Layer:
        """The same kind with some arguments changed (validated as written in YAML)."""
        return type(self).from_args({**self.arg_values(), **changes})

    # -- binding ----------------------------------------------------------------------

    def check_inputs(self, ins: Shapes) -> None:
        n = len(ins)
        if n < self.MIN_INPUTS or (self.MAX_INPUTS is not None and n > self.MAX_INPUTS):
            want = (str(self.MIN_INPUTS) if self.MAX_INPUTS == self.MIN_INPUTS
                    else f"at least {self.MIN_INPUTS}" if self.MAX_INPUTS is None
                    else f"{self.MIN_INPUTS} to {self.MAX_INPUTS}")
            raise LayerError(f"{self.KIND} takes {want} input{'s' if want != '1' else ''}, received {n}")

    def bind(self, ins: Shapes, fields: Sequence[RF] | None = None) -> Bound:
        """This layer applied to `ins`, whose receptive fields are `fields` (default: the layer
        on its own, r = j = 1): its output shape and every number, each with its formula."""
        shapes = tuple(tuple(s) for s in ins)
        self.check_inputs(shapes)
        if fields is None:
            fields = [RF.of_input(spatial_rank(s)) for s in shapes]
        return self._bind(shapes, tuple(fields))

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        """The kind's rules: the output shape, the formulas and the field (see `Bound`)."""
        raise NotImplementedError

    def passed_field(self, out: Shape, fields: Sequence[RF]) -> Field:
        """The default field: a unit sees what its inputs' units see at its place; a vector sees all."""
        return recurrence.whole(fields) if len(out) < 2 else recurrence.passed(fields)

    # -- what the bound layer says about itself -----------------------------------------

    def describe(self, bound: Bound) -> str:
        """A short summary of the arguments for tables (``3×3/2 p1``): those not at their default."""
        parts = []
        for a in self.args():
            value = getattr(self, a.name)
            if value != a.default or a.required:
                parts.append(f"{a.name}={_compact(value)}")
        return " ".join(parts)

    def depth_inputs(self, bound: Bound) -> tuple[int, ...]:
        """The inputs whose paths count for `depth` (all of them, unless a kind says otherwise)."""
        return tuple(range(len(bound.inputs)))

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        """The equivalent torch module (torch is imported inside implementations)."""
        raise NotImplementedError(f"layer type {self.KIND!r} has no torch lowering yet")

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """This layer as the PyTorch call the counting tools see (`torchop`); `call` picks another spelling."""
        return torchop.standard(self, bound, call)

    def torch_attrs(self, bound: Bound) -> dict[str, Any]:
        """The torch module's attributes a counting tool reads (``kernel_size``, ``groups``, ``affine`` ...)."""
        return {}

    def to_torch_linear(self, bound: Bound) -> torch.nn.Module:
        """A stand-in with the same geometry for measuring receptive fields by gradients.

        `cnncalc verify` sets every weight to a positive constant and back-propagates
        one output unit; this stand-in must be linear (or at least monotone) with the
        same windows, so that no gradient cancels. Default: `to_torch`.
        """
        return self.to_torch(bound)


@dataclass(frozen=True, eq=False)
class Bound:
    """A layer kind bound to its inputs: the output shape and every number, as formulas.

    `params` (with `biases`, the part held in torch's ``.bias`` tensors), `buffers`,
    `macs` and the `receptive` field come from the kind's rules; `other` (the
    extra FLOPs) from its ``FLOPS`` rule and ``flops = 2·MACs + other``. `worked`
    holds the kind's own lines for the output shape, params and MACs; `steps`
    adds the default lines for what a kind leaves out, the FLOPs and the field.
    `geometry` is the kind's resolved per-axis arguments, for rules and lowering.
    """

    layer: Layer
    inputs: tuple[Shape, ...]
    output: Shape
    receptive: Field
    geometry: Any = None
    params: Formula = ZERO
    biases: Formula = ZERO
    buffers: Formula = ZERO
    macs: Formula = ZERO
    worked: tuple[Worked, ...] = ()
    notes: tuple[Msg, ...] = ()
    fits: bool = True
    other: Formula = dataclass_field(init=False)
    flops: Formula = dataclass_field(init=False)

    def __post_init__(self) -> None:
        other = type(self.layer).FLOPS(self)
        object.__setattr__(self, "other", other)
        flops = Sum(Mul(2, Ref(self.macs, "MACs")), Ref(other, "other")) if self.macs.value else other
        object.__setattr__(self, "flops", flops)

    @property
    def rf(self) -> RF:
        return self.receptive.rf

    @property
    def weights(self) -> int:
        return int(self.params.value - self.biases.value)

    @property
    def kind(self) -> str:
        return self.layer.KIND

    def describe(self) -> str:
        return self.layer.describe(self)

    def worked_lines(self) -> list[Worked]:
        """Every line of the working, in reading order: shape, params, buffers, MACs, FLOPs, field."""
        own = {w.quantity for w in self.worked}
        lines = [w for w in self.worked if w.quantity == "output_shape"]
        if "output_shape" not in own:
            lines.append(_shape_line(self))
        lines += [w for w in self.worked if w.quantity in ("params", "buffers")]
        if "params" not in own:
            note = "" if self.params.value else Msg("no learnable parameters")
            lines.append(Worked("params", "params", self.params, note))
        if "buffers" not in own and self.buffers.value:
            lines.append(Worked("buffers", "buffers", self.buffers, Msg("non-learnable state")))
        lines += [w for w in self.worked if w.quantity == "macs"]
        if "macs" not in own:
            note = "" if self.macs.value else Msg("only convolutions and linear layers multiply-accumulate")
            lines.append(Worked("macs", "MACs", self.macs, note))
        doc = type(self.layer).FLOPS.doc
        if self.macs.value:
            lines += [Worked("flops", "FLOPs", self.flops, Msg("a multiply-accumulate is 2 FLOPs"), symbolic=True),
                      Worked("other_flops", "other", self.other, Msg(doc))]
        else:
            lines.append(Worked("flops", "FLOPs", self.flops, Msg(doc)))
        return [*lines, *self.receptive.worked]

    def steps(self, language: Language = ENGLISH) -> list[Step]:
        return [w.step(language) for w in self.worked_lines()]


def _shape_line(b: Bound) -> Worked:
    if b.output == b.inputs[0]:
        return Worked("output_shape", "output", value=b.output,
                      shown=Msg("input = {shape} (the shape is unchanged)", shape=fmt_shape(b.output)))
    return Worked("output_shape", "output", value=b.output, shown=fmt_shape(b.output))


def did_you_mean(name: str, candidates: Any) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _compact(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_compact(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


__all__ = ["Bound", "Layer", "Shape", "Shapes", "arg", "did_you_mean", "fmt_shape", "numel", "spatial_rank"]
