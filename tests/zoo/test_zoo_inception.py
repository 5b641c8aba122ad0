"""The Inception family of the zoo against its papers' tables and hand calculations.

googlenet (Szegedy et al. 2014, Table 1), inception_bn (Ioffe & Szegedy 2015,
Figure 5), inception_resnet_v2 (Szegedy et al. 2016; 55,843,464 parameters as
timm), plus the depths and module sizes of the torchvision ports googlenet_tv and
inception_v3 (their totals against torchvision are in test_zoo_modern.py).
"""

from __future__ import annotations

import pytest
from zoo_helpers import block_out, report, row


def block_params(name: str, path: str) -> int:
    return sum(r.params for r in report(name).layers if path in r.scope)


def block_macs(name: str, path: str) -> int:
    return sum(r.macs for r in report(name).layers if path in r.scope)


# -- GoogLeNet, Szegedy et al. 2014, Table 1 -------------------------------------------------------

# module: (input channels, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj, output size)
GOOGLENET_TABLE1 = {
    "inception_3a": (192, 64, 96, 128, 16, 32, 32, (256, 28, 28)),
    "inception_3b": (256, 128, 128, 192, 32, 96, 64, (480, 28, 28)),
    "inception_4a": (480, 192, 96, 208, 16, 48, 64, (512, 14, 14)),
    "inception_4b": (512, 160, 112, 224, 24, 64, 64, (512, 14, 14)),
    "inception_4c": (512, 128, 128, 256, 24, 64, 64, (512, 14, 14)),
    "inception_4d": (512, 112, 144, 288, 32, 64, 64, (528, 14, 14)),
    "inception_4e": (528, 256, 160, 320, 32, 128, 128, (832, 14, 14)),
    "inception_5a": (832, 256, 160, 320, 32, 128, 128, (832, 7, 7)),
    "inception_5b": (832, 384, 192, 384, 48, 128, 128, (1024, 7, 7)),
}


def googlenet_weights(c: int, n1: int, r3: int, n3: int, r5: int, n5: int, pp: int) -> int:
    """Weights of one module from Table 1's columns: 1×1, 1×1 → 3×3, 1×1 → 5×5, pool → 1×1."""
    return c * n1 + c * r3 + 9 * r3 * n3 + c * r5 + 25 * r5 * n5 + c * pp


@pytest.mark.parametrize("module", GOOGLENET_TABLE1)
def test_googlenet_modules(module: str) -> None:
    *columns, shape = GOOGLENET_TABLE1[module]
    c, n1, r3, n3, r5, n5, pp = columns
    assert tuple(block_out("googlenet", module).output_shape) == shape
    assert shape[0] == n1 + n3 + n5 + pp  # the concatenation of the four branches
    biases = n1 + r3 + n3 + r5 + n5 + pp
    assert block_params("googlenet", module) == googlenet_weights(c, n1, r3, n3, r5, n5, pp) + biases
    # Table 1's "ops" are multiply-accumulates of the weights over the output grid
    assert block_macs("googlenet", module) == shape[1] * shape[2] * googlenet_weights(c, n1, r3, n3, r5, n5, pp)


def test_googlenet_inception_3a_against_table1() -> None:
    # Table 1, inception (3a): 28×28×256, params 159K, ops 128M. The table counts weights only and
    # K = 1024: 192·64 + 192·96 + 9·96·128 + 192·16 + 25·16·32 + 192·32 = 163,328 = 159.5·1024
    # (163K in decimal thousands); ops 28·28·163,328 = 128,049,152 ≈ 128M.
    biases = 64 + 96 + 128 + 16 + 32 + 32
    weights = block_params("googlenet", "inception_3a") - biases
    assert weights == 163_328
    assert int(weights / 1024) == 159
    assert round(block_macs("googlenet", "inception_3a") / 1e6) == 128


