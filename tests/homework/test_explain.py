"""`cnncalc explain NET LAYER`: a layer's formulas in context, and where a network's totals are."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.homework.targets import Net
from cnncalc.homework.worked import breakdown, explain

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, ["explain", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_vgg16_totals_are_in_the_first_fc_layer() -> None:
    # notes 001: 3·3·512·512 ≈ 2.4M per conv5 layer; 7·7·512·4096 ≈ 102.7M in the first FC layer
    data: dict[str, Any] = json.loads(run("vgg16", "total", "--format", "json"))
    fc6 = data["top_params"][0]
    assert fc6["name"] == "fc6" and fc6["value"] == 7 * 7 * 512 * 4096 + 4096  # 102,764,544
    assert fc6["formula"] == "params = 25088·4096 + 4096 = 102,764,544"
    # VGG-16 has 138,357,544 parameters (torchvision); fc6 alone is 102,764,544 / 138,357,544 = 74.3%
    assert data["totals"]["params"] == 138357544 and fc6["share"] == pytest.approx(0.7427, abs=1e-4)
    # conv 14,714,688 + linear 123,642,856: 13 convs (torchvision) and fc 102,764,544 + 16,781,312 + 4,097,000
    assert data["params_by_type"] == {"linear": 102764544 + 16781312 + 4097000, "conv": 14714688}
    text = run("vgg16", "total")
    assert "params = 3·3·512·512 + 512 = 2,359,808" in text and "largest layers by MACs" in text


def test_a_block_instance_shows_its_computing_layers() -> None:
    net = Net.of(cnncalc.load("alexnet_original"))
    [conv] = explain(net, "conv2")  # the block's ReLU computes no parameters and keeps the shape
    assert conv.name == "conv2.conv" and conv.output_shape == (256, 27, 27)
    assert conv.params == 5 * 5 * 48 * 256 + 256  # groups 2: 307,456
    # input field after conv1 (11, jump 4) and pool1 (11 + 2·4 = 19, jump 8): 19 + 4·8 = 51
    assert conv.rf.size_ints() == (51, 51)
    assert conv.bound is not None
    formulas = [s.formula for s in conv.bound.steps()]
    assert "RF = r + (k − 1)·j = 19 + (5 − 1)·8 = 51" in formulas


def test_squeezenet_fire_module_in_hwc() -> None:
    text = run("squeezenet1_0", "fire2", "--input", "227x227x3", "--layout", "hwc")
    # Table 1: fire2 squeeze 16, expand 64 + 64 on 55×55×96 -> 55×55×128
    assert "fire2.squeeze: conv 1×1 on 55×55×96 → 55×55×16 (H×W×C)" in text
    assert "params = 3·3·16·64 + 64 = 9,280" in text and "C_out = 64 + 64 = 128" in text


def test_explain_json_lists_layers() -> None:
    data = json.loads(run("resnet50", "conv1", "-f", "json"))
    # torchvision ResNet-50 conv1: 7·7·3·64, no bias = 9,408; (224 + 2·3 − 7)/2 + 1 = 112
    assert data["params"] == 9408 and data["output_shape"] == [64, 112, 112] and data["biases"] == 0


def test_breakdown_shares_add_up_for_a_single_conv() -> None:
    net = Net.of(cnncalc.load_text_graph(
        "name: one\ninput: [3, 32, 32]\nlayers:\n  - {conv: {out: 10, kernel: 5, padding: 2}}\n  - relu\n"))
    result = breakdown(net)
    [share] = result.top_params
    assert share.value == 760 and share.share == 1.0  # 5·5·3·10 + 10, the whole network


def test_unknown_layer_suggests_names() -> None:
    net = Net.of(cnncalc.load("alexnet_original"))
    with pytest.raises(CnnCalcError, match=r"no layer or block 'conv9'.*did you mean"):
        explain(net, "conv9")
