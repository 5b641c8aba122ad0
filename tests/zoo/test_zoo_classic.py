"""The pre-Inception classics of the zoo against their papers and hand calculations.

alexnet_original, zfnet, sppnet, vgg11_lrn, vgg16c and nin. Every expected number
is written out below from the paper it cites (or from torchvision's counts for the
VGG configurations that differ from torchvision's by a known amount), never taken
from cnncalc's output.
"""

from __future__ import annotations

import pytest
from zoo_helpers import reference, report, row

import cnncalc
from cnncalc.errors import CnnCalcError

# -- AlexNet as trained on two GPUs (Krizhevsky et al. 2012, section 3.5 and Figure 2) ---------

# (layer, output shape, params). Kernels per the paper's text: conv1 96 of 11×11×3 (stride 4);
# conv2 256 of 5×5×48 (each GPU's half sees only its own 48 maps: groups 2); conv3 384 of
# 3×3×256 (all maps); conv4 384 of 3×3×192 and conv5 256 of 3×3×192 (groups 2); 4096, 4096, 1000.
ALEXNET_ORIGINAL = [
    ("conv1.conv", (96, 55, 55), 96 * 11 * 11 * 3 + 96),  # 34,944; (227 − 11)//4 + 1 = 55
    ("pool1", (96, 27, 27), 0),  # (55 − 3)//2 + 1 = 27
    ("conv2.conv", (256, 27, 27), 256 * 5 * 5 * 48 + 256),  # 307,456
    ("pool2", (256, 13, 13), 0),
    ("conv3.conv", (384, 13, 13), 384 * 3 * 3 * 256 + 384),  # 885,120
    ("conv4.conv", (384, 13, 13), 384 * 3 * 3 * 192 + 384),  # 663,936
    ("conv5.conv", (256, 13, 13), 256 * 3 * 3 * 192 + 256),  # 442,624
    ("pool5", (256, 6, 6), 0),
    ("fc6", (4096,), 6 * 6 * 256 * 4096 + 4096),  # 37,752,832
    ("fc7", (4096,), 4096 * 4096 + 4096),  # 16,781,312
    ("fc8", (1000,), 4096 * 1000 + 1000),  # 4,097,000
]


