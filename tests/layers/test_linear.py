"""Linear (fully connected) and flatten layers against hand calculations and papers.

linear on the flattened input: in = numel(input); params = in·out + out·bias; MACs = in·out;
FLOPs = 2·MACs + out·bias. With flatten: false (over the channels at every position, as torch's
nn.Linear on a channels-last tensor): out×spatial; params C·out + out; MACs = positions·C·out.
"""

from __future__ import annotations

from typing import Any

import pytest
from layer_helpers import bind, run_in_torch
from layer_helpers import build as make

from cnncalc.errors import CnnCalcError
from cnncalc.layers import lookup
from cnncalc.layers.base import Shape


@pytest.mark.parametrize(
    ("args", "shape", "params", "macs", "flops"),
    [
        # the notes: a 5×5 grayscale digit → 10 classes: 25·10 + 10 = 260 weights
        ({"out": 10}, (1, 5, 5), 260, 250, 2 * 250 + 10),
        # AlexNet fc6: 256·6·6 = 9216 inputs; 9216·4096 + 4096 = 37,748,736 + 4096 = 37,752,832
        ({"out": 4096}, (256, 6, 6), 37_752_832, 37_748_736, 2 * 37_748_736 + 4096),
        # AlexNet fc7: 4096·4096 + 4096 = 16,781,312
        ({"out": 4096}, (4096,), 16_781_312, 16_777_216, 2 * 16_777_216 + 4096),
        # AlexNet fc8: 4096·1000 + 1000 = 4,097,000
        ({"out": 1000}, (4096,), 4_097_000, 4_096_000, 2 * 4_096_000 + 1000),
        # VGG-16 fc6: 512·7·7 = 25,088 inputs; 25,088·4096 + 4096 = 102,764,544
        ({"out": 4096}, (512, 7, 7), 102_764_544, 102_760_448, 2 * 102_760_448 + 4096),
        # LeNet-5 F6 (LeCun 1998: "10,164 trainable parameters"): 120·84 + 84
        ({"out": 84}, (120,), 10_164, 10_080, 2 * 10_080 + 84),
        # no bias: 100·10 = 1000 weights, no bias adds
        ({"out": 10, "bias": False}, (100,), 1000, 1000, 2000),
        # 1-D sequence input flattened: 4·8 = 32 inputs; 32·3 + 3 = 99
        ({"out": 3}, (4, 8), 99, 96, 2 * 96 + 3),
    ],
)
def test_linear_counts(args: dict[str, Any], shape: Shape, params: int, macs: int, flops: int) -> None:
    b = bind("linear", shape, **args)
    assert b.output == (args["out"],)
    assert b.params.value == params
    assert b.macs.value == macs
    assert b.flops.value == flops
    assert b.buffers.value == 0


def test_fc_is_linear_and_weighted() -> None:
    assert lookup("fc") is lookup("linear")
    linear = lookup("linear")
    assert linear is not None and linear.WEIGHTED
    flatten = lookup("flatten")
    assert flatten is not None and not flatten.WEIGHTED


@pytest.mark.parametrize(
    ("shape", "notes"),
    [
        ((256, 6, 6), ("flattens 256×6×6 = 9216 inputs",)),
        ((1, 5, 5), ("flattens 1×5×5 = 25 inputs",)),
        ((4096,), ()),
    ],
)
def test_linear_notes(shape: Shape, notes: tuple[str, ...]) -> None:
    assert tuple(map(str, bind("linear", shape, out=10).notes)) == notes


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ((256, 6, 6), (9216,)),  # 256·6·6
        ((512, 7, 7), (25_088,)),  # 512·7·7
        ((8, 2, 3, 4), (192,)),  # 8·2·3·4
        ((16, 10), (160,)),
        ((10,), (10,)),
    ],
)
def test_flatten(shape: Shape, expected: Shape) -> None:
    b = bind("flatten", shape)
    assert b.output == expected
    assert b.params.value == 0
    assert b.flops.value == 0
    assert b.rf.whole


