"""The recurrences that grow a receptive field through a layer, as formulas.

A window with kernel k, dilation d, stride t and leading padding p maps (r, j, s)
to, with ``k_eff = d·(k−1)+1``::

    j' = j·t
    r' = r + (k_eff − 1)·j
    s' = s + ((k_eff − 1)/2 − p)·j

(the recurrence of Araujo et al., "Computing receptive fields of convolutional
neural networks", Distill 2019, as in google-research's receptive_field). Each
function here returns a `Field`: the new `RF` and the worked lines whose formulas
computed it, so the numbers and their explanation are one thing. Values are
exact: ints, and Fractions once a transposed convolution or uneven adaptive bins
divide the jump. Each sets the new field's `RF.status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from cnncalc.layers import shapes
from cnncalc.layers.formula import Ceil, Div, Floor, Formula, Max, Min, Mul, Num, Number, Sub, Sum, exact, exact_text
from cnncalc.layers.rf import RF, Field, field_value, jump_value
from cnncalc.layers.steps import AXES, Value, Worked, axis_groups
from cnncalc.layers.text import Msg


def _text(value: Value) -> str:
    return "×".join(map(str, value)) if isinstance(value, tuple) else str(value)


def _jump_text(rf: RF) -> str:
    """The jump as the worked answer writes it: exact (``16/3``), one value when the axes agree."""
    texts = [exact_text(v) for v in rf.jump]
    return texts[0] if len(set(texts)) == 1 else "×".join(texts)


def _suffix(rank: int, axes: Sequence[int]) -> str:
    return "" if len(axes) == rank else "_" + "".join(AXES[rank][a] for a in axes)


ALREADY_WHOLE = Field(RF.whole_input(), (Worked("rf", "RF", value="global",
                                                shown="the whole input (already before this layer)"),))
JUMP_NOTE = Msg("the distance in input pixels between neighbouring outputs")
START_NOTE = Msg("the centre of the first output's field, in input pixels")


# -- windows ------------------------------------------------------------------------------------


def window(before: RF, kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
           dilation: Sequence[int]) -> Field:
    """The field after a sliding window (convolution or pooling): the recurrence above, per axis.

    >>> f = window(window(RF.of_input(2), (3, 3), (1, 1), (1, 1), (1, 1)).rf, (3, 3), (1, 1), (1, 1), (1, 1))
    >>> f.rf.size_ints(), f.rf.jump_ints(), [s.step().formula for s in f.worked[:2]]
    ((5, 5), (1, 1), ['RF = r + (k − 1)·j = 3 + (3 − 1)·1 = 5', 'jump = j·s = 1·1 = 1'])
    """
    if before.whole:
        return ALREADY_WHOLE
    rank = before.rank
    slack = before.slack or (0,) * rank
    sizes, jumps, starts, lines = [], [], [], []
    keys = list(zip(before.size, before.jump, before.start, kernel, stride, padding, dilation, slack, strict=True))
    formulas: dict[int, tuple[Formula, Formula, Formula, Formula | None]] = {}
    done: dict[tuple[Number, ...], tuple[Formula, Formula, Formula, Formula | None]] = {}  # axes alike: once
    for axis, key in enumerate(keys):
        if key not in done:
            done[key] = _window_axis(*key)
        size, jump, start, k_eff = formulas[axis] = done[key]
        sizes.append(size.value)
        jumps.append(jump.value)
        starts.append(start.value)
    widened = any(d * (k - 1) for k, d in zip(kernel, dilation, strict=True))
    new_slack = tuple(0 if d * (k - 1) else e for e, k, d in zip(slack, kernel, dilation, strict=True))
    status = before.status
    if status == "loose" and widened:
        status = "approximate"
    rf = RF(tuple(sizes), tuple(jumps), tuple(starts), slack=new_slack if any(new_slack) else (), status=status)
    for axes in axis_groups(rank, keys):
        size, jump, start, k_eff = formulas[axes[0]]
        suffix = _suffix(rank, axes)
        note = (Msg("k_eff = d·(k − 1) + 1 = {f} = {f.shown}", f=k_eff) if k_eff is not None
                else Msg("each output sees k inputs, j input pixels apart"))
        if isinstance(size, Sum) and isinstance(size.terms[-1], Num) and size.terms[-1].name == "slack":
            note = Msg("{note}; + slack: after a transposed convolution the units are unevenly spaced, so a "
                       "window over them may reach one input jump further", note=note)
        lines += [Worked("rf", f"RF{suffix}", size, note, symbolic=True),
                  Worked("jump", f"jump{suffix}", jump, JUMP_NOTE, symbolic=True),
                  Worked("start", f"start{suffix}", start, START_NOTE, symbolic=True)]
    return Field(rf, tuple(lines))


def _window_axis(r: Number, j: Number, s: Number, k: int, t: int, p: int, d: int,
                 extra: Number) -> tuple[Formula, Formula, Formula, Formula | None]:
    """One axis of `window`: the new field's size, jump and start, and the dilated kernel's formula."""
    k_eff: Formula | None = None
    if d > 1:
        k_eff = Sum(Mul(Num(d, "d"), Sub(Num(k, "k"), 1)), 1)
        reach = Num(k_eff.value, "k_eff")
    else:
        reach = Num(k, "k")
    size: Formula = Sum(Num(r, "r"), Mul(Sub(reach, 1), Num(j, "j")))
    if extra and d * (k - 1):  # a window of one unit does not reach across uneven spacing: the slack waits
        size = Sum(size, Num(extra, "slack"))
    jump: Formula = Mul(Num(j, "j"), Num(t, "s"))
    start: Formula = Sum(Num(s, "s"), Mul(Sub(Div(Sub(reach, 1), 2), Num(p, "p")), Num(j, "j")))
    return size, jump, start, k_eff


def transposed(before: RF, kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
               dilation: Sequence[int]) -> Field:
    """The field after a transposed convolution (the largest over output positions: ``bound``).

    An output unit is fed by at most ``⌈k_eff/t⌉`` input units, one input jump apart, so
    the field grows by ``(⌈k_eff/t⌉ − 1)·j`` and the jump shrinks to ``j/t``. The first
    output unit is fed by the inputs i with ``lo = max(0, −⌊(k_eff − 1 − p)/t⌋) ≤ i ≤
    hi = ⌊p/t⌋``; its centre is theirs. Consecutive outputs map to inputs ``⌊o/t⌋`` apart
    on average: the next window may reach one jump further (`RF.slack`).
    """
    if before.whole:
        return ALREADY_WHOLE
    rank = before.rank
    old_slack = before.slack or (0,) * rank
    keys = list(zip(before.size, before.jump, before.start, kernel, stride, padding, dilation, old_slack,
                    strict=True))
    sizes, jumps, starts, slacks, lines = [], [], [], [], []
    formulas = {}
    for axis, (r, j, s, k, t, p, d, e) in enumerate(keys):
        k_eff = shapes.effective_kernel(k, d)
        size = Sum(Num(r, "r"), Mul(Sub(Ceil(Div(Num(k_eff, "k_eff"), Num(t, "s"))), 1), Num(j, "j")))
        jump = Div(Num(j, "j"), Num(t, "s"))
        lo = Max(0, Ceil(Div(Sub(Num(p), Num(k_eff - 1)), Num(t))))
        hi: Formula = Floor(Div(Num(p), Num(t)))
        if hi.value < lo.value:  # no input reaches the first output (padding larger than the kernel)
            lo = hi = Max(lo, hi)
        start = Sum(Num(s, "s"), Mul(Div(Sum(lo, hi), 2), Num(j, "j")))
        formulas[axis] = (size, jump, start)
        sizes.append(size.value)
        jumps.append(jump.value)
        starts.append(start.value)
        slacks.append(exact(Fraction(e) + Fraction(j) - Fraction(jump.value)))
    rf = RF(tuple(sizes), tuple(jumps), tuple(starts), slack=tuple(slacks) if any(slacks) else (),
            status="approximate" if before.status == "approximate" else "bound")
    for axes in axis_groups(rank, keys):
        size, jump, start = formulas[axes[0]]
        suffix = _suffix(rank, axes)
        lines += [Worked("rf", f"RF{suffix}", size, Msg("at most ⌈k_eff/s⌉ inputs feed one output: the largest "
                                                        "field over output positions"), symbolic=True),
                  Worked("jump", f"jump{suffix}", jump, JUMP_NOTE, symbolic=True),
                  Worked("start", f"start{suffix}", start, START_NOTE)]
    return Field(rf, tuple(lines))


def adaptive(before: RF, spatial: Sequence[int], outs: Sequence[int]) -> Field:
    """The field after adaptive pooling to `outs` (PyTorch's bins, `shapes.adaptive_bins`).

    Even bins (every ``n % o == 0``) are a window with kernel = stride = n/o. Otherwise
    the widest bin is the kernel and ``n/o`` (a fraction) the jump: the largest field
    over units (``loose``). One bin on every axis sees the whole input.
    """
    if all(o == 1 for o in outs):
        return whole([before])
    if before.whole:
        return ALREADY_WHOLE
    rank = before.rank
    keys = list(zip(before.size, before.jump, before.start, spatial, outs, strict=True))
    sizes, jumps, starts, lines = [], [], [], []
    formulas = {}
    for axis, (r, j, s, n, o) in enumerate(keys):
        lengths = [hi - lo for lo, hi in shapes.adaptive_bins(n, o)]
        widest = Max(*lengths) if len(set(lengths)) > 1 else Num(lengths[0], "bin")
        size = Sum(Num(r, "r"), Mul(Sub(widest, 1), Num(j, "j")))
        jump = Mul(Num(j, "j"), Div(Num(n, "n"), Num(o, "out")))
        start = Sum(Num(s, "s"), Mul(Div(Sub(Num(lengths[0]), 1), 2), Num(j, "j")))
        formulas[axis] = (size, jump, start)
        sizes.append(size.value)
        jumps.append(jump.value)
        starts.append(start.value)
    even = all(n % o == 0 for n, o in zip(spatial, outs, strict=True))
    widened = any(size > r for size, r in zip(sizes, before.size, strict=True))
    status = before.status
    if status != "exact" and widened:  # the spacing before is uneven, and no slack is carried through bins
        status = "approximate"
    elif not even and status == "exact":
        status = "loose"
    rf = RF(tuple(sizes), tuple(jumps), tuple(starts), status=status)
    note = Msg("bins of equal width: a window") if even else Msg("the widest bin: the largest field over units")
    for axes in axis_groups(rank, keys):
        size, jump, start = formulas[axes[0]]
        suffix = _suffix(rank, axes)
        lines += [Worked("rf", f"RF{suffix}", size, note, symbolic=True),
                  Worked("jump", f"jump{suffix}", jump, JUMP_NOTE, symbolic=True),
                  Worked("start", f"start{suffix}", start, START_NOTE)]
    return Field(rf, tuple(lines))


# -- layers that do not widen the field ------------------------------------------------------------


def whole(fields: Sequence[RF]) -> Field:
    """Units that see every input element (global pooling, flatten, linear)."""
    already = all(f.whole for f in fields)
    note = Msg("already before this layer") if already else Msg("every output sees every input element")
    return Field(RF.whole_input(), (Worked("rf", "RF", value="global", shown="the whole input", note=note),))


def passed(fields: Sequence[RF]) -> Field:
    """The field of an elementwise layer (its input's) or of a merge (the union of its inputs')."""
    if len(fields) > 1:
        return union(fields)
    rf = fields[0]
    if rf.whole:
        return whole(fields)
    note = Msg("unchanged: each output sees what its input sees")
    size, jump = field_value(rf), jump_value(rf)
    return Field(rf, (Worked("rf", "RF", value=size, shown=_text(size), note=note),
                      Worked("jump", "jump", value=jump, shown=_jump_text(rf), note=note)))


def union(fields: Sequence[RF]) -> Field:
    """The field of a merge: the union of its inputs' fields, per axis.

    Branches are expected to agree on the jump (as google-research's receptive_field
    checks); where they do not, the coarser jump is kept and the field is approximate.
    """
    if any(f.whole for f in fields):
        return whole(fields)
    first = fields[0]
    if all(f.size == first.size and f.start == first.start and f.jump == first.jump for f in fields):
        note = Msg("union of the inputs' fields, which coincide")
        sizes_shown, jumps_shown = field_value(first), jump_value(first)
        slack = tuple(max(f.slack[a] if f.slack else 0 for f in fields) for a in range(first.rank))
        return Field(RF(first.size, first.jump, first.start, slack=slack if any(slack) else (),
                        status=_union_status(fields, first)),
                     (Worked("rf", "RF", value=sizes_shown, shown=_text(sizes_shown), note=note),
                      Worked("jump", "jump", value=jumps_shown, shown=_jump_text(first), note=note)))
    rank = first.rank
    sizes, jumps, starts, lines = [], [], [], []
    formulas: dict[int, tuple[Formula, Formula, Formula]] = {}
    keys = [tuple((f.size[a], f.start[a], f.jump[a]) for f in fields) for a in range(rank)]
    done: dict[tuple[tuple[Number, Number, Number], ...], tuple[Formula, Formula, Formula]] = {}  # axes alike: once
    for axis, key in enumerate(keys):
        if key not in done:
            done[key] = _union_axis(key)
        size, jump, start = formulas[axis] = done[key]
        sizes.append(size.value)
        jumps.append(jump.value)
        starts.append(start.value)
    slack = tuple(max(f.slack[a] if f.slack else 0 for f in fields) for a in range(rank))
    rf = RF(tuple(sizes), tuple(jumps), tuple(starts), slack=slack if any(slack) else ())
    rf = RF(rf.size, rf.jump, rf.start, slack=rf.slack, status=_union_status(fields, rf))
    for axes in axis_groups(rank, keys):
        size, jump, start = formulas[axes[0]]
        suffix = _suffix(rank, axes)
        same_centre = not isinstance(size, Sum)
        note = Msg("union of the inputs' fields, centred alike: the largest") if same_centre \
            else Msg("union of the inputs' fields: from the lowest to the highest edge")
        lines += [Worked("rf", f"RF{suffix}", size, note),
                  Worked("jump", f"jump{suffix}", jump, Msg("the coarsest jump of the branches") if
                         jump.is_leaf is False else Msg("the branches' common jump")),
                  Worked("start", f"start{suffix}", start, START_NOTE)]
    return Field(rf, tuple(lines))


def _union_axis(key: Sequence[tuple[Number, Number, Number]]) -> tuple[Formula, Formula, Formula]:
    """One axis of `union`, from each input's (size, start, jump) on it: the size, jump and start."""
    his = [Sum(Num(s), Div(Sub(Num(r), 1), 2)) for r, s, _ in key]
    los = [Sub(Num(s), Div(Sub(Num(r), 1), 2)) for r, s, _ in key]
    if len({s for _, s, _ in key}) == 1:
        size: Formula = Max(*(Num(r) for r, _, _ in key))
    else:
        size = Sum(Sub(Max(*his), Min(*los)), 1)
    start: Formula = Div(Sum(Max(*his), Min(*los)), 2)
    jumps = [j for _, _, j in key]
    jump: Formula = Max(*(Num(j) for j in jumps)) if len(set(jumps)) > 1 else Num(jumps[0])
    return size, jump, start


def _union_status(fields: Sequence[RF], merged: RF) -> str:
    statuses = {f.status for f in fields}
    if "approximate" in statuses or len({f.jump for f in fields}) > 1:
        return "approximate"
    if "loose" in statuses and any(merged.size[a] > max(f.size[a] for f in fields) for a in range(merged.rank)):
        return "approximate"
    if "bound" in statuses:
        return "bound"
    return "loose" if "loose" in statuses else "exact"


def merged(fields: Sequence[RF]) -> RF:
    """The union of fields as a value alone (the totals' field of a layer without a grid)."""
    return union(fields).rf if len(fields) > 1 else fields[0]


__all__ = ["adaptive", "merged", "passed", "transposed", "union", "whole", "window"]
