"""Formula values (cnncalc/layers/formula.py): one tree gives the number, its text and its symbols."""

from __future__ import annotations

from fractions import Fraction

import pytest

from cnncalc.layers.formula import Ceil, Div, Floor, Group, Max, Min, Mul, Num, Pow, Ref, Sub, Sum, exact_text, num


@pytest.mark.parametrize(
    ("formula", "value", "text"),
    [
        # the notes' output size: ⌊(32 + 2·2 − 5)/1⌋ + 1 = 32
        (Sum(Floor(Div(Sub(Sum(32, Mul(2, 2)), 5), 1, spaced=True)), 1), 32, "⌊(32 + 2·2 − 5) / 1⌋ + 1"),
        # ceil_mode on 54: ⌈51/2⌉ + 1 = 27
        (Sum(Ceil(Div(Sub(54, 3), 2, spaced=True)), 1), 27, "⌈(54 − 3) / 2⌉ + 1"),
        # a quotient among factors is bracketed: 5·5·(96/2)·256 = 307,200
        (Mul(5, 5, Div(96, 2), 256), 307_200, "5·5·(96/2)·256"),
        # groups kept apart: (10·32·32)·(5·5·3) = 768,000
        (Mul(Group(Mul(10, 32, 32)), Group(Mul(5, 5, 3))), 768_000, "(10·32·32)·(5·5·3)"),
        # a right operand of − in brackets: 10 − (3 − 1) = 8
        (Sub(10, Sub(3, 1)), 8, "10 − (3 − 1)"),
        # an uneven quotient stays exact: 7/3
        (Div(7, 3), Fraction(7, 3), "7/3"),
        (Mul(Num(Fraction(1, 2)), 4), 2, "(1/2)·4"),
        (Sum(Pow(6, 2), Pow(3, 2)), 45, "6² + 3²"),
        (Sum(Max(11, 19), Min(-3, 2)), 16, "max(11, 19) + min(−3, 2)"),
        (Sum(Mul(2, Ref(Num(768_000))), Ref(Num(10_240))), 1_546_240, "2·768,000 + 10,240"),
    ],
)
def test_value_and_text(formula: object, value: int | Fraction, text: str) -> None:
    assert formula.value == value  # type: ignore[attr-defined]
    assert formula.text() == text  # type: ignore[attr-defined]


def test_symbols_name_the_leaves() -> None:
    # the receptive-field recurrence: r + (k − 1)·j with r = 19, k = 5, j = 8: 51
    rf = Sum(Num(19, "r"), Mul(Sub(Num(5, "k"), 1), Num(8, "j")))
    assert (rf.symbol(), rf.text(), rf.value) == ("r + (k − 1)·j", "19 + (5 − 1)·8", 51)
    flops = Sum(Mul(2, Ref(Num(36), "MACs")), Ref(Num(4), "other"))
    assert flops.symbol() == "2·MACs + other" and flops.value == 76


def test_numbers_as_written() -> None:
    assert num(37_752_832) == "37,752,832" and num(Fraction(7, 3)) == "2.33"
    assert exact_text(Fraction(-1, 2)) == "−1/2" and exact_text(1024) == "1,024"
    assert Num(25088).text() == "25088" and Num(25088, grouped=True).text() == "25,088"
