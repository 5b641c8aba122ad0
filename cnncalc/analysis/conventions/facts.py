"""What PyTorch does with each call a layer can be written as: facts about torch, not about a tool.

For every spelling a layer kind declares (`cnncalc.layers.torchop`), this table
says which ATen operator ``torch.jit.trace`` records for it (what fvcore keys its
handles on; the dispatching counters see the same operator, decomposed), which
``torch.nn.functional`` function a torch.nn module's ``forward`` calls (what
ptflops' patches see inside a module), and the operation category the
`conventions` table groups it under. A spelling missing here is an error, never
a zero: a tool's rule must know what it is looking at.

>>> lookup("nn.Conv2d").jit, lookup("nn.Conv2d").calls
('aten::_convolution', ('F.conv2d',))
>>> lookup("x.mean").category
'adaptive/global pooling'
"""

from __future__ import annotations

from dataclasses import dataclass

from cnncalc.errors import CnnCalcError

CATEGORIES = (
    "conv", "transposed conv", "linear", "batch norm", "layer/group norm", "LRN", "activation", "softmax",
    "pooling (max/avg)", "adaptive/global pooling", "add (residual)", "mul (gate, scale)", "concat",
    "upsampling", "reshape/flatten", "dropout/identity", "other", "not counted",
)


@dataclass(frozen=True)
class Fact:
    """What torch does for one call: the traced ATen op ("" for none), the functional calls inside
    a torch.nn module's forward, and the category."""

    jit: str
    category: str
    calls: tuple[str, ...] = ()


FACTS: dict[str, Fact] = {}


def _add(targets: tuple[str, ...], jit: str, category: str, calls: tuple[str, ...] = ()) -> None:
    assert category in CATEGORIES, category
    for target in targets:
        ranks = (1, 2, 3) if "{r}" in target or any("{r}" in c for c in calls) or "{r}" in jit else (0,)
        for r in ranks:
            FACTS[target.format(r=r)] = Fact(jit.format(r=r), category, tuple(c.format(r=r) for c in calls))


def _activation(module: str, functions: tuple[str, ...], jit: str, calls: str = "") -> None:
    _add((module,), jit, "activation", (calls or functions[0],))
    _add(functions, jit, "activation")


# convolution, linear, normalisation
_add(("nn.Conv{r}d",), "aten::_convolution", "conv", ("F.conv{r}d",))
_add(("nn.ConvTranspose{r}d",), "aten::_convolution", "transposed conv", ("F.conv_transpose{r}d",))
_add(("nn.Linear",), "aten::linear", "linear", ("F.linear",))
_add(("F.linear",), "aten::linear", "linear")
_add(("nn.BatchNorm{r}d",), "aten::batch_norm", "batch norm", ("F.batch_norm",))
_add(("nn.LayerNorm",), "aten::layer_norm", "layer/group norm", ("F.layer_norm",))
_add(("F.layer_norm",), "aten::layer_norm", "layer/group norm")
_add(("LayerNorm2d", "ChannelsFirstLayerNorm"), "", "layer/group norm")  # custom: their forward calls F.layer_norm
_add(("nn.GroupNorm",), "aten::group_norm", "layer/group norm", ("F.group_norm",))
_add(("nn.LocalResponseNorm",), "", "LRN", ("F.local_response_norm",))
_add(("F.local_response_norm",), "", "LRN")  # elementwise ops and an average pooling: no counted ATen op

