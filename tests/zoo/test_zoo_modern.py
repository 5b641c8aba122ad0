"""Zoo networks that must equal torchvision exactly, and the SE networks built on them.

googlenet_tv, inception_v3, resnext50_32x4d, resnext101_32x8d, wide_resnet50_2,
densenet121/161/169/201 and mobilenet_v2 against the counts of torchvision 0.29.1
in ``shared/reference/torchvision_counts.json`` (fvcore counts a multiply-add as
one flop, so its conv + linear counts are our MACs) and, layer by layer, against
torchvision's modules built on the meta device. se_resnet50 and se_resnext50_32x4d
against Hu et al.'s figures (as timm's seresnet50 and seresnext50_32x4d): their
base network's reference plus the SE modules' arithmetic.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from zoo_helpers import reference, report, row

# zoo name -> (torchvision / reference name, torchvision constructor options)
EXACT: dict[str, tuple[str, dict[str, Any]]] = {
    "googlenet_tv": ("googlenet", {"aux_logits": False, "init_weights": False}),
    "inception_v3": ("inception_v3", {"aux_logits": False, "init_weights": False}),
    "resnext50_32x4d": ("resnext50_32x4d", {}),
    "resnext101_32x8d": ("resnext101_32x8d", {}),
    "wide_resnet50_2": ("wide_resnet50_2", {}),
    "densenet121": ("densenet121", {}),
    "densenet161": ("densenet161", {}),
    "densenet169": ("densenet169", {}),
    "densenet201": ("densenet201", {}),
    "mobilenet_v2": ("mobilenet_v2", {}),
}


# -- torchvision: exact -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXACT)
def test_matches_torchvision_counts(name: str) -> None:
    expected = reference(EXACT[name][0])
    totals = report(name).totals
    assert list(report(name).input_shape) == expected["input"]  # the file's default input (299 for v3)
    assert totals.params == expected["params"]
    assert totals.buffers == expected["buffers"]  # BN running mean + var
    assert list(totals.output_shape) == expected["output_shape"]
    assert totals.macs == expected["fvcore_conv"] + expected["fvcore_linear"]


_TORCH_KINDS = {"Conv2d": "conv", "Linear": "linear", "BatchNorm2d": "bn"}


@pytest.mark.torch
@pytest.mark.parametrize("name", EXACT)
def test_layers_match_torchvision_modules(name: str) -> None:
    """conv/linear/bn layers in order: same kind, parameter count and output shape as torchvision's."""
    torch = importlib.import_module("torch")
    models = importlib.import_module("torchvision.models")
    key, options = EXACT[name]
    size = reference(key)["input"]
    with torch.device("meta"):  # shapes only: nothing is allocated or computed
        model = getattr(models, key)(weights=None, **options).eval()
        shapes: dict[str, tuple[int, ...]] = {}
        modules = [(n, m) for n, m in model.named_modules() if type(m).__name__ in _TORCH_KINDS]
        for module_name, module in modules:
            module.register_forward_hook(
                lambda _m, _i, out, key=module_name: shapes.__setitem__(key, tuple(out.shape[1:])))
        model(torch.empty(1, *size))
    theirs = [(_TORCH_KINDS[type(m).__name__], sum(p.numel() for p in m.parameters()), shapes[n])
              for n, m in modules]
    ours = [(r.type, r.params, tuple(r.output_shape)) for r in report(name).layers
            if r.type in ("conv", "linear", "bn")]
    assert ours == theirs


