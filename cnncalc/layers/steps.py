"""Worked formulas: the working behind a layer's numbers, with the numbers substituted.

A `Step` is one line a student would write: ``H_out = ⌊(32 + 2·2 − 5) / 1⌋ + 1 = 32``
or ``params = 5·5·3·10 + 10 = 760``. Layers build their steps in their own
modules (`Layer.steps` and the ``*_steps`` hooks in `base.py`); this module holds
the dataclass and the text of the formulas they share: sliding-window sizes per
axis (with the plain-language sentence when a window does not tile its input),
the receptive-field recurrence ``r' = r + (k_eff − 1)·j``, ``j' = j·s``, and
numbers as people write them.

It imports nothing from `base` (which imports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cnncalc.layers.rf import RF

Value = int | float | str | bool | tuple[int | float, ...]

# The quantity a step supports, as the answer keys of `cnncalc check` name them.
QUANTITIES = ("output_shape", "params", "buffers", "macs", "flops", "rf", "jump")


@dataclass(frozen=True)
class Step:
    """One worked formula: the `quantity` it computes, the formula ending in ``= value``, a remark."""

    quantity: str
    formula: str
    value: Value
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"quantity": self.quantity, "formula": self.formula, "value": value, "note": self.note}


# -- numbers as people write them ------------------------------------------------------------


def num(value: int | float | Fraction) -> str:
    """An integer with thousands separators; other numbers to at most 2 decimals.

    >>> num(37752832), num(Fraction(7, 3)), num(3.5), num(Fraction(4, 2))
    ('37,752,832', '2.33', '3.5', '2')
    """
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def plural(count: int, word: str) -> str:
    """``1 bias``, ``10 biases``, ``1,000 filters``."""
    if count == 1:
        return f"1 {word}"
    return f"{num(count)} {word}{'es' if word.endswith('s') else 's'}"


def product(factors: Sequence[int | str]) -> str:
    """``5·5·3``: factors as written in the notes."""
    return "·".join(str(f) for f in factors)


def dims(values: Sequence[int]) -> str:
    return "×".join(str(v) for v in values)


def field_value(rf: RF) -> Value:
    """The RF size as an answer: one int when every axis agrees, a tuple otherwise, 'global' when whole."""
    if rf.whole:
        return "global"
    sizes = rf.size_ints()
    return sizes[0] if len(set(sizes)) == 1 else sizes


def jump_value(rf: RF) -> Value:
    if rf.whole:
        return "global"
    jumps = rf.jump_ints()
    return jumps[0] if len(set(jumps)) == 1 else jumps


AXES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}
UNITS = {"L": "element", "D": "slice", "H": "row", "W": "column"}


def _axis_groups(rank: int, keys: Sequence[Any]) -> list[tuple[str, ...]]:
    """Axes with identical inputs to a formula, grouped so that one line serves them (H = W)."""
    groups: dict[Any, list[str]] = {}
    for axis, key in zip(AXES[rank], keys, strict=True):
        groups.setdefault(key, []).append(axis)
    return [tuple(g) for g in groups.values()]


def _ignored(axes: Sequence[str], count: int) -> str:
    units = " and ".join(UNITS[a] + ("s" if count > 1 else "") for a in axes)
    return f"the last {units}" if count == 1 else f"the last {count} {units}"


# -- sliding windows ---------------------------------------------------------------------------


def window_steps(
    shape: Sequence[int],
    out: Sequence[int],
    kernel: Sequence[int],
    stride: Sequence[int],
    pads: Sequence[tuple[int, int]],
    dilation: Sequence[int],
    ceil: bool,
    noun: str,
) -> list[Step]:
    """Output size per spatial axis: ``⌊(n + p_lo + p_hi − k_eff) / s⌋ + 1`` (⌈·⌉ with ceil_mode)."""
    spatial = shape[1:]
    rank = len(spatial)
    keys = list(zip(spatial, kernel, stride, pads, dilation, out[1:], strict=True))
    index = {a: i for i, a in enumerate(AXES[rank])}
    result = []
    for axes in _axis_groups(rank, keys):
        n, k, s, (lo, hi), d, size = keys[index[axes[0]]]
        k_eff = d * (k - 1) + 1
        pad = f" + 2·{lo}" if lo == hi and lo else f" + {lo} + {hi}" if lo or hi else ""
        span = f"{n}{pad} − {k_eff}"
        left, right = ("⌈", "⌉") if ceil else ("⌊", "⌋")
        names = " = ".join(f"{a}_out" for a in axes)
        notes = [f"dilated kernel: k_eff = d·(k − 1) + 1 = {d}·({k} − 1) + 1 = {k_eff}"] if d > 1 else []
        extent = n + lo + hi - k_eff
        if extent % s:
            padded = f" padded by {lo}" if lo == hi and lo else f" padded by {lo} and {hi}" if lo or hi else ""
            where = (f"({span}) / {s} + 1 = {num(Fraction(extent, s) + 1)}: the {dims(kernel)} {noun} does not "
                     f"tile a {dims(spatial)} input{padded} with stride {s}; ")
            if ceil:
                rounded = -(-extent // s) + 1
                where += f"PyTorch rounds this up to {rounded} (ceil_mode): the last window hangs over the edge"
                if rounded != size:
                    where += f", and one that would start in the padding is dropped, giving {size}"
            else:
                where += f"PyTorch floors this to {size} and ignores {_ignored(axes, extent % s)}"
            notes.append(where)
        formula = f"{names} = {left}({span}) / {s}{right} + 1 = {size}"
        result.append(Step("output_shape", formula, size, "; ".join(notes)))
    return result


def transposed_steps(shape: Sequence[int], out: Sequence[int], kernel: Sequence[int], stride: Sequence[int],
                     pad: Sequence[int], out_pad: Sequence[int], dilation: Sequence[int]) -> list[Step]:
    """Output size per axis of a transposed convolution: ``(n − 1)·s − 2·p + d·(k − 1) + output_padding + 1``."""
    rank = len(shape) - 1
    keys = list(zip(shape[1:], kernel, stride, pad, out_pad, dilation, out[1:], strict=True))
    index = {a: i for i, a in enumerate(AXES[rank])}
    result = []
    for axes in _axis_groups(rank, keys):
        n, k, s, p, op, d, size = keys[index[axes[0]]]
        names = " = ".join(f"{a}_out" for a in axes)
        formula = f"{names} = ({n} − 1)·{s} − 2·{p} + {d}·({k} − 1) + {op} + 1 = {size}"
        result.append(Step("output_shape", formula, size, "(n − 1)·s − 2·p + d·(k − 1) + output_padding + 1"))
    return result


def window_field_steps(before: RF, after: RF, kernel: Sequence[int], stride: Sequence[int],
                       dilation: Sequence[int]) -> list[Step]:
    """The recurrence per axis: ``r' = r + (k_eff − 1)·j`` and ``j' = j·s``."""
    if before.whole:
        return [Step("rf", "RF = the whole input (already before this layer)", "global")]
    rank = before.rank
    keys = list(zip(before.size, before.jump, kernel, stride, dilation, after.size, after.jump, strict=True))
    index = {a: i for i, a in enumerate(AXES[rank])}
    result = []
    for axes in _axis_groups(rank, keys):
        r, j, k, s, d, r_out, j_out = keys[index[axes[0]]]
        suffix = "" if len(axes) == rank else "_" + "".join(axes)
        if d > 1:
            k_eff = d * (k - 1) + 1
            rf = f"r + (k_eff − 1)·j = {num(r)} + ({k_eff} − 1)·{num(j)} = {num(r_out)}"
            note = f"k_eff = d·(k − 1) + 1 = {k_eff}"
        else:
            rf = f"r + (k − 1)·j = {num(r)} + ({k} − 1)·{num(j)} = {num(r_out)}"
            note = "each output sees k inputs, j input pixels apart"
        result.append(Step("rf", f"RF{suffix} = {rf}", _whole_or(r_out), note))
        result.append(Step("jump", f"jump{suffix} = j·s = {num(j)}·{s} = {num(j_out)}", _whole_or(j_out),
                           "the distance in input pixels between neighbouring outputs"))
    return result


def _whole_or(value: int | float | Fraction) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# -- weights and multiply-accumulates -----------------------------------------------------------


def filter_params(kernel: Sequence[int], channels: int, groups: int, filters: int, biases: int) -> Step:
    """``params = k_h·k_w·C_in·out + out``: per filter k_h·k_w·(C_in/groups) weights (+1 bias)."""
    seen = channels // groups
    per_filter = _prod([*kernel, seen])
    weights = per_filter * filters
    channel_text: int | str = channels if groups == 1 else f"({channels}/{groups})"
    formula = f"params = {product([*kernel, channel_text, filters])}" + (f" + {biases}" if biases else "")
    note = (f"groups = {groups}: each filter sees {channels}/{groups} = {seen} input channels; " if groups > 1
            else "")
    note += (f"{product([*kernel, seen])} = {num(per_filter)} weights per filter{' + 1 bias' if biases else ''}"
             f", {plural(filters, 'filter')}: {plural(weights, 'weight')} + {plural(biases, 'bias')}")
    return Step("params", f"{formula} = {num(weights + biases)}", weights + biases, note)


def dense_params(shape: Sequence[int], outputs: int, biases: int) -> Step:
    """``params = in·out + out`` on the flattened input."""
    inputs = _prod(shape)
    in_text = f"({product(shape)})" if len(shape) > 1 else str(inputs)
    formula = f"params = {in_text}·{outputs}" + (f" + {biases}" if biases else "")
    note = (f"{plural(inputs, 'input')} × {plural(outputs, 'output')} = {plural(inputs * outputs, 'weight')}"
            f" + {plural(biases, 'bias')}")
    return Step("params", f"{formula} = {num(inputs * outputs + biases)}", inputs * outputs + biases, note)


def weights_step(factors: Sequence[int | str], params: int, biases: int, note: str) -> Step:
    """``params = factors + biases``, the factors' product being the weights."""
    formula = f"params = {product(factors)}" + (f" + {biases}" if biases else "")
    return Step("params", f"{formula} = {num(params)}", params, note)