@pytest.mark.parametrize(("layer", "shape", "params"), ALEXNET_ORIGINAL)
def test_alexnet_original_layers(layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row("alexnet_original", layer)
    assert tuple(r.output_shape) == shape
    assert r.params == params


def test_alexnet_original_totals() -> None:
    totals = report("alexnet_original").totals
    assert totals.params == 60_965_224  # the figure; = the sum of the table above
    assert totals.params == sum(p for _, _, p in ALEXNET_ORIGINAL)
    assert totals.buffers == 0  # LRN has no state
    # MACs = output elements · inputs per output: conv1 55²·96·363, conv2 27²·256·(48·25),
    # conv3 13²·384·(256·9), conv4 13²·384·(192·9), conv5 13²·256·(192·9), fc 9216·4096 + 4096² + 4096·1000
    assert totals.macs == (55**2 * 96 * 363 + 27**2 * 256 * 1200 + 13**2 * 384 * 2304 + 13**2 * 384 * 1728
                           + 13**2 * 256 * 1728 + 9216 * 4096 + 4096 * 4096 + 4096 * 1000)  # 724,406,816
    assert totals.depth == 8  # "eight learned layers — five convolutional and three fully-connected"
    assert tuple(totals.output_shape) == (1000,)


@pytest.mark.parametrize(
    ("layer", "neurons"),
    [
        # Section 3.5: "the number of neurons in the network's remaining layers is given by
        # 253,440–186,624–64,896–64,896–43,264–4096–4096–1000". The first figure is the paper's
        # error: conv1 has 55·55·96 = 290,400 neurons (253,440 matches no layer); the rest agree.
        ("conv1.conv", 290_400),
        ("conv2.conv", 186_624),  # 27·27·256
        ("conv3.conv", 64_896),  # 13·13·384
        ("conv4.conv", 64_896),
        ("conv5.conv", 43_264),  # 13·13·256
        ("fc6", 4096), ("fc7", 4096), ("fc8", 1000),
    ],
)
def test_alexnet_original_neurons(layer: str, neurons: int) -> None:
    assert row("alexnet_original", layer).activations == neurons


def test_alexnet_original_paper_input_224_is_wrong() -> None:
    # The paper says 224×224, but (224 − 11)/4 + 1 = 54.25: with 224 conv1 is 54×54, not the
    # paper's 55×55, and pool5 is 5×5 (6,400 inputs to fc6, not 9,216). 227 is the size that works.
    assert tuple(row("alexnet_original", "conv1.conv", 224).output_shape) == (96, 54, 54)
    assert tuple(row("alexnet_original", "pool5", 224).output_shape) == (256, 5, 5)


def test_alexnet_original_lrn_and_receptive_field() -> None:
    norm = row("alexnet_original", "norm1")
    assert norm.type == "lrn" and norm.params == 0
    # r' = r + (k − 1)·j: conv1 11 (j 4); pool1 11 + 2·4 = 19 (j 8); conv2 19 + 4·8 = 51;
    # pool2 51 + 2·8 = 67 (j 16); conv3..5 67 + 3·(2·16) = 163; pool5 163 + 2·16 = 195 (j 32)
    pool5 = row("alexnet_original", "pool5")
    assert pool5.rf.size_ints() == (195, 195)
    assert pool5.rf.jump_ints() == (32, 32)


# -- ZFNet (Zeiler & Fergus 2013, Figure 3) and SPP-net's ZF-5 (He et al. 2014, Table 1) ---------

# Figure 3: 224 → conv1 7×7/2, 96 → 110; pool 3×3/2 → 55; conv2 5×5/2, 256 → 26; pool → 13;
# conv3, conv4 384 and conv5 256 (3×3/1) → 13; pool → 6; 6·6·256 = 9216 into fc6.
ZF_SIZES = [
    ("conv1.conv", (96, 110, 110)),  # (224 + 2·1 − 7)//2 + 1 = 110
    ("pool1", (96, 55, 55)),  # ⌈(110 − 3)/2⌉ + 1 = 55 (Caffe rounds up; floor would give 54)
    ("conv2.conv", (256, 26, 26)),  # (55 − 5)//2 + 1 = 26
    ("pool2", (256, 13, 13)),  # ⌈(26 − 3)/2⌉ + 1 = 13
    ("conv3.conv", (384, 13, 13)),
    ("conv4.conv", (384, 13, 13)),
    ("conv5.conv", (256, 13, 13)),
    ("pool5", (256, 6, 6)),  # (13 − 3)/2 + 1 = 6
    ("flatten1", (9216,)),
]

# conv1 7·7·3·96 + 96 = 14,208; conv2 5·5·96·256 + 256 = 614,656 (dense, not split like AlexNet);
# conv3 9·256·384 + 384 = 885,120; conv4 9·384·384 + 384 = 1,327,488; conv5 9·384·256 + 256 = 884,992
ZF_CONV_PARAMS = 14_208 + 614_656 + 885_120 + 1_327_488 + 884_992  # 3,726,464
ZF_FC78_PARAMS = 4096 * 4096 + 4096 + 4096 * 1000 + 1000  # fc7 + fc8 = 20,878,312


@pytest.mark.parametrize(("layer", "shape"), ZF_SIZES)
def test_zfnet_figure3_sizes(layer: str, shape: tuple[int, ...]) -> None:
    assert tuple(row("zfnet", layer).output_shape) == shape


def test_zfnet_totals() -> None:
    totals = report("zfnet").totals
    fc6 = 9216 * 4096 + 4096  # 37,752,832
    assert totals.params == ZF_CONV_PARAMS + fc6 + ZF_FC78_PARAMS  # 62,357,608
    assert totals.depth == 8  # "our 8 layer convnet model" (Figure 3)
    # the field at pool5, r' = r + (k − 1)·j: conv1 7 (j 2); pool1 7 + 2·2 = 11 (j 4); conv2 11 + 4·4 = 27
    # (j 8); pool2 27 + 2·8 = 43 (j 16); conv3..5 43 + 3·2·16 = 139; pool5 139 + 2·16 = 171 (j 32)
    pool5 = row("zfnet", "pool5")
    assert (pool5.rf.size_ints(), pool5.rf.jump_ints()) == ((171, 171), (32, 32))


@pytest.mark.parametrize(
    ("size", "conv5"),
    [
        (224, 13),  # as zfnet
        # SPP paper, section 3.1: "180×180 ... conv5 is 10×10": conv1 (180 + 2 − 7)//2 + 1 = 88;
        # pool1 ⌈85/2⌉ + 1 = 44; conv2 (44 − 5)//2 + 1 = 20; pool2 ⌈17/2⌉ + 1 = 10
        (180, 10),
    ],
)
def test_sppnet_fixed_length_output(size: int, conv5: int) -> None:
    assert tuple(row("sppnet", "conv5.conv", size).output_shape) == (256, conv5, conv5)
    # 4-level pyramid {6×6, 3×3, 2×2, 1×1}: (36 + 9 + 4 + 1)·256 = 12,800 whatever the input
    assert tuple(row("sppnet", "spp5", size).output_shape) == (12_800,)
    totals = report("sppnet", size).totals
    assert totals.params == ZF_CONV_PARAMS + (12_800 * 4096 + 4096) + ZF_FC78_PARAMS  # 77,037,672
    assert totals.depth == 8


def test_sppnet_smallest_input() -> None:
    # conv5 (= pool2's size) must be ≥ 6, the largest level: pool2 = ⌈(c2 − 3)/2⌉ + 1 ≥ 6 needs
    # c2 ≥ 12; c2 = (p1 − 5)//2 + 1 ≥ 12 needs p1 ≥ 27; p1 = ⌈(c1 − 3)/2⌉ + 1 ≥ 27 needs c1 ≥ 54;
    # c1 = (x − 5)//2 + 1 ≥ 54 needs x ≥ 111.
    assert tuple(row("sppnet", "conv5.conv", 111).output_shape) == (256, 6, 6)
    assert tuple(report("sppnet", 111).totals.output_shape) == (1000,)
    with pytest.raises(CnnCalcError) as info:
        cnncalc.analyze("sppnet", input_shape=(3, 110, 110))  # conv5 5×5
    for word in ("spp5", "at least", "6×6"):
        assert word in str(info.value)


# -- VGG A-LRN and C (Simonyan & Zisserman 2015, Tables 1 and 2) --------------------------------


def test_vgg11_lrn_is_configuration_a_plus_lrn() -> None:
    a = reference("vgg11")  # torchvision's vgg11 is configuration A
    totals = report("vgg11_lrn").totals
    assert totals.params == a["params"]  # LRN has no weights: Table 2, "A, A-LRN: 133M"
    assert totals.macs == a["fvcore_conv"] + a["fvcore_linear"]
    assert totals.depth == 11  # "11 weight layers"
    lrn = row("vgg11_lrn", "lrn1")
    assert lrn.type == "lrn" and tuple(lrn.output_shape) == (64, 224, 224)
    assert lrn.inputs == ("conv1.relu",)  # right after the first conv3-64 (and its ReLU)


def test_vgg16c_is_d_with_1x1_convolutions() -> None:
    d = reference("vgg16")  # torchvision's vgg16 is configuration D
    totals = report("vgg16c").totals
    # C = D with the last conv of stages 3–5 1×1 instead of 3×3: 8 fewer weights per in·out pair
    # (biases unchanged): 8·(256·256 + 512·512 + 512·512) = 4,718,592 fewer parameters
    assert totals.params == d["params"] - 8 * (256 * 256 + 2 * 512 * 512)  # 133,638,952
    assert round(totals.params / 1e6) == 134  # Table 2: "C: 134M"
    # and 8·(56²·256·256 + 28²·512·512 + 14²·512·512) fewer MACs
    assert totals.macs == (d["fvcore_conv"] + d["fvcore_linear"]
                           - 8 * (56**2 * 256 * 256 + 28**2 * 512 * 512 + 14**2 * 512 * 512))
    assert totals.depth == 16  # "16 weight layers"


@pytest.mark.parametrize(
    ("layer", "shape", "params"),
    [
        ("conv3_3.conv", (256, 56, 56), 256 * 256 + 256),  # conv1-256
        ("conv4_3.conv", (512, 28, 28), 512 * 512 + 512),  # conv1-512
        ("conv5_3.conv", (512, 14, 14), 512 * 512 + 512),
        ("pool5", (512, 7, 7), 0),
        ("fc6", (4096,), 7 * 7 * 512 * 4096 + 4096),
    ],
)
def test_vgg16c_layers(layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row("vgg16c", layer)
    assert (tuple(r.output_shape), r.params) == (shape, params)


def test_vgg16c_1x1_convolutions_do_not_grow_the_field() -> None:
    # r' = r + (k − 1)·j; 1×1 adds nothing. conv1_x 3, 5; pool1 6 (j 2); conv2_x 10, 14; pool2 16 (j 4);
    # conv3 24, 32, 32; pool3 36 (j 8); conv4 52, 68, 68; pool4 76 (j 16); conv5 108, 140, 140;
    # pool5 156 (j 32) — D, with 3×3 everywhere, reaches 212.
    pool5 = row("vgg16c", "pool5")
    assert (pool5.rf.size_ints(), pool5.rf.jump_ints()) == ((156, 156), (32, 32))


# -- Network in Network (Lin et al. 2014; the ImageNet model of the Caffe Model Zoo) -------------

NIN = [
    # mlpconv1: 11×11/4, 96 → (224 − 11)//4 + 1 = 54; cccp1, cccp2 1×1 96
    ("mlpconv1.conv", (96, 54, 54), 96 * 11 * 11 * 3 + 96),  # 34,944
    ("mlpconv1.cccp2", (96, 54, 54), 96 * 96 + 96),  # 9,312
    ("pool1", (96, 27, 27), 0),  # ⌈(54 − 3)/2⌉ + 1 = 27 (Caffe rounds up)
    ("mlpconv2.conv", (256, 27, 27), 256 * 5 * 5 * 96 + 256),  # 614,656
    ("pool2", (256, 13, 13), 0),
    ("mlpconv3.cccp1", (384, 13, 13), 384 * 384 + 384),  # 147,840
    ("pool3", (384, 6, 6), 0),
    ("mlpconv4.conv", (1024, 6, 6), 1024 * 3 * 3 * 384 + 1024),  # 3,539,968
    ("mlpconv4.cccp1", (1024, 6, 6), 1024 * 1024 + 1024),  # 1,049,600
    ("mlpconv4.cccp2", (1000, 6, 6), 1000 * 1024 + 1000),  # one map per class: 1,025,000
    ("gap", (1000, 1, 1), 0),  # global average pooling instead of FC layers
]


@pytest.mark.parametrize(("layer", "shape", "params"), NIN)
def test_nin_layers(layer: str, shape: tuple[int, ...], params: int) -> None:
    r = row("nin", layer)
    assert (tuple(r.output_shape), r.params) == (shape, params)


def test_nin_totals() -> None:
    totals = report("nin").totals
    # mlpconv1 34,944 + 2·9,312; mlpconv2 614,656 + 2·65,792 (256·256 + 256);
    # mlpconv3 885,120 (9·256·384 + 384) + 2·147,840; mlpconv4 3,539,968 + 1,049,600 + 1,025,000
    assert totals.params == (34_944 + 2 * 9_312 + 614_656 + 2 * 65_792 + 885_120 + 2 * 147_840
                             + 3_539_968 + 1_049_600 + 1_025_000)  # 7,595,176
    assert tuple(totals.output_shape) == (1000,)
    assert not [r.name for r in report("nin").layers if r.type == "linear"]  # "no fully connected layers"
    # The paper describes the ImageNet model as "four mlpconv layers"; the engine counts the weight
    # layers on the longest path, and each mlpconv is three of them (conv, cccp, cccp): 4·3 = 12.
    assert totals.depth == 12
