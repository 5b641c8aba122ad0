"""Hints about an answer's form and about sibling networks, beside the mistakes of `mistakes`.

Form: an exact number that is right to the precision written (``3.4e4`` for
34,944) needs a ``~``; a memory size right in MiB but written MB (or the other
way round) used the other unit. Siblings: a total equal, to the precision written,
to the same total of a sibling network of the zoo (``138M`` for VGG-19 is
VGG-16's count).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction

from cnncalc import zoo
from cnncalc.errors import CnnCalcError
from cnncalc.homework.answers import MEMORY, approximate, matches
from cnncalc.homework.mistakes import Candidate, Context, Rule
from cnncalc.homework.targets import Net, find, value
from cnncalc.homework.typed import MEMORY as UNITS
from cnncalc.layers.text import Msg

# a unit and the one of the other system with the same prefix
OTHER_UNIT = {"KB": "KiB", "MB": "MiB", "GB": "GiB", "KiB": "KB", "MiB": "MB", "GiB": "GB"}
SIBLING_QUANTITIES = ("params", "trainable_params", "macs", "flops", "depth", "param_bytes")


def _tilde(ctx: Context) -> Iterator[Candidate]:
    loose = approximate(ctx.given)
    if loose is not ctx.given and matches(loose, ctx.expected, ctx.layouts):
        yield ("approximate_without_tilde",
               Msg("{given} is right to the precision written, but an answer without ~ is read as exact; write "
                   "~{given} for an approximate answer", given=ctx.given.text), ctx.expected)


def _units(ctx: Context) -> Iterator[Candidate]:
    written = ctx.given.memory_unit
    if ctx.quantity not in MEMORY or written not in OTHER_UNIT or ctx.given.number is None:
        return
    other = OTHER_UNIT[written]
    ratio = Fraction(UNITS[other][1], UNITS[written][1])
    again = approximate(replace(ctx.given, number=ctx.given.number * ratio, last_digit=ctx.given.last_digit * ratio,
                                unit=None if ctx.given.unit is None else ctx.given.unit * ratio))
    if matches(again, ctx.expected, ctx.layouts):
        yield ("decimal_binary_units",
               Msg("the number is right in {other} ({other_size} bytes), but {written} means {size} bytes",
                   other=other, other_size=_power(other), written=written, size=_power(written)), ctx.expected)


def _power(unit: str) -> str:
    return {"K": "10³", "M": "10⁶", "G": "10⁹"}[unit[0]] if "i" not in unit else \
        {"K": "2¹⁰", "M": "2²⁰", "G": "2³⁰"}[unit[0]]


def siblings(name: str) -> list[str]:
    """The zoo networks of the same family as `name` (``vgg19`` -> vgg11 ... vgg19_bn), without it."""
    if name not in zoo.names():
        return []
    family = _family(name)
    return [n for n in zoo.names() if n != name and _family(n) == family]


def _family(name: str) -> str:
    """The letters before the first digit or underscore: vgg19 -> vgg, resnet50 -> resnet, resnext50_32x4d ->
    resnext."""
    return re.split(r"[\d_]", name, maxsplit=1)[0]


def _siblings(ctx: Context) -> Iterator[Candidate]:
    if not ctx.target.is_total or ctx.quantity not in SIBLING_QUANTITIES:
        return
    import cnncalc

    report = ctx.net.report
    for name in siblings(report.name):
        try:
            other = Net.of(cnncalc.load(name, input_shape=report.input_shape), dtype=report.dtype)
            count = value(other, find(other, ctx.target.key), ctx.quantity)
        except CnnCalcError:
            continue
        if isinstance(count, int):
            yield ("sibling_network",
                   Msg("that is {other}'s count ({count:,}); {this} has {right:,}", other=other.report.title,
                       count=count, this=report.title, right=ctx.expected), count)


FORM_RULES: tuple[Rule, ...] = (_tilde, _units)
LOOSE_RULES: tuple[Rule, ...] = (_siblings,)

__all__ = ["FORM_RULES", "LOOSE_RULES", "siblings"]
