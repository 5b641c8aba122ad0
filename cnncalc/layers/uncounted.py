"""An operation of an imported model that cnncalc has no layer kind for: kept, and said to be not counted.

`cnncalc import SRC --allow-uncounted -o net.yaml` writes such an operation as
``{uncounted: {op: F.interpolate, out: [64, 56, 56], params: 0}}``: its output shape as
traced, the parameters torch counts for it, and nothing else — no MACs, no FLOPs, and
every unit after it sees the whole input. Each one is listed in the report's notes as not counted, as fvcore lists
the operators it skipped; never a silent zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.errors import LayerError
from cnncalc.layers import costs, recurrence, saved
from cnncalc.layers.args import int_list, nonneg_int
from cnncalc.layers.base import Bound, Layer, Shape, arg, fmt_shape
from cnncalc.layers.formula import Num
from cnncalc.layers.registry import register
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Worked
from cnncalc.layers.text import Msg
from cnncalc.layers.torchop import TorchOp

if TYPE_CHECKING:
    import torch


def text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LayerError(f"expected the operation's name as text, received {value!r}")
    return value.strip()


@register("uncounted")
@dataclass(frozen=True, kw_only=True)
class Uncounted(Layer):
    """An imported operation cnncalc has no kind for: output shape and parameters as traced, not counted."""

    op: str = arg(text, doc="the PyTorch call, as the code wrote it (F.interpolate, nn.Upsample ...)", primary=True)
    out: tuple[int, ...] = arg(int_list(1), doc="its output shape as traced, channels first, without the batch")
    params: int = arg(nonneg_int, 0, "its parameters, as torch counts them")

    MAX_INPUTS = None
    FLOPS = costs.free("not counted: cnncalc has no layer kind for this operation")
    TORCH_CALLS = ("uncounted",)
    SAVED = saved.nothing(Msg("not counted: what the operation keeps for the backward pass is unknown"))

    def _bind(self, ins: tuple[Shape, ...], fields: tuple[RF, ...]) -> Bound:
        note = Msg("not counted: {op} has no cnncalc layer kind; its MACs and FLOPs are not in the totals",
                   op=self.op)
        shape = tuple(self.out)
        worked = (Worked("output_shape", "output", value=shape, shown=f"{fmt_shape(shape)} (as traced)",
                         note=Msg("the shape PyTorch produced when the model was traced")),)
        return Bound(self, ins, shape, recurrence.whole(fields), params=Num(self.params), notes=(note,),
                     worked=worked)

    def describe(self, bound: Bound) -> str:
        return f"{self.op} (not counted)"

    def torch_op(self, bound: Bound, call: str = "") -> TorchOp:
        """Not counted by the conventions either: the tools' rules would need to know what it is."""
        return TorchOp("uncounted", bound.inputs, bound.output, {"op": self.op})

    def to_torch(self, bound: Bound) -> torch.nn.Module:
        raise LayerError(f"{self.op} was imported as an uncounted layer: cnncalc cannot build it in PyTorch")


__all__ = ["Uncounted"]
