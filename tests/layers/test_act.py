"""Activations (cnncalc/layers/act.py): shape-preserving, 1 FLOP per element (softmax 3)."""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

import pytest
from layer_helpers import bind, build, run_in_torch, through

from cnncalc.errors import LayerError
from cnncalc.layers import REGISTRY, lookup
from cnncalc.layers.rf import RF

Shape = tuple[int, ...]


# kind, args, input shape, params, flops
CASES = [
    # ResNet's first ReLU on 64×112×112: 1 per element, 64·12544 = 802816
    ("relu", {}, (64, 112, 112), 0, 802816),
    # MobileNetV2's stem ReLU6 on 32×112×112: 32·12544 = 401408
    ("relu6", {}, (32, 112, 112), 0, 401408),
    ("leaky_relu", {"negative_slope": 0.1}, (16, 8, 8), 0, 16 * 64),  # 1024
    ("elu", {"alpha": 0.5}, (10,), 0, 10),
    # PReLU with a slope per channel: 64 params; 64·56·56 = 200704 FLOPs
    ("prelu", {}, (64, 56, 56), 64, 200704),
    # one shared slope (torch's default num_parameters=1)
    ("prelu", {"per_channel": False}, (64, 56, 56), 1, 200704),
    ("gelu", {}, (768,), 0, 768),
    ("gelu", {"approximate": "tanh"}, (4, 3), 0, 12),
    ("silu", {}, (32, 112, 112), 0, 401408),
    ("swish", {}, (32, 112, 112), 0, 401408),
    # the sigmoid of an SE gate on 64×1×1: 64
    ("sigmoid", {}, (64, 1, 1), 0, 64),
    ("tanh", {}, (100, 20), 0, 2000),
    ("softplus", {"beta": 2, "threshold": 10}, (3, 4, 4), 0, 48),
    ("hardswish", {}, (16, 112, 112), 0, 200704),  # 16·12544
    ("hardsigmoid", {}, (72, 1, 1), 0, 72),
    # softmax over 1000 classes: exp, sum, divide = 3·1000
    ("softmax", {}, (1000,), 0, 3000),
    # softmax over 21 channels of a 32×32 map: 3·21·1024 = 64512
    ("softmax", {}, (21, 32, 32), 0, 64512),
    # 3-D input: 1 per element, 4·2·3·3 = 72
    ("relu", {}, (4, 2, 3, 3), 0, 72),
]


@pytest.mark.parametrize(("kind", "args", "shape", "params", "flops"), CASES)
def test_counts(kind: str, args: dict[str, Any], shape: Shape, params: int, flops: int) -> None:
    b = bind(kind, shape, **args)
    assert b.output == shape
    assert b.params.value == params
    assert b.buffers.value == 0
    assert b.macs.value == 0
    assert b.flops.value == flops


@pytest.mark.parametrize(
    ("kind", "attr", "default"),
    [
        ("leaky_relu", "negative_slope", 0.01),
        ("elu", "alpha", 1.0),
        ("prelu", "per_channel", True),
        ("gelu", "approximate", "none"),
        ("softplus", "beta", 1.0),
        ("softplus", "threshold", 20.0),
    ],
)
def test_defaults(kind: str, attr: str, default: Any) -> None:
    assert getattr(build(kind), attr) == default


def test_leaky_relu_primary_is_the_slope() -> None:
    cls = lookup("leaky_relu")
    assert cls is not None
    assert cls.primary() == "negative_slope"


def test_swish_is_silu() -> None:
    assert lookup("swish") is lookup("silu")


def test_receptive_field_passes_through() -> None:
    # two 3×3 convolutions, stride 1, padding 1: size 5, jump 1
    field = through(through(RF.of_input(2), (3, 3), (1, 1), (1, 1)), (3, 3), (1, 1), (1, 1))
    rf = bind("relu", (8, 6, 6), [field]).rf
    assert rf.size == (Fraction(5), Fraction(5))
    assert rf.jump == (Fraction(1), Fraction(1))


def test_vector_sees_whole_input() -> None:
    assert bind("softmax", (10,), [RF.whole_input()]).rf.whole


@pytest.mark.parametrize(
    ("kind", "args", "words"),
    [
        ("relu", {"inplace": True}, ["relu has no argument 'inplace'", "its arguments are: none"]),
        ("leaky_relu", {"negative_slop": 0.2}, ["did you mean 'negative_slope'"]),
        ("leaky_relu", {"negative_slope": "a"}, ["negative_slope", "expected a number", "'a'"]),
        ("prelu", {"per_chanel": False}, ["did you mean 'per_channel'"]),
        ("prelu", {"per_channel": 1}, ["per_channel", "true or false"]),
        ("gelu", {"approximate": "fast"}, ["approximate", "none, tanh", "'fast'"]),
        ("softplus", {"beta": True}, ["beta", "expected a number"]),
        ("softmax", {"dim": 1}, ["softmax has no argument 'dim'"]),
    ],
)
def test_argument_errors(kind: str, args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build(kind, **args)
    for word in words:
        assert word in info.value.message


def test_one_input_only() -> None:
    with pytest.raises(LayerError, match="relu takes 1 input, received 2"):
        build("relu").check_inputs([(8,), (8,)])


# -- torch parity ----------------------------------------------------------------------------

# kind, args, input shape, the torch class name, attributes the lowering must carry
PARITY = [
    ("relu", {}, (8, 5, 5), "ReLU", {}),
    ("relu6", {}, (8, 5, 5), "ReLU6", {}),
    ("leaky_relu", {"negative_slope": 0.2}, (8, 5, 5), "LeakyReLU", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.5}, (8, 5), "ELU", {"alpha": 0.5}),
    ("prelu", {}, (8, 5, 5), "PReLU", {"num_parameters": 8}),
    ("prelu", {"per_channel": False, "init": 0.1}, (8,), "PReLU", {"num_parameters": 1}),
    ("gelu", {"approximate": "tanh"}, (8, 5, 5), "GELU", {"approximate": "tanh"}),
    ("silu", {}, (8, 2, 3, 3), "SiLU", {}),
    ("sigmoid", {}, (8, 1, 1), "Sigmoid", {}),
    ("tanh", {}, (8,), "Tanh", {}),
    ("softplus", {"beta": 2, "threshold": 10}, (8, 5, 5), "Softplus", {"beta": 2.0, "threshold": 10.0}),
    ("hardswish", {}, (8, 5, 5), "Hardswish", {}),
    ("hardsigmoid", {}, (8, 1, 1), "Hardsigmoid", {}),
    ("softmax", {}, (8, 5, 5), "Softmax", {"dim": 1}),  # over the channels, behind the batch
]


def test_parity_covers_every_activation() -> None:
    mine = {kind for kind, cls in REGISTRY.items() if cls.__module__ == "cnncalc.layers.act"}
    assert mine == {kind for kind, *_ in PARITY}


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "args", "shape", "torch_class", "attrs"), PARITY)
def test_torch_parity(
    kind: str, args: dict[str, Any], shape: Shape, torch_class: str, attrs: dict[str, Any]
) -> None:
    module, _ = run_in_torch(bind(kind, shape, **args))
    assert type(module).__name__ == torch_class
    for name, value in attrs.items():
        assert getattr(module, name) == value


@pytest.mark.torch
def test_softmax_normalises_over_channels() -> None:
    torch = importlib.import_module("torch")
    module = run_in_torch(bind("softmax", (4, 3, 3)))[0]
    y = module(torch.randn(2, 4, 3, 3, generator=torch.Generator().manual_seed(0)))
    torch.testing.assert_close(y.sum(dim=1), torch.ones(2, 3, 3))
