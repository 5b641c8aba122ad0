"""`cnncalc quiz`: seeded, reproducible quizzes whose answer keys `check` accepts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.homework.check import check_file, check_text, fill
from cnncalc.homework.quiz import network_quiz
from cnncalc.homework.quiz_files import answers_yaml, markdown
from cnncalc.homework.quiz_single import single_quiz
from cnncalc.homework.targets import Net

runner = CliRunner()


def test_same_seed_same_quiz_and_the_key_checks(tmp_path: Path) -> None:
    net = Net.of(cnncalc.load("alexnet_original"))
    first, again = network_quiz(net, "alexnet_original", 8, seed=7), network_quiz(net, "alexnet_original", 8, seed=7)
    assert markdown(first, "s.yaml") == markdown(again, "s.yaml")
    assert answers_yaml(first, tmp_path) == answers_yaml(again, tmp_path)
    other = network_quiz(net, "alexnet_original", 8, seed=8)
    assert answers_yaml(other, tmp_path) != answers_yaml(first, tmp_path)
    keys = [q.key for q in first.problems[0].questions]
    assert len(keys) == len(set(keys)) == 8
    report = check_text(answers_yaml(first, tmp_path), str(tmp_path / "key.yaml"))
    assert (report.right, report.wrong) == (8, 0)


def test_no_question_has_a_trivial_answer() -> None:
    net = Net.of(cnncalc.load("alexnet_original"))
    quiz = network_quiz(net, "alexnet_original", 40, seed=1)
    for q in quiz.problems[0].questions:
        assert not (q.key.endswith(".params") and q.answer == 0), q.key  # no "params of a ReLU"


@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_single_layer_problems_tile_exactly(seed: int) -> None:
    quiz = single_quiz(12, seed)
    assert quiz.count == 12
    for problem in quiz.problems:
        layers = [problem.source["layer"]] if "layer" in problem.source else problem.source["layers"]
        n = problem.source["input"][1]
        for entry in layers:
            [(kind, args)] = entry.items()
            if kind in ("conv", "maxpool"):
                k, s, p = args["kernel"], args["stride"], args.get("padding", 0)
                assert (n + 2 * p - k) % s == 0, problem.intro  # the windows tile: (n + 2p − k)/s is whole
                n = (n + 2 * p - k) // s + 1
    text = answers_yaml(quiz, Path("."))
    report = check_text(text)
    assert report.wrong == 0 and report.right == 12
    assert single_quiz(12, seed) == quiz


def test_a_single_conv_problem_by_hand() -> None:
    # seed 2 draws a 5×5 conv with 16 filters on 3×7×7, stride 2, padding 2 (see the Markdown):
    # (7 + 2·2 − 5)/2 + 1 = 4; 5·5·3·16 + 16 = 1,216; 16·4·4 · 5·5·3 = 19,200 MACs
    problem = single_quiz(3, 2).problems[0]
    assert str(problem.intro) == "On a 3×7×7 input (C×H×W): a convolution with 16 filters of 5×5, stride 2, padding 2."
    answers = {q.key: q.answer for q in problem.questions}
    assert answers == {"output_shape": (16, 4, 4), "params": 1216, "macs": 19200}


def test_cli_writes_questions_key_and_sheet(tmp_path: Path) -> None:
    stem = tmp_path / "exam"
    result = runner.invoke(app, ["quiz", "vgg16", "-n", "5", "--seed", "3", "-o", str(stem)])
    assert result.exit_code == 0, result.output
    md, key, sheet = (tmp_path / name for name in ("exam.md", "exam.key.yaml", "exam.sheet.yaml"))
    questions = md.read_text(encoding="utf-8")
    assert questions.startswith("# Quiz: VGG-16") and len(re.findall(r"^\d+\. ", questions, re.M)) == 5
    assert "cnncalc quiz vgg16 -n 5 --seed 3" in questions
    assert check_file(key).wrong == 0
    assert check_file(sheet).unanswered == 5
    blank = check_file(sheet, filling=True)
    assert blank.filled == 5 and blank.right == 0
    # the sheet filled in is the key
    filled = fill(blank, sheet, tmp_path / "filled.yaml")
    assert yaml.safe_load(filled.read_text(encoding="utf-8"))["answers"] == yaml.safe_load(
        key.read_text(encoding="utf-8"))["answers"]


def test_cli_single_and_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["quiz", "--single", "-n", "2", "--seed", "1", "-o", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert check_file(tmp_path / "s.key.yaml").wrong == 0
    result = runner.invoke(app, ["quiz", "vgg16", "--single"])
    assert isinstance(result.exception, CnnCalcError) and "not both" in str(result.exception)
    with pytest.raises(CnnCalcError, match="only"):
        network_quiz(Net.of(cnncalc.load("lenet5")), "lenet5", 200, 0)


# -- issue 13: quizzes worth setting ---------------------------------------------------------------------

NORM_OR_ACTIVATION = {"bn", "relu", "relu6", "layernorm", "groupnorm", "lrn", "dropout", "prelu", "sigmoid"}


def test_resnet50_questions_are_not_mostly_about_batch_norm() -> None:
    net = Net.of(cnncalc.load("resnet50"))
    types = {row.name: row.type for row in net.report.layers}
    for seed in range(10):
        quiz = network_quiz(net, "resnet50", 10, seed)
        asked = [q.key.rpartition(".")[0] for q in quiz.problems[0].questions]
        assert len(asked) == 10
        about_norm = [a for a in asked if types.get(a) in NORM_OR_ACTIVATION]
        assert len(about_norm) <= 2, (seed, about_norm)  # at most one question in five


@pytest.mark.parametrize("network", ["alexnet_original", "vgg16", "resnet50", "squeezenet1_0"])
def test_no_question_gives_its_answer_away(network: str) -> None:
    net = Net.of(cnncalc.load(network))
    for seed in range(3):
        for q in network_quiz(net, network, 20, seed, "hwc").problems[0].questions:
            text = str(q.text)
            if isinstance(q.answer, tuple):
                shown = ["×".join(map(str, q.answer)), "×".join(map(str, (*q.answer[1:], q.answer[0])))]
                shown += [str(q.answer[0])] if len(q.answer) == 1 else []
            else:
                shown = [str(q.answer), f"{q.answer:,}"]
            for s in shown:
                assert not re.search(rf"(?<![\d.,×]){re.escape(s)}(?![\d.,×])", text), (q.key, text)


def test_alexnet_asks_for_the_last_map_not_a_reduction_factor() -> None:
    net = Net.of(cnncalc.load("alexnet_original"))
    keys = {q.key: q.answer for seed in range(10) for q in network_quiz(net, "alexnet_original", 12, seed)
            .problems[0].questions}
    assert not any(k.endswith(".jump") for k in keys)
    # 227 -> conv1 (227 − 11)/4 + 1 = 55 -> pool 27 -> pool 13 -> pool5 (13 − 3)/2 + 1 = 6: 256×6×6
    assert keys.get("pool5.output_shape") == (256, 6, 6)


@pytest.mark.parametrize("seed", range(6))
def test_single_receptive_fields_are_more_than_the_kernel(seed: int) -> None:
    for problem in single_quiz(12, seed).problems:
        for q in problem.questions:
            if q.key.endswith(".rf"):
                last = problem.source["layers"][-1]
                [(_, args)] = last.items()
                assert len(problem.source["layers"]) >= 2 and q.answer > args["kernel"], problem.intro


@pytest.mark.parametrize("n", [1, 5, 7, 19])
def test_exactly_n_questions(n: int, tmp_path: Path) -> None:
    result = runner.invoke(app, ["quiz", "--single", "-n", str(n), "--seed", "4", "-o", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^\d+\. ", md, re.M)) == n
    assert check_file(tmp_path / "s.key.yaml").right == n
    net = Net.of(cnncalc.load("vgg16"))
    assert network_quiz(net, "vgg16", n, 4).count == n


def test_key_and_sheet_in_the_questions_layout_and_in_russian(tmp_path: Path) -> None:
    result = runner.invoke(app, ["quiz", "--single", "-n", "6", "--seed", "1", "--layout", "hwc", "--lang", "ru",
                                 "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    key = yaml.safe_load((tmp_path / "r.key.yaml").read_text(encoding="utf-8"))
    assert key["layout"] == "hwc"
    problems = key.get("problems", [key])
    for problem in problems:
        assert isinstance(problem["input"], str) and problem["input"].count("x") == 2  # 27x27x3, as asked
        for k, v in problem["answers"].items():
            if k.endswith("output_shape"):
                assert isinstance(v, str) and "x" in v
    assert check_file(tmp_path / "r.key.yaml").right == 6
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.startswith("# Контрольная: слой за слоем") and "Запишите его как H×W×C" in md
    assert "Сколько" in md and "(H×W×C)" in md
