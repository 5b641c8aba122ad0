"""Shapes as the notes write them (issue 13, "Silent wrong answers", "explain ignores --layout").

A channels-first input that looks H×W×C, or a 2-number input for an image network, is read as
asked but said so on stderr with the exact command of the other reading; --layout hwc is honoured
by every command that takes --input. Expected numbers are hand calculations written beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.homework.check import check_text
from cnncalc.homework.layout import other_reading

runner = CliRunner()
CNNCALC = str(Path(sys.executable).with_name("cnncalc"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "COLUMNS": "160"}
    return subprocess.run([CNNCALC, *args], capture_output=True, text=True, env=env)


def test_a_channels_last_looking_input_is_said_with_the_command_for_it() -> None:
    # the notes' exercise without --layout hwc: 32 channels of 32×3 -> 5·5·32·10 + 10 = 8,010 parameters
    proc = run("layer", "conv", "out=10", "kernel=5", "stride=1", "padding=2", "--input", "32x32x3")
    assert proc.returncode == 0
    assert "32 channels of 32×3" in proc.stderr
    assert ("cnncalc layer conv out=10 kernel=5 stride=1 padding=2 --input 32x32x3 --layout hwc"
            in proc.stderr), proc.stderr
    # the command it names gives the notes' answer: 5·5·3·10 + 10 = 760
    again = run("layer", "conv", "out=10", "kernel=5", "stride=1", "padding=2", "--input", "32x32x3", "--layout",
                "hwc", "-f", "json")
    assert again.stderr == "" and json.loads(again.stdout)["params"] == 760


def test_a_two_number_input_is_said_to_be_one_dimensional() -> None:
    proc = run("layer", "conv", "out=1", "kernel=3", "--input", "7x7")
    assert "7 channels of length 7, a 1-D input" in proc.stderr
    assert "cnncalc layer conv out=1 kernel=3 --input 1x7x7" in proc.stderr


def test_shapes_warns_and_takes_a_layout() -> None:
    proc = run("shapes", "resnet50", "--input", "224x224x3", "-f", "json")
    assert "224 channels of 224×3" in proc.stderr
    assert "cnncalc shapes resnet50 --input 224x224x3 --layout hwc --format json" in proc.stderr
    right = run("shapes", "resnet50", "--input", "224x224x3", "--layout", "hwc", "-f", "json")
    data = json.loads(right.stdout)
    assert right.stderr == "" and data["input_shape"] == [3, 224, 224]  # JSON stays channels first
    assert data["totals"]["params"] == 25557032  # torchvision's ResNet-50
    table = run("shapes", "alexnet", "--input", "224x224x3", "--layout", "hwc").stdout
    # torchvision AlexNet: conv1 11×11/4 p2 on 224: (224 + 4 − 11)/4 + 1 = 55 -> 55×55×64, as the notes write it
    assert "input 224×224×3" in table and "55×55×64" in table


def test_explain_reads_its_input_in_the_layout() -> None:
    # ResNet-50 conv1 7×7/2 p3 on 224×224×3: (224 + 6 − 7)/2 + 1 = 112 -> 112×112×64
    result = runner.invoke(app, ["explain", "resnet50", "conv1", "--input", "224x224x3", "--layout", "hwc"])
    assert result.exit_code == 0, result.output
    assert "on 224×224×3 → 112×112×64" in result.output


def test_compare_takes_a_layout() -> None:
    result = runner.invoke(app, ["compare", "alexnet", "resnet18", "--input", "224x224x3", "--layout", "hwc"])
    assert result.exit_code == 0 and "input 224×224×3" in result.output


def test_check_without_layout_hwc_says_why_the_right_answer_is_marked_wrong() -> None:
    text = ("layer: {conv: {out: 10, kernel: 5, stride: 1, padding: 2}}\ninput: 32x32x3\n"
            "answers: {output_shape: 32x32x10}\n")
    report = check_text(text)
    [warning] = report.warnings
    assert "32 channels of 32×3" in str(warning) and "layout: hwc" in str(warning)
    [result] = report.results
    assert result.correct is False and result.codes == ("file_layout",)
    assert "add layout: hwc" in str(result.mistake)
    assert check_text(text.replace("input:", "layout: hwc\ninput:")).right == 1


@pytest.mark.parametrize(("shape", "layout", "other"), [
    ((32, 32, 3), "chw", "hwc"), ((224, 224, 3), "chw", "hwc"), ((7, 7, 1), "chw", "hwc"),
    ((227, 227, 4), "chw", "hwc"),
    ((3, 224, 224), "chw", None), ((64, 56, 56), "chw", None), ((3, 3, 3), "chw", None),
    ((3, 224, 224), "hwc", "chw"), ((224, 224, 3), "hwc", None),
])
def test_what_looks_like_the_other_layout(shape: tuple[int, int, int], layout: str, other: str | None) -> None:
    assert other_reading(shape, layout) == other