# activations (the module's forward calls the first function, unless said otherwise)
_activation("nn.ReLU", ("F.relu", "torch.relu", "x.relu", "F.relu_", "x.relu_"), "aten::relu")
_activation("nn.ReLU6", ("F.relu6", "F.hardtanh"), "aten::hardtanh", calls="F.hardtanh")
_activation("nn.LeakyReLU", ("F.leaky_relu",), "aten::leaky_relu")
_activation("nn.ELU", ("F.elu",), "aten::elu")
_activation("nn.PReLU", ("F.prelu",), "aten::prelu")
_activation("nn.GELU", ("F.gelu",), "aten::gelu")
_activation("nn.SiLU", ("F.silu",), "aten::silu")
_activation("nn.Sigmoid", ("torch.sigmoid", "x.sigmoid", "F.sigmoid"), "aten::sigmoid")
_activation("nn.Tanh", ("torch.tanh", "x.tanh", "F.tanh"), "aten::tanh")
_activation("nn.Softplus", ("F.softplus",), "aten::softplus")
_activation("nn.Hardswish", ("F.hardswish",), "aten::hardswish")
_activation("nn.Hardsigmoid", ("F.hardsigmoid",), "aten::hardsigmoid")
_add(("nn.Softmax",), "aten::softmax", "softmax", ("F.softmax",))
_add(("F.softmax", "torch.softmax", "x.softmax"), "aten::softmax", "softmax")

# pooling
for _kind, _jit in (("Max", "max_pool"), ("Avg", "avg_pool")):
    _add((f"nn.{_kind}Pool{{r}}d",), f"aten::{_jit}{{r}}d", "pooling (max/avg)", (f"F.{_jit}{{r}}d",))
    _add((f"F.{_jit}{{r}}d",), f"aten::{_jit}{{r}}d", "pooling (max/avg)")
    _add((f"nn.Adaptive{_kind}Pool{{r}}d",), f"aten::adaptive_{_jit}{{r}}d", "adaptive/global pooling",
         (f"F.adaptive_{_jit}{{r}}d",))
    _add((f"F.adaptive_{_jit}{{r}}d",), f"aten::adaptive_{_jit}{{r}}d", "adaptive/global pooling")
_add(("x.mean", "torch.mean"), "aten::mean", "adaptive/global pooling")
_add(("x.amax", "torch.amax"), "aten::amax", "adaptive/global pooling")
_add(("MinPool",), "", "pooling (max/avg)")
_add(("SpatialPyramidPooling",), "", "adaptive/global pooling")

# merges, reshapes, no-ops
_add(("+", "torch.add", "x.add"), "aten::add", "add (residual)")
_add(("+=", "x.add_"), "aten::add_", "add (residual)")
_add(("*", "torch.mul", "x.mul"), "aten::mul", "mul (gate, scale)")
_add(("*=", "x.mul_"), "aten::mul_", "mul (gate, scale)")
_add(("torch.cat",), "aten::cat", "concat")
_add(("torch.flatten", "x.flatten", "nn.Flatten", "x.view", "x.reshape"), "aten::flatten", "reshape/flatten")
_add(("x.chunk", "torch.chunk"), "aten::chunk", "reshape/flatten")
_add(("x.split", "torch.split"), "aten::split", "reshape/flatten")
_add(("channel_shuffle",), "", "reshape/flatten")  # torchvision's function: view, transpose, contiguous, view
_add(("nn.ChannelShuffle",), "aten::channel_shuffle", "reshape/flatten")
_add(("x.neg",), "aten::neg", "other")
_add(("nn.Dropout",), "aten::dropout", "dropout/identity", ("F.dropout",))
_add(("F.dropout",), "aten::dropout", "dropout/identity")
_add(("nn.Identity",), "", "dropout/identity")
_add(("StochasticDepth",), "", "dropout/identity")  # identity in eval mode
_add(("nn.ZeroPad{r}d",), "aten::constant_pad_nd", "other", ("F.pad",))
_add(("uncounted",), "", "not counted")  # an imported operation cnncalc has no kind for
# cnncalc's own modules for the classic papers' layers (cnncalc/torch/classic.py): no library has them, and
# what each tool would make of their insides is not modelled, so counting them is refused, never guessed
UNMODELLED = ("Subsample", "TableConv", "RBF", "PadChannels")
_add(UNMODELLED, "", "other")


def lookup(target: str) -> Fact:
    """The facts about one spelling; an unknown one is an error naming it."""
    fact = FACTS.get(target)
    if fact is None:
        raise CnnCalcError(f"the counting conventions know nothing about the PyTorch call {target!r}; "
                           "add it to cnncalc/analysis/conventions/facts.py")
    return fact


__all__ = ["CATEGORIES", "FACTS", "UNMODELLED", "Fact", "lookup"]
