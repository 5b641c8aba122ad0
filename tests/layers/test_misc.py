"""Dropout, stochastic depth and identity (cnncalc/layers/misc.py): free pass-throughs at inference."""

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


# kind, args, input shape: the output has the input's shape, with 0 params, buffers and FLOPs
CASES = [
    ("dropout", {}, (4096,)),  # AlexNet's and VGG's classifier dropout, p = 0.5
    ("dropout", {"p": 0.2}, (1280,)),
    ("dropout", {"p": 0}, (64, 56, 56)),
    ("dropout", {"p": 0.999}, (8, 10)),
    ("dropout", {"p": 0.3}, (8, 2, 4, 4)),
    ("identity", {}, (64, 56, 56)),
    ("identity", {}, (10,)),
    # EfficientNet-B0's last block: p = 0.2·15/16 = 0.1875 (torchvision), per sample
    ("stochastic_depth", {"p": 0.1875, "mode": "row"}, (320, 7, 7)),
    ("stochastic_depth", {"p": 1, "mode": "batch"}, (96, 56, 56)),  # p = 1 is allowed: the branch always dropped
    ("stochastic_depth", {}, (16,)),
]


@pytest.mark.parametrize(("kind", "args", "shape"), CASES)
def test_counts(kind: str, args: dict[str, Any], shape: Shape) -> None:
    b = bind(kind, shape, **args)
    assert b.output == shape
    assert b.params.value == 0
    assert b.buffers.value == 0
    assert b.macs.value == 0
    assert b.flops.value == 0


@pytest.mark.parametrize(("kind", "reason"), [("dropout", "identity at inference"), ("identity", "pass-through"),
                                             ("stochastic_depth", "identity at inference")])
def test_zero_cost_is_a_stated_decision(kind: str, reason: str) -> None:
    cls = lookup(kind)
    assert cls is not None and cls.FLOPS is not None
    assert reason in cls.FLOPS.doc


def test_dropout_defaults_and_primary() -> None:
    cls = lookup("dropout")
    assert cls is not None
    assert cls.primary() == "p"
    assert build("dropout").p == 0.5  # type: ignore[attr-defined]
    assert build("dropout", p=0.25).p == 0.25  # type: ignore[attr-defined]


def test_stochastic_depth_defaults_and_alias() -> None:
    assert lookup("drop_path") is lookup("stochastic_depth")
    layer = build("stochastic_depth", p=0.1)
    assert (layer.p, layer.mode) == (0.1, "row")  # type: ignore[attr-defined]
    assert build("stochastic_depth").p == 0.0  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["dropout", "identity", "stochastic_depth"])
def test_receptive_field_passes_through(kind: str) -> None:
    # a 3×3 convolution with stride 2, padding 1: size 3, jump 2
    field = through(RF.of_input(2), (3, 3), (2, 2), (1, 1))
    rf = bind(kind, (8, 5, 5), [field]).rf
    assert rf.size == (Fraction(3), Fraction(3))
    assert rf.jump == (Fraction(2), Fraction(2))


@pytest.mark.parametrize(
    ("kind", "args", "words"),
    [
        ("dropout", {"p": 1}, ["dropout argument p", "0 <= p < 1", "received 1"]),
        ("dropout", {"p": 1.5}, ["0 <= p < 1", "received 1.5"]),
        ("dropout", {"p": -0.1}, ["0 <= p < 1", "received -0.1"]),
        ("dropout", {"p": "half"}, ["expected a number", "'half'"]),
        ("dropout", {"pp": 0.5}, ["dropout has no argument 'pp'", "did you mean 'p'"]),
        ("dropout", {"rate": 0.5}, ["dropout has no argument 'rate'", "its arguments are: p"]),
        ("identity", {"p": 0.5}, ["identity has no argument 'p'", "its arguments are: none"]),
        ("stochastic_depth", {"p": 1.5}, ["stochastic_depth argument p", "<= 1.0", "received 1.5"]),
        ("stochastic_depth", {"mode": "sample"}, ["expected one of row, batch", "'sample'"]),
    ],
)
def test_argument_errors(kind: str, args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build(kind, **args)
    for word in words:
        assert word in info.value.message


def test_one_input_only() -> None:
    with pytest.raises(LayerError, match="identity takes 1 input, received 2"):
        build("identity").check_inputs([(8,), (8,)])


# -- torch parity ----------------------------------------------------------------------------

PARITY = [
    ("dropout", {"p": 0.2}, (64, 7, 7)),
    ("dropout", {}, (4096,)),
    ("identity", {}, (8, 2, 3, 3)),
    ("stochastic_depth", {"p": 0.5}, (8, 5, 5)),
]


def test_parity_covers_every_misc_layer() -> None:
    mine = {kind for kind, cls in REGISTRY.items() if cls.__module__ == "cnncalc.layers.misc"}
    assert mine == {kind for kind, _, _ in PARITY}


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "args", "shape"), PARITY)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    torch = importlib.import_module("torch")
    x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(0))
    _, y = run_in_torch(bind(kind, shape, **args), x)
    assert torch.equal(y, x)  # the identity at inference


@pytest.mark.torch
@pytest.mark.parametrize(("mode", "p"), [("row", 0.5), ("batch", 0.5), ("row", 1.0)])
def test_stochastic_depth_training_matches_torchvision(mode: str, p: float) -> None:
    # while training, torchvision.ops.stochastic_depth with the same random stream gives the same tensor
    torch = importlib.import_module("torch")
    ops = importlib.import_module("torchvision.ops")
    module = run_in_torch(bind("stochastic_depth", (4, 3, 3), p=p, mode=mode))[0].train()
    x = torch.randn(16, 4, 3, 3, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(7)
    ours = module(x)
    torch.manual_seed(7)
    theirs = ops.stochastic_depth(x, p, mode, training=True)
    assert torch.equal(ours, theirs)
    kept = int((ours.flatten(1) != 0).any(1).sum())
    assert kept == 0 if p == 1.0 else 0 < kept <= 16
    if mode == "row":  # samples dropped one by one (seeded): some kept, some not
        assert p == 1.0 or kept < 16


@pytest.mark.torch
def test_dropout_lowering_keeps_p() -> None:
    importlib.import_module("torch")
    assert run_in_torch(bind("dropout", (8,), p=0.2))[0].p == 0.2
