"""The receptive-field recurrences, by hand (Araujo et al., Distill 2019)."""

from __future__ import annotations

from fractions import Fraction

from layer_helpers import through

import cnncalc
from cnncalc.layers import recurrence
from cnncalc.layers.rf import RF


def test_through_window() -> None:
    # 7x7/2 pad 3 (ResNet conv1): r = 1 + 6·1 = 7, j = 2, s = 0 + (3 - 3)·1 = 0
    rf = through(RF.of_input(2), (7, 7), (2, 2), (3, 3))
    assert rf.size_ints() == (7, 7) and rf.jump_ints() == (2, 2) and rf.as_dict()["start"] == [0.0, 0.0]
    # then 3x3/2 pad 1 max pool: r = 7 + 2·2 = 11, j = 4, s = 0 + (1 - 1)·2 = 0
    rf = through(rf, (3, 3), (2, 2), (1, 1))
    assert rf.size_ints() == (11, 11) and rf.jump_ints() == (4, 4)


def test_dilation() -> None:
    # 3x3 with dilation 2: k_eff = 2·(3 - 1) + 1 = 5
    assert through(RF.of_input(1), (3,), (1,), (0,), (2,)).size_ints() == (5,)


def test_union_of_offset_fields() -> None:
    # fields [0, 2] (size 3, centre 1) and [2, 6] (size 5, centre 4): union [0, 6], size 7, centre 3
    a = RF((3,), (1,), (1.0,))
    b = RF((5,), (1,), (4.0,))
    u = recurrence.merged([a, b])
    assert u.size_ints() == (7,) and u.as_dict()["start"] == [3.0]


def test_transposed_convolution_divides_the_jump() -> None:
    # after 4x4/2 (j = 2), a 2x2/2 transposed conv: each output is fed by ceil(2/2) = 1 input, j = 2/2 = 1
    rf = recurrence.transposed(through(RF.of_input(1), (4,), (2,), (0,)), (2,), (2,), (0,), (1,)).rf
    assert rf.size_ints() == (4,) and rf.jump == (1,) and rf.status == "bound"
    # a 3/2 transposed conv on j = 1: ceil(3/2) = 2 inputs per output, jump 1/2
    up = recurrence.transposed(RF.of_input(1), (3,), (2,), (0,), (1,)).rf
    assert up.size_ints() == (2,) and up.jump == (Fraction(1, 2),)


def test_window_after_upsampling_is_a_sound_bound() -> None:
    # subsample by 2 (r 1, j 2), upsample 2/2 (r 1, j 1, but outputs 2i and 2i+1 both come from input i),
    # then a 4-wide conv: units 5..8 of the upsampled grid come from inputs 2, 3, 3, 4 of the
    # subsampled grid = pixels 4, 6, 6, 8: a field of 5 pixels, one more than the average jump says
    # (1 + 3·1 = 4). The slack of one jump (2 - 1) makes the bound 5.
    text = ("name: up\ninput: [1, 16]\nlayers:\n  - {maxpool: {kernel: 1, stride: 2}}\n"
            "  - {convtranspose: {out: 1, kernel: 2, stride: 2}}\n  - {conv: {out: 1, kernel: 4, padding: same}}\n")
    assert cnncalc.analyze_text(text).totals.rf.size_ints() == (5,)
