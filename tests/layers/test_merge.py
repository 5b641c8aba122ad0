"""Merges: add, concat, mul (cnncalc/layers/merge.py)."""

from __future__ import annotations

import importlib
from fractions import Fraction

import pytest
from layer_helpers import bind, build, lowered, run_in_torch, through

from cnncalc.errors import LayerError
from cnncalc.layers import REGISTRY
from cnncalc.layers.rf import RF

Shape = tuple[int, ...]


# kind, input shapes, output shape, flops (no merge has params, buffers or MACs)
CASES = [
    # a ResNet residual add on 64×56×56: 1 add per element, 64·3136 = 200704
    ("add", [(64, 56, 56), (64, 56, 56)], (64, 56, 56), 200704),
    # three inputs: two adds per element, 2·256·196 = 2·50176 = 100352
    ("add", [(256, 14, 14)] * 3, (256, 14, 14), 100352),
    ("add", [(10,), (10,)], (10,), 10),
    # GoogLeNet inception 3a: 64 + 128 + 32 + 32 = 256 channels on 28×28; a copy, 0 FLOPs
    ("concat", [(64, 28, 28), (128, 28, 28), (32, 28, 28), (32, 28, 28)], (256, 28, 28), 0),
    # DenseNet-121 dense layer: 64 + 32 = 96 channels on 56×56
    ("concat", [(64, 56, 56), (32, 56, 56)], (96, 56, 56), 0),
    ("concat", [(10,), (20,)], (30,), 0),
    ("concat", [(3, 4, 5, 5), (5, 4, 5, 5)], (8, 4, 5, 5), 0),
    # SE: a 256×1×1 gate times a 256×56×56 map: 1 multiply per output element, 256·3136 = 802816
    ("mul", [(256, 56, 56), (256, 1, 1)], (256, 56, 56), 802816),
    ("mul", [(256, 1, 1), (256, 56, 56)], (256, 56, 56), 802816),
    # same shapes: 8·16 = 128
    ("mul", [(8, 4, 4), (8, 4, 4)], (8, 4, 4), 128),
    # a spatial attention map 1×H×W times C×H×W: 32·49 = 1568
    ("mul", [(32, 7, 7), (1, 7, 7)], (32, 7, 7), 1568),
    # both sides broadcast: (8,1,5) and (1,6,1) give 8×6×5 = 240, and a third input: 2·240 = 480
    ("mul", [(8, 1, 5), (1, 6, 1), (8, 6, 5)], (8, 6, 5), 480),
]


@pytest.mark.parametrize(("kind", "ins", "out", "flops"), CASES)
def test_counts(kind: str, ins: list[Shape], out: Shape, flops: int) -> None:
    b = bind(kind, ins)
    assert b.output == out
    assert b.params.value == 0
    assert b.buffers.value == 0
    assert b.macs.value == 0
    assert b.flops.value == flops


@pytest.mark.parametrize(
    ("kind", "ins", "words"),
    [
        (
            "add",
            [(64, 56, 56), (128, 28, 28)],
            ["add needs inputs of the same shape, received 64×56×56 and 128×28×28"],
        ),
        ("add", [(64, 56, 56), (64, 56, 56), (64, 28, 28)], ["received 64×56×56 and 64×28×28"]),
        ("add", [(64,), (64, 1, 1)], ["same shape", "64 and 64×1×1"]),
        ("concat", [(64, 56, 56), (32, 28, 28)], ["same spatial size", "64×56×56", "32×28×28"]),
        ("concat", [(64,), (64, 8, 8)], ["same spatial size", "64 and 64×8×8"]),
        ("mul", [(64, 1, 1), (32, 56, 56)], ["mul", "equal or 1", "64×1×1 and 32×56×56"]),
        ("mul", [(64, 2, 2), (64, 4, 4)], ["64×2×2 and 64×4×4"]),
        ("mul", [(64,), (64, 56, 56)], ["same rank", "64 and 64×56×56"]),
    ],
)
def test_shape_errors(kind: str, ins: list[Shape], words: list[str]) -> None:
    layer = build(kind)
    layer.check_inputs(ins)
    with pytest.raises(LayerError) as info:
        layer.bind(ins)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize("kind", ["add", "concat", "mul"])
