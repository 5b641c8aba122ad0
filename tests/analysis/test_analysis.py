"""Totals, memory, depth, receptive fields through branches, batch/dtype scaling and --depth collapsing.

Every expected number is worked out by hand in the comments.
"""

from __future__ import annotations

import textwrap

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError

BRANCHY = textwrap.dedent("""\
    name: branchy
    input: [3, 8, 8]
    layers:
      - {conv: {out: 4, kernel: 3, padding: 1}, name: a}      # 4x8x8
      - {conv: {out: 4, kernel: 1}, name: b}                 # 4x8x8
      - {conv: {out: 2, kernel: 5, padding: 2}, name: c, from: a}   # 2x8x8
      - {concat: [b, c], name: cat}                          # 6x8x8
      - {global_avgpool, name: gap}                          # 6x1x1
      - {linear: 10, name: fc}                               # 10
""")


def test_totals_by_hand() -> None:
    r = cnncalc.analyze_text(BRANCHY)
    t = r.totals
    # params: a 3·9·4+4 = 112; b 4·4+4 = 20; c 4·25·2+2 = 202; fc 6·10+10 = 70
    assert t.params == 112 + 20 + 202 + 70 == 404
    # MACs: a 256·27 = 6912 (4·8·8 = 256 outputs); b 256·4 = 1024; c 128·100 = 12800; fc 60
    assert t.macs == 6912 + 1024 + 12800 + 60
    # FLOPs: 2·MACs + biases (256 + 256 + 128 + 10) + global pool 1 per input element (384); concat is free
    assert t.flops == 2 * t.macs + 256 + 256 + 128 + 10 + 384
    # activations: 256 + 256 + 128 + 384 + 6 + 10
    assert t.activations == 1040
    # depth: a -> c -> fc is 3 weighted layers (a -> b -> fc is also 3)
    assert t.depth == 3
    assert t.output_shape == (10,)


def test_peak_activation_memory_follows_tensor_lifetimes() -> None:
    r = cnncalc.analyze_text(BRANCHY)
    # fp32, in elements: input 192 is live until c's... no: input's last reader is a, so:
    # after a: input 192 + a 256 = 448 -> input freed -> 256
    # after b: 256 + 256 = 512 (a still needed by c)
    # after c: 512 + 128 = 640 -> a freed -> 384
    # after cat: 384 + 384 = 768 -> b, c freed -> 384
    # after gap: 390 -> 6; after fc: 16
    assert r.totals.peak_activation_bytes == 768 * 4
    assert r.totals.activation_bytes == 1040 * 4
    assert r.totals.param_bytes == 404 * 4


@pytest.mark.parametrize(("dtype", "size"), [("fp32", 4), ("fp16", 2), ("bf16", 2), ("int8", 1)])
def test_dtype_scales_bytes(dtype: str, size: int) -> None:
    r = cnncalc.analyze_text(BRANCHY, dtype=dtype)
    assert r.totals.param_bytes == 404 * size
    assert r.totals.peak_activation_bytes == 768 * size


def test_batch_scales_work_not_params() -> None:
    one = cnncalc.analyze_text(BRANCHY)
    four = cnncalc.analyze_text(BRANCHY, batch=4)
    assert four.totals.params == one.totals.params
    assert four.totals.macs == 4 * one.totals.macs
    assert four.totals.flops == 4 * one.totals.flops
    assert four.totals.activations == 4 * one.totals.activations
    assert four.totals.peak_activation_bytes == 4 * one.totals.peak_activation_bytes


def test_receptive_field_through_branches() -> None:
    r = cnncalc.analyze_text(BRANCHY)
    by = {row.name: row for row in r.layers}
    assert by["b"].rf.size_ints() == (3, 3)  # 3x3 then 1x1
    assert by["c"].rf.size_ints() == (7, 7)  # 3 + (5 - 1)
    assert by["cat"].rf.size_ints() == (7, 7)  # the union of 3x3 and 7x7 fields, both centred
    assert by["gap"].rf.whole and by["fc"].rf.whole
    assert r.totals.rf.size_ints() == (7, 7)  # the last layer that still has a grid


@pytest.mark.parametrize(("n", "field"), [(1, 3), (2, 5), (3, 7), (5, 11)])
def test_stacked_3x3_receptive_field(n: int, field: int) -> None:
    # the notes: two stacked 3x3 convolutions see 5x5, three see 7x7; n see 2n + 1
    r = cnncalc.analyze_text(f"name: s\ninput: [1, 32, 32]\nlayers: [{{conv: {{out: 1, padding: 1}}, repeat: {n}}}]")
    assert r.totals.rf.size_ints() == (field, field)
    assert r.totals.rf.jump_ints() == (1, 1)


