"""Convolutions (cnncalc/layers/conv.py), table-driven as Keras's conv tests read.

Expected numbers are hand calculations written out beside each case:
output size ⌊(n + p_lo + p_hi − d·(k − 1) − 1)/s⌋ + 1; params out·(C/g)·∏k + out·bias;
MACs out_numel·(C/g)·∏k; FLOPs 2·MACs + out_numel·bias.
"""

from __future__ import annotations

from typing import Any

import pytest
from layer_helpers import bind, build, run_in_torch

from cnncalc.errors import LayerError

Shape = tuple[int, ...]

# args, input, output, params, MACs, FLOPs
CASES = [
    # the notes: 10 filters 5×5, stride 1, pad 2 on 3×32×32: 32 + 4 − 5 + 1 = 32; 5·5·3·10 + 10 = 760;
    # MACs 10·32·32 · 75 = 768,000; FLOPs 2·768,000 + 10,240 = 1,546,240
    ({"out": 10, "kernel": 5, "padding": 2}, (3, 32, 32), (10, 32, 32), 760, 768_000, 1_546_240),
    # AlexNet conv1 (Krizhevsky 2012): (227 − 11)/4 + 1 = 55; 11·11·3·96 + 96 = 34,944; 96·55·55·363 = 105,415,200
    ({"out": 96, "kernel": 11, "stride": 4}, (3, 227, 227), (96, 55, 55), 34_944, 105_415_200,
     2 * 105_415_200 + 96 * 55 * 55),
    # AlexNet conv2, two groups: 5·5·(96/2)·256 + 256 = 307,456; MACs 256·27·27·1200 = 223,948,800
    ({"out": 256, "kernel": 5, "padding": 2, "groups": 2}, (96, 27, 27), (256, 27, 27), 307_456, 223_948_800,
     2 * 223_948_800 + 256 * 27 * 27),
    # depthwise 3×3 (MobileNet): groups = C = 32: 3·3·1·32 + 32 = 320; MACs 32·112·112·9 = 3,612,672
    ({"out": 32, "kernel": 3, "padding": 1, "groups": 32}, (32, 112, 112), (32, 112, 112), 320, 3_612_672,
     2 * 3_612_672 + 32 * 112 * 112),
    # dilation 2: k_eff = 5; (32 + 4 − 5) + 1 = 32; params 3·3·8·8 + 8 = 584
    ({"out": 8, "kernel": 3, "padding": 2, "dilation": 2}, (8, 32, 32), (8, 32, 32), 584, 8 * 32 * 32 * 72,
     2 * 8 * 32 * 32 * 72 + 8 * 32 * 32),
    # 'same' with stride 1 and an even kernel: padding (1, 2) per axis (the odd pixel after): 224 → 224
    ({"out": 4, "kernel": 4, "padding": "same", "bias": False}, (3, 224, 224), (4, 224, 224), 4 * 3 * 16,
     4 * 224 * 224 * 48, 2 * 4 * 224 * 224 * 48),
    # 'same' with stride 2: ⌈224/2⌉ = 112, padding (0, 1): ⌊(224 + 1 − 3)/2⌋ + 1 = 112
    ({"out": 4, "kernel": 3, "stride": 2, "padding": "same"}, (3, 224, 224), (4, 112, 112), 4 * 27 + 4,
     4 * 112 * 112 * 27, 2 * 4 * 112 * 112 * 27 + 4 * 112 * 112),
    # asymmetric pairs: H (1, 2): 10 + 3 − 3 + 1 = 11; W (0, 0): 10 − 3 + 1 = 8
    ({"out": 2, "kernel": 3, "padding": [[1, 2], [0, 0]]}, (1, 10, 10), (2, 11, 8), 2 * 9 + 2, 2 * 11 * 8 * 9,
     2 * 2 * 11 * 8 * 9 + 2 * 11 * 8),
    # 'valid' is no padding: 7 − 3 + 1 = 5
    ({"out": 1, "kernel": 3, "padding": "valid"}, (1, 7, 7), (1, 5, 5), 10, 25 * 9, 2 * 225 + 25),
    # 1-D: (100 − 5)/1 + 1 = 96; 3-D: (8 − 3 + 2)/1 + 1 = 8 per axis, 3·3·3·2·4 + 4 = 220
    ({"out": 16, "kernel": 5}, (4, 100), (16, 96), 16 * 4 * 5 + 16, 16 * 96 * 20, 2 * 16 * 96 * 20 + 16 * 96),
    ({"out": 4, "kernel": 3, "padding": 1}, (2, 8, 8, 8), (4, 8, 8, 8), 220, 4 * 512 * 54, 2 * 4 * 512 * 54 + 2048),
    # per-axis kernel and stride (Inception's 1×7): H (17 − 1) + 1 = 17, W (17 + 6 − 7) + 1 = 17
    ({"out": 192, "kernel": [1, 7], "padding": [0, 3]}, (128, 17, 17), (192, 17, 17), 1 * 7 * 128 * 192 + 192,
     192 * 289 * 896, 2 * 192 * 289 * 896 + 192 * 289),
]