def test_needs_two_inputs(kind: str) -> None:
    with pytest.raises(LayerError, match=f"{kind} takes at least 2 inputs, received 1"):
        build(kind).check_inputs([(8, 4, 4)])


@pytest.mark.parametrize("kind", ["add", "concat", "mul"])
def test_no_arguments(kind: str) -> None:
    with pytest.raises(LayerError) as info:
        build(kind, axis=1)
    assert f"{kind} has no argument 'axis'" in info.value.message
    assert "its arguments are: none" in info.value.message


def test_receptive_field_is_the_union() -> None:
    # a residual block: the identity path sees 1 pixel, the 3×3 path (pad 1) 3 pixels centred on it;
    # a 5×5 path (pad 2) sees 5: the union of all three is 5 wide, centred at 0
    one = RF.of_input(2)
    three = through(one, (3, 3), (1, 1), (1, 1))
    five = through(one, (5, 5), (1, 1), (2, 2))
    rf = bind("add", [(8, 6, 6)] * 3, [one, three, five]).rf
    assert rf.size == (Fraction(5), Fraction(5))
    assert rf.start == (Fraction(0), Fraction(0))


def test_receptive_field_of_a_gate_is_global() -> None:
    # an SE gate comes after global pooling, so the gated map sees the whole input
    assert bind("mul", [(8, 6, 6), (8, 1, 1)], [RF.of_input(2), RF.whole_input()]).rf.whole


def test_concat_receptive_field_unshifted_branches() -> None:
    # 1×1 conv (size 1) and 3×3 conv pad 1 (size 3): GoogLeNet's branches align, union 3
    one = through(RF.of_input(2), (1, 1), (1, 1), (0, 0))
    three = through(RF.of_input(2), (3, 3), (1, 1), (1, 1))
    assert bind("concat", [(4, 6, 6), (4, 6, 6)], [one, three]).rf.size == (Fraction(3), Fraction(3))


# -- torch parity ----------------------------------------------------------------------------

PARITY = [
    ("add", [(64, 7, 7), (64, 7, 7)]),
    ("add", [(10,), (10,), (10,)]),
    ("concat", [(64, 7, 7), (128, 7, 7), (32, 7, 7)]),
    ("concat", [(10,), (20,)]),
    ("mul", [(64, 7, 7), (64, 1, 1)]),
    ("mul", [(8, 1, 5), (1, 6, 1), (8, 6, 5)]),
]


def test_parity_covers_every_merge() -> None:
    mine = {kind for kind, cls in REGISTRY.items() if cls.__module__ == "cnncalc.layers.merge"}
    assert mine == {kind for kind, _ in PARITY}


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "ins"), PARITY)
def test_torch_parity(kind: str, ins: list[Shape]) -> None:
    b = bind(kind, ins)
    run_in_torch(b)
    assert b.params.value == b.buffers.value == 0


@pytest.mark.torch
def test_torch_values() -> None:
    """The merge modules compute a sum, a channel concatenation and a broadcast product."""
    torch = importlib.import_module("torch")
    a = torch.full((1, 2, 3, 3), 2.0)
    b = torch.full((1, 2, 3, 3), 3.0)
    gate = torch.tensor([0.5, 4.0]).view(1, 2, 1, 1)
    shapes: list[Shape] = [(2, 3, 3), (2, 3, 3)]
    assert torch.equal(lowered("add", shapes)(a, b), torch.full((1, 2, 3, 3), 5.0))
    cat = lowered("concat", shapes)(a, b)
    assert torch.equal(cat[:, :2], a) and torch.equal(cat[:, 2:], b)
    product = lowered("mul", [(2, 3, 3), (2, 1, 1)])(a, gate)
    assert torch.equal(product[0, :, 0, 0], torch.tensor([1.0, 8.0]))  # 2·0.5, 2·4
