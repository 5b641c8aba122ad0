"""Blocks answered as blocks, and the mistakes that used to misfire (issue 13, "Blocks vs layers", "Mistake hints").

Expected numbers are hand calculations (written beside them) or papers' figures.
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.homework.check import check_text

runner = CliRunner()
ALEXNET = "network: alexnet_original\nanswers:\n  {key}: {answer}\n"


def test_a_block_is_answered_for_the_block_and_says_what_it_holds() -> None:
    # alexnet_original's conv1 is conv 11×11/4 + ReLU: its output is 96×55×55 = 290,400 elements
    report = check_text(ALEXNET.format(key="conv1.activations", answer="290400"))
    assert report.right == 1
    # the sum over both layers (580,800) is not the block's activations
    [result] = check_text(ALEXNET.format(key="conv1.activations", answer="580800")).results
    assert result.correct is False
    assert str(result.notes[0]) == ("conv1 is a block: conv 11×11/4 + relu; conv1.conv is the conv alone")
    # its parameters are its layers' summed: 11·11·3·96 + 96 = 34,944 (the ReLU has none)
    assert check_text(ALEXNET.format(key="conv1.params", answer="34944")).right == 1


def test_explain_of_a_block_shows_its_totals() -> None:
    # SqueezeNet fire2 (Iandola et al., Table 1): squeeze 16·(96 + 1) = 1,552, expand1x1 64·(16 + 1) = 1,088,
    # expand3x3 64·(9·16 + 1) = 9,280; 11,920 in all; output 128 channels
    result = runner.invoke(app, ["explain", "squeezenet1_0", "fire2", "--input", "227x227x3", "--layout", "hwc"])
    assert result.exit_code == 0, result.output
    assert "fire2 is a block: conv 1×1 + relu + conv 1×1 + relu + conv 3×3 p1 + relu + concat" in result.output
    assert "params = 1,552 + 1,088 + 9,280 = 11,920" in result.output
    assert "output 55×55×128, params 11,920" in result.output
    data = json.loads(runner.invoke(app, ["explain", "squeezenet1_0", "fire2", "-f", "json"]).output)
    assert data["block"]["params"] == 11920 and len(data["layers"]) == 4  # the three convs and the concat


def test_ignoring_the_groups_in_macs_is_named() -> None:
    # conv2 of the original AlexNet: 256 filters 5×5 on 96 channels in 2 groups, output 27×27:
    # MACs 256·27·27·(5·5·48) = 223,948,800; without groups 5·5·96: 447,897,600 (= 2× as well)
    [result] = check_text(ALEXNET.format(key="conv2.macs", answer="447897600")).results
    assert result.codes[0] == "ignored_groups" and "ignored the groups" in str(result.mistake)
    # FLOPs of the convolution: 2·MACs + 256·27·27 bias adds; without groups 2·447,897,600 + 186,624 = 895,981,824
    [flops] = check_text(ALEXNET.format(key="conv2.conv.flops", answer="895981824")).results
    assert flops.codes[0] == "ignored_groups"


def test_a_sibling_networks_total_is_named() -> None:
    # notes 001: "138M параметров у самой большой вариации (VGG-19)": 138,357,544 is VGG-16 (torchvision);
    # VGG-19 has 143,667,240
    [result] = check_text("network: vgg19\nanswers:\n  total.params: 138M\n").results
    assert result.correct is False and result.codes == ("sibling_network",)
    assert "VGG-16 (configuration D)'s count (138,357,544)" in str(result.mistake)
    assert "143,667,240" in str(result.mistake)
    # ResNet-50's 25,557,032 given for ResNet-101 (44,549,160)
    [resnet] = check_text("network: resnet101\nanswers:\n  total.params: 25557032\n").results
    assert resnet.codes == ("sibling_network",) and "ResNet-50" in str(resnet.mistake)


def test_json_mistakes_carry_a_stable_code_beside_the_text() -> None:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.yaml"
        path.write_text(ALEXNET.format(key="conv1.params", answer="34848"), encoding="utf-8")
        data = json.loads(runner.invoke(app, ["check", str(path), "-f", "json", "--lang", "ru"]).output)
    [result] = data["results"]
    assert result["mistake_code"] == "forgot_bias" and result["status"] == "wrong"
    assert result["mistake"] == "забыты смещения (bias): 34 848 весов + 96 смещений".replace("34 848", "34,848")
