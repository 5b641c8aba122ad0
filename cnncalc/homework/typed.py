"""Numbers and shapes as students type them, in English or Russian.

Shapes: ``55x55x96``, ``55×55×96``, ``55X55X96``, ``55х55х96`` (Cyrillic х or Х),
``55*55*96``, ``[96, 55, 55]``. Numbers: ``34944``, ``34,944``, ``34 944`` (a
space, a non-breaking or a thin space), ``1.2e6``; a comma followed by exactly
three digits groups thousands, any other comma is a decimal comma (``2,4M``,
``34,9K``); scales K, M, G (B for billions), T and тыс., млн, млрд, трлн; memory
sizes B, KB/MB/GB (powers of 1000) and KiB/MiB/GiB (powers of 1024), also written
КБ, МБ, ГБ, КиБ, МиБ, ГиБ, байт. ``~`` or ``≈`` makes an answer approximate to the
last digit written, ``± 1%`` or ``± 0.1M`` gives a tolerance.

>>> read_number("34 944").value, read_number("~2,4M").value, read_number("35 тыс.").value
(Fraction(34944, 1), Fraction(2400000, 1), Fraction(35000, 1))
>>> read_number("~4.8MiB", memory=True).unit, read_shape("55х55х96")
('MiB', (55, 55, 96))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from cnncalc.layers.text import Msg

SPACES = str.maketrans({c: " " for c in "\u00a0\u202f\u2009\u2007\u2008\u200a\u205f\u3000\t"})
TIMES = "xX×*хХ"  # Latin x and X, the multiplication sign, the asterisk, Cyrillic х and Х
SCALES = {"": 1, "K": 10**3, "k": 10**3, "К": 10**3, "к": 10**3, "M": 10**6, "М": 10**6, "G": 10**9, "B": 10**9,
          "T": 10**12, "тыс": 10**3, "млн": 10**6, "млрд": 10**9, "трлн": 10**12}
# memory units: name as written -> (canonical name, bytes)
MEMORY = {"B": ("B", 1), "Б": ("B", 1), "байт": ("B", 1), "байта": ("B", 1), "байтов": ("B", 1), "bytes": ("B", 1),
          "KB": ("KB", 10**3), "MB": ("MB", 10**6), "GB": ("GB", 10**9),
          "KiB": ("KiB", 2**10), "MiB": ("MiB", 2**20), "GiB": ("GiB", 2**30)}
_RU = {"К": "K", "к": "K", "М": "M", "м": "M", "Г": "G", "г": "G", "Б": "B", "б": "B", "и": "i"}

_NUMBER = r"[+\-−]?(?:[1-9]\d{0,2}(?:[ ,]\d{3})+(?!\d)|\d+)(?:[.,]\d+)?(?:[eE][+\-−]?\d+)?|[+\-−]?[.,]\d+"
_SCALE = r"тыс\.?|млн\.?|млрд\.?|трлн\.?|[KkКкMМGBT]"
_MEMORY = r"байт(?:ов|а)?|bytes|[KkКкMМмGГг][iи]?[BБбb]|[BБ]"
_ANSWER = re.compile(
    rf"^(?P<approx>[~≈])?\s*(?P<num>{_NUMBER})\s*(?:(?P<mem>{_MEMORY})|(?P<scale>{_SCALE}))?"
    rf"(?:\s*(?:±|\+/-|\+-)\s*(?P<tol>{_NUMBER})\s*(?:(?P<tmem>{_MEMORY})|(?P<tunit>%|{_SCALE}))?)?$"
)
_SHAPE = re.compile(rf"^[\[(]?\s*\d+(?:\s*[{TIMES},]\s*\d+)*\s*[\])]?$")


@dataclass(frozen=True)
class Reading:
    """A number as written: its value, the tolerance, and the unit (a memory unit, or '')."""

    value: Fraction
    tolerance: Fraction = Fraction(0)  # absolute, from ``±``; 0 is exact
    step: Fraction | None = None  # with ``~``: one unit of the last digit written
    last_digit: Fraction = Fraction(1)  # one unit of the last digit written, with or without ``~``
    unit: str = ""  # B, KB, MB, GB, KiB, MiB or GiB when a memory unit was written


class Unreadable(ValueError):
    """An answer that cannot be read; `reason` says why (a message shown beside its ✗)."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.render())
        self.reason = reason


def clean(text: str) -> str:
    """Every kind of space as a plain one, trimmed."""
    return text.translate(SPACES).strip()


def looks_like_shape(text: str) -> bool:
    return _SHAPE.match(clean(text)) is not None and any(c in clean(text) for c in TIMES + ",[(")


def read_shape(text: str) -> tuple[int, ...]:
    """``55х55х96`` -> (55, 55, 96); raises `Unreadable`."""
    text = clean(text)
    if not _SHAPE.match(text):
        raise Unreadable(Msg("cannot read {text!r} as a shape; write e.g. 55x55x96 or [96, 55, 55]", text=text))
    parts = re.split(rf"\s*[{TIMES},]\s*", text.strip("[]()").strip())
    if any(len(p) > MAX_DIGITS for p in parts):
        raise Unreadable(Msg("{text!r} has a size of more than {n} digits", text=text[:40] + "…", n=MAX_DIGITS))
    return tuple(int(p) for p in parts)


