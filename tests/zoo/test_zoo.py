"""The zoo in ``archs/`` against torchvision, the papers and hand calculations.

Oracles, all independent of cnncalc:
- ``shared/reference/torchvision_counts.json``: params, buffers, output shape and
  fvcore's conv + linear counts of torchvision 0.29.1's models (fvcore counts one
  multiply-accumulate as one flop, so conv + linear = our MACs);
- the numbers in the names (VGG-16 → 16 conv + linear layers on the longest path);
- per-layer sizes worked out by hand below, from the papers' tables;
- torchvision's modules themselves, built on the meta device (shapes only).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import yaml
from zoo_helpers import references, torchvision_pairs

import cnncalc
from cnncalc import zoo
from cnncalc.analysis import LayerReport, Report
from cnncalc.errors import CnnCalcError

# the core zoo this file is about: every one of these must exist
CORE = (
    "lenet5", "alexnet",
    "vgg11", "vgg13", "vgg16", "vgg19", "vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn",
    "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
    "squeezenet1_0", "squeezenet1_1",
)


def layer(report: Report, name: str) -> LayerReport:
    rows = {r.name: r for r in report.layers}
    assert name in rows, f"{report.name} has no layer {name!r}"
    return rows[name]


def block_out(report: Report, path: str) -> LayerReport:
    """The layer that is the output of block instance `path` (e.g. fire2, layer4)."""
    outs = {b.path: b.out for b in report.blocks}
    assert path in outs, f"{report.name} has no block instance {path!r}"
    return layer(report, outs[path])


def block_params(report: Report, path: str) -> int:
    return sum(r.params for r in report.layers if path in r.scope)


# -- every file -------------------------------------------------------------------------


def test_core_zoo_present() -> None:
    missing = sorted(set(CORE) - set(zoo.names()))
    assert not missing, f"archs/ lacks {missing}"


@pytest.mark.parametrize("name", zoo.names())
def test_zoo_file_well_formed(name: str) -> None:
    path, variant = zoo.locate(name)
    assert path.parent == zoo.archs_dir()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["name"] == path.stem  # a family file is named as its file; its variants are the zoo names
    assert (variant is None) == ("variants" not in raw)
    for key in ("title", "source", "family"):
        assert isinstance(raw.get(key), str) and raw[key].strip(), f"{path.name}: no {key!r}"
    report = cnncalc.analyze(name)
    assert report.name == name
    assert report.totals.params > 0 and report.totals.macs > 0 and report.totals.depth > 0
    if variant is not None:
        assert report.title == raw["variants"][variant]["title"]


def test_zoo_names_are_unique() -> None:
    # a variant may not shadow a file's name, nor two families declare the same variant
    names = [name for name, _, _ in zoo.networks()]
    assert len(names) == len(set(names))
    stems = {p.stem for p in zoo.archs_dir().glob("*.yaml")}
    assert not {name for name, _, variant in zoo.networks() if variant is not None} & stems


# -- against torchvision's counts -------------------------------------------------------------


@pytest.mark.parametrize(("name", "key"), torchvision_pairs())
def test_matches_torchvision_reference(name: str, key: str) -> None:
    expected = references()[key]
    report = cnncalc.analyze(name, input_shape=tuple(expected["input"]))
    totals = report.totals
    assert totals.params == expected["params"]
    assert totals.buffers == expected["buffers"]  # bn running mean + var; num_batches_tracked excluded
    assert list(totals.output_shape) == expected["output_shape"]
    assert totals.macs == expected.get("fvcore_conv", 0) + expected.get("fvcore_linear", 0)


@pytest.mark.parametrize(
    ("name", "depth"),
    [
        ("lenet5", 5),  # C1, C3, C5, F6, output
        ("alexnet", 8),  # 5 conv + 3 fc
        ("vgg11", 11), ("vgg13", 13), ("vgg16", 16), ("vgg19", 19),
        ("vgg11_bn", 11), ("vgg13_bn", 13), ("vgg16_bn", 16), ("vgg19_bn", 19),
        # conv1 + blocks·(2 or 3) + fc; the projection shortcut (1 conv) is never the longer path
        ("resnet18", 18), ("resnet34", 34), ("resnet50", 50), ("resnet101", 101), ("resnet152", 152),
        # conv1 + 8 fire modules · 2 (squeeze, then expand1x1 or expand3x3: parallel, so one counts) + conv10
        # = 1 + 16 + 1 = 18
        ("squeezenet1_0", 18), ("squeezenet1_1", 18),
    ],
)
def test_depth(name: str, depth: int) -> None:
    assert cnncalc.analyze(name).totals.depth == depth


# BN adds 2C params and 2C buffers per conv; C summed over the convs of each configuration:
#   A (11): 64 + 128 + 2·256 + 2·512 + 2·512          = 2,752
#   B (13): 2·64 + 2·128 + 2·256 + 2·512 + 2·512      = 2,944
#   D (16): 2·64 + 2·128 + 3·256 + 3·512 + 3·512      = 4,224
#   E (19): 2·64 + 2·128 + 4·256 + 4·512 + 4·512      = 5,504
@pytest.mark.parametrize(
    ("name", "plain", "bn_channels"),
    [("vgg11_bn", "vgg11", 2752), ("vgg13_bn", "vgg13", 2944), ("vgg16_bn", "vgg16", 4224),
     ("vgg19_bn", "vgg19", 5504)],
)
def test_vgg_bn_is_plain_vgg_plus_bn(name: str, plain: str, bn_channels: int) -> None:
    base = references()[plain]
    totals = cnncalc.analyze(name).totals
    assert totals.params == base["params"] + 2 * bn_channels
    assert totals.buffers == 2 * bn_channels
    assert totals.macs == base["fvcore_conv"] + base["fvcore_linear"]  # bn is not a MAC


@pytest.mark.parametrize(
    ("name", "overrides", "same_as"),
    [
        ("vgg16", {"n3": 4, "n4": 4, "n5": 4}, "vgg19"),  # D → E
        ("vgg11", {"n1": 2, "n2": 2}, "vgg13"),  # A → B
        ("resnet50", {"b3": 23}, "resnet101"),  # 3-4-6-3 → 3-4-23-3
        ("resnet50", {"b2": 8, "b3": 36}, "resnet152"),  # → 3-8-36-3
        ("resnet18", {"b2": 4, "b3": 6, "b1": 3, "b4": 3}, "resnet34"),
    ],
)
def test_stage_sizes_are_vars(name: str, overrides: dict[str, int], same_as: str) -> None:
    expected = references()[same_as]
    totals = cnncalc.analyze(name, overrides=overrides).totals
    assert totals.params == expected["params"]
    assert totals.macs == expected["fvcore_conv"] + expected["fvcore_linear"]


# -- per-layer spot checks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "input_shape", "layer_name", "shape", "params"),
    [
        # LeNet-5 (LeCun 1998, section II.B): C1 6@28×28, 6·(5·5·1) + 6 = 156 parameters
        ("lenet5", None, "C1", (6, 28, 28), 156),
        ("lenet5", None, "S2", (6, 14, 14), 0),
        # C3 fully connected: 16·(5·5·6) + 16 = 2,416 (the paper's sparse table: 1,516)
        ("lenet5", None, "C3", (16, 10, 10), 2416),
        ("lenet5", None, "S4", (16, 5, 5), 0),
        # C5: 120·(5·5·16) + 120 = 48,120 (the paper: 48,120 trainable connections)
        ("lenet5", None, "C5", (120, 1, 1), 48120),
        # F6: 84·120 + 84 = 10,164 (the paper: 10,164)
        ("lenet5", None, "F6", (84,), 10164),
        ("lenet5", None, "output", (10,), 850),  # 10·84 + 10
        # torchvision AlexNet conv1: (224 + 2·2 − 11)//4 + 1 = 55; 64·11·11·3 + 64 = 23,296
        ("alexnet", None, "conv1", (64, 55, 55), 23296),
        ("alexnet", None, "pool5", (256, 6, 6), 0),  # 55 → 27 → 13 → (13 − 3)//2 + 1 = 6
        ("alexnet", None, "fc6", (4096,), 37752832),  # 6·6·256·4096 + 4096
        # VGG-16: conv5 layers 3·3·512·512 + 512 = 2,359,808 on 224/16 = 14
        ("vgg16", None, "conv5_3.conv", (512, 14, 14), 2359808),
        ("vgg16", None, "conv1_1.conv", (64, 224, 224), 1792),  # 3·3·3·64 + 64
        # fc6: 7·7·512·4096 + 4096 = 102,764,544
        ("vgg16", None, "fc6", (4096,), 102764544),
        ("vgg16_bn", None, "conv3_2.bn", (256, 56, 56), 512),  # 2·256
        # ResNet-50 conv1: 7·7·3·64 = 9,408 (no bias); (224 + 6 − 7)//2 + 1 = 112
        ("resnet50", None, "conv1", (64, 112, 112), 9408),
        ("resnet50", None, "maxpool", (64, 56, 56), 0),  # (112 + 2 − 3)//2 + 1 = 56
        # layer2's first 3×3 carries the stride (v1.5): the 1×1 keeps 56, then 56 → 28; 3·3·128·128 = 147,456
        ("resnet50", None, "layer2.bottleneck1.conv1", (128, 56, 56), 32768),  # 256·128
        ("resnet50", None, "layer2.bottleneck1.conv2", (128, 28, 28), 147456),
        ("resnet50", None, "layer2.bottleneck1.shortcut.conv", (512, 28, 28), 131072),  # 256·512
        ("resnet50", None, "fc", (1000,), 2049000),  # 2048·1000 + 1000
        ("resnet18", None, "layer4.basic2.conv2", (512, 7, 7), 2359296),  # 3·3·512·512
        # SqueezeNet (Iandola 2016, Table 1, 227 input): conv1 (227 − 7)//2 + 1 = 111, maxpool1 ceil → 55
        ("squeezenet1_0", (3, 227, 227), "conv1", (96, 111, 111), 14208),  # 7·7·3·96 + 96
        ("squeezenet1_0", (3, 227, 227), "maxpool1", (96, 55, 55), 0),
        ("squeezenet1_0", (3, 227, 227), "fire2.squeeze", (16, 55, 55), 1552),  # 96·16 + 16
        ("squeezenet1_0", (3, 227, 227), "fire2.expand3x3", (64, 55, 55), 9280),  # 3·3·16·64 + 64
        ("squeezenet1_0", (3, 227, 227), "fire2.concat", (128, 55, 55), 0),
        # torchvision's 224: (224 − 7)//2 + 1 = 109, ceil((109 − 3)/2) + 1 = 54
        ("squeezenet1_0", None, "fire2.concat", (128, 54, 54), 0),
        ("squeezenet1_0", None, "conv10", (1000, 13, 13), 513000),  # 512·1000 + 1000; 54 → 27 → 13
        # 1.1: (224 − 3)//2 + 1 = 111, ceil((111 − 3)/2) + 1 = 55
        ("squeezenet1_1", None, "fire2.concat", (128, 55, 55), 0),
        ("squeezenet1_1", None, "conv1", (64, 111, 111), 1792),  # 3·3·3·64 + 64
    ],
)
def test_layer_spot_checks(name: str, input_shape: tuple[int, ...] | None, layer_name: str,
                           shape: tuple[int, ...], params: int) -> None:
    row = layer(cnncalc.analyze(name, input_shape=input_shape), layer_name)
    assert tuple(row.output_shape) == shape
    assert row.params == params


def test_lenet5_totals() -> None:
    totals = cnncalc.analyze("lenet5").totals
    # 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 (the paper: "about 60,000")
    assert totals.params == 61706
    assert totals.buffers == 0
    # C1 6·28·28·25 = 117,600; C3 16·10·10·150 = 240,000; C5 120·400 = 48,000; F6 120·84 = 10,080;
    # output 84·10 = 840 → 416,520
    assert totals.macs == 416520
    assert tuple(totals.output_shape) == (10,)


@pytest.mark.parametrize(
    ("name", "instance", "shape", "params"),
    [
        # fire2: squeeze 96·16 + 16 = 1,552; expand1x1 16·64 + 64 = 1,088; expand3x3 9·16·64 + 64 = 9,280
        # → 11,920 (SqueezeNet Table 1, fire2: 11,920 parameters before pruning)
        ("squeezenet1_0", "fire2", (128, 54, 54), 11920),
        # fire9: 512·64 + 64 = 32,832; 64·256 + 256 = 16,640; 9·64·256 + 256 = 147,712 → 197,184
        ("squeezenet1_0", "fire9", (512, 13, 13), 197184),
        # ResNet-50 layer1[0]: 64·64 + 9·64·64 + 64·256 + 64·256 (shortcut) = 73,728 conv;
        # bn 2·(64 + 64 + 256 + 256) = 1,280 → 75,008
        ("resnet50", "layer1.bottleneck1", (256, 56, 56), 75008),
        # ResNet-18 layer1[0]: 2·(9·64·64) + 2·2·64 = 73,984, identity shortcut
        ("resnet18", "layer1.basic1", (64, 56, 56), 73984),
    ],
)
def test_block_spot_checks(name: str, instance: str, shape: tuple[int, ...], params: int) -> None:
    report = cnncalc.analyze(name)
    assert tuple(block_out(report, instance).output_shape) == shape
    assert block_params(report, instance) == params


@pytest.mark.parametrize(
    ("name", "where", "jump", "size"),
    [
        # ResNet-50: conv1 /2, maxpool /2, layer2..4 /2 each → 32 at layer4, 16 at layer3
        ("resnet50", "layer4", 32, None),
        ("resnet50", "layer3", 16, None),
        # VGG-16 field, r' = r + (k − 1)·j: conv1_x 3, 5; pool1 6 (j 2); conv2_x 10, 14; pool2 16 (j 4);
        # conv3_x 24, 32, 40; pool3 44 (j 8); conv4_x 60, 76, 92; pool4 100 (j 16); conv5_x 132, 164, 196;
        # pool5 196 + 16 = 212 (j 32)
        ("vgg16", "conv5_3.conv", 16, 196),
        ("vgg16", "pool5", 32, 212),
        # AlexNet conv1 11×11/4, pool1 11 + 2·4 = 19 (j 8), conv2 19 + 4·8 = 51, pool2 51 + 2·8 = 67 (j 16)
        ("alexnet", "pool2", 16, 67),
    ],
)
def test_receptive_fields(name: str, where: str, jump: int, size: int | None) -> None:
    report = cnncalc.analyze(name)
    outs = {b.path: b.out for b in report.blocks}
    row = layer(report, outs.get(where, where))
    assert row.rf.jump_ints() == (jump, jump)
    if size is not None:
        assert row.rf.size_ints() == (size, size)


# -- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        # LeNet on 16×16: 16 → 12 → 6 → 2 → 1, and C5's 5×5 does not fit a 1×1 map
        ("lenet5", {"input_shape": (1, 16, 16)}, ("C5", "larger")),
        # VGG on 16×16: four 2×2 pools leave 1×1, pool5 cannot fit
        ("vgg16", {"input_shape": (3, 16, 16)}, ("pool5", "larger")),
        ("vgg16", {"overrides": {"depth": 19}}, ("depth", "no variable")),
        ("resnet51", {}, ("resnet50", "unknown")),
    ],
)
def test_zoo_errors(name: str, kwargs: dict[str, Any], words: tuple[str, ...]) -> None:
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze(name, **kwargs)
    for word in words:
        assert word in str(info.value)


# -- against torchvision's modules (shapes and parameter counts, layer by layer) ----------------

_TORCH_KINDS = {"Conv2d": "conv", "Linear": "linear", "BatchNorm2d": "bn"}


@pytest.mark.torch
@pytest.mark.parametrize("name", [n for n in CORE if n != "lenet5"])
def test_layers_match_torchvision_modules(name: str) -> None:
    """conv/linear/bn layers in order: same kind, parameter count and output shape as torchvision's."""
    torch = importlib.import_module("torch")
    models = importlib.import_module("torchvision.models")
    with torch.device("meta"):  # shapes only: nothing is allocated or computed
        model = getattr(models, name)(weights=None).eval()
        shapes: dict[str, tuple[int, ...]] = {}
        modules = [(n, m) for n, m in model.named_modules() if type(m).__name__ in _TORCH_KINDS]
        for module_name, module in modules:
            module.register_forward_hook(
                lambda _m, _i, out, key=module_name: shapes.__setitem__(key, tuple(out.shape[1:])))
        model(torch.empty(1, 3, 224, 224))
    theirs = [(_TORCH_KINDS[type(m).__name__], sum(p.numel() for p in m.parameters()), shapes[n])
              for n, m in modules]
    ours = [(r.type, r.params, tuple(r.output_shape)) for r in cnncalc.analyze(name).layers
            if r.type in ("conv", "linear", "bn")]
    assert ours == theirs
