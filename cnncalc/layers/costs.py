"""FLOP rules beyond the multiply-accumulates: one rule per layer kind, declared as data.

Like fvcore's table of handlers (``elementwise_flop_counter(0, 4)``,
``norm_flop_counter(2)``): a rule is a small value with the sentence that explains
it (`FlopRule.doc`) and a function of the bound layer that returns the formula of
the extra FLOPs. Every kind declares one as ``FLOPS``; zero is a decision written
down (`free`), not a default, and a kind without a rule is an error. The README's
FLOP table is generated from these rules (`table`).

FLOPs = 2·MACs + the rule's count, per the README's conventions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cnncalc.layers.formula import Formula, Group, Mul, Num, Sub, product, total

if TYPE_CHECKING:
    from cnncalc.layers.base import Bound

Count = Callable[["Bound"], Formula]


@dataclass(frozen=True)
class FlopRule:
    """The extra FLOPs of a layer kind: `doc` says what is counted, `count` computes it."""

    doc: str
    count: Count

    def __call__(self, bound: Bound) -> Formula:
        return self.count(bound)


def _elements(shape: tuple[int, ...]) -> Formula:
    return product(shape) if shape else Num(1)


def free(reason: str) -> FlopRule:
    """No arithmetic at inference (`reason` says why: a reshape, a copy, a no-op)."""
    return FlopRule(f"0: {reason}", lambda b: Num(0))


def per_output(n: int, why: str = "") -> FlopRule:
    """`n` FLOPs per output element (activations 1, batch norm at inference 2, softmax 3)."""

    def count(b: Bound) -> Formula:
        elements = _elements(b.output)
        return elements if n == 1 else Mul(n, Group(elements))

    return FlopRule(f"{n} per output element" + (f" ({why})" if why else ""), count)


def per_input(n: int, why: str = "") -> FlopRule:
    """`n` FLOPs per element of the (first) input (global pooling: 1)."""

    def count(b: Bound) -> Formula:
        elements = _elements(b.inputs[0])
        return elements if n == 1 else Mul(n, Group(elements))

    return FlopRule(f"{n} per input element" + (f" ({why})" if why else ""), count)


def per_extra_input(n: int = 1) -> FlopRule:
    """`n` FLOPs per output element for every input beyond the first (add, mul)."""

    def count(b: Bound) -> Formula:
        extra = len(b.inputs) - 1
        factors: list[Formula | int] = [n] if n != 1 else []
        if extra != 1:
            factors.append(extra)
        return Mul(*factors, Group(_elements(b.output))) if factors else _elements(b.output)

    return FlopRule(f"{n} per output element per input beyond the first", count)


def bias_adds(flag: str = "bias") -> FlopRule:
    """One add per output element for the bias, when the layer's `flag` argument is on."""

    def count(b: Bound) -> Formula:
        return _elements(b.output) if getattr(b.layer, flag) else Num(0)

    return FlopRule("one add per output element for the bias", count)


def per_output_times(factor: Callable[[Any], Formula], doc: str) -> FlopRule:
    """A per-element count that depends on the layer's arguments (LRN: ``2·size + 3``)."""

    def count(b: Bound) -> Formula:
        return Mul(factor(b.layer), Group(_elements(b.output)))

    return FlopRule(doc, count)


def window(minus: int) -> FlopRule:
    """Pooling windows: ``∏k − minus`` per output element (max: ∏k − 1 comparisons; average: ∏k)."""

    def count(b: Bound) -> Formula:
        kernel = product(b.geometry.kernel)
        return Mul(Sub(kernel, minus) if minus else Group(kernel), Group(_elements(b.output)))

    what = "∏k − 1 comparisons per output element" if minus else "∏k per output element (∏k − 1 adds and a divide)"
    return FlopRule(what, count)


def custom(doc: str, count: Count) -> FlopRule:
    """A rule whose count is its own (adaptive bins, spatial pyramid levels)."""
    return FlopRule(doc, count)


def table(registry: dict[str, Any]) -> dict[str, str]:
    """Kind -> what its rule counts: the README's FLOP table, from the registered kinds."""
    return {kind: cls.FLOPS.doc for kind, cls in sorted(registry.items())}


__all__ = ["FlopRule", "bias_adds", "custom", "free", "per_extra_input", "per_input", "per_output",
           "per_output_times", "table", "total", "window"]
