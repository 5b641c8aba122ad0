"""`cnncalc check`: the homework files pass; wrong answers get a ✗ and the recognised mistake.

Every expected number is the lecture notes' (shared/seeds), a paper's, or a hand calculation
written out beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.homework.answers import matches, parse
from cnncalc.homework.check import check_file, check_text, fill

HOMEWORK = sorted((Path(__file__).resolve().parents[2] / "examples" / "homework").glob("*.yaml"))
runner = CliRunner()


@pytest.mark.parametrize("path", HOMEWORK, ids=[p.stem for p in HOMEWORK])
def test_homework_answers_are_all_right(path: Path) -> None:
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    report = check_file(path)
    assert report.wrong == 0 and report.filled == 0 and report.right >= 4


def test_every_exercise_of_the_notes_has_a_file() -> None:
    assert {p.stem for p in HOMEWORK} >= {"conv_params", "conv_32x32x3", "stride_7x7", "fc_layers", "vgg16",
                                          "stacked_3x3", "resnet", "squeezenet", "alexnet"}


ALEXNET = "network: alexnet_original\nanswers:\n  {key}: {answer}\n"
CONV = ("layer: {{conv: {{out: 10, kernel: 5, stride: 1, padding: 2}}}}\ninput: [3, 32, 32]\n"
        "answers:\n  {key}: {answer}\n")


@pytest.mark.parametrize(
    ("template", "key", "answer", "mistake"),
    [
        # conv1 11·11·3·96 = 34,848 weights; + 96 biases = 34,944
        (ALEXNET, "conv1.params", "34848", "forgot the bias"),
        # a 224 input: (224 − 11)/4 + 1 = 54.25 -> 54
        (ALEXNET, "conv1.output_shape", "54x54x96", "used a 224×224 input"),
        # conv2 without groups: 5·5·96·256 + 256 = 614,656 (the right answer 5·5·48·256 + 256 = 307,456)
        (ALEXNET, "conv2.params", "614656", "ignored the groups"),
        # MACs 96·55·55·11·11·3 = 105,415,200; FLOPs would be twice that
        (ALEXNET, "conv1.macs", "210830400", "counted FLOPs, not MACs"),
        (ALEXNET, "conv1.flops", "105415200", "counted MACs, not FLOPs"),
        (ALEXNET, "conv1.flops", "210830400", "counted only 2·MACs"),
        # conv5: field 163, jump 4·2·2 = 16
        (ALEXNET, "conv5.rf", "16", "gave the jump"),
        (ALEXNET, "conv5.jump", "163", "gave the receptive field"),
        # conv1 has 34,944 parameters, 139,776 bytes in fp32
        (ALEXNET, "conv1.param_bytes", "34944", "gave the number of elements, not bytes"),
        (ALEXNET, "conv1.params", "139776", "gave bytes"),
        # notes 002: without padding (32 − 5)/1 + 1 = 28
        (CONV, "output_shape", "28x28x10", "forgot the padding"),
        # notes 002: "each filter has 5*5*3 + 1 = 76 params"; there are 10 of them
        (CONV, "params", "76", "one filter"),
        # 2-D filters: 5·5·10 + 10 = 260
        (CONV, "params", "260", "spans all the input channels"),
        (CONV, "weights", "760", "counted the 10 biases as weights"),
        # torchvision SqueezeNet 1.0 on 224: maxpool4 on 54: ⌈(54 − 3)/2⌉ + 1 = 27, floored 26
        ("network: squeezenet1_0\nanswers:\n  {key}: {answer}\n", "maxpool4.output_shape", "[256, 26, 26]",
         "rounded the wrong way"),
        # ResNet-34: 34 on the longest path; the 3 1×1 shortcut projections beside it make 37 weight layers
        ("network: resnet34\nanswers:\n  {key}: {answer}\n", "total.depth", "37", "longest path"),
        # VGG-16 without any bias: 138,357,544 − (64·2 + 128·2 + 256·3 + 512·6 + 4096·2 + 1000) = 138,344,128
        ("network: vgg16\nanswers:\n  {key}: {answer}\n", "total.params", "138344128", "forgot the bias"),
        # 3×3 dilation 2 on 9: k_eff 5, 9 − 5 + 1 = 5; undilated 9 − 3 + 1 = 7
        ("layer: {{conv: {{out: 1, kernel: 3, dilation: 2}}}}\ninput: [1, 9, 9]\nanswers:\n  {key}: {answer}\n",
         "output_shape", "[1, 7, 7]", "ignored the dilation"),
        # 3×3 s1, s1, s2, s1: r = 1 + 2 + 2 + 2 + 2·2 = 11; all strides 1 gives 9
        ("layers: [{{conv: 4}}, {{conv: 4}}, {{conv: {{out: 4, stride: 2}}}}, {{conv: 4}}]\ninput: [4, 32, 32]\n"
         "answers:\n  {key}: {answer}\n", "conv4.rf", "9", "ignored the stride"),
        # the notes' input 32×32×3 read as C×H×W: 5·5·32·10 + 10 = 8,010
        ("layer: {{conv: {{out: 10, kernel: 5, padding: 2}}}}\ninput: 32x32x3\nlayout: hwc\n"
         "answers:\n  {key}: {answer}\n", "params", "8010", "read the 32×32×3 (H×W×C) input as C×H×W"),
        # layout: hwc asks for 32×32×10
        ("layer: {{conv: {{out: 10, kernel: 5, padding: 2}}}}\ninput: 32x32x3\nlayout: hwc\n"
         "answers:\n  {key}: {answer}\n", "output_shape", "[10, 32, 32]", "this file asks for H×W×C"),
    ],
)
def test_wrong_answers_and_their_mistakes(template: str, key: str, answer: str, mistake: str) -> None:
    report = check_text(template.format(key=key, answer=answer))
    [result] = report.results
    assert result.correct is False and report.wrong == 1
    assert result.mistake is not None and mistake in str(result.mistake), result.mistake
    assert result.steps  # the worked formula comes with every ✗


def test_an_unrecognised_mistake_still_shows_the_formula() -> None:
    [result] = check_text(ALEXNET.format(key="conv1.params", answer="12345")).results
    assert result.correct is False and result.mistake is None
    assert any("params = 11·11·3·96 + 96 = 34,944" in line.step().formula for _, line in result.steps)


@pytest.mark.parametrize(
    ("text", "quantity", "expected", "right"),
    [
        ("~0.72G", "macs", 724406816, True),  # AlexNet (original): 724,406,816 MACs ≈ 0.72G
        ("~0.71G", "macs", 724406816, False),
        ("~0.7G", "macs", 724406816, True),
        ("37.75M ± 1%", "params", 37752832, True),  # fc6: 9216·4096 + 4096
        ("37.0M ± 1%", "params", 37752832, False),  # 1% of 37.0M is 0.37M < 0.75M
        ("37.0M ± 1M", "params", 37752832, True),
        ("~102.7M", "params", 102764544, True),  # the notes' figure, truncated
        ("~102.8M", "params", 102764544, True),  # rounded
        ("~102.9M", "params", 102764544, False),
        ("~2.4M", "params", 2359808, True),  # 3·3·512·512 + 512
        ("~150000000", "weights", 150528000, True),  # 224·224·3·1000
        ("~160000000", "weights", 150528000, False),
        ("34,944", "params", 34944, True),
        ("34 944", "params", 34944, True),
        ("34943", "params", 34944, False),
        ("1.2e6", "macs", 1200000, True),
        ("55x55x96", "output_shape", (96, 55, 55), True),
        ("96×55×55", "output_shape", (96, 55, 55), True),
        ("55x96x55", "output_shape", (96, 55, 55), False),
        ("163x163", "rf", 163, True),
        ("global", "rf", "global", True),
        ("163", "rf", "global", False),
    ],
)
def test_answer_tolerances(text: str, quantity: str, expected: int | tuple[int, ...] | str, right: bool) -> None:
    assert matches(parse(text, quantity), expected) is right


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("network: alexnet_original\nanswers:\n  conv9.params: 1\n", 3, ("no layer or block 'conv9'",
                                                                          "did you mean")),
        ("network: alexnet_original\nanswers:\n  conv1.paramz: 1\n", 3, ("unknown quantity 'paramz'",
                                                                          "did you mean 'params'")),
        ("network: alexnet_original\nanswer:\n  conv1.params: 1\n", 2, ("unknown key 'answer'",
                                                                         "did you mean 'answers'")),
        ("network: alexnet_original\nanswers: [1, 2\n", 3, ("YAML syntax error",)),
        ("network: alexnet\nlayer: {conv: 4}\nanswers: {params: 1}\n", 1, ("exactly one of",)),
        ("layer: {conv: 4}\nanswers: {params: 1}\n", 1, ("needs an 'input'",)),
        ("layer: {conv: {out: 4, kernal: 3}}\ninput: [3, 8, 8]\nanswers: {params: 1}\n", 1, ("kernal",)),
        ("network: nosuchnet\nanswers: {total.params: 1}\n", 0, ("unknown network 'nosuchnet'",)),
    ],
)
def test_bad_files_are_errors_with_their_line(text: str, line: int, words: tuple[str, ...]) -> None:
    with pytest.raises(CnnCalcError) as info:
        check_text(text, "answers.yaml")
    message = str(info.value)
    for word in words:
        assert word in message
    if line:
        assert f"answers.yaml:{line}:" in message


def test_fill_writes_the_answer_key(tmp_path: Path) -> None:
    questions = tmp_path / "key.yaml"
    questions.write_text(textwrap.dedent("""\
        # the teacher's questions
        network: alexnet_original
        answers:
          conv1.output_shape: ?     # shape after conv1
          conv1.params: "?"
          fc6.params: 37752832
        problems_left: none
        """).replace("problems_left: none\n", ""), encoding="utf-8")
    report = check_file(questions, filling=True)
    assert (report.right, report.wrong, report.filled) == (1, 0, 2)
    out = fill(report, questions, tmp_path / "filled.yaml")
    text = out.read_text(encoding="utf-8")
    # conv1: 96 filters on (227 − 11)/4 + 1 = 55; 11·11·3·96 + 96 = 34,944
    assert "conv1.output_shape: [96, 55, 55]     # shape after conv1" in text
    assert "conv1.params: 34944" in text and text.startswith("# the teacher's questions")
    assert "?" in questions.read_text(encoding="utf-8")  # --output leaves the questions alone
    filled = check_file(out)
    assert (filled.right, filled.wrong, filled.filled) == (3, 0, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filled.yaml", "key.yaml"]  # no temporary files


def test_fill_in_place_and_in_flow_mappings(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text("layer: {conv: {out: 10, kernel: 5, padding: 2}}\ninput: 32x32x3\nlayout: hwc\n"
                    "answers: {output_shape: ?, params: ?}\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--fill", str(path)])
    assert result.exit_code == 0, result.output
    # notes 002: 32x32x10 and 760
    assert path.read_text(encoding="utf-8").endswith("answers: {output_shape: 32x32x10, params: 760}\n")


def test_json_for_graders() -> None:
    path = next(p for p in HOMEWORK if p.stem == "alexnet")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    data = json.loads(result.output)
    assert data["network"] == "alexnet_original" and data["wrong"] == 0 and data["right"] == len(data["results"])
    first = data["results"][0]
    assert {"key", "given", "expected", "correct", "mistake", "steps"} <= set(first)
    assert first["key"] == "conv1.output_shape" and first["expected"] == [96, 55, 55]


def test_exit_codes_and_no_torch(tmp_path: Path) -> None:
    """0 all right, 1 any wrong, 2 a bad file; and check, layer, explain and quiz never import torch."""
    wrong, bad = tmp_path / "wrong.yaml", tmp_path / "bad.yaml"
    wrong.write_text(ALEXNET.format(key="conv1.params", answer="34848"), encoding="utf-8")
    bad.write_text("network: alexnet_original\nanswers:\n  conv9.params: 1\n", encoding="utf-8")
    right = next(p for p in HOMEWORK if p.stem == "alexnet")
    code = textwrap.dedent(f"""\
        import sys
        from cnncalc.cli import main
        codes = []
        runs = [["check", path, "--format", "json"] for path in {[str(right), str(wrong), str(bad)]!r}]
        runs += [["layer", "conv", "out=10", "kernel=5", "padding=2", "-i", "3x32x32"], ["explain", "vgg16", "fc6"],
                 ["explain", "vgg16", "total", "-f", "json"],
                 ["quiz", "--single", "-n", "1", "-o", {str(tmp_path / "q")!r}]]
        for args in runs:
            sys.argv = ["cnncalc", *args]
            try:
                main()
                codes.append(0)
            except SystemExit as exc:
                codes.append(exc.code)
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "numpy", "fvcore"))
        sys.stderr.write(repr((codes, bad)))
        """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("([0, 1, 2, 0, 0, 0, 0], [])"), proc.stderr[-800:]
    assert "bad.yaml:3:3: " in proc.stderr and "Traceback" not in proc.stderr


def test_the_table_shows_the_cross_the_formula_and_the_mistake(tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(ALEXNET.format(key="conv1.params", answer="34848"), encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "✗" in result.output and "forgot the bias: 34,848 weights + 96 biases" in result.output
    assert "params = 11·11·3·96 + 96 = 34,944" in result.output and "0 right, 1 wrong" in result.output
