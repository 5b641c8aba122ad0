"""The family files: MobileNetV3, EfficientNet (V1 and V2), ConvNeXt, ShuffleNetV2, RegNet, MNASNet.

Oracles, all independent of cnncalc:
- ``shared/reference/torchvision_counts.json`` (torchvision 0.29.1's params, buffers, output shape,
  fvcore's conv + linear counts at 3×224×224): every variant is held to it in test_zoo.py, and here
  one variant with another's settings (``--set``) must give the other's counts, so that a family is
  one table;
- the papers' tables (output sizes per stage), worked out below;
- hand counts of the conv and linear layers on the longest path (depth).
"""

from __future__ import annotations

from typing import Any

import pytest
from zoo_helpers import references, report, row, torchvision_pairs

import cnncalc
from cnncalc import zoo


def test_every_torchvision_classification_cnn_is_in_the_zoo() -> None:
    # the 68 models measured in the reference file, googlenet as the zoo's googlenet_tv
    assert {model for _, model in torchvision_pairs()} == set(references())


@pytest.mark.parametrize(
    ("name", "settings", "same_as"),
    [
        # torchvision's efficientnet_b2 is B0's table with width 1.1, depth 1.2 (and dropout 0.3)
        ("efficientnet_b0", {"width_mult": 1.1, "depth_mult": 1.2}, "efficientnet_b2"),
        ("efficientnet_b0", {"width_mult": 2.0, "depth_mult": 3.1, "bn_eps": 0.001}, "efficientnet_b7"),
        ("mnasnet1_0", {"alpha": 1.3}, "mnasnet1_3"),
        ("mnasnet1_0", {"alpha": 0.75}, "mnasnet0_75"),
        ("convnext_tiny", {"n3": 27}, "convnext_small"),
        ("convnext_tiny", {"c1": 192, "c2": 384, "c3": 768, "c4": 1536, "n3": 27}, "convnext_large"),
        ("shufflenet_v2_x1_0", {"c2": 244, "c3": 488, "c4": 976, "c5": 2048}, "shufflenet_v2_x2_0"),
        ("mobilenet_v3_large", {"features": "small_features", "last_channel": 1024}, "mobilenet_v3_small"),
        ("regnet_x_400mf", {"se": 1, "w1": 48, "d1": 1, "g1": 8, "w2": 104, "d2": 3, "g2": 8, "w3": 208, "d3": 6,
                            "g3": 8, "w4": 440, "d4": 6, "g4": 8}, "regnet_y_400mf"),
        ("efficientnet_v2_s", {"c0": 24, "c1": 24, "n1": 3, "c2": 48, "n2": 5, "c3": 80, "n3": 5, "c4": 160, "n4": 7,
                               "c5": 176, "n5": 14, "c6": 304, "n6": 18, "c7": 512, "n7": 5}, "efficientnet_v2_m"),
    ],
)
def test_settings_turn_one_variant_into_another(name: str, settings: dict[str, Any], same_as: str) -> None:
    expected = references()[same_as]
    totals = cnncalc.analyze(name, input_shape=tuple(expected["input"]), overrides=settings).totals
    assert (totals.params, totals.buffers) == (expected["params"], expected["buffers"])
    assert totals.macs == expected["fvcore_conv"] + expected["fvcore_linear"]


def test_variants_take_the_resolution_of_their_weights() -> None:
    # torchvision's weights: B0 224 ... B7 600 (EfficientNet Table 2's resolutions), V2-S 384, M and L 480,
    # RegNetY-128GF's SWAG weights 384; everyone else 224
    inputs = {name: cnncalc.load(name).spec.input_shape[1] for name in zoo.names()}
    assert [inputs[f"efficientnet_b{k}"] for k in range(8)] == [224, 240, 288, 300, 380, 456, 528, 600]
    assert [inputs[f"efficientnet_v2_{v}"] for v in "sml"] == [384, 480, 480]
    assert inputs["regnet_y_128gf"] == 384 and inputs["regnet_y_32gf"] == 224