@pytest.mark.parametrize(
    ("layer", "shape", "params"),
    [
        # Table 1 prints "2.7K" params (and "34M" ops) for conv1, but 7×7/2 with 64 filters on an RGB
        # image has 7·7·3·64 = 9,408 weights (9.2K; 118M MACs on 112×112): the table's row is wrong.
        ("conv1.conv", (64, 112, 112), 7 * 7 * 3 * 64 + 64),  # (224 + 6 − 7)//2 + 1 = 112
        ("pool1", (64, 56, 56), 0),  # ⌈(112 − 3)/2⌉ + 1 = 56 (Caffe rounds up)
        # conv2 row: "112K": 64·64 + 9·64·192 = 114,688 = 112·1024 weights; "360M": 56²·114,688 ≈ 360M
        ("conv2_reduce.conv", (64, 56, 56), 64 * 64 + 64),
        ("conv2.conv", (192, 56, 56), 9 * 64 * 192 + 192),
        ("pool2", (192, 28, 28), 0),
        ("pool3", (480, 14, 14), 0),
        ("pool4", (832, 7, 7), 0),
        ("pool5", (1024, 1, 1), 0),  # avg pool 7×7/1
        # linear row: "1000K" = 1024·1000 weights (K = 1024), "1M" ops
        ("loss3_classifier", (1000,), 1024 * 1000 + 1000),
    ],
)
def test_googlenet_layers(layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row("googlenet", layer)
    assert (tuple(r.output_shape), r.params) == (shape, params)


def test_googlenet_totals() -> None:
    totals = report("googlenet").totals
    modules = sum(googlenet_weights(*m[:7]) + sum(m[1:7]) for m in GOOGLENET_TABLE1.values())
    stem = (7 * 7 * 3 * 64 + 64) + (64 * 64 + 64) + (9 * 64 * 192 + 192)
    assert totals.params == stem + modules + (1024 * 1000 + 1000)  # 6,998,552
    assert totals.buffers == 0  # no batch norm in the paper's network
    # Table 1's depth column: conv1 1 + conv2 2 (reduce and 3×3) + 9 modules · 2 + linear 1 = 22
    assert totals.depth == 22
    kinds = {r.type for r in report("googlenet").layers}
    assert "lrn" in kinds and "bn" not in kinds


def test_googlenet_5x5_branch_is_5x5() -> None:
    # the paper's 5×5 (torchvision's port uses 3×3 there: googlenet_tv)
    assert row("googlenet", "inception_3a.b5x5.conv").params == 25 * 16 * 32 + 32
    assert row("googlenet_tv", "inception3a.branch3.conv").params == 9 * 16 * 32  # bias-free, BN follows


def test_googlenet_tv_depth() -> None:
    # same layout as the paper's: 1 + 2 + 9·2 + 1 = 22
    assert report("googlenet_tv").totals.depth == 22


# -- Inception-BN, Ioffe & Szegedy 2015, Figure 5 ------------------------------------------------

# (input channels, #1×1, #3×3 reduce, #3×3, double #3×3 reduce, double #3×3, pool proj, output)
# Figure 5 prints 576 as the output of 4c and 4d and 1024 for 4e; its own columns give
# 160 + 160 + 160 + 128 = 608 (4c), 96 + 192 + 192 + 128 = 608 (4d) and, for 4e (stride 2, max pool
# pass-through), 192 + 256 + 608 = 1056. The figure's sizes are wrong there; 5a's columns
# (352 + 320 + 224 + 128 = 1024) are consistent again. The inputs below follow the columns.
BN_INCEPTION = {
    "inception_3a": (192, 64, 64, 64, 64, 96, 32, (256, 28, 28)),
    "inception_3b": (256, 64, 64, 96, 64, 96, 64, (320, 28, 28)),
    "inception_4a": (576, 224, 64, 96, 96, 128, 128, (576, 14, 14)),
    "inception_4b": (576, 192, 96, 128, 96, 128, 128, (576, 14, 14)),
    "inception_4c": (576, 160, 128, 160, 128, 160, 128, (608, 14, 14)),  # Figure 5: 576
    "inception_4d": (608, 96, 128, 192, 160, 192, 128, (608, 14, 14)),  # Figure 5: 576
    "inception_5a": (1056, 352, 192, 320, 160, 224, 128, (1024, 7, 7)),
    "inception_5b": (1024, 352, 192, 320, 192, 224, 128, (1024, 7, 7)),
}
# stride-2 modules: (input, #3×3 reduce, #3×3, double reduce, double #3×3, output = 3×3 + double + input)
BN_INCEPTION_REDUCE = {
    "inception_3c": (320, 128, 160, 64, 96, (576, 14, 14)),  # 160 + 96 + 320
    "inception_4e": (608, 128, 192, 192, 256, (1056, 7, 7)),  # 192 + 256 + 608 (Figure 5: 1024)
}


def bn_inception_params(c: int, n1: int, r3: int, n3: int, rd: int, d: int, pp: int) -> int:
    """Bias-free convolutions, each followed by BN (2 parameters per channel)."""
    weights = c * n1 + c * r3 + 9 * r3 * n3 + c * rd + 9 * rd * d + 9 * d * d + c * pp
    return weights + 2 * (n1 + r3 + n3 + rd + 2 * d + pp)


def bn_inception_reduce_params(c: int, r3: int, n3: int, rd: int, d: int) -> int:
    return c * r3 + 9 * r3 * n3 + c * rd + 9 * rd * d + 9 * d * d + 2 * (r3 + n3 + rd + 2 * d)


@pytest.mark.parametrize("module", [*BN_INCEPTION, *BN_INCEPTION_REDUCE])
def test_inception_bn_modules(module: str) -> None:
    if module in BN_INCEPTION:
        *columns, shape = BN_INCEPTION[module]
        expected = bn_inception_params(*columns)
    else:
        *columns, shape = BN_INCEPTION_REDUCE[module]
        expected = bn_inception_reduce_params(*columns)
    assert tuple(block_out("inception_bn", module).output_shape) == shape
    assert block_params("inception_bn", module) == expected


def test_inception_bn_totals() -> None:
    totals = report("inception_bn").totals
    stem = (7 * 7 * 3 * 64 + 2 * 64) + (64 * 64 + 2 * 64) + (9 * 64 * 192 + 2 * 192)
    modules = sum(bn_inception_params(*m[:7]) for m in BN_INCEPTION.values())
    reduce = sum(bn_inception_reduce_params(*m[:5]) for m in BN_INCEPTION_REDUCE.values())
    assert totals.params == stem + modules + reduce + (1024 * 1000 + 1000)
    # Figure 5 states no total depth and the name carries no number. Weight layers on the longest
    # path: conv1, conv2 reduce, conv2 (3) + 10 modules · 3 (the double-3×3 branch: reduce, 3×3, 3×3)
    # + fc (1) = 34.
    assert totals.depth == 34
    assert "lrn" not in {r.type for r in report("inception_bn").layers}
    assert row("inception_bn", "inception_5b.pool").type == "maxpool"  # 5b: "max + 128"
    assert row("inception_bn", "inception_5a.avg_pool").type == "avgpool"  # elsewhere "avg + proj"


# -- Inception-v3 (torchvision, 299×299) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "shape"),
    [
        # Szegedy et al. 2016 (Rethinking), Table 1: 3 × Inception at 35×35×288, 5 × at 17×17×768,
        # 2 × at 8×8×1280 (the input of the last two); torchvision's Mixed_5b outputs 256 channels.
        ("Mixed_5b", (256, 35, 35)),
        ("Mixed_5d", (288, 35, 35)),
        ("Mixed_6a", (768, 17, 17)),
        ("Mixed_6e", (768, 17, 17)),
        ("Mixed_7a", (1280, 8, 8)),
        ("Mixed_7c", (2048, 8, 8)),
    ],
)
def test_inception_v3_grid_sizes(module: str, shape: tuple[int, ...]) -> None:
    assert tuple(block_out("inception_v3", module).output_shape) == shape


