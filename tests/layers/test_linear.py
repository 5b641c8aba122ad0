"""Linear (fully connected) and flatten layers against hand calculations and papers.

linear on the flattened input: in = numel(input); params = in·out + out·bias; MACs = in·out;
FLOPs = 2·MACs + out·bias.
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


@pytest.mark.torch
@pytest.mark.parametrize(
    ("kind", "args", "shape"),
    [
        ("linear", {"out": 4096}, (256, 6, 6)),
        ("linear", {"out": 84}, (120,)),
        ("linear", {"out": 10, "bias": False}, (1, 5, 5)),
        ("linear", {"out": 3}, (4, 8)),
        ("flatten", {}, (3, 4, 5)),
        ("flatten", {}, (2, 3, 4, 5)),
    ],
)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    run_in_torch(bind(kind, shape, **args))
