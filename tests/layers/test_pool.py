"""Pooling layers: shapes, FLOPs, receptive fields and errors against hand calculations.

Output size per axis: ⌊(n + 2p − k_eff)/s⌋ + 1 (⌈·⌉ with ceil_mode, dropping a last window
that would start in the right padding). Adaptive bins: [⌊i·n/o⌋, ⌈(i+1)·n/o⌉).
"""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

import pytest
from layer_helpers import bind, lowered, run_in_torch
from layer_helpers import build as make

from cnncalc.errors import CnnCalcError, LayerError
from cnncalc.layers.base import Shape
from cnncalc.layers.rf import RF


@pytest.mark.parametrize(
    ("kind", "args", "shape", "expected", "fits"),
    [
        # AlexNet pool1 (Krizhevsky 2012): (55 − 3)/2 + 1 = 27
        ("maxpool", {"kernel": 3, "stride": 2}, (96, 55, 55), (96, 27, 27), True),
        # VGG: 2×2/2 on 224: (224 − 2)/2 + 1 = 112
        ("maxpool", {"kernel": 2}, (64, 224, 224), (64, 112, 112), True),
        # SqueezeNet maxpool1 (Table 1): ceil((111 − 3)/2) + 1 = 54 + 1 = 55, exact
        ("maxpool", {"kernel": 3, "stride": 2, "ceil_mode": True}, (96, 111, 111), (96, 55, 55), True),
        # torchvision squeezenet1_0: 109 → 54 → 27; ceil((54 − 3)/2) + 1 = ceil(25.5) + 1 = 27
        ("maxpool", {"kernel": 3, "stride": 2, "ceil_mode": True}, (96, 54, 54), (96, 27, 27), False),
        # the same without ceil_mode: floor(25.5) + 1 = 26
        ("maxpool", {"kernel": 3, "stride": 2}, (96, 54, 54), (96, 26, 26), False),
        # odd size floored: floor((7 − 2)/2) + 1 = 3, the last row/column ignored
        ("maxpool", {"kernel": 2}, (3, 7, 7), (3, 3, 3), False),
        # GoogLeNet inception pool branch 3×3/1 pad 1: (28 + 2 − 3)/1 + 1 = 28
        ("maxpool", {"kernel": 3, "stride": 1, "padding": 1}, (192, 28, 28), (192, 28, 28), True),
        # ceil_mode dropping the last window: span 5 + 2 − 2 = 5, ceil(5/2) + 1 = 4 windows starting
        # at −1, 1, 3, 5; the one at 5 starts in the right padding (input is 0..4) → 3
        ("maxpool", {"kernel": 2, "stride": 2, "padding": 1, "ceil_mode": True}, (1, 5, 5), (1, 3, 3), False),
        # dilation 2: k_eff = 2·(2−1)+1 = 3, stride defaults to the kernel 2: floor(7/2) + 1 = 4
        ("maxpool", {"kernel": 2, "dilation": 2}, (1, 10, 10), (1, 4, 4), False),
        # per-dimension kernel and stride: H floor((7−3)/2)+1 = 3, W (5−1)/1+1 = 5
        ("maxpool", {"kernel": [3, 1], "stride": [2, 1]}, (1, 7, 5), (1, 3, 5), True),
        # 1-D: floor((9 − 2)/2) + 1 = 4
        ("maxpool", {"kernel": 2}, (4, 9), (4, 4), False),
        # 3-D: 4/2, 6/2, 6/2
        ("maxpool", {"kernel": 2}, (8, 4, 6, 6), (8, 2, 3, 3), True),
        ("minpool", {"kernel": 2}, (3, 4, 4), (3, 2, 2), True),
        ("minpool", {"kernel": 3, "stride": 2}, (3, 8, 8), (3, 3, 3), False),
        # ResNet (original) 7×7 average pool: (7 − 7)/1 + 1 = 1
        ("avgpool", {"kernel": 7, "stride": 1}, (2048, 7, 7), (2048, 1, 1), True),
        # SqueezeNet avgpool10 13×13/1 (the notes' table): 1×1×1000
        ("avgpool", {"kernel": 13, "stride": 1}, (1000, 13, 13), (1000, 1, 1), True),
        # GoogLeNet auxiliary 5×5/3 average pool on 14×14: (14 − 5)/3 + 1 = 4
        ("avgpool", {"kernel": 5, "stride": 3}, (512, 14, 14), (512, 4, 4), True),
        # DenseNet transition 2×2/2 on 56: 28
        ("avgpool", {"kernel": 2, "stride": 2}, (128, 56, 56), (128, 28, 28), True),
        ("global_avgpool", {}, (2048, 7, 7), (2048, 1, 1), True),
        ("global_avgpool", {}, (16, 10), (16, 1), True),
        ("global_maxpool", {}, (8, 3, 5, 5), (8, 1, 1, 1), True),
        ("global_maxpool", {}, (64, 13, 13), (64, 1, 1), True),
        # torchvision AlexNet: the input already is 6×6, so the output equals it
        ("adaptive_avgpool", {"out": 6}, (256, 6, 6), (256, 6, 6), True),
        # torchvision VGG on a 32×32 input: 512×1×1 → 7×7 (the element is repeated)
        ("adaptive_avgpool", {"out": 7}, (512, 1, 1), (512, 7, 7), True),
        ("adaptive_maxpool", {"out": [3, 2]}, (4, 5, 8), (4, 3, 2), True),
        ("adaptive_maxpool", {"out": 4}, (2, 10), (2, 4), True),
        # SPP [1, 2, 4] on conv5 256×13×13: 256·(1 + 4 + 16) = 256·21 = 5376
        ("spp", {}, (256, 13, 13), (5376,), True),
        # SPP-net paper: levels {6, 3, 2, 1} on 13×13: 256·(36 + 9 + 4 + 1) = 256·50 = 12,800
        ("spp", {"levels": [6, 3, 2, 1]}, (256, 13, 13), (12800,), True),
        # 1-D: 4·(1 + 2) = 12
        ("spp", {"levels": [1, 2], "mode": "avg"}, (4, 8), (12,), True),
    ],
)
def test_output_shape_and_fits(
    kind: str, args: dict[str, Any], shape: Shape, expected: Shape, fits: bool
) -> None:
    b = bind(kind, shape, **args)
    assert b.output == expected
    assert b.fits is fits
    assert b.params.value == 0
    assert b.macs.value == 0


