"""The YAML language: entries, names, scopes, blocks, repeat, vars and defaults.

Every expected value is derived by hand from the YAML in the test.
"""

from __future__ import annotations

import textwrap

import pytest

import cnncalc
from cnncalc.errors import CnnCalcError


def net(body: str, input_shape: str = "[3, 32, 32]", **options: object) -> cnncalc.Report:
    text = f"name: t\ninput: {input_shape}\n" + textwrap.dedent(body)
    return cnncalc.analyze_text(text, "t.yaml", **options)  # type: ignore[arg-type]


def rows(report: cnncalc.Report) -> dict[str, cnncalc.LayerReport]:
    return {r.name: r for r in report.layers}


def test_entry_forms_and_automatic_names() -> None:
    report = net("""
        layers:
          - {conv: 16}                       # shorthand: out=16, kernel 3 by default
          - relu                             # bare string
          - {conv: {out: 8, kernel: 1}}      # full mapping
          - {relu, name: act}                # flow key without value, named
          - {maxpool: 2}                     # primary argument: kernel 2 (stride = kernel)
    """)
    assert [r.name for r in report.layers] == ["conv1", "relu1", "conv2", "act", "maxpool1"]
    by = rows(report)
    # 32 - 3 + 1 = 30; params 3·3·3·16 + 16 = 448
    assert by["conv1"].output_shape == (16, 30, 30) and by["conv1"].params == 448
    # 1x1 conv 16 -> 8: 16·8 + 8 = 136
    assert by["conv2"].params == 136
    assert by["maxpool1"].output_shape == (8, 15, 15)


def test_counter_counts_named_entries_of_the_type() -> None:
    report = net("""
        layers:
          - {conv: 4, name: stem}
          - {conv: 4}
    """)
    # the second conv entry of the scope is called conv2, as papers number layers
    assert [r.name for r in report.layers] == ["stem", "conv2"]


def test_from_merges_and_forward_reference() -> None:
    report = net("""
        out: sum
        layers:
          - {conv: {out: 4, kernel: 1}, name: a}
          - {conv: {out: 6, kernel: 1}, name: b, from: input}
          - {concat: [a, b], name: cat}
          - {add: [cat, later], name: sum}
          - {conv: {out: 10, kernel: 1}, name: later, from: cat}
    """)
    by = rows(report)
    assert by["cat"].output_shape == (10, 32, 32)  # 4 + 6 channels
    assert by["sum"].inputs == ("cat", "later")
    order = [r.name for r in report.layers]
    assert order.index("later") < order.index("sum")  # topological, not textual, order


def test_blocks_scopes_in_out_and_dotted_names() -> None:
    report = net("""
        out: identity1
        blocks:
          fire:
            args: {squeeze: null, expand: null}
            layers:
              - {conv: {out: $squeeze, kernel: 1}, name: squeeze}
              - relu
              - {conv: {out: $expand, kernel: 1}, name: e1}
              - {conv: {out: $expand, kernel: 3, padding: 1}, from: relu1, name: e3}
              - {concat: [e1, e3]}
        layers:
          - {fire: {squeeze: 16, expand: 64}, name: fire2}
          - {fire: {squeeze: 16, expand: 64}, name: fire3}
          - {conv: {out: 2, kernel: 1}, from: fire2.squeeze, name: probe}
          - {identity, from: fire3}
    """)
    by = rows(report)
    assert by["fire2.squeeze"].inputs == ("input",)
    assert by["fire3.squeeze"].inputs == ("fire2.concat1",)  # an instance's name means its output
    assert by["fire2.concat1"].output_shape == (128, 32, 32)  # 64 + 64
    assert by["probe"].inputs == ("fire2.squeeze",)
    assert by["fire3.e3"].scope == ("fire3",)
    # SqueezeNet fire2 (Iandola et al. 2016, Table 1): 3·16 + 16 + 16·64 + 64 + 9·16·64 + 64 = 11,920 with
    # 3 input channels here instead of 96: squeeze 3·16+16 = 64, e1 16·64+64 = 1088, e3 9·16·64+64 = 9280
    assert sum(r.params for r in report.layers if r.scope == ("fire2",)) == 64 + 1088 + 9280


def test_nested_blocks_and_block_out() -> None:
    report = net("""
        blocks:
          unit:
            args: {c: null}
            layers:
              - {conv: {out: $c, kernel: 1}}
              - {relu, name: r}
              - {conv: {out: 99, kernel: 1}, name: unused}
            out: r
          pair:
            args: {c: null}
            layers:
              - {unit: $c}
              - {unit: "${c * 2}"}
        layers:
          - {pair: 4}
    """)
    by = rows(report)
    assert by["pair1.unit2.conv1"].inputs == ("pair1.unit1.r",)
    assert by["pair1.unit2.conv1"].output_shape == (8, 32, 32)
    assert report.totals.output_shape == (8, 32, 32)  # out: r, not the unused conv
    assert by["pair1.unit1.conv1"].scope == ("pair1", "pair1.unit1")


