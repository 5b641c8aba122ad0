"""Normalisation layers: bn, lrn, layernorm, groupnorm (cnncalc/layers/norm.py)."""

from __future__ import annotations

import importlib
from fractions import Fraction
from typing import Any

import pytest
from layer_helpers import bind, build, lowered, run_in_torch, through

from cnncalc.errors import LayerError
from cnncalc.layers import REGISTRY, lookup
from cnncalc.layers.rf import RF

Shape = tuple[int, ...]


# kind, args, input shape, params, buffers, flops — shapes are unchanged by every norm
CASES = [
    # torchvision resnet18's bn1 (64 channels) has 128 params: 2·64; running mean + var: 2·64 = 128
    # FLOPs 2 per element: 2·64·56·56 = 2·200704 = 401408
    ("bn", {}, (64, 56, 56), 128, 128, 401408),
    ("batchnorm", {}, (64, 56, 56), 128, 128, 401408),
    # no affine: no params, the running statistics stay
    ("bn", {"affine": False}, (64, 56, 56), 0, 128, 401408),
    # BatchNorm1d on a vector of 4096: 2·4096 = 8192 params, 8192 buffers, 2·4096 = 8192 FLOPs
    ("bn", {}, (4096,), 8192, 8192, 8192),
    # BatchNorm1d on C×L = 16×100: 32 params, 32 buffers, 2·1600 = 3200 FLOPs
    ("bn", {"eps": 1e-3, "momentum": 0.01}, (16, 100), 32, 32, 3200),
    # BatchNorm3d on 8×4×6×6: 16, 16, 2·8·144 = 2304
    ("bn", {}, (8, 4, 6, 6), 16, 16, 2304),
    # AlexNet's LRN after conv1 (96×55×55): (2·5 + 3) = 13 per element, 13·96·3025 = 13·290400 = 3775200
    ("lrn", {"size": 5, "alpha": 1e-4, "beta": 0.75, "k": 2.0}, (96, 55, 55), 0, 0, 3775200),
    # size 3 on 4×2×2: (2·3 + 3)·16 = 144
    ("lrn", {"size": 3}, (4, 2, 2), 0, 0, 144),
    # ConvNeXt-T's stem LayerNorm on 96×56×56: 2·96 = 192 params, 7·96·3136 = 7·301056 = 2107392
    ("layernorm", {}, (96, 56, 56), 192, 0, 2107392),
    # without affine only the 5 normalising FLOPs: 5·301056 = 1505280
    ("layernorm", {"affine": False}, (96, 56, 56), 0, 0, 1505280),
    # on a vector (768,): 1536 params, 7·768 = 5376
    ("layernorm", {"eps": 1e-5}, (768,), 1536, 0, 5376),
    # GroupNorm(32, 256) on 256×14×14: 512 params, 7·256·196 = 7·50176 = 351232
    ("groupnorm", {"groups": 32}, (256, 14, 14), 512, 0, 351232),
    # one group per channel (instance norm) without affine: 5·8·16 = 640
    ("groupnorm", {"groups": 8, "affine": False}, (8, 4, 4), 0, 0, 640),
]


@pytest.mark.parametrize(("kind", "args", "shape", "params", "buffers", "flops"), CASES)
def test_counts(kind: str, args: dict[str, Any], shape: Shape, params: int, buffers: int, flops: int) -> None:
    b = bind(kind, shape, **args)
    assert b.output == shape
    assert b.params.value == params
    assert b.buffers.value == buffers
    assert b.macs.value == 0
    assert b.flops.value == flops


@pytest.mark.parametrize(("kind", "primary"), [("bn", None), ("lrn", "size"), ("groupnorm", "groups")])
def test_primary(kind: str, primary: str | None) -> None:
    """``{lrn: 5}`` sets the size, ``{groupnorm: 32}`` the groups."""
    cls = lookup(kind)
    assert cls is not None
    assert primary == cls.primary()


def test_defaults() -> None:
    bn = build("bn")
    assert (bn.eps, bn.momentum, bn.affine) == (1e-5, 0.1, True)  # type: ignore[attr-defined]
    lrn = build("lrn", size=5)
    assert (lrn.alpha, lrn.beta, lrn.k) == (1e-4, 0.75, 1.0)  # type: ignore[attr-defined]
    assert build("layernorm").eps == 1e-6  # type: ignore[attr-defined]
    assert build("groupnorm", groups=2).eps == 1e-5  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["bn", "lrn", "layernorm", "groupnorm"])
