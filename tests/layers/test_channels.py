"""split, channel_shuffle and scale (cnncalc/layers/channels.py) against hand calculations and torch.

Oracles: the ShuffleNet V2 and ConvNeXt papers' layers worked out by hand below; torch.chunk and
torch.split; torchvision's own ``channel_shuffle`` function and ConvNeXt block (its ``layer_scale``).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from layer_helpers import bind, build, run_in_torch, through

import cnncalc
from cnncalc.errors import CnnCalcError, LayerError
from cnncalc.layers import REGISTRY, lookup
from cnncalc.layers.rf import RF

Shape = tuple[int, ...]


# -- split --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shape", "out"),
    [
        # ShuffleNet V2 1.0×, stage 2: 116 channels in two halves of 58 (torchvision: x.chunk(2, dim=1))
        ({"parts": 2, "part": 0}, (116, 28, 28), (58, 28, 28)),
        ({"parts": 2, "part": 1}, (116, 28, 28), (58, 28, 28)),
        ({"parts": 4, "part": 3}, (64, 7), (16, 7)),  # 64/4 = 16, 1-D
        ({"sizes": [24, 40], "part": 1}, (64, 5, 5), (40, 5, 5)),  # given sizes: 24 + 40 = 64
        ({"sizes": [1, 2, 3], "part": 0}, (6,), (1,)),
        ({}, (8, 3, 3), (4, 3, 3)),  # alone (no part): the first of 2
    ],
)
def test_split_counts(args: dict[str, Any], shape: Shape, out: Shape) -> None:
    b = bind("split", shape, **args)
    assert b.output == out
    assert (b.params.value, b.buffers.value, b.macs.value, b.flops.value) == (0, 0, 0, 0)


def test_split_alone_says_it_is_the_first_part() -> None:
    assert [str(n) for n in bind("split", (8, 3, 3)).notes] == [
        "the first part; in a network each part is its own layer, NAME.0 to NAME.1"]
    assert bind("split", (116, 28, 28), part=1).describe() == "channels 58:116 of 116"
    assert lookup("chunk") is lookup("split")


@pytest.mark.parametrize(
    ("args", "shape", "words"),
    [
        ({"parts": 3}, (116, 28, 28), ["evenly divisible", "parts=3, channels=116", "sizes"]),
        ({"sizes": [24, 30]}, (64, 5, 5), ["add up to 54", "64 channels"]),
    ],
)
def test_split_shape_errors(args: dict[str, Any], shape: Shape, words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        bind("split", shape, **args)
    for word in words:
        assert word in info.value.message


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"parts": 0}, ["split argument parts", ">= 1"]),
        ({"parts": 2, "part": 2}, ["part 2 does not exist", "2 parts (0 to 1)"]),
        ({"sizes": [3, 0]}, ["split argument sizes", ">= 1"]),
    ],
)
def test_split_argument_errors(args: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(LayerError) as info:
        build("split", **args)
    for word in words:
        assert word in info.value.message


UNIT = """
name: unit
input: [8, 6, 6]
layers:
  - {split: 2, name: parts}
  - {conv: {out: 4, kernel: 3, padding: 1}, name: branch}   # reads the last part
  - {concat: [parts.0, branch], name: cat}
  - {channel_shuffle: 2, name: shuffle}