@pytest.mark.parametrize(
    ("name", "depth"),
    [
        # conv1 + 16 bottlenecks · 3 + fc (the 1×1 projection shortcut is never the longer path)
        ("resnext50_32x4d", 50), ("wide_resnet50_2", 50),
        ("resnext101_32x8d", 101),  # 1 + 33·3 + 1
        # conv0 + 2 per dense layer + 3 transitions + classifier: every layer is on the longest
        # path because each dense layer reads the concatenation of all before it.
        ("densenet121", 121),  # 1 + 2·(6 + 12 + 24 + 16) + 3 + 1
        ("densenet161", 161),  # 1 + 2·(6 + 12 + 36 + 24) + 3 + 1
        ("densenet169", 169),  # 1 + 2·(6 + 12 + 32 + 32) + 3 + 1
        ("densenet201", 201),  # 1 + 2·(6 + 12 + 48 + 32) + 3 + 1
        # MobileNetV2's name carries no number. Table 2: conv 1 + first bottleneck (t = 1: depthwise
        # and projection) 2 + 16 bottlenecks · 3 + conv 1×1 1 + classifier 1 = 53
        ("mobilenet_v2", 53),
    ],
)
def test_depth(name: str, depth: int) -> None:
    assert report(name).totals.depth == depth


@pytest.mark.parametrize(
    ("name", "layer", "shape", "params"),
    [
        # ResNeXt-50 32×4d, Xie et al. Table 1, conv2: [1×1, 128; 3×3, 128, C = 32; 1×1, 256]:
        # the grouped 3×3 has 128·(128/32)·9 = 4,608 weights (a dense one: 147,456)
        ("resnext50_32x4d", "layer1.bottleneck1.conv2", (128, 56, 56), 128 * 4 * 9),
        ("resnext50_32x4d", "layer4.bottleneck3.conv2", (1024, 7, 7), 1024 * 32 * 9),  # conv5: 1024, C = 32
        # 32×8d: width 256 at conv2, groups of 8
        ("resnext101_32x8d", "layer1.bottleneck1.conv2", (256, 56, 56), 256 * 8 * 9),
        # Wide ResNet-50-2: inner width doubled (128), outer 256 as ResNet-50
        ("wide_resnet50_2", "layer1.bottleneck1.conv2", (128, 56, 56), 128 * 128 * 9),
        ("wide_resnet50_2", "layer1.bottleneck1.conv3", (256, 56, 56), 128 * 256),
        # DenseNet-121, Huang et al. Table 1: dense block (1) 56×56 → 64 + 6·32 = 256 channels;
        # transition (1) 1×1 conv to 128 and 2×2 average pooling → 28×28
        ("densenet121", "denseblock1.denselayer_6.cat", (256, 56, 56), 0),
        ("densenet121", "transition1.conv", (128, 56, 56), 256 * 128),
        ("densenet121", "transition1.pool", (128, 28, 28), 0),
        ("densenet121", "denseblock4.denselayer_16.cat", (1024, 7, 7), 0),  # 512 + 16·32
        # a dense layer: 1×1 to 4k = 128, 3×3 to k = 32 (Table 1's "1×1 conv, 3×3 conv")
        ("densenet121", "denseblock2.denselayer_1.conv2", (32, 28, 28), 128 * 32 * 9),
        ("densenet161", "denseblock4.denselayer_24.cat", (2208, 7, 7), 0),  # k = 48: 1056 + 24·48
        # MobileNetV2 Table 2: 112²×32 → bottleneck t = 1 → 112²×16; last rows 7²×320, 1×1 to 1280
        ("mobilenet_v2", "row1.block1.dw.conv", (32, 112, 112), 32 * 9),  # depthwise: 9 per channel
        ("mobilenet_v2", "row1.block1.project.conv", (16, 112, 112), 32 * 16),
        ("mobilenet_v2", "row2.block1.expand.conv", (96, 112, 112), 16 * 96),  # t = 6: 16·6 = 96
        ("mobilenet_v2", "row2.block1.dw.conv", (96, 56, 56), 96 * 9),  # the stride is on the depthwise
        ("mobilenet_v2", "row7.block1.project.conv", (320, 7, 7), 960 * 320),
        ("mobilenet_v2", "conv_last.conv", (1280, 7, 7), 320 * 1280),
    ],
)
def test_layer_spot_checks(name: str, layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row(name, layer)
    assert (tuple(r.output_shape), r.params) == (shape, params)


def test_mobilenet_v2_residuals() -> None:
    # a residual addition where the stride is 1 and the width does not change: every block but the
    # first of each row of Table 2 (n = 1, 2, 3, 4, 3, 3, 1 → 0 + 1 + 2 + 3 + 2 + 2 + 0 = 10 adds)
    adds = [r for r in report("mobilenet_v2").layers if r.type == "add"]
    assert len(adds) == 10
    projections = [r for r in report("mobilenet_v2").layers if r.name.endswith("project.relu6")]
    assert not projections  # the projection is linear: no activation


# -- SE networks (Hu et al. 2018; reduction 16; as timm's seresnet50 / seresnext50_32x4d) -------------

# An SE module on C channels: 1×1 conv C → C/16 and C/16 → C, both with bias:
# 2·C·C/16 + C/16 + C = C²/8 + 17·C/16 parameters; on the 1×1 squeezed map its MACs are 2·C²/16 = C²/8.
# Stages of ResNet-50: 3, 4, 6, 3 bottlenecks of C = 256, 512, 1024, 2048.
SE_STAGES = ((3, 256), (4, 512), (6, 1024), (3, 2048))
SE_PARAMS = sum(n * (c * c // 8 + 17 * c // 16) for n, c in SE_STAGES)  # 2,530,992
SE_MACS = sum(n * c * c // 8 for n, c in SE_STAGES)  # 2,514,944


@pytest.mark.parametrize(
    ("name", "base", "params"),
    [("se_resnet50", "resnet50", 28_088_024), ("se_resnext50_32x4d", "resnext50_32x4d", 27_559_896)],
)
def test_se_networks(name: str, base: str, params: int) -> None:
    expected = reference(base)
    totals = report(name).totals
    assert totals.params == params  # the figure (timm)
    assert totals.params == expected["params"] + SE_PARAMS
    assert totals.buffers == expected["buffers"]  # SE has no batch norm
    assert totals.macs == expected["fvcore_conv"] + expected["fvcore_linear"] + SE_MACS
    assert tuple(totals.output_shape) == (1000,)
    # 50, as the names say: a C×1×1 gate modulates the path it multiplies without lengthening it, so
    # the gates' two 1×1 convolutions do not count (were they counted: 1 + 16·(3 + 2) + 1 = 82).
    assert totals.depth == 50


@pytest.mark.parametrize(
    ("name", "layer", "shape", "params"),
    [
        ("se_resnet50", "layer1.bottleneck1.se.squeeze", (256, 1, 1), 0),
        ("se_resnet50", "layer1.bottleneck1.se.fc1", (16, 1, 1), 256 * 16 + 16),  # 256/16 = 16
        ("se_resnet50", "layer1.bottleneck1.se.fc2", (256, 1, 1), 16 * 256 + 256),
        ("se_resnet50", "layer1.bottleneck1.se.scale", (256, 56, 56), 0),  # gates broadcast over 56×56
        ("se_resnet50", "layer4.bottleneck3.se.fc1", (128, 1, 1), 2048 * 128 + 128),
        ("se_resnext50_32x4d", "layer3.bottleneck6.se.fc2", (1024, 1, 1), 64 * 1024 + 1024),
        ("se_resnext50_32x4d", "layer3.bottleneck6.conv2", (512, 14, 14), 512 * 16 * 9),  # 32 groups of 16
    ],
)
def test_se_layers(name: str, layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row(name, layer)
    assert (tuple(r.output_shape), r.params) == (shape, params)


def test_se_gate_sits_before_the_addition() -> None:
    # Hu et al. Figure 3 (SE-ResNet module): the residual branch is rescaled, then added to the identity
    add = row("se_resnet50", "layer2.bottleneck2.add")
    assert add.inputs == ("layer2.bottleneck2.se.scale", "layer2.bottleneck1.relu3")