@pytest.mark.parametrize(("args", "shape", "out", "params", "macs", "flops"), CASES)
def test_counts(args: dict[str, Any], shape: Shape, out: Shape, params: int, macs: int, flops: int) -> None:
    b = bind("conv", shape, **args)
    assert b.output == out
    assert (b.params.value, b.macs.value, b.flops.value, b.buffers.value) == (params, macs, flops, 0)
    assert b.biases.value == (args["out"] if args.get("bias", True) else 0)


@pytest.mark.torch
@pytest.mark.parametrize(("args", "shape", "out", "params", "macs", "flops"), CASES)
def test_torch_parity(args: dict[str, Any], shape: Shape, out: Shape, params: int, macs: int, flops: int) -> None:
    run_in_torch(bind("conv", shape, **args))


@pytest.mark.parametrize(
    ("args", "shape", "message"),
    [
        ({"out": 64, "groups": 3}, (3, 8, 8),
         "the number of filters must be evenly divisible by the number of groups. Received: groups=3, out=64"),
        ({"out": 4, "groups": 2}, (3, 8, 8),
         "the input channels must be evenly divisible by the number of groups. Received: groups=2, "
         "input channels=3"),
        ({"out": 4, "kernel": 5}, (1, 3, 3),
         "the 5×5 kernel is larger than the padded input (3 + 0 + 0 = 3); use a smaller kernel, more padding, "
         "or a larger input"),
        ({"out": 4, "kernel": 3, "dilation": 2}, (1, 4, 4),
         "the 3×3 kernel (dilated to 5) is larger than the padded input (4 + 0 + 0 = 4)"),
        ({"out": 4, "kernel": [3, 3, 3]}, (1, 8, 8),
         "kernel has 3 values but the input has 2 spatial dimensions; give one value or 2"),
        ({"out": 4}, (16,), "conv needs a C×L, C×H×W or C×D×H×W input, received 16 (a flattened vector: "
                            "put it before flatten/linear)"),
        ({"out": 4, "padding": [[1, 1]] * 3}, (1, 8, 8), "padding has 3 pairs but the input has 2 spatial dimensions"),
    ],
)
def test_error_wording(args: dict[str, Any], shape: Shape, message: str) -> None:
    with pytest.raises(LayerError) as info:
        build("conv", **args).bind([shape])
    assert message in info.value.message


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({}, ["conv needs the argument 'out'"]),
        ({"out": 4, "kernal": 3}, ["conv has no argument 'kernal'", "did you mean 'kernel'"]),
        ({"out": 4, "padding": "full"}, ["expected an integer, a list, 'same' or 'valid'; received 'full'"]),
        ({"out": 4, "stride": 0}, ["stride", "expected an integer >= 1, received 0"]),
        ({"out": 4, "bias": "no"}, ["bias", "expected true or false, received 'no'"]),
    ],
)
def test_argument_errors(args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build("conv", **args)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("args", "shape", "text"),
    [
        ({"out": 64, "kernel": 7, "stride": 2, "padding": 3, "bias": False}, (3, 224, 224), "7×7/2 p3 no bias"),
        ({"out": 256, "kernel": 5, "padding": 2, "groups": 2}, (96, 27, 27), "5×5 p2 g2"),
        ({"out": 8, "kernel": 3, "padding": 2, "dilation": 2}, (8, 32, 32), "3×3 p2 d2"),
        ({"out": 4, "kernel": 3, "padding": [[0, 1], [0, 1]]}, (3, 8, 8), "3×3 p((0,1),(0,1))"),
        ({"out": 4, "kernel": 3, "stride": 2, "padding": "same"}, (3, 224, 224), "3×3/2 same"),
        ({"out": 4, "kernel": 5}, (3, 100), "5"),
    ],
)
def test_describe(args: dict[str, Any], shape: Shape, text: str) -> None:
    assert bind("conv", shape, **args).describe() == text


def test_describe_does_not_depend_on_what_ran_before() -> None:
    """Regression: the description was read from a cache of the last input seen, so one conv
    (stride 2, padding same) read "3/2 psame", then "3×3/2 p((0,1),(0,1))", then "3×3/2 p1"."""
    layer = build("conv", out=4, kernel=3, stride=2, padding="same")
    first = layer.bind([(3, 224, 224)]).describe()
    layer.bind([(3, 225, 225)])  # 'same' resolves to (1, 1) here
    assert layer.bind([(3, 224, 224)]).describe() == first == "3×3/2 same"
    assert layer.bind([(3, 225, 225)]).describe() == "3×3/2 same"


def test_worked_lines_of_the_notes_exercise() -> None:
    steps = {s.quantity: s.formula for s in bind("conv", (3, 32, 32), out=10, kernel=5, padding=2).steps()
             if s.quantity != "output_shape"}
    assert steps["params"] == "params = 5·5·3·10 + 10 = 760"
    assert steps["macs"] == "MACs = (10·32·32)·(5·5·3) = 768,000"
    assert steps["other_flops"] == "other = 10·32·32 = 10,240"  # one bias add per output element
