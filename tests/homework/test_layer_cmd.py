"""`cnncalc layer TYPE key=value ... --input SHAPE`: one layer, no YAML, numbers with their formulas."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.homework.worked import parse_arg_value, parse_layer_args, solve_layer

runner = CliRunner()


def run_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["layer", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def test_the_notes_exercise_as_json() -> None:
    data = run_json("conv", "out=10", "kernel=5", "stride=1", "padding=2", "--input", "3x32x32")
    for key in ("type", "input_shape", "output_shape", "params", "weights", "biases", "buffers", "macs", "flops",
                "rf", "fits", "steps"):
        assert key in data
    assert data["type"] == "conv" and data["input_shape"] == [3, 32, 32]
    assert data["output_shape"] == [10, 32, 32]  # (32 + 2·2 − 5)/1 + 1 = 32
    assert (data["params"], data["weights"], data["biases"]) == (760, 750, 10)  # 5·5·3·10 + 10
    assert data["macs"] == 10 * 32 * 32 * 5 * 5 * 3  # 768,000
    assert data["flops"] == 2 * 768_000 + 10 * 32 * 32  # bias adds
    assert data["rf"]["size"] == [5, 5] and data["rf"]["jump"] == [1, 1] and data["fits"] is True
    formulas = [s["formula"] for s in data["steps"]]
    assert "H_out = W_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32" in formulas
    assert "params = 5·5·3·10 + 10 = 760" in formulas
    assert all(set(s) == {"quantity", "formula", "value", "note"} for s in data["steps"])


def test_fits_is_false_when_a_size_was_rounded() -> None:
    data = run_json("conv", "out=1", "kernel=3", "stride=3", "--input", "1x7x7")
    assert data["output_shape"] == [1, 2, 2] and data["fits"] is False  # (7 − 3)/3 + 1 = 2.33 -> 2
    notes = " ".join(s["note"] for s in data["steps"])
    assert "does not tile a 7×7 input with stride 3; PyTorch floors this to 2" in notes


def test_layout_hwc_reads_and_prints_height_width_channels() -> None:
    result = runner.invoke(app, ["layer", "conv", "out=10", "kernel=5", "padding=2", "--input", "32x32x3",
                                 "--layout", "hwc"])
    assert result.exit_code == 0, result.output
    assert "on 32×32×3 → 32×32×10 (H×W×C)" in result.output
    assert "params = 5·5·3·10 + 10 = 760" in result.output
    # JSON stays channels first, as every cnncalc JSON
    data = run_json("conv", "out=10", "kernel=5", "padding=2", "--input", "32x32x3", "--layout", "hwc")
    assert data["input_shape"] == [3, 32, 32] and data["output_shape"] == [10, 32, 32]


@pytest.mark.parametrize(
    ("args", "shape", "expected"),
    [
        # padding=same on 224 with stride 1 keeps 224; kernel=3,1 per axis: H (7 − 3) + 1 = 5, W 7
        (["conv", "out=4", "kernel=3", "padding=same"], "3x224x224", [4, 224, 224]),
        (["conv", "out=4", "kernel=3,1"], "3x7x7", [4, 5, 7]),
        (["conv", "out=4", "kernel=[3, 1]"], "3x7x7", [4, 5, 7]),
        (["conv", "out=2*32", "kernel=(5-1)//2+1"], "3x9x9", [64, 7, 7]),  # kernel 3: 9 − 3 + 1 = 7
        (["maxpool", "kernel=3", "stride=2", "ceil_mode=true"], "96x54x54", [96, 27, 27]),  # ⌈51/2⌉ + 1
        (["fc", "out=1000"], "256x6x6", [1000]),
        (["concat"], None, [128, 28, 28]),
    ],
)
def test_arguments_as_in_yaml(args: list[str], shape: str | None, expected: list[int]) -> None:
    inputs = ["--input", shape] if shape else ["--input", "64x28x28", "--input", "64x28x28"]
    assert run_json(*args, *inputs)["output_shape"] == expected


def test_bn_counts_buffers() -> None:
    data = run_json("bn", "--input", "64x56x56")
    assert (data["params"], data["buffers"], data["biases"]) == (128, 128, 64)  # 2C, 2C, β


@pytest.mark.parametrize(
    ("kind", "args", "shape", "words"),
    [
        ("conv2x", {"out": 1}, (3, 8, 8), ("unknown layer type 'conv2x'", "did you mean")),
        ("conv", {"out": 1, "kernal": 3}, (3, 8, 8), ("no argument 'kernal'", "did you mean 'kernel'")),
        ("conv", {"kernel": 3}, (3, 8, 8), ("needs the argument 'out'",)),
        ("conv", {"out": 1, "kernel": 9}, (3, 8, 8), ("larger than the padded input",)),
        ("conv", {"out": 4, "groups": 3}, (3, 8, 8), ("divisible by the number of groups",)),
        ("concat", {}, (3, 8, 8), ("takes at least 2 inputs",)),
    ],
)
def test_bad_layers_say_what_is_wrong(kind: str, args: dict[str, Any], shape: tuple[int, ...],
                                      words: tuple[str, ...]) -> None:
    with pytest.raises(CnnCalcError) as info:
        solve_layer(kind, args, [shape])
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("items", "words"),
    [
        (["out"], "write KEY=VALUE"),
        (["=3"], "write KEY=VALUE"),
        (["kernel="], "has no value"),
        (["out=2**"], "argument out"),
        (["out=1", "out=2"], "given twice"),
        (["out=__import__('os')"], "argument out"),  # the safe evaluator, never eval
    ],
)
def test_bad_arguments(items: list[str], words: str) -> None:
    with pytest.raises(CnnCalcError, match=words):
        parse_layer_args(items)


def test_argument_values() -> None:
    assert parse_arg_value("false") is False and parse_arg_value("1.0e-4") == pytest.approx(1e-4)
    assert parse_layer_args(["padding=[[1, 2], [1, 2]]"]) == {"padding": [[1, 2], [1, 2]]}


def test_cli_error_exit_status_and_message() -> None:
    import subprocess
    import sys

    code = ("import sys; from cnncalc.cli import main; "
            "sys.argv = ['cnncalc', 'layer', 'convv', 'out=1', '--input', '3x8x8']; main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and "did you mean" in proc.stderr and "Traceback" not in proc.stderr
