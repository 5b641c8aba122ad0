"""Exact numbers and how the worked answers write them: ``37,752,832``, ``7/3``, ``−1/2``."""

from __future__ import annotations

from fractions import Fraction

Number = int | Fraction


def exact(value: Number | float) -> Number:
    """A Fraction with denominator 1 as an int; ints and other Fractions unchanged."""
    if type(value) is int:  # the common case, before Fraction's isinstance (an ABC's check, ten times slower)
        return value
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else value
    if isinstance(value, float):
        return exact(Fraction(value))
    return value


def num(value: Number | float) -> str:
    """A number as the tables write it: thousands separators; fractions to at most 2 decimals.

    >>> num(37752832), num(Fraction(7, 3)), num(3.5), num(Fraction(4, 2))
    ('37,752,832', '2.33', '3.5', '2')
    """
    value = exact(value) if isinstance(value, Fraction | float) else value
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def exact_text(value: Number) -> str:
    """A value written exactly: ``1,024``, ``7/3``, ``−3`` (used at the end of a worked line)."""
    value = exact(value)
    if isinstance(value, Fraction):
        sign = "−" if value < 0 else ""
        return f"{sign}{abs(value.numerator)}/{value.denominator}"
    return f"{value:,}".replace("-", "−")


__all__ = ["Number", "exact", "exact_text", "num"]