def test_repeat_names_and_index_variable() -> None:
    report = net("""
        layers:
          - {conv: {out: "${8 * (i + 1)}", kernel: 1}, repeat: 3}
          - {conv: {out: 5, kernel: 1}, name: head, repeat: 2}
          - {relu, from: head}
    """)
    names = [r.name for r in report.layers]
    assert names == ["conv1", "conv2", "conv3", "head_1", "head_2", "relu1"]
    assert [r.output_shape[0] for r in report.layers[:3]] == [8, 16, 24]
    assert rows(report)["relu1"].inputs == ("head_2",)  # `head` names the last copy


def test_repeat_zero_passes_its_input_through() -> None:
    body = """
        vars: {down: 0}
        blocks:
          shortcut:
            layers: [{conv: {out: 8, kernel: 1}}]
        layers:
          - {conv: {out: 8, kernel: 3, padding: 1}, name: main}
          - {shortcut, name: skip, from: input, repeat: $down}
          - {conv: {out: 8, kernel: 1}, from: skip, name: after}
    """
    without = rows(net(body))
    assert without["after"].inputs == ("input",)
    with_skip = rows(net(body, overrides={"down": 1}))
    assert with_skip["after"].inputs == ("skip.conv1",)


def test_vars_defaults_and_overrides() -> None:
    report = net("""
        vars: {width: 8, wide: $width * 2}
        defaults:
          conv: {bias: false, kernel: 1}
        layers:
          - {conv: $wide}
          - {conv: {out: $width, bias: true}}
    """, overrides={"width": 4})
    by = rows(report)
    # wide = 4·2 = 8 channels, 1x1, no bias: 3·8 = 24; then 8·4 + 4 = 36
    assert by["conv1"].params == 24
    assert by["conv2"].params == 36


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("[2, 100]", (4, 98)),  # 1-D: 100 - 3 + 1
        ("[1, 8, 10, 12]", (4, 6, 8, 10)),  # 3-D: each axis - 2
    ],
)
def test_one_and_three_dimensional_inputs(shape: str, expected: tuple[int, ...]) -> None:
    report = net("layers: [{conv: {out: 4, kernel: 3}}]", input_shape=shape)
    assert report.totals.output_shape == expected
    # params: 4·C·3^rank + 4
    channels, rank = int(shape[1]), len(expected) - 1
    assert report.totals.params == 4 * channels * 3**rank + 4


def test_input_shape_override() -> None:
    report = cnncalc.analyze_text("name: t\ninput: [3, 32, 32]\nlayers: [{conv: 4}]", input_shape=(3, 9, 9))
    assert report.totals.output_shape == (4, 7, 7)  # 9 - 3 + 1


@pytest.mark.parametrize(
    ("body", "words", "line"),
    [
        ("layers: [{conv: 4, name: a}, {conv: 4, name: a}]", ["duplicate name 'a'"], 3),
        ("layers: [{conv: 4, from: nothing}]", ["undefined name 'nothing'"], 3),
        ("blocks: {b: {args: {c: null}, layers: [{conv: $c}]}}\nlayers: [{b: {}}]", ["needs the argument 'c'"], 4),
        ("blocks: {b: {args: {c: 1}, layers: [{conv: $c}]}}\nlayers: [{b: {cc: 2}}]",
         ["no argument 'cc'", "did you mean 'c'"], 4),
        ("layers: [{conv: 4, repeat: -1}]", ["repeat must be an integer >= 0"], 3),
        ("layers: [{conv: 4, repeat: 10000000}]", ["too large"], 3),
        ("layers: [{conv: 4, relu: null}]", ["exactly one layer type", "conv, relu"], 3),
        ("layers: [{conv: 4, name: in}]", ["identifier other than 'input' and 'in'"], 3),
        ("blocks: {b: {layers: [{b: null}]}}\nlayers: [b]", ["nest more than"], 3),
        ("layers: [{conv: $nope}]", ["undefined name 'nope'"], 3),
        ("layers: [{conv: 4, name: a}, {add: [a, input], from: a}]", ["inputs twice"], 3),
        ("vars: {w: 1}\nlayers: [{conv: 4}]\nlayer: []", ["unknown top-level key 'layer'", "did you mean"], 5),
    ],
)
def test_language_errors(body: str, words: list[str], line: int) -> None:
    with pytest.raises(CnnCalcError) as info:
        net(body)
    message = str(info.value)
    assert message.startswith(f"t.yaml:{line}:"), message
    for w in words:
        assert w in message, message


def test_block_arguments_positional_and_lists() -> None:
    report = net("""
        blocks:
          branch:
            args: {out: null, kernel: 1, padding: 0}
            layers:
              - {conv: {out: $out, kernel: $kernel, padding: $padding}}
        layers:
          - {branch: [4, [1, 7], [0, 3]]}          # positional, and lists passed through to the conv
          - {branch: {out: 2, kernel: [7, 1], padding: [3, 0]}}
    """)
    by = rows(report)
    # 1x7 conv with padding (0, 3) keeps 32x32: params 3·1·7·4 + 4 = 88
    assert by["branch1.conv1"].output_shape == (4, 32, 32) and by["branch1.conv1"].params == 88
    # 7x1 conv 4 -> 2: 4·7·2 + 2 = 58
    assert by["branch2.conv1"].output_shape == (2, 32, 32) and by["branch2.conv1"].params == 58
    with pytest.raises(CnnCalcError, match="takes 3 arguments"):
        net("blocks: {b: {args: {a: 1, c: 2, d: 3}, layers: [relu]}}\nlayers: [{b: [1, 2, 3, 4]}]")
