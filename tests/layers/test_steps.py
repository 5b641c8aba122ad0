"""Worked formulas (`Layer.steps`): the text of the notes' exercises, and agreement with the layer rules.

Expected strings and numbers are the notes' own working (shared/seeds) or hand calculations
written out beside them.
"""

from __future__ import annotations

from typing import Any

import pytest
from layer_helpers import bind, through

from cnncalc.layers import REGISTRY
from cnncalc.layers.base import Shape
from cnncalc.layers.formula import num
from cnncalc.layers.rf import RF
from cnncalc.layers.steps import Step


def steps_of(kind: str, shape: Shape, **args: Any) -> list[Step]:
    return bind(kind, shape, **args).steps()


def formulas(steps: list[Step], quantity: str) -> list[str]:
    return [s.formula for s in steps if s.quantity == quantity]


def test_the_notes_conv_exercise() -> None:
    # notes 002: 32x32x3, 10 5x5 filters, stride 1, pad 2: (32 + 2*2 - 5)/1 + 1 = 32; 5*5*3 + 1 = 76 per filter
    steps = steps_of("conv", (3, 32, 32), out=10, kernel=5, stride=1, padding=2)
    assert formulas(steps, "output_shape") == ["C_out = out = 10", "H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32"]
    [params] = [s for s in steps if s.quantity == "params"]
    assert params.formula == "params = 5·5·3·10 + 10 = 760" and params.value == 760
    assert "75 weights per filter + 1 bias" in params.note and "750 weights + 10 biases" in params.note
    # MACs = 10·32·32 outputs × 5·5·3 = 768,000; FLOPs = 2·768,000 + 10·32·32 bias adds = 1,546,240
    assert formulas(steps, "macs") == ["MACs = (10·32·32)·(5·5·3) = 768,000"]
    assert formulas(steps, "flops") == ["FLOPs = 2·MACs + other = 2·768,000 + 10,240 = 1,546,240"]
    assert formulas(steps, "rf") == ["RF = r + (k − 1)·j = 1 + (5 − 1)·1 = 5"]
    assert formulas(steps, "jump") == ["jump = j·s = 1·1 = 1"]


@pytest.mark.parametrize(
    ("stride", "size", "exact"),
    [(1, 5, None), (2, 3, None), (3, 2, "2.33")],  # notes 002: (7 − 3)/s + 1 = 5, 3, 2.33
)
def test_seven_by_seven_with_stride(stride: int, size: int, exact: str | None) -> None:
    steps = steps_of("conv", (1, 7, 7), out=1, kernel=3, stride=stride)
    [axis] = [s for s in steps if s.formula.startswith("H_out")]
    assert axis.formula == f"H_out = W_out = ⌊(7 − 3) / {stride}⌋ + 1 = {size}" and axis.value == size
    if exact is None:
        assert "tile" not in axis.note
    else:
        assert axis.note == (f"(7 − 3) / 3 + 1 = {exact}: the 3×3 filter does not tile a 7×7 input with stride 3; "
                             "PyTorch floors this to 2 and ignores the last row and column")


def test_not_tiling_on_one_axis_names_columns_or_rows() -> None:
    # H: (7 − 3)/2 + 1 = 3 exactly; W: (8 − 3)/2 + 1 = 3.5 -> 3, one column left over
    steps = steps_of("conv", (1, 7, 8), out=1, kernel=3, stride=2)
    h, w = [s for s in steps if s.formula[1:6] == "_out " and s.formula[0] in "HW"]
    assert h.formula == "H_out = ⌊(7 − 3) / 2⌋ + 1 = 3" and not h.note
    assert w.formula == "W_out = ⌊(8 − 3) / 2⌋ + 1 = 3"
    assert w.note.endswith("floors this to 3 and ignores the last column") and "3.5" in w.note


def test_pool_ceil_mode_and_dilation() -> None:
    # torchvision SqueezeNet maxpool1 on 109: ⌈(109 − 3)/2⌉ + 1 = 54 exactly; on 54: ⌈25.5⌉ + 1 = 27
    steps = steps_of("maxpool", (96, 54, 54), kernel=3, stride=2, ceil_mode=True)
    [axis] = [s for s in steps if s.formula.startswith("H_out")]
    assert axis.formula == "H_out = W_out = ⌈(54 − 3) / 2⌉ + 1 = 27" and "rounds this up to 27" in axis.note
    assert formulas(steps, "output_shape")[0] == "C_out = C_in = 96"
    # max pooling: (3·3 − 1) comparisons per output element: 8·96·27·27 = 559,872
    assert formulas(steps, "flops") == ["FLOPs = (3·3 − 1)·(96·27·27) = 559,872"]
    # dilation 2: k_eff = 2·(3 − 1) + 1 = 5: ⌊(32 + 2·2 − 5)/1⌋ + 1 = 32; RF 1 + (5 − 1)·1 = 5
    steps = steps_of("conv", (8, 32, 32), out=8, kernel=3, padding=2, dilation=2)
    [axis] = [s for s in steps if s.formula.startswith("H_out")]
    assert axis.formula == "H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32" and "k_eff" in axis.note
    assert formulas(steps, "rf") == ["RF = r + (k_eff − 1)·j = 1 + (5 − 1)·1 = 5"]