@pytest.mark.parametrize(
    ("kind", "args", "shape", "words"),
    [
        ("maxpool", {"kernel": 2}, (3, 7, 7), ["does not tile", "7×7", "floored"]),
        ("maxpool", {"kernel": 3, "stride": 2, "ceil_mode": True}, (96, 54, 54),
         ["does not tile", "rounded up"]),
        ("minpool", {"kernel": 3, "stride": 2}, (3, 8, 8), ["does not tile", "floored"]),
        ("adaptive_avgpool", {"out": 3}, (1, 5, 5), ["does not divide evenly", "2 and 3"]),
        ("adaptive_avgpool", {"out": 7}, (512, 1, 1), ["larger than input", "repeat"]),
    ],
)
def test_notes_for_uneven_windows(kind: str, args: dict[str, Any], shape: Shape, words: list[str]) -> None:
    text = " ".join(map(str, bind(kind, shape, **args).notes))
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("kind", "args", "shape"),
    [
        ("maxpool", {"kernel": 3, "stride": 2}, (96, 55, 55)),
        ("avgpool", {"kernel": 2}, (1, 4, 4)),
        ("adaptive_maxpool", {"out": 2}, (1, 4, 4)),
        ("spp", {}, (256, 13, 13)),
    ],
)
def test_no_notes_when_windows_tile(kind: str, args: dict[str, Any], shape: Shape) -> None:
    assert bind(kind, shape, **args).notes == ()