# -- the papers' stage outputs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "layer", "shape"),
    [
        # MobileNetV3-Large, Howard et al. Table 1: conv2d 3×3/2 → 112²×16; bneck rows to 56²×24, 28²×40,
        # 14²×80, 14²×112, 7²×160; conv2d 1×1 → 7²×960; the "conv2d 1×1, NBN" 1280 is torchvision's Linear
        ("mobilenet_v3_large", "features.0.2", (16, 112, 112)),
        ("mobilenet_v3_large", "features.3.add", (24, 56, 56)),
        ("mobilenet_v3_large", "features.6.add", (40, 28, 28)),
        ("mobilenet_v3_large", "features.10.add", (80, 14, 14)),
        ("mobilenet_v3_large", "features.12.add", (112, 14, 14)),
        ("mobilenet_v3_large", "features.15.add", (160, 7, 7)),
        ("mobilenet_v3_large", "features.16.2", (960, 7, 7)),
        ("mobilenet_v3_large", "classifier.0", (1280,)),
        # MobileNetV3-Small, Table 2: 112²×16, then 56²×16 (SE), 28²×24, 14²×40, 14²×48, 7²×96, 7²×576
        ("mobilenet_v3_small", "features.1.block.2.1", (16, 56, 56)),  # the projection: conv, bn
        ("mobilenet_v3_small", "features.11.add", (96, 7, 7)),
        ("mobilenet_v3_small", "features.12.2", (576, 7, 7)),
        # EfficientNet-B0, Tan & Le Table 1: stages end at 112²×16, 56²×24, 28²×40, 14²×80, 14²×112, 7²×192,
        # 7²×320, then conv 1×1 → 7²×1280
        ("efficientnet_b0", "features.1.0.block.2.1", (16, 112, 112)),
        ("efficientnet_b0", "features.2.1.add", (24, 56, 56)),
        ("efficientnet_b0", "features.4.2.add", (80, 14, 14)),
        ("efficientnet_b0", "features.6.3.add", (192, 7, 7)),
        ("efficientnet_b0", "features.8.2", (1280, 7, 7)),
        # ShuffleNet V2 1×, Ma et al. Table 5: Conv1 112², MaxPool 56² (24), Stage2 28² (116), Stage3 14² (232),
        # Stage4 7² (464), Conv5 7² (1024)
        ("shufflenet_v2_x1_0", "maxpool", (24, 56, 56)),
        ("shufflenet_v2_x1_0", "stage2.3.shuffle", (116, 28, 28)),
        ("shufflenet_v2_x1_0", "stage3.7.shuffle", (232, 14, 14)),
        ("shufflenet_v2_x1_0", "stage4.3.shuffle", (464, 7, 7)),
        ("shufflenet_v2_x1_0", "conv5.2", (1024, 7, 7)),
        ("shufflenet_v2_x0_5", "stage4.3.shuffle", (192, 7, 7)),  # 0.5×: 48, 96, 192
        # ConvNeXt-T, Liu et al. section 2: a 4×4/4 stem to 56²×96, stages at 56², 28², 14², 7² of 96, 192,
        # 384, 768 channels
        ("convnext_tiny", "features.0.1", (96, 56, 56)),
        ("convnext_tiny", "features.3.2.add", (192, 28, 28)),
        ("convnext_tiny", "features.5.8.add", (384, 14, 14)),
        ("convnext_tiny", "features.7.2.add", (768, 7, 7)),
        # MNASNet 1.0 (the paper's Figure 7 without SE): 112²×16 after SepConv, then 56²×24, 28²×40, 14²×80,
        # 14²×96, 7²×192, 7²×320, conv 1×1 to 1280
        ("mnasnet1_0", "layers.7", (16, 112, 112)),
        ("mnasnet1_0", "layers.9.2.add", (40, 28, 28)),
        ("mnasnet1_0", "layers.13.0.layers.7", (320, 7, 7)),
        ("mnasnet1_0", "layers.16", (1280, 7, 7)),
        # RegNetX-400MF (Radosavovic et al.; torchvision's widths 32, 64, 160, 400): stem 112², stages 56² ... 7²
        ("regnet_x_400mf", "stem.2", (32, 112, 112)),
        ("regnet_x_400mf", "trunk_output.block1.0.activation", (32, 56, 56)),
        ("regnet_x_400mf", "trunk_output.block4.11.activation", (400, 7, 7)),
    ],
)
def test_stage_outputs(name: str, layer: str, shape: tuple[int, ...]) -> None:
    assert tuple(row(name, layer).output_shape) == shape