def macs_step(outer: Sequence[int | str], inner: Sequence[int | str], value: int, note: str) -> Step:
    """``MACs = (outer)·(inner)``: e.g. output elements × multiply-accumulates per output element."""
    return Step("macs", f"MACs = ({product(outer)})·({product(inner)}) = {num(value)}", value, note)


def _prod(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


# -- generic steps (the defaults of `Layer`) ---------------------------------------------------


def unchanged_shape(shape: Sequence[int]) -> Step:
    return Step("output_shape", f"output = input = {dims(shape)} (the shape is unchanged)", tuple(shape))


def counted(quantity: str, label: str, value: int, note: str) -> Step:
    return Step(quantity, f"{label} = {num(value)}", value, note)


def flops_step(macs: int, extra: int, rule: str) -> Step:
    """``FLOPs = 2·MACs + other``, `rule` saying what the other arithmetic is."""
    total = 2 * macs + extra
    if macs:
        return Step("flops", f"FLOPs = 2·MACs + other = 2·{num(macs)} + {num(extra)} = {num(total)}", total,
                    f"a multiply-accumulate is 2 FLOPs; other: {rule[:1].lower() + rule[1:]}")
    return Step("flops", f"FLOPs = {num(total)}", total, rule)


def passed_field(fields: Sequence[RF], after: RF) -> list[Step]:
    """The field of a layer that does not widen it: passed through, merged, or the whole input."""
    if after.whole:
        already = all(f.whole for f in fields)
        return [Step("rf", "RF = the whole input", "global",
                     "already before this layer" if already else "every output sees every input element")]
    how = "union of the inputs' fields" if len(fields) > 1 else "unchanged: each output sees what its input sees"
    size, jump = field_value(after), jump_value(after)
    return [Step("rf", f"RF = {_text(size)}", size, how), Step("jump", f"jump = {_text(jump)}", jump, how)]


def _text(value: Value) -> str:
    return dims(value) if isinstance(value, tuple) else str(value)  # type: ignore[arg-type]


__all__ = [
    "QUANTITIES", "Step", "Value", "dense_params", "dims", "field_value", "filter_params", "jump_value",
    "macs_step", "num", "product", "window_steps",
]