def test_linear_sees_whole_input_after_conv() -> None:
    rf = bind("conv", (3, 8, 8), out=4, kernel=3).rf
    assert not rf.whole
    assert bind("linear", (4, 6, 6), [rf], out=10).rf.whole


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({}, ["needs the argument 'out'"]),
        ({"out": 0}, ["out", ">= 1", "received 0"]),
        ({"out": 10, "bias": "yes"}, ["bias", "true or false"]),
        ({"outputs": 10}, ["no argument 'outputs'"]),
    ],
)
def test_linear_argument_errors(args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(CnnCalcError) as info:
        make("linear", **args)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("args", "text"),
    [({"out": 4096}, "4096"), ({"out": 10, "bias": False}, "10 no bias")],
)
def test_linear_describe(args: dict[str, Any], text: str) -> None:
    assert bind("linear", (8,), **args).describe() == text


@pytest.mark.parametrize(
    ("shape", "out", "params", "macs", "flops"),
    [
        # ConvNeXt-T stage 1 pwconv1: 96 → 384 at 56×56: 96·384 + 384 = 37,248 params;
        # 56·56·96·384 = 115,605,504 MACs (fvcore counts the channels-last Linear so); bias adds 384·56·56
        ((96, 56, 56), 384, 37_248, 115_605_504, 2 * 115_605_504 + 384 * 3136),
        # and pwconv2 back: 384·96 + 96 = 36,960
        ((384, 56, 56), 96, 36_960, 115_605_504, 2 * 115_605_504 + 96 * 3136),
        ((8, 5), 3, 27, 120, 2 * 120 + 15),  # 1-D: 5 positions, 8·3 + 3; 5·8·3
        ((8,), 3, 27, 24, 2 * 24 + 3),  # a vector: one position, the same as flattening
    ],
)
def test_linear_per_position(shape: Shape, out: int, params: int, macs: int, flops: int) -> None:
    b = bind("linear", shape, out=out, flatten=False)
    assert b.output == (out, *shape[1:])
    assert (b.params.value, b.macs.value, b.flops.value, b.biases.value) == (params, macs, flops, out)


def test_linear_per_position_keeps_the_field() -> None:
    # after a 7×7 depthwise convolution (ConvNeXt): the field stays 7×7, each position on its own
    rf = bind("conv", (96, 56, 56), out=96, kernel=7, padding=3, groups=96).rf
    after = bind("linear", (96, 56, 56), [rf], out=384, flatten=False).rf
    assert not after.whole and after.size == (7, 7) and after.jump == (1, 1)
    assert bind("linear", (96, 56, 56), out=384, flatten=False).describe() == "384 per position"


@pytest.mark.torch
def test_linear_per_position_is_torchs_channels_last_linear() -> None:
    # the same weights in torch.nn.Linear applied to the permuted tensor give the same values
    import torch

    b = bind("linear", (6, 4, 5), out=3, flatten=False)
    module, _ = run_in_torch(b)
    reference = torch.nn.Linear(6, 3)
    reference.load_state_dict(module.state_dict())
    x = torch.randn(2, 6, 4, 5, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = reference(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        assert torch.allclose(module(x), expected, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("kind", "args", "shape"),
    [
        ("linear", {"out": 4096}, (256, 6, 6)),
        ("linear", {"out": 7, "flatten": False}, (12, 3, 3)),
        ("linear", {"out": 7, "flatten": False, "bias": False}, (12, 2, 3, 3)),
        ("linear", {"out": 84}, (120,)),
        ("linear", {"out": 10, "bias": False}, (1, 5, 5)),
        ("linear", {"out": 3}, (4, 8)),
        ("flatten", {}, (3, 4, 5)),
        ("flatten", {}, (2, 3, 4, 5)),
    ],
)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    run_in_torch(bind(kind, shape, **args))