def test_grouped_conv_and_receptive_field_after_earlier_layers() -> None:
    # AlexNet conv2 (two GPUs): 5·5·(96/2)·256 + 256 = 307,456; input field r = 19, j = 8 after pool1
    before = through(through(RF.of_input(2), (11, 11), (4, 4), (0, 0)), (3, 3), (2, 2), (0, 0))  # 11, then 11 + 2·4
    steps = bind("conv", (96, 27, 27), [before], out=256, kernel=5, padding=2, groups=2).steps()
    assert formulas(steps, "params") == ["params = 5·5·(96/2)·256 + 256 = 307,456"]
    assert "96/2 = 48 input channels" in steps[2].note
    assert formulas(steps, "rf") == ["RF = r + (k − 1)·j = 19 + (5 − 1)·8 = 51"]


@pytest.mark.parametrize(
    ("kind", "args", "shape", "quantity", "formula"),
    [
        # AlexNet fc6: 256·6·6 = 9,216 inputs; 9,216·4,096 + 4,096 = 37,752,832
        ("linear", {"out": 4096}, (256, 6, 6), "params", "params = (256·6·6)·4096 + 4096 = 37,752,832"),
        # notes 003: 25 inputs, 10 outputs, 260 weights
        ("linear", {"out": 10}, (25,), "params", "params = 25·10 + 10 = 260"),
        ("linear", {"out": 10}, (25,), "macs", "MACs = (25)·(10) = 250"),
        ("flatten", {}, (256, 6, 6), "output_shape", "features = 256·6·6 = 9,216"),
        # batch norm: γ and β per channel, running mean and variance per channel
        ("bn", {}, (64, 56, 56), "params", "params = 2·C = 2·64 = 128"),
        ("bn", {}, (64, 56, 56), "buffers", "buffers = 2·C = 2·64 = 128"),
        ("conv", {"out": 64, "kernel": 3, "bias": False}, (64, 8, 8), "params", "params = 3·3·64·64 = 36,864"),
        # transposed: (7 − 1)·2 − 2·1 + 1·(4 − 1) + 0 + 1 = 14
        ("convtranspose", {"out": 8, "kernel": 4, "stride": 2, "padding": 1}, (16, 7, 7), "output_shape",
         "H_out = W_out = (7 − 1)·2 − 2·1 + 1·(4 − 1) + 0 + 1 = 14"),
        # SPP-net on conv5: 256·(36 + 9 + 4 + 1) = 12,800
        ("spp", {"levels": [6, 3, 2, 1]}, (256, 13, 13), "output_shape",
         "features = C·Σ nʳ = 256·(6² + 3² + 2² + 1²) = 12,800"),
        # LRN size 5: (2·5 + 3) per element · 96·55·55 = 13·290,400 = 3,775,200
        ("lrn", {"size": 5}, (96, 55, 55), "flops", "FLOPs = (2·5 + 3)·(96·55·55) = 3,775,200"),
        # average pooling 2×2: 4 per output element · 3·2·2 = 48
        ("avgpool", {"kernel": 2}, (3, 4, 4), "flops", "FLOPs = (2·2)·(3·2·2) = 48"),
        ("relu", {}, (64, 56, 56), "output_shape", "output = input = 64×56×56 (the shape is unchanged)"),
        ("relu", {}, (64, 56, 56), "flops", "FLOPs = 64·56·56 = 200,704"),  # 1 per element
    ],
)
def test_layer_formulas(kind: str, args: dict[str, Any], shape: Shape, quantity: str, formula: str) -> None:
    assert formula in formulas(steps_of(kind, shape, **args), quantity)


def test_concat_channels_add_up() -> None:
    # SqueezeNet fire2: expand1x1 64 + expand3x3 64 = 128
    steps = bind("concat", [(64, 55, 55), (64, 55, 55)]).steps()
    assert formulas(steps, "output_shape") == ["C_out = 64 + 64 = 128"]
    assert formulas(steps, "rf") == ["RF = 1"]  # two inputs of field 1 at the same place: their union


def test_linear_and_global_pool_see_the_whole_input() -> None:
    [rf] = [s for s in steps_of("linear", (256, 6, 6), out=10) if s.quantity == "rf"]
    assert rf.value == "global" and "whole input" in rf.formula
    [rf] = [s for s in steps_of("global_avgpool", (512, 7, 7)) if s.quantity == "rf"]
    assert rf.value == "global"


INPUTS: dict[str, Any] = {"add": 2, "concat": 2, "mul": 2}


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_layer_type_has_steps_that_agree_with_its_rules(kind: str) -> None:
    """The values in the steps are the layer's own numbers (weights + biases = params, 2·MACs + other = FLOPs)."""
    cls = REGISTRY[kind]
    values: dict[str, Any] = {"levels": [2, 1], "op": "F.interpolate"}  # text for uncounted's op
    args = {a.name: values.get(a.name, 4) for a in cls.args() if a.required}
    ins = [(8, 12, 12)] * INPUTS.get(kind, 1)
    b = cls.from_args(args).bind(ins)
    steps = b.steps()
    assert steps, kind
    for step in steps:
        if isinstance(step.value, int) and not isinstance(step.value, bool):
            assert step.formula.endswith(num(step.value)) or step.formula.endswith(str(step.value)), step
    by_quantity = {s.quantity: s.value for s in steps}
    assert by_quantity["params"] == b.params.value
    assert by_quantity["flops"] == b.flops.value
    assert by_quantity.get("macs", 0) == b.macs.value
    assert 0 <= b.biases.value <= b.params.value
    assert {"output_shape", "params", "flops", "rf"} <= set(by_quantity)