@pytest.mark.parametrize(
    ("kind", "args", "shape", "flops"),
    [
        # (∏k − 1) per output element: 96·27·27 = 69,984 outputs × 8 = 559,872
        ("maxpool", {"kernel": 3, "stride": 2}, (96, 55, 55), 559_872),
        # 64·112·112 = 802,816 outputs × 3 = 2,408,448
        ("maxpool", {"kernel": 2}, (64, 224, 224), 2_408_448),
        # 3-D min pooling: 8·2·3·3 = 144 outputs × (8 − 1) = 1008
        ("minpool", {"kernel": 2}, (8, 4, 6, 6), 1008),
        # ∏k per output element: 4 outputs × 4 = 16
        ("avgpool", {"kernel": 2}, (1, 4, 4), 16),
        # 1000 outputs × 169 = 169,000
        ("avgpool", {"kernel": 13, "stride": 1}, (1000, 13, 13), 169_000),
        # 1 per input element: 2048·7·7 = 100,352
        ("global_avgpool", {}, (2048, 7, 7), 100_352),
        ("global_maxpool", {}, (16, 10), 160),
        # 6 → 6: every bin is 1 element; avg reads 256·36 = 9216, max compares nothing
        ("adaptive_avgpool", {"out": 6}, (256, 6, 6), 9216),
        ("adaptive_maxpool", {"out": 6}, (256, 6, 6), 0),
        # 7 → 3: bins [0,3) [2,5) [4,7), 3 + 3 + 3 = 9 per axis; 9·9 = 81 read; max 81 − 9 = 72
        ("adaptive_avgpool", {"out": 3}, (1, 7, 7), 81),
        ("adaptive_maxpool", {"out": 3}, (1, 7, 7), 72),
        # 5 → 3: bins [0,2) [1,4) [3,5), 2 + 3 + 2 = 7 per axis; 2 channels · 49 = 98
        ("adaptive_avgpool", {"out": 3}, (2, 5, 5), 98),
        # spp [1, 2] on 4×4: level 1 reads 16 (max: 15); level 2 bins of 2, 4·4 = 16 read (max: 16 − 4 = 12)
        ("spp", {"levels": [1, 2]}, (1, 4, 4), 15 + 12),
        ("spp", {"levels": [1, 2], "mode": "avg"}, (1, 4, 4), 16 + 16),
        # spp [1, 2, 4] max on 13×13: per axis 13; 7 + 7 = 14 ([0,7) [6,13)); 4·4 = 16
        # ([0,4) [3,7) [6,10) [9,13)); per channel (169 − 1) + (196 − 4) + (256 − 16) = 600
        ("spp", {}, (256, 13, 13), 256 * 600),
    ],
)
def test_flops(kind: str, args: dict[str, Any], shape: Shape, flops: int) -> None:
    assert bind(kind, shape, **args).flops.value == flops


def _rf_through(layers: list[tuple[str, dict[str, Any]]], shape: Shape) -> RF:
    rf = RF.of_input(len(shape) - 1)
    for kind, args in layers:
        b = bind(kind, shape, [rf], **args)
        rf, shape = b.rf, b.output
    return rf


@pytest.mark.parametrize(
    ("stack", "shape", "size", "jump", "start"),
    [
        # one 2×2/2 pool: r = 2, j = 2, s = (2 − 1)/2 = 0.5; a second: r = 2 + 1·2 = 4, j = 4,
        # s = 0.5 + 0.5·2 = 1.5
        ([("maxpool", {"kernel": 2})], (1, 8, 8), 2, 2, Fraction(1, 2)),
        ([("maxpool", {"kernel": 2}), ("maxpool", {"kernel": 2})], (1, 8, 8), 4, 4, Fraction(3, 2)),
        # AlexNet conv1 11/4 then pool1 3/2: r = 11 + 2·4 = 19, j = 8, s = 5 + 1·4 = 9
        ([("conv", {"out": 96, "kernel": 11, "stride": 4}), ("maxpool", {"kernel": 3, "stride": 2})],
         (3, 227, 227), 19, 8, 9),
        # VGG conv3 p1, pool 2/2, conv3 p1: r = 3, 3 + 1 = 4, 4 + 2·2 = 8; j = 2; s = 0, 0.5, 0.5
        ([("conv", {"out": 8, "padding": 1}), ("maxpool", {"kernel": 2}), ("conv", {"out": 8, "padding": 1})],
         (3, 32, 32), 8, 2, Fraction(1, 2)),
        # 3/2 pad 1 (ResNet stem pool): r = 3, j = 2, s = 1 − 1 = 0
        ([("maxpool", {"kernel": 3, "stride": 2, "padding": 1})], (64, 112, 112), 3, 2, 0),
        # adaptive 12 → 6 is the 2/2 window: r = 2, j = 2, s = 0.5
        ([("adaptive_avgpool", {"out": 6})], (1, 12, 12), 2, 2, Fraction(1, 2)),
        # adaptive 5 → 3, bins 2, 3, 2: widest 3 → r = 3; j = 5/3; s = (2 − 1)/2 = 0.5
        ([("adaptive_maxpool", {"out": 3})], (1, 5, 5), 3, Fraction(5, 3), Fraction(1, 2)),
    ],
)
def test_receptive_field(stack: list[tuple[str, dict[str, Any]]], shape: Shape, size: int,
                         jump: Fraction | int, start: Fraction | int) -> None:
    rf = _rf_through(stack, shape)
    assert not rf.whole
    assert rf.size == (Fraction(size),) * 2
    assert rf.jump == (Fraction(jump),) * 2
    assert rf.start == (Fraction(start),) * 2