@pytest.mark.parametrize(
    ("name", "layer", "params"),
    [
        # MobileNetV3-Large's first SE (bneck 5×5, exp 72): squeeze make_divisible(72/4, 8) = 24 channels;
        # fc1 72·24 + 24 = 1,752, fc2 24·72 + 72 = 1,800
        ("mobilenet_v3_large", "features.4.block.2.fc1", 1752),
        ("mobilenet_v3_large", "features.4.block.2.fc2", 1800),
        # EfficientNet-B0 stage 2's first MBConv6: expand 16·96 = 1,536; SE squeezes to max(1, 16/4) = 4
        ("efficientnet_b0", "features.2.0.block.0.0", 16 * 96),
        ("efficientnet_b0", "features.2.0.block.2.fc1", 96 * 4 + 4),
        # ConvNeXt-T block: depthwise 7×7 96·49 + 96 = 4,800; pwconv1 96·384 + 384 = 37,248; γ: 96
        ("convnext_tiny", "features.1.0.block.0", 4800),
        ("convnext_tiny", "features.1.0.block.3", 37248),
        ("convnext_tiny", "features.1.0.layer_scale", 96),
        # ShuffleNetV2 1×, stage 2 unit 2: branch on 58 of 116 channels: 1×1 58·58, dw 3×3 58·9
        ("shufflenet_v2_x1_0", "stage2.1.branch2.0", 58 * 58),
        ("shufflenet_v2_x1_0", "stage2.1.branch2.3", 58 * 9),
        # RegNetY-400MF block1: width 48 in groups of 8 → 6 groups: 3×3 48·8·9 = 3,456; SE of the block's
        # input width 32: round(0.25·32) = 8 channels: 48·8 + 8
        ("regnet_y_400mf", "trunk_output.block1.0.f.b.0", 48 * 8 * 9),
        ("regnet_y_400mf", "trunk_output.block1.0.f.se.fc1", 48 * 8 + 8),
    ],
)
def test_layer_params(name: str, layer: str, params: int) -> None:
    assert row(name, layer).params == params


# -- depth: conv and linear layers on the longest path ---------------------------------------------


REGNET_D = {  # the paper's depth d (blocks): torchvision's BlockParams depth of each model
    "regnet_x_400mf": 22, "regnet_x_800mf": 16, "regnet_x_1_6gf": 18, "regnet_x_3_2gf": 25, "regnet_x_8gf": 23,
    "regnet_x_16gf": 22, "regnet_x_32gf": 23, "regnet_y_400mf": 16, "regnet_y_800mf": 14, "regnet_y_1_6gf": 27,
    "regnet_y_3_2gf": 21, "regnet_y_8gf": 17, "regnet_y_16gf": 18, "regnet_y_32gf": 20, "regnet_y_128gf": 27,
}


@pytest.mark.parametrize(("name", "d"), REGNET_D.items())
def test_regnet_depth_is_three_per_block(name: str, d: int) -> None:
    # stem + d blocks of three convolutions (the SE gate and the projection are never the longer path) + fc
    assert report(name).totals.depth == 1 + 3 * d + 1


@pytest.mark.parametrize(
    ("name", "depth"),
    [
        # stem 1 + the first block (no expansion: depthwise, project) 2 + 14 blocks · 3 + conv 1 + 2 linears
        ("mobilenet_v3_large", 1 + 2 + 14 * 3 + 1 + 2),  # 48
        ("mobilenet_v3_small", 1 + 2 + 10 * 3 + 1 + 2),  # 36
        # stem + stage 1 (t = 1: 2 convs) + 15 MBConv6 · 3 + head + fc
        ("efficientnet_b0", 1 + 2 + 15 * 3 + 1 + 1),  # 50
        # B7: ceil(n · 3.1) blocks per stage: 4, 7, 7, 10, 10, 13, 4 = 55; the first stage's 4 have t = 1
        ("efficientnet_b7", 1 + 4 * 2 + 51 * 3 + 1 + 1),  # 164
        # V2-S: stem, 2 fused (t = 1: one conv), 8 fused (two), 30 MBConv (three), head, fc
        ("efficientnet_v2_s", 1 + 2 + 8 * 2 + 30 * 3 + 1 + 1),  # 111
        # stem + 3 downsampling convs + blocks · 3 (depthwise, two linears) + classifier
        ("convnext_tiny", 1 + 3 + 18 * 3 + 1),  # 59
        ("convnext_large", 1 + 3 + 36 * 3 + 1),  # 113
        # conv1 + 16 units · 3 (branch2's three convs are the longer branch) + conv5 + fc
        ("shufflenet_v2_x1_0", 1 + 16 * 3 + 1 + 1),  # 51
        # three convs of the stem + 16 blocks · 3 + conv 1×1 + fc
        ("mnasnet1_0", 3 + 16 * 3 + 1 + 1),  # 53
        ("resnext101_64x4d", 101), ("wide_resnet101_2", 101),  # the names' numbers
    ],
)
def test_depth(name: str, depth: int) -> None:
    assert report(name).totals.depth == depth