def test_inception_v3_depth() -> None:
    # The paper calls the network "42 layers deep", but counts its factorised modules its own way.
    # The longest path of weight layers through torchvision's modules: the stem's 5 convolutions
    # (1a, 2a, 2b, 3b, 4a) + Mixed_5b..5d 3·3 (1×1, 3×3, 3×3) + Mixed_6a 3 + Mixed_6b..6e 4·5
    # (1×1, then 7×1, 1×7, 7×1, 1×7) + Mixed_7a 4 (1×1, 1×7, 7×1, 3×3) + Mixed_7b, 7c 2·3
    # (1×1, 3×3, 1×3) + fc 1 = 5 + 9 + 3 + 20 + 4 + 6 + 1 = 48. The engine's definition cannot give 42.
    assert report("inception_v3").totals.depth == 48


# -- Inception-ResNet-v2 (Szegedy et al. 2016; timm's inception_resnet_v2) -----------------------


def test_inception_resnet_v2_totals() -> None:
    totals = report("inception_resnet_v2").totals
    assert totals.params == 55_843_464  # timm's inception_resnet_v2 (the reference)
    assert tuple(totals.output_shape) == (1000,)
    # No depth is named by the paper. Longest path: stem 5 (1a, 2a, 2b, 3b, 4a) + Mixed_5b 3 +
    # 10 block35 · 4 (1×1, 3×3, 3×3, up 1×1) + Mixed_6a 3 + 20 block17 · 4 (1×1, 1×7, 7×1, up) +
    # Mixed_7a 3 + 10 block8 · 4 (1×1, 1×3, 3×1, up) + conv2d_7b 1 + fc 1 = 176.
    assert totals.depth == 5 + 3 + 10 * 4 + 3 + 20 * 4 + 3 + 10 * 4 + 1 + 1


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        # The released model (TF-slim, timm), not the paper's figures, which print a 35×35×384 stem
        # and 1154/2048-channel blocks B/C (1154 is no concatenation of the reduction's branches).
        # Stem to 35×35×192, Mixed_5b 96 + 64 + 96 + 64 = 320; reduction A → 17×17 with
        # 384 + 384 + 320 = 1088; reduction B → 8×8 with 384 + 288 + 320 + 1088 = 2080; 1×1 to 1536.
        ("mixed_5b", (320, 35, 35)),
        ("block35_10", (320, 35, 35)),
        ("mixed_6a", (1088, 17, 17)),
        ("block17_20", (1088, 17, 17)),
        ("mixed_7a", (2080, 8, 8)),
        ("block8_10", (2080, 8, 8)),
        ("conv2d_7b", (1536, 8, 8)),
    ],
)
def test_inception_resnet_v2_grid_sizes(path: str, shape: tuple[int, ...]) -> None:
    assert tuple(block_out("inception_resnet_v2", path).output_shape) == shape


