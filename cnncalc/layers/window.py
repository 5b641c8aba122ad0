"""Sliding windows (convolution and pooling): geometry per axis, output sizes as formulas.

`Window.geometry` resolves kernel, stride, padding and dilation to one value per
spatial axis for a given input; `sizes` turns each axis into the formula
``⌊(n + p_lo + p_hi − k_eff) / s⌋ + 1`` (⌈·⌉ with ceil_mode, minus the last
window when PyTorch drops one that would start in the padding), with the remark
a student needs when a window does not tile its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar

from cnncalc.errors import LayerError
from cnncalc.layers import shapes
from cnncalc.layers.args import IntOrTuple, Padding, pad_pairs, per_dim
from cnncalc.layers.base import Bound, Layer, Shape, fmt_shape, spatial_rank
from cnncalc.layers.formula import Ceil, Div, Floor, Formula, Mul, Num, Sub, Sum
from cnncalc.layers.steps import AXES, Worked, axis_groups
from cnncalc.layers.text import Msg, Noun, joined

UNITS = {"L": lambda n: Noun(n, "element", "elements"), "D": lambda n: Noun(n, "slice", "slices"),
         "H": lambda n: Noun(n, "row", "rows"), "W": lambda n: Noun(n, "column", "columns")}
# what the worked answer calls the kernel (``NOUN``), as messages to translate
NOUNS = {"filter": Msg("filter"), "window": Msg("window")}
# ``the last row``, ``the last row and column``, ``the last slice, row and column`` (one to three axes)
LISTS = (Msg("{a}"), Msg("{a} and {b}"), Msg("{a}, {b} and {c}"))


@dataclass(frozen=True)
class Geometry:
    """A window's arguments resolved per spatial axis for one input."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]  # (before, after) per axis
    dilation: tuple[int, ...]
    padding_word: str = ""  # 'same' or 'valid' when the padding was written as a word

    @property
    def leading(self) -> tuple[int, ...]:
        return tuple(lo for lo, _ in self.pads)

    @property
    def symmetric(self) -> bool:
        return all(lo == hi for lo, hi in self.pads)

    def describe(self) -> str:
        """As papers write it: ``3×3/2 p1`` (kernel/stride, padding, dilation); ``same`` as written."""
        text = dims(self.kernel) + ("" if set(self.stride) == {1} else "/" + _one(self.stride))
        if self.padding_word == "same":
            text += " same"
        elif any(p != (0, 0) for p in self.pads):
            text += " p" + (_one(self.leading) if self.symmetric else _compact(self.pads))
        return text + ("" if set(self.dilation) == {1} else " d" + _one(self.dilation))


def dims(values: Sequence[int]) -> str:
    """(3, 3) -> '3×3', as papers write kernels."""
    return "×".join(map(str, values))


