"""Answers as students type them (issue 13, "Answers as typed", "Units", "A blank sheet").

Every expected number is a hand calculation written beside it or a figure of the lecture notes.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.homework.answers import matches, parse
from cnncalc.homework.check import check_file, check_text
from cnncalc.homework.typed import Unreadable, read_number, read_shape

runner = CliRunner()
# AlexNet (original, 227×227): conv1 96 filters 11×11/4 -> (227 − 11)/4 + 1 = 55; 11·11·3·96 + 96 = 34,944
ALEXNET = "network: alexnet_original\nanswers:\n  {key}: {answer}\n"


@pytest.mark.parametrize("text", ["55x55x96", "55X55X96", "55×55×96", "55х55х96", "55Х55Х96", "55*55*96",
                                  "55 х 55 х 96", "[96, 55, 55]"])
def test_every_way_of_writing_a_shape(text: str) -> None:
    report = check_text(ALEXNET.format(key="conv1.output_shape", answer=text))
    assert (report.right, report.wrong) == (1, 0), report.results[0].reason


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("34944", 34944), ("34,944", 34944), ("34 944", 34944), ("34\u00a0944", 34944), ("34\u202f944", 34944),
        ("34\u2009944", 34944), ("1,234,567", 1234567), ("2,4", Fraction(12, 5)), ("34,9K", 34900),
        ("2,4M", 2400000), ("35 тыс.", 35000), ("35 тыс", 35000), ("2,4 млн", 2400000), ("1,5 млрд", 1500000000),
        ("0,720", Fraction(72, 100)), ("1 234,5", Fraction(2469, 2)), ("37.75M", 37750000), ("3.4e4", 34000),
    ],
)
def test_numbers_with_separators_decimal_commas_and_russian_scales(text: str, value: Fraction | int) -> None:
    assert read_number(text).value == value


@pytest.mark.parametrize(
    ("text", "quantity", "expected", "right"),
    [
        ("34 944", "params", 34944, True),  # conv1: 11·11·3·96 + 96
        ("34\u00a0944", "params", 34944, True),  # a non-breaking space, as a word processor types it
        ("~2,4M", "params", 2359808, True),  # notes 001: 3·3·512·512 + 512 ≈ 2,4M
        ("~34,9K", "params", 34944, True),
        ("~35 тыс.", "params", 34944, True),
        ("~60 тыс.", "params", 61706, True),  # LeNet-5 (zoo, modern full C3): 61,706 ≈ 60 тыс. truncated
        ("34,944", "params", 34944, True),  # a comma and three digits group thousands
        ("3,4", "params", 34944, False),  # a decimal comma: 3.4
    ],
)
def test_answers_as_russian_students_write_them(text: str, quantity: str, expected: int, right: bool) -> None:
    assert matches(parse(text, quantity), expected) is right


def test_memory_units_and_the_feedback_in_every_unit() -> None:
    # SqueezeNet 1.0: 1,248,424 parameters · 4 bytes = 4,993,696 B = 4.99 MB = 4.76 MiB (notes 000: "4.8MB")
    base = "network: squeezenet1_0\nanswers:\n  total.param_bytes: {}\n"
    assert check_text(base.format("~4.76MiB")).wrong == 0
    assert check_text(base.format("~4,99 МБ")).wrong == 0
    assert check_text(base.format("4993696 байт")).wrong == 0
    [wrong] = check_text(base.format("~4.8MB")).results
    assert wrong.correct is False and wrong.codes == ("decimal_binary_units",)
    assert "right in MiB" in str(wrong.mistake)
    [note] = wrong.notes
    assert str(note) == "the answer is in MB; 4,993,696 B = 4.99 MB = 4.76 MiB"


def test_dtype_in_an_answer_file() -> None:
    # fp16: 2 bytes per parameter; SqueezeNet 1.0: 1,248,424 · 2 = 2,496,848
    text = "network: squeezenet1_0\ndtype: fp16\nanswers:\n  total.param_bytes: 2496848\n"
    assert check_text(text).right == 1
    [result] = check_text(text.replace("2496848", "4993696")).results
    assert result.correct is False


def test_one_unreadable_answer_is_one_cross_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("network: alexnet_original\nanswers:\n  conv1.params: lots\n  conv1.output_shape: 55х55х96\n"
                    "  conv1.macs:\n  conv1.fits: maybe\n", encoding="utf-8")
    report = check_file(path)
    assert (report.right, report.wrong) == (1, 3)
    reasons = {r.key: str(r.reason) for r in report.results if r.reason}
    assert "cannot read 'lots' as a number" in reasons["conv1.params"]
    assert reasons["conv1.macs"].startswith("no answer written")  # not "cannot read 'None'"
    assert "true or false" in reasons["conv1.fits"]
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1  # a wrong answer, not a broken file
    assert "cannot read 'lots'" in result.output and "None" not in result.output


def test_an_exact_number_right_to_its_precision_suggests_the_tilde() -> None:
    # conv1 has 34,944 parameters; 3.4e4 is right to its two digits, but without ~ it means exactly 34,000
    [result] = check_text(ALEXNET.format(key="conv1.params", answer="3.4e4")).results
    assert result.correct is False and result.codes == ("approximate_without_tilde",)
    assert "write ~3.4e4" in str(result.mistake)


def test_a_blank_sheet_without_fill_is_unanswered(tmp_path: Path) -> None:
    path = tmp_path / "sheet.yaml"
    path.write_text(ALEXNET.format(key="conv1.params", answer="?") + "  fc6.params: ?\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "2 unanswered" in result.output
    assert "34,944" not in result.output and "37,752,832" not in result.output  # the key is not given away
    assert check_file(path).unanswered == 2
    filled = runner.invoke(app, ["check", str(path), "--fill", "-o", str(tmp_path / "key.yaml")])
    assert filled.exit_code == 0 and "2 filled in" in filled.output


def test_kernel_written_as_a_size_in_layer() -> None:
    # 3×3 kernel, 64 filters on 3×32×32: 3·3·3·64 + 64 = 1,792
    for size in ("3x3", "3×3", "3х3"):
        result = runner.invoke(app, ["layer", "conv", "out=64", f"kernel={size}", "--input", "3x32x32", "-f", "json"])
        assert result.exit_code == 0, result.output
        assert '"params": 1792' in result.output


def test_unreadable_texts() -> None:
    with pytest.raises(Unreadable):
        read_shape("55 by 55")
    with pytest.raises(Unreadable):
        read_number("4.8MB")  # a memory size is not a count
    assert read_number("4.8MB", memory=True).unit == "MB"


def test_shapes_and_compare_show_the_same_megabytes() -> None:
    # SqueezeNet 1.0: 1,248,424 parameters · 4 bytes = 4,993,696 B = 4.99 MB (decimal) = 4.76 MiB
    shapes = runner.invoke(app, ["shapes", "squeezenet1_0"]).output
    assert "params 4.76 MiB (4.99 MB)" in shapes
    compare = runner.invoke(app, ["compare", "squeezenet1_0", "alexnet"]).output
    assert "param MB" in compare and " 4.99 " in compare