@pytest.mark.parametrize(
    ("stack", "shape"),
    [
        ([("maxpool", {"kernel": 2}), ("global_avgpool", {})], (8, 8, 8)),
        ([("global_maxpool", {})], (8, 5)),
        ([("adaptive_avgpool", {"out": 1})], (8, 5, 5)),
        ([("spp", {})], (8, 13, 13)),
        # anything after a global pool still sees the whole input
        ([("global_avgpool", {}), ("maxpool", {"kernel": 1})], (8, 5, 5)),
    ],
)
def test_global_receptive_field(stack: list[tuple[str, dict[str, Any]]], shape: Shape) -> None:
    assert _rf_through(stack, shape).whole


@pytest.mark.parametrize(
    ("kind", "args", "shape", "words"),
    [
        ("maxpool", {"kernel": 5}, (1, 3, 3), ["larger than the padded input", "3 + 0 + 0"]),
        ("avgpool", {"kernel": 4, "stride": 1}, (1, 3, 3), ["larger than the padded input"]),
        ("maxpool", {"kernel": 3, "padding": 2}, (1, 8, 8), ["at most half", "padding=2", "kernel=3"]),
        ("avgpool", {"kernel": 2, "padding": 2}, (1, 8, 8), ["at most half", "padding=2", "kernel=2"]),
        # torch checks the kernel itself, not the dilated one: k = 1, d = 3, pad 1 > 1 // 2 = 0
        ("maxpool", {"kernel": 1, "dilation": 3, "padding": 1}, (1, 8, 8), ["at most half"]),
        ("maxpool", {"kernel": [3, 3, 3]}, (1, 8, 8), ["kernel has 3 values", "2 spatial dimensions"]),
        ("avgpool", {"kernel": 2, "stride": [1, 1]}, (1, 8, 8, 8), ["stride has 2 values", "3 spatial"]),
        ("adaptive_avgpool", {"out": [2, 2]}, (1, 8), ["out has 2 values", "1 spatial dimension"]),
        ("spp", {"levels": [6, 3, 2, 1]}, (256, 5, 5),
         ["spp level 6 needs an input of at least 6×6, received 5×5"]),
        ("spp", {"levels": [1, 2, 4]}, (8, 3), ["level 4", "at least 4, received 3"]),
        ("maxpool", {"kernel": 2}, (256,), ["needs a C×L", "flatten"]),
        ("global_avgpool", {}, (256,), ["needs a C×L"]),
        ("adaptive_maxpool", {"out": 2}, (1, 2, 2, 2, 2), ["needs a C×L"]),
    ],
)
def test_shape_errors(kind: str, args: dict[str, Any], shape: Shape, words: list[str]) -> None:
    layer = make(kind, **args)
    with pytest.raises(LayerError) as info:
        layer.bind([shape])
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("kind", "args", "words"),
    [
        ("maxpool", {}, ["needs the argument 'kernel'"]),
        ("maxpool", {"kernel": 0}, ["kernel", ">= 1", "received 0"]),
        ("maxpool", {"kernel": 2, "ceil": True}, ["no argument 'ceil'", "ceil_mode"]),
        ("avgpool", {"kernel": 2, "dilation": 2}, ["no argument 'dilation'"]),
        ("spp", {"mode": "min"}, ["expected one of max, avg", "'min'"]),
        ("spp", {"levels": [2, 0]}, [">= 1", "received 0"]),
        ("adaptive_avgpool", {}, ["needs the argument 'out'"]),
    ],
)
def test_argument_errors(kind: str, args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(CnnCalcError) as info:
        make(kind, **args)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("kind", "args", "shape", "text"),
    [
        # as papers write windows: kernel per dimension, /stride, p(adding), then what is not default
        ("maxpool", {"kernel": 3, "stride": 2, "ceil_mode": True}, (8, 13, 13), "3×3/2 ceil_mode"),
        ("maxpool", {"kernel": 2}, (8, 8, 8), "2×2/2"),
        ("maxpool", {"kernel": 2}, (8, 8), "2/2"),  # 1-D
        ("maxpool", {"kernel": [3, 1], "stride": [2, 1]}, (8, 9, 9), "3×1/(2,1)"),
        ("avgpool", {"kernel": 3, "stride": 1, "padding": 1, "count_include_pad": False}, (8, 8, 8),
         "3×3 p1 exclude pad"),
        ("adaptive_avgpool", {"out": [6, 6]}, (8, 12, 12), "out 6×6"),
        ("spp", {"levels": [6, 3, 2, 1]}, (8, 13, 13), "levels 6,3,2,1 max"),
    ],
)
def test_describe(kind: str, args: dict[str, Any], shape: tuple[int, ...], text: str) -> None:
    assert bind(kind, shape, **args).describe() == text