def test_receptive_field_passes_through(kind: str) -> None:
    # after a 3×3 convolution with padding 1: size 3, jump 1, start 0
    field = through(RF.of_input(2), (3, 3), (1, 1), (1, 1))
    args = {"lrn": {"size": 5}, "groupnorm": {"groups": 4}}.get(kind, {})
    rf = bind(kind, (8, 10, 10), [field], **args).rf
    assert rf.size == (Fraction(3), Fraction(3))
    assert rf.jump == (Fraction(1), Fraction(1))
    assert rf.start == (Fraction(0), Fraction(0))


@pytest.mark.parametrize(
    ("kind", "args", "shape", "words"),
    [
        ("groupnorm", {"groups": 3}, (64, 8, 8), ["divisible", "groups=3", "channels=64"]),
        ("groupnorm", {"groups": 32}, (48, 8, 8), ["groups=32", "channels=48"]),
        # torch's LocalResponseNorm needs a spatial dimension
        ("lrn", {"size": 5}, (96,), ["lrn", "C×H×W", "received 96"]),
    ],
)
def test_shape_errors(kind: str, args: dict[str, Any], shape: Shape, words: list[str]) -> None:
    layer = build(kind, **args)
    with pytest.raises(LayerError) as info:
        layer.bind([shape])
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("kind", "args", "words"),
    [
        ("bn", {"epss": 1e-5}, ["no argument 'epss'", "did you mean 'eps'"]),
        ("bn", {"eps": 0}, ["eps", "> 0", "received 0"]),
        ("bn", {"momentum": 2}, ["momentum", "<= 1.0", "received 2"]),
        ("bn", {"affine": "yes"}, ["affine", "true or false"]),
        ("lrn", {}, ["needs the argument 'size'"]),
        ("lrn", {"size": 0}, ["size", ">= 1", "received 0"]),
        ("layernorm", {"afine": False}, ["did you mean 'affine'"]),
        ("groupnorm", {}, ["needs the argument 'groups'"]),
        ("groupnorm", {"groups": 2.5}, ["groups", "integer", "2.5"]),
    ],
)
def test_argument_errors(kind: str, args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build(kind, **args)
    for word in words:
        assert word in info.value.message


def test_one_input_only() -> None:
    with pytest.raises(LayerError, match="bn takes 1 input, received 2"):
        build("bn").check_inputs([(8, 4, 4), (8, 4, 4)])


# -- torch parity: the lowering's output shape, parameter and buffer counts ----------------------

PARITY = [
    ("bn", {}, (4096,)),
    ("bn", {}, (16, 100)),
    ("bn", {}, (64, 14, 14)),
    ("bn", {"affine": False}, (8, 4, 6, 6)),
    ("lrn", {"size": 5, "k": 2.0}, (96, 13, 13)),
    ("lrn", {"size": 3}, (6, 4, 3, 3)),
    ("layernorm", {}, (96, 14, 14)),
    ("layernorm", {"affine": False}, (32,)),
    ("groupnorm", {"groups": 32}, (256, 7, 7)),
    ("groupnorm", {"groups": 2}, (8, 10)),
]


def test_parity_covers_every_norm() -> None:
    mine = {kind for kind, cls in REGISTRY.items() if cls.__module__ == "cnncalc.layers.norm"}
    assert mine == {kind for kind, _, _ in PARITY}


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "args", "shape"), PARITY)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    run_in_torch(bind(kind, shape, **args))


@pytest.mark.torch
def test_torch_arguments_pass_through() -> None:
    importlib.import_module("torch")
    bn = lowered("bn", (8, 4, 4), eps=1e-3, momentum=0.01)
    assert (bn.eps, bn.momentum) == (1e-3, 0.01)
    lrn = lowered("lrn", (8, 4, 4), size=5, alpha=2e-4, beta=0.5, k=2.0)
    assert (lrn.size, lrn.alpha, lrn.beta, lrn.k) == (5, 2e-4, 0.5, 2.0)
    gn = lowered("groupnorm", (8, 4, 4), groups=4, eps=1e-3)
    assert (gn.num_groups, gn.num_channels, gn.eps) == (4, 8, 1e-3)


@pytest.mark.torch
def test_layernorm_matches_torchvision_convnext() -> None:
    """Our channels-first LayerNorm computes what torchvision's ConvNeXt LayerNorm2d does."""
    torch = importlib.import_module("torch")
    convnext = importlib.import_module("torchvision.models.convnext")
    ours = lowered("layernorm", (16, 5, 5))
    theirs = convnext.LayerNorm2d(16, eps=1e-6)
    with torch.no_grad():
        for module in (ours, theirs):  # the same non-trivial affine in both
            module.weight.copy_(torch.linspace(0.5, 2.0, 16))
            module.bias.copy_(torch.linspace(-1.0, 1.0, 16))
        x = torch.randn(2, 16, 5, 5, generator=torch.Generator().manual_seed(0))
        torch.testing.assert_close(ours(x), theirs(x))
