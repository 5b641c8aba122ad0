"""The classic papers' layers (cnncalc/layers/classic.py), against the papers' own figures.

LeNet-5 (LeCun et al. 1998, section II.B): S2 "has 12 trainable parameters and 5,880 connections";
C3 "has 1,516 trainable parameters and 151,600 connections" with Table I's connections; the output
is 10 Euclidean RBF units of 84 inputs each. ResNet's option A (He et al. 2016, section 3.3) pads
channels with zeros and has no parameters.
"""

from __future__ import annotations

from typing import Any

import pytest
from layer_helpers import bind, build, lowered, run_in_torch

import cnncalc
from cnncalc.errors import LayerError

TABLE_I = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1], [0, 1, 2, 3], [1, 2, 3, 4],
           [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2], [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
           [0, 1, 2, 3, 4, 5]]


def test_lenet_c3() -> None:
    # 6 maps read 3 S2 maps, 9 read 4, one reads 6: 6·(3·25 + 1) + 9·(4·25 + 1) + 1·(6·25 + 1) = 456 + 909 + 151
    b = bind("tableconv", (6, 14, 14), table=TABLE_I, kernel=5)
    assert b.output == (16, 10, 10)
    assert b.params.value == 1516 and b.biases.value == 16
    # the paper's connections: 1,516 per output position × 10·10 positions = 151,600; MACs leave out the biases
    assert b.params.value * 100 == 151_600 and b.macs.value == 151_600 - 16 * 100


def test_lenet_s2_and_s4() -> None:
    s2 = bind("subsample", (6, 28, 28), kernel=2)
    # 12 trainable parameters; 5,880 connections = 6·14·14 outputs × (4 inputs + 1 bias)
    assert (s2.output, s2.params.value, s2.macs.value) == ((6, 14, 14), 12, 0)
    assert s2.flops.value == 6 * 14 * 14 * (4 + 1) == 5880  # 3 adds, a multiply, a bias add per output
    s4 = bind("subsample", (16, 10, 10), kernel=2)
    assert (s4.output, s4.params.value) == ((16, 5, 5), 32)


def test_rbf_output() -> None:
    b = bind("rbf", (84,), out=10)
    # 84·10 prototypes; per unit 84 subtractions, 84 squares, 83 adds: 10·(3·84 − 1) = 2,510
    assert (b.output, b.params.value, b.macs.value, b.flops.value) == ((10,), 840, 0, 2510)
    assert b.rf.whole


def test_option_a_padding() -> None:
    # ResNet-20's first stage change: 16 channels, 8 zero channels on each side → 32, no parameters
    b = bind("pad_channels", (16, 16, 16), before=8, after=8)
    assert (b.output, b.params.value, b.flops.value) == ((32, 16, 16), 0, 0)


def test_lenet5_as_published() -> None:
    report = cnncalc.analyze("lenet5_1998")
    params = {r.name: r.params for r in report.layers if r.params}
    # the paper's layer counts (section II.B), and 60,000 + 840 RBF prototypes
    assert params == {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48_120, "F6": 10_164, "output": 840}
    assert report.totals.params == 60_840
    assert report.totals.output_shape == (10,)


@pytest.mark.parametrize(
    ("kind", "args", "shape", "words"),
    [
        ("tableconv", {"table": [[0, 6]]}, (6, 14, 14), ["output map 0 reads input map 6", "6 maps (0 to 5)"]),
        ("tableconv", {"table": [[0, 0]]}, (6, 14, 14), ["lists an input map twice"]),
        ("tableconv", {"table": [[]]}, (6, 14, 14), ["reads no input map"]),
        ("pad_channels", {"before": 2}, (16,), ["needs a C×L"]),
    ],
)
def test_errors(kind: str, args: dict[str, Any], shape: tuple[int, ...], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build(kind, **args).bind([shape])
    for word in words:
        assert word in info.value.message


@pytest.mark.torch
@pytest.mark.parametrize(
    ("kind", "args", "shape"),
    [("tableconv", {"table": TABLE_I, "kernel": 5}, (6, 14, 14)), ("subsample", {"kernel": 2}, (6, 28, 28)),
     ("rbf", {"out": 10}, (84,)), ("pad_channels", {"before": 8, "after": 8}, (16, 8, 8)),
     ("tableconv", {"table": [[0], [0, 1]], "kernel": 3, "bias": False}, (2, 9))],
)
def test_torch_parity(kind: str, args: dict[str, Any], shape: tuple[int, ...]) -> None:
    run_in_torch(bind(kind, shape, **args))


@pytest.mark.torch
def test_torch_values() -> None:
    torch = __import__("torch")
    x = torch.arange(16.0).view(1, 1, 4, 4)
    s = lowered("subsample", (1, 4, 4), kernel=2)
    with torch.no_grad():
        s.weight.fill_(2.0)
        s.bias.fill_(1.0)
        # window sums 0+1+4+5 = 10, 2+3+6+7 = 18, 8+9+12+13 = 42, 10+11+14+15 = 50; ×2 + 1
        assert s(x).flatten().tolist() == [21.0, 37.0, 85.0, 101.0]
        rbf = lowered("rbf", (3,), out=2)
        rbf.weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]))
        # (1−1)² + 2² + 3² = 13; 1² + 2² + (3−2)² = 6
        assert rbf(torch.tensor([[1.0, 2.0, 3.0]])).tolist() == [[13.0, 6.0]]
        pad = lowered("pad_channels", (1, 2, 2), before=1, after=2)
        y = pad(torch.ones(1, 1, 2, 2))
        assert y.shape == (1, 4, 2, 2) and y[0, 1].sum() == 4 and y[0, [0, 2, 3]].abs().sum() == 0