def _one(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else _compact(values)


def _compact(value: object) -> str:
    if isinstance(value, tuple):
        return "(" + ",".join(_compact(v) for v in value) + ")"
    return str(value)


def need_spatial(kind: str, shape: Shape) -> int:
    rank = spatial_rank(shape)
    if not 1 <= rank <= 3:
        raise LayerError(
            f"{kind} needs a C×L, C×H×W or C×D×H×W input, received {fmt_shape(shape)}"
            + (" (a flattened vector: put it before flatten/linear)" if rank == 0 else "")
        )
    return rank


class Window(Layer):
    """Shared geometry of sliding-window layers (convolutions and pooling).

    Not a kind of its own (nor a dataclass): the kinds below it declare ``kernel``,
    ``stride``, ``padding`` and (when they have one) ``dilation`` arguments in the
    order they document them; ``NOUN`` is what the worked answer calls the kernel.
    """

    NOUN: ClassVar[str] = "window"

    kernel: IntOrTuple
    stride: IntOrTuple | None
    padding: Padding

    def rounds_up(self) -> bool:
        """Whether output sizes round up (pooling's ceil_mode); convolutions floor."""
        return False

    def geometry(self, shape: Shape) -> Geometry:
        """kernel, stride, (pad before, pad after) and dilation, one entry per spatial axis."""
        rank = need_spatial(self.KIND, shape)
        kernel = per_dim(self.kernel, rank, "kernel")
        stride = per_dim(self.stride if self.stride is not None else self.kernel, rank, "stride")
        dilation = per_dim(getattr(self, "dilation", 1), rank, "dilation")
        pads = pad_pairs(self.padding, rank)
        word = pads if isinstance(pads, str) else ""
        if pads == "valid":
            pads = ((0, 0),) * rank
        elif pads == "same":
            pads = tuple(shapes.same_padding(n, k, s, d) for n, k, s, d in zip(shape[1:], kernel, stride, dilation,
                                                                                 strict=True))
        assert not isinstance(pads, str)
        return Geometry(kernel, stride, pads, dilation, word)

    def sizes(self, shape: Shape, g: Geometry) -> tuple[list[Formula], list[Worked], bool]:
        """The output size of each spatial axis as a formula, the worked lines (one per group of
        axes with the same numbers) and whether every window tiles its input exactly."""
        spatial = shape[1:]
        rank = len(spatial)
        ceil = self.rounds_up()
        formulas: list[Formula] = []
        inner: list[Formula] = []  # the size before rounding: (n + p − k_eff) / s + 1
        k_effs: list[Formula | None] = []
        fits = True
        done: dict[tuple[int, ...], tuple[Formula, Formula, Formula | None]] = {}  # square kernels: one per size
        for n, k, s, (lo, hi), d in zip(spatial, g.kernel, g.stride, g.pads, g.dilation, strict=True):
            key = (n, k, s, lo, hi, d)
            if key not in done:
                done[key] = self._size(n, k, s, lo, hi, d, ceil, g)
            size, quotient, k_eff = done[key]
            fits = fits and not isinstance(quotient.value, Fraction)
            formulas.append(size)
            inner.append(Sum(quotient, 1))
            k_effs.append(k_eff)
        keys = list(zip(spatial, g.kernel, g.stride, g.pads, g.dilation, strict=True))
        lines = []
        for axes in axis_groups(rank, keys):
            a = axes[0]
            names = tuple(AXES[rank][b] for b in axes)
            notes: list[Msg] = []
            if k_effs[a] is not None:
                notes.append(Msg("dilated kernel: k_eff = d·(k − 1) + 1 = {f} = {f.shown}", f=k_effs[a]))
            if isinstance(inner[a].value, Fraction):
                notes.append(self._untiled(spatial, g, a, inner[a], formulas[a], names))
            lines.append(Worked("output_shape", " = ".join(f"{x}_out" for x in names), formulas[a], joined(notes)))
        return formulas, lines, fits

    def _size(self, n: int, k: int, s: int, lo: int, hi: int, d: int, ceil: bool,
              g: Geometry) -> tuple[Formula, Formula, Formula | None]:
        """One axis: its output size, the quotient before rounding, and the dilated kernel's formula."""
        k_eff = shapes.effective_kernel(k, d)
        if k_eff > n + lo + hi:
            raise LayerError(
                f"the {dims(g.kernel)} kernel" + (f" (dilated to {k_eff})" if d > 1 else "")
                + f" is larger than the padded input ({n} + {lo} + {hi} = {n + lo + hi}); "
                "use a smaller kernel, more padding, or a larger input")
        padded: Formula = Num(n)
        if lo == hi and lo:
            padded = Sum(Num(n), Mul(2, Num(lo)))
        elif lo or hi:
            padded = Sum(Num(n), Num(lo), Num(hi))
        quotient = Div(Sub(padded, Num(k_eff)), Num(s), spaced=True)
        size: Formula = Sum(Ceil(quotient) if ceil else Floor(quotient), 1)
        if ceil and (size.value - 1) * s >= n + lo:  # torch drops a last window starting in the padding
            size = Sub(size, 1)
        return size, quotient, Sum(Mul(Num(d, "d"), Sub(Num(k, "k"), 1)), 1) if d > 1 else None

    def _untiled(self, spatial: Sequence[int], g: Geometry, a: int, exact: Formula, size: Formula,
                 names: Sequence[str]) -> Msg:
        """Why the size was rounded: the window does not tile the padded input."""
        lo, hi = g.pads[a]
        s = g.stride[a]
        padded = (Msg(" padded by {lo}", lo=lo) if lo == hi and lo else Msg(" padded by {lo} and {hi}", lo=lo, hi=hi)
                  if lo or hi else "")
        where = Msg("{f} = {f.shown}: the {kernel} {noun} does not tile a {input} input{padded} with stride {s}; ",
                    f=exact, kernel=dims(g.kernel), noun=NOUNS.get(self.NOUN, self.NOUN), input=dims(spatial),
                    padded=padded, s=s)
        if self.rounds_up():
            rounded = Ceil(exact).value
            tail = Msg("PyTorch rounds this up to {rounded} (ceil_mode): the last window hangs over the edge",
                       rounded=rounded)
            if rounded != size.value:
                tail = Msg("{tail}, and one that would start in the padding is dropped, giving {size}", tail=tail,
                           size=size.value)
        else:
            count = (spatial[a] + lo + hi - shapes.effective_kernel(g.kernel[a], g.dilation[a])) % s
            words = {"abc"[k]: UNITS[x](count) for k, x in enumerate(names)}
            units = Msg(LISTS[len(names) - 1].text, **words)
            ignored = Msg("the last {units}", units=units) if count == 1 else \
                Msg("the last {count} {units}", count=count, units=units)
            tail = Msg("PyTorch floors this to {size} and ignores {ignored}", size=size.value, ignored=ignored)
        return Msg("{where}{tail}", where=where, tail=tail)

    def tiling_notes(self, shape: Shape, g: Geometry, fits: bool) -> tuple[Msg, ...]:
        """The table's remark when a window does not tile its input."""
        if fits:
            return ()
        how = Msg("rounded up (ceil_mode)") if self.rounds_up() else Msg("floored, the last row/column is ignored")
        return (Msg("{window} does not tile the {input} input evenly: output size {how}", window=g.describe(),
                    input=fmt_shape(shape[1:]), how=how),)

    def describe(self, bound: Bound) -> str:
        geometry: Geometry = bound.geometry
        return geometry.describe()


__all__ = ["Geometry", "Window", "dims", "need_spatial"]