def _canonical(number: str) -> str:
    """Thousands separators out, the decimal comma a point, the minus sign ASCII."""
    number = number.replace("−", "-")
    grouped = re.fullmatch(r"([+-]?[1-9]\d{0,2})((?:[ ,]\d{3})+)(.*)", number)
    if grouped and not re.match(r"\d", grouped.group(3)):
        number = grouped.group(1) + re.sub(r"[ ,]", "", grouped.group(2)) + grouped.group(3)
    return number.replace(",", ".")


def _memory_unit(text: str) -> tuple[str, int]:
    if text in MEMORY:
        return MEMORY[text]
    latin = "".join(_RU.get(c, c) for c in text)
    latin = latin[0].upper() + latin[1:-1] + "B"
    return MEMORY[latin]


def _unit(text: str, mem: str | None, scale: str | None, memory: bool) -> tuple[str, int]:
    """The unit written and its size: a memory unit (`memory`), or a scale (B is a billion for counts)."""
    if mem and memory:
        return _memory_unit(mem)
    if mem and mem != "B":
        raise Unreadable(Msg("{text!r} is a memory size, and this answer is a count (memory sizes answer "
                             "param_bytes, activation_bytes ...)", text=text))
    return "", SCALES[(scale or mem or "").rstrip(".")]


def read_number(text: str, *, memory: bool = False) -> Reading:
    """A number as written (`memory`: memory units allowed, and B means bytes); raises `Unreadable`."""
    text = clean(text)
    match = _ANSWER.match(text)
    if match is None:
        raise Unreadable(Msg("cannot read {text!r} as a number; write e.g. 34944, 34 944, 37.75M, ~2,4M, "
                             "35 тыс. or 37.75M ± 1%", text=text))
    digits = _canonical(match["num"])
    _sensible(digits)
    unit, scale = _unit(text, match["mem"], match["scale"], memory)
    value = _decimal(digits) * scale
    last = _last_digit(digits) * scale
    tolerance, step = Fraction(0), None
    if match["tol"] is not None:
        amount = _decimal(_sensible(_canonical(match["tol"])))
        if match["tunit"] == "%":
            tolerance = abs(value) * amount / 100
        else:
            named = match["tmem"] or match["tunit"]
            tolerance = amount * (_unit(text, match["tmem"], match["tunit"], memory)[1] if named else scale)
    elif match["approx"]:
        step = last
    return Reading(value, tolerance, step, last, unit)


MAX_DIGITS = 100  # digits of an answer's number, and the largest power of ten of its exponent


def _sensible(digits: str) -> str:
    """`digits` if it has at most 100 digits and an exponent of at most 100 (``1e999999999`` would take
    minutes as an exact fraction); raises `Unreadable`."""
    mantissa, _, exponent = digits.lower().partition("e")
    if sum(c.isdigit() for c in mantissa) > MAX_DIGITS or (exponent and (len(exponent) > 4
                                                                       or abs(int(exponent)) > MAX_DIGITS)):
        raise Unreadable(Msg("{text!r} is too large a number to be an answer (at most {n} digits and an exponent "
                             "of at most {n})", text=digits[:40] + ("…" if len(digits) > 40 else ""), n=MAX_DIGITS))
    return digits


def _decimal(digits: str) -> Fraction:
    try:
        return Fraction(Decimal(digits))
    except (InvalidOperation, ValueError):
        raise Unreadable(Msg("cannot read the number {digits!r}", digits=digits)) from None


def _last_digit(digits: str) -> Fraction:
    """One unit of the last significant digit written: 0.72 -> 0.01, 150000000 -> 10000000, 1.5e6 -> 1e5.

    >>> _last_digit("0.72"), _last_digit("150000000"), _last_digit("1.5e6"), _last_digit("7")
    (Fraction(1, 100), Fraction(10000000, 1), Fraction(100000, 1), Fraction(1, 1))
    """
    mantissa, _, exponent = digits.lower().partition("e")
    mantissa = mantissa.lstrip("+-")
    if "." in mantissa:
        unit = Fraction(1, 10 ** len(mantissa.split(".")[1]))
    else:
        stripped = mantissa.rstrip("0")
        unit = Fraction(10 ** (len(mantissa) - len(stripped))) if stripped else Fraction(1)
    return unit * Fraction(10) ** int(exponent or 0)


def in_units(nbytes: int) -> dict[str, str]:
    """A byte count in the decimal and binary units: ``{"B": "4,993,696", "MB": "4.99", "MiB": "4.76"}``.

    >>> in_units(4993696)["MB"], in_units(4993696)["MiB"]
    ('4.99', '4.76')
    """
    result = {"B": f"{nbytes:,}"}
    for name, (_, size) in MEMORY.items():
        if name in ("KB", "MB", "GB", "KiB", "MiB", "GiB"):
            result[name] = f"{nbytes / size:.2f}"
    return result


__all__ = ["MEMORY", "Reading", "Unreadable", "clean", "in_units", "looks_like_shape", "read_number", "read_shape"]