TORCH_CASES = [
    ("maxpool", {"kernel": 3, "stride": 2}, (96, 55, 55)),
    ("maxpool", {"kernel": 3, "stride": 2, "ceil_mode": True}, (4, 54, 54)),
    ("maxpool", {"kernel": 2, "stride": 2, "padding": 1, "ceil_mode": True}, (1, 5, 5)),
    ("maxpool", {"kernel": 2, "dilation": 2}, (1, 10, 10)),
    ("maxpool", {"kernel": [3, 1], "stride": [2, 1]}, (1, 7, 5)),
    ("maxpool", {"kernel": 2}, (4, 9)),
    ("maxpool", {"kernel": 2}, (8, 4, 6, 6)),
    ("minpool", {"kernel": 3, "stride": 2, "padding": 1}, (3, 8, 8)),
    ("avgpool", {"kernel": 5, "stride": 3}, (8, 14, 14)),
    ("avgpool", {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
     (2, 10, 10)),
    ("avgpool", {"kernel": 2}, (2, 4, 6, 6)),
    ("global_avgpool", {}, (16, 10)),
    ("global_avgpool", {}, (16, 7, 7)),
    ("global_maxpool", {}, (8, 3, 5, 5)),
    ("adaptive_avgpool", {"out": 6}, (256, 13, 13)),
    ("adaptive_avgpool", {"out": 7}, (5, 1, 1)),
    ("adaptive_maxpool", {"out": [3, 2]}, (4, 5, 8)),
    ("adaptive_maxpool", {"out": 4}, (2, 10)),
    ("spp", {}, (256, 13, 13)),
    ("spp", {"levels": [6, 3, 2, 1], "mode": "avg"}, (16, 13, 13)),
    ("spp", {"levels": [1, 2]}, (4, 8)),
]


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "args", "shape"), TORCH_CASES)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    run_in_torch(bind(kind, shape, **args))


@pytest.mark.torch
def test_minpool_computes_the_minimum() -> None:
    torch = importlib.import_module("torch")
    x = torch.tensor([[[1.0, 5.0, -2.0, 3.0], [4.0, 2.0, 7.0, 8.0]]])  # 1×2×4
    module = lowered("minpool", (1, 2, 4), kernel=2)
    assert module(x.unsqueeze(0)).tolist() == [[[[1.0, -2.0]]]]