def test_receptive_field_start_and_jump_with_strides() -> None:
    # AlexNet-like: conv 11/4 (no padding) then maxpool 3/2
    # conv: r = 11, j = 4, start = 0 + (10/2 - 0)·1 = 5; pool: r = 11 + 2·4 = 19, j = 8, start = 5 + 1·4 = 9
    r = cnncalc.analyze_text("name: s\ninput: [3, 227, 227]\nlayers: [{conv: {out: 1, kernel: 11, stride: 4}}, "
                             "{maxpool: {kernel: 3, stride: 2}}]")
    rf = r.totals.rf
    assert rf.size_ints() == (19, 19) and rf.jump_ints() == (8, 8) and rf.as_dict()["start"] == [9.0, 9.0]


def test_collapse_by_depth() -> None:
    text = textwrap.dedent("""\
        name: c
        input: [3, 8, 8]
        blocks:
          unit:
            layers:
              - {conv: {out: 4, kernel: 1}}
              - relu
          pair:
            layers: [unit, unit]
        layers:
          - {conv: {out: 4, kernel: 1}, name: stem}
          - {pair, name: p}
    """)
    r = cnncalc.analyze_text(text)
    assert [x.name for x in cnncalc.collapse(r, None)] == ["stem", "p.unit1.conv1", "p.unit1.relu1",
                                                          "p.unit2.conv1", "p.unit2.relu1"]
    top = cnncalc.collapse(r, 0)
    assert [(x.name, x.type) for x in top] == [("stem", "conv"), ("p", "pair")]
    # p: two 1x1 convs 4 -> 4: 2·(16 + 4) = 40 params
    assert top[1].params == 40 and top[1].output_shape == (4, 8, 8)
    one = cnncalc.collapse(r, 1)
    assert [x.name for x in one] == ["stem", "p.unit1", "p.unit2"]
    assert sum(x.params for x in one) == r.totals.params  # 3·4+4 + 40 = 56
    with pytest.raises(CnnCalcError, match="--depth"):
        cnncalc.collapse(r, -1)


def test_unknown_dtype_and_batch() -> None:
    with pytest.raises(CnnCalcError, match="unknown dtype"):
        cnncalc.analyze_text(BRANCHY, dtype="fp8")
    with pytest.raises(CnnCalcError, match="batch"):
        cnncalc.analyze_text(BRANCHY, batch=0)


def test_non_tiling_window_is_marked() -> None:
    # the notes: a 3x3 filter with stride 3 does not fit a 7x7 input: (7 - 3)/3 + 1 = 2.33, floored to 2
    r = cnncalc.analyze_text("name: s\ninput: [1, 7, 7]\nlayers: [{conv: {out: 1, kernel: 3, stride: 3}}]")
    row = r.layers[0]
    assert row.output_shape == (1, 2, 2)
    assert not row.fits
    assert any("does not tile" in str(n) for n in row.notes)
    # with stride 2 it does: (7 - 3)/2 + 1 = 3
    ok = cnncalc.analyze_text("name: s\ninput: [1, 7, 7]\nlayers: [{conv: {out: 1, kernel: 3, stride: 2}}]")
    assert ok.layers[0].fits and ok.layers[0].output_shape == (1, 3, 3)


def test_ten_thousand_layers() -> None:
    # the engine must handle large generated networks; 10,000 relu layers keep the shape
    r = cnncalc.analyze_text("name: big\ninput: [2, 4, 4]\nlayers: [{relu, repeat: 10000}]")
    assert len(r.layers) == 10000
    assert r.totals.activations == 10000 * 32


def test_a_broadcast_gate_does_not_lengthen_depth() -> None:
    # SE block: the gate path (pool -> conv -> conv -> sigmoid) has 2 weighted layers, the trunk 1;
    # the gate only modulates the trunk, so depth = 1 (trunk) not 1 + 2 (through the gate)
    text = textwrap.dedent("""\
        name: se
        input: [8, 4, 4]
        layers:
          - {conv: {out: 8, kernel: 1}, name: trunk}
          - {global_avgpool, name: squeeze}
          - {conv: {out: 2, kernel: 1}, name: fc1}
          - {conv: {out: 8, kernel: 1}, name: fc2}
          - {sigmoid, name: gate}
          - {mul: [trunk, gate], name: scale}
    """)
    r = cnncalc.analyze_text(text)
    assert r.totals.depth == 1
    # while an add of two full-size paths takes the longer one: 1x1 conv chain of 2 vs 1
    text2 = text.replace("{mul: [trunk, gate], name: scale}", "{conv: {out: 8, kernel: 1}, name: more, from: trunk}\n"
                         "  - {add: [trunk, more]}")
    assert cnncalc.analyze_text(text2).totals.depth == 2