"""


def test_split_in_a_network_is_one_layer_per_part() -> None:
    report = cnncalc.analyze_text(UNIT)
    rows = {r.name: r for r in report.layers}
    assert [r.name for r in report.layers] == ["parts.0", "parts.1", "branch", "cat", "shuffle"]
    assert rows["branch"].inputs == ("parts.1",)  # an entry without 'from' reads the last part
    assert rows["cat"].inputs == ("parts.0", "branch")
    assert rows["parts.0"].output_shape == rows["parts.1"].output_shape == (4, 6, 6)
    assert rows["branch"].params == 3 * 3 * 4 * 4 + 4  # a 3×3 conv on half the channels: 148
    assert report.totals.output_shape == (8, 6, 6)


def test_split_name_alone_means_the_last_part() -> None:
    text = UNIT.replace("{concat: [parts.0, branch], name: cat}", "{concat: [parts, branch], name: cat}")
    assert {r.name: r for r in cnncalc.analyze_text(text).layers}["cat"].inputs == ("parts.1", "branch")
    with pytest.raises(CnnCalcError, match=r"undefined name 'parts\.2'"):
        cnncalc.analyze_text(UNIT.replace("parts.0, branch", "parts.2, branch"))


def test_receptive_field_passes_through() -> None:
    field = through(RF.of_input(2), (3, 3), (2, 2), (1, 1))
    for kind, args in (("split", {"part": 1}), ("channel_shuffle", {"groups": 2}), ("scale", {})):
        rf = bind(kind, (8, 5, 5), [field], **args).rf
        assert rf.size == (3, 3) and rf.jump == (2, 2)


# -- channel_shuffle -----------------------------------------------------------------------------


@pytest.mark.parametrize(("groups", "shape"), [(2, (116, 28, 28)), (3, (240, 28, 28)), (4, (8,)), (1, (5, 2))])
def test_channel_shuffle_counts(groups: int, shape: Shape) -> None:
    b = bind("channel_shuffle", shape, groups=groups)
    assert b.output == shape
    assert (b.params.value, b.buffers.value, b.macs.value, b.flops.value) == (0, 0, 0, 0)


def test_channel_shuffle_needs_divisible_channels() -> None:
    with pytest.raises(LayerError, match="groups=3, channels=116"):
        bind("channel_shuffle", (116, 28, 28), groups=3)
    with pytest.raises(LayerError, match="needs the argument 'groups'"):
        build("channel_shuffle")


# -- scale ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "params", "flops"),
    [
        # ConvNeXt-T stage 1: γ of 96 channels (a 96×1×1 tensor); one multiply per element 96·56·56
        ((96, 56, 56), 96, 96 * 56 * 56),
        ((768, 7, 7), 768, 768 * 49),  # stage 4
        ((10,), 10, 10),
        ((4, 2, 3, 3), 4, 72),
    ],
)
def test_scale_counts(shape: Shape, params: int, flops: int) -> None:
    b = bind("scale", shape, init=1e-6)
    assert b.output == shape
    assert (b.params.value, b.buffers.value, b.macs.value, b.flops.value) == (params, 0, 0, flops)
    assert lookup("layer_scale") is lookup("scale")


def test_parity_covers_every_channel_layer() -> None:
    mine = {kind for kind, cls in REGISTRY.items() if cls.__module__ == "cnncalc.layers.channels"}
    assert mine == {kind for kind, _, _ in PARITY}


# -- torch ---------------------------------------------------------------------------------------

PARITY = [
    ("split", {"parts": 2, "part": 1}, (6, 3, 3)),
    ("channel_shuffle", {"groups": 2}, (6, 3, 3)),
    ("scale", {"init": 0.5}, (6, 3, 3)),
]


@pytest.mark.torch
@pytest.mark.parametrize(("kind", "args", "shape"), PARITY)
def test_torch_parity(kind: str, args: dict[str, Any], shape: Shape) -> None:
    run_in_torch(bind(kind, shape, **args))


@pytest.mark.torch
@pytest.mark.parametrize(("args", "k"), [({"parts": 2}, 0), ({"parts": 2}, 1), ({"sizes": [2, 5, 1]}, 1)])
def test_split_is_torch_split(args: dict[str, Any], k: int) -> None:
    torch = importlib.import_module("torch")
    x = torch.randn(1, 8, 3, 3, generator=torch.Generator().manual_seed(0))
    _, y = run_in_torch(bind("split", (8, 3, 3), part=k, **args), x)
    expected = x.chunk(args["parts"], dim=1)[k] if "parts" in args else x.split(args["sizes"], dim=1)[k]
    assert torch.equal(y, expected)


@pytest.mark.torch
@pytest.mark.parametrize("shape", [(12, 3, 3), (12, 5), (12, 2, 2, 2), (12,)])
def test_channel_shuffle_is_torchvisions(shape: Shape) -> None:
    torch = importlib.import_module("torch")
    shufflenet = importlib.import_module("torchvision.models.shufflenetv2")
    x = torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
    _, y = run_in_torch(bind("channel_shuffle", shape, groups=3), x[:1])
    if len(shape) == 3:  # torchvision's function takes N×C×H×W
        assert torch.equal(y, shufflenet.channel_shuffle(x[:1], 3))
    # by hand: with 3 groups of 4, output channel i·3 + g is input channel g·4 + i
    expected = torch.stack([x[:1, g * 4 + i] for i in range(4) for g in range(3)], dim=1)
    assert torch.equal(y, expected)


@pytest.mark.torch
def test_scale_is_convnexts_layer_scale() -> None:
    torch = importlib.import_module("torch")
    convnext = importlib.import_module("torchvision.models.convnext")
    module, _ = run_in_torch(bind("scale", (96, 7, 7), init=1e-6))
    block = convnext.CNBlock(96, layer_scale=1e-6, stochastic_depth_prob=0.0)
    assert module.weight.shape == block.layer_scale.shape == (96, 1, 1)
    assert torch.equal(module.weight, block.layer_scale)
    x = torch.randn(1, 96, 7, 7, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(module(x), block.layer_scale * x)