@pytest.mark.parametrize(
    ("path", "params"),
    [
        # block35 (Figure 16's branches; width 320 as released): 1×1 32 | 1×1 32 → 3×3 32 |
        # 1×1 32 → 3×3 48 → 3×3 64, BN after each; concat 128 → 1×1 320 with bias ("linear", no BN)
        ("block35_1", 320 * 32 + (320 * 32 + 9 * 32 * 32) + (320 * 32 + 9 * 32 * 48 + 9 * 48 * 64)
         + 2 * (32 + 32 + 32 + 32 + 48 + 64) + (128 * 320 + 320)),
        # block17 (Figure 17's branches): 1×1 192 | 1×1 128 → 1×7 160 → 7×1 192; concat 384 → 1×1 1088
        ("block17_1", 1088 * 192 + (1088 * 128 + 7 * 128 * 160 + 7 * 160 * 192)
         + 2 * (192 + 128 + 160 + 192) + (384 * 1088 + 1088)),
        # block8 (Figure 19's branches): 1×1 192 | 1×1 192 → 1×3 224 → 3×1 256; concat 448 → 1×1 2080
        ("block8_1", 2080 * 192 + (2080 * 192 + 3 * 192 * 224 + 3 * 224 * 256)
         + 2 * (192 + 192 + 224 + 256) + (448 * 2080 + 2080)),
    ],
)
def test_inception_resnet_v2_blocks(path: str, params: int) -> None:
    assert block_params("inception_resnet_v2", path) == params


def test_inception_resnet_v2_last_block8_has_no_relu() -> None:
    assert block_out("inception_resnet_v2", "block8_9").type == "relu"
    assert block_out("inception_resnet_v2", "block8_10").type == "add"  # timm's Block8(no_relu=True)
