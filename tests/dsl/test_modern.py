"""The language modern networks need: if, a layer type as an argument, numbered blocks, split,
variants, 1e-6 floats and the functions make_divisible and int.

Every expected value is derived by hand from the YAML in the test; make_divisible also against
torchvision's own ``_make_divisible`` (a torch test).
"""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

import cnncalc
from cnncalc import zoo
from cnncalc.dsl.expr import evaluate
from cnncalc.dsl.loader import load_text
from cnncalc.errors import CnnCalcError


def net(body: str, input_shape: str = "[8, 16, 16]", **options: object) -> cnncalc.Report:
    text = f"name: t\ninput: {input_shape}\n" + textwrap.dedent(body)
    return cnncalc.analyze_text(text, "t.yaml", **options)  # type: ignore[arg-type]


def names(report: cnncalc.Report) -> list[str]:
    return [r.name for r in report.layers]


def rows(report: cnncalc.Report) -> dict[str, cnncalc.LayerReport]:
    return {r.name: r for r in report.layers}


# -- if -------------------------------------------------------------------------------------------

RESIDUAL = """
    vars: {width: 8, stride: 1}
    blocks:
      block:
        args: {out: null, stride: 1}
        layers:
          - {conv: {out: $out, kernel: 3, stride: $stride, padding: 1}, name: conv}
          - {add: [in, conv], name: add, if: "${stride == 1 and out == 8}"}
          - {relu, name: act}
    layers:
      - {block: {out: $width, stride: $stride}, name: b}
"""


def test_if_true_keeps_the_merge() -> None:
    by = rows(net(RESIDUAL))
    assert names(net(RESIDUAL)) == ["b.conv", "b.add", "b.act"]
    assert by["b.act"].inputs == ("b.add",)
    assert by["b.add"].inputs == ("input", "b.conv")


@pytest.mark.parametrize("overrides", [{"stride": 2}, {"width": 16}])
def test_if_false_skips_a_merge_and_its_inputs(overrides: dict[str, int]) -> None:
    # no shortcut where the shapes differ: the add (whose inputs would not fit) is not even resolved
    report = net(RESIDUAL, overrides=overrides)
    assert names(report) == ["b.conv", "b.act"]
    assert rows(report)["b.act"].inputs == ("b.conv",)  # the next entry reads the previous output


def test_a_skipped_name_means_the_previous_output() -> None:
    # RegNet's shortcut: proj only where the width changes; add: [proj, f] then adds the block input
    body = """
        blocks:
          res:
            args: {out: null}
            layers:
              - {conv: {out: $out, kernel: 1}, name: proj, if: "${out != 8}"}
              - {conv: {out: $out, kernel: 3, padding: 1}, name: f, from: in}
              - {add: [proj, f], name: add}
        layers:
          - {res: 8, name: same}
          - {res: 16, name: wider}
    """
    by = rows(net(body))
    assert by["same.add"].inputs == ("input", "same.f")  # proj skipped: 'proj' is the block's input
    assert by["wider.add"].inputs == ("wider.proj", "wider.f")
    assert "same.proj" not in by


@pytest.mark.parametrize(("value", "kept"), [("true", True), ("false", False), ("0", False), ("2", True),
                                              ('"${1 > 2}"', False)])
def test_if_values(value: str, kept: bool) -> None:
    report = net(f"layers:\n  - {{relu, if: {value}}}\n  - {{conv: 4, name: c}}\n")
    assert ("relu1" in names(report)) is kept
    assert names(report)[-1] == "c"


def test_if_is_evaluated_before_repeat() -> None:
    report = net("vars: {n: 3}\nlayers:\n  - {relu, repeat: $n, if: \"${n > 2}\"}\n")
    assert names(report) == ["relu1", "relu2", "relu3"]


# -- a layer type as an argument ------------------------------------------------------------------


def test_layer_type_from_a_block_argument_and_a_var() -> None:
    body = """
        vars: {head: classifier, act: relu}
        blocks:
          conv_act:
            args: {out: null, act: relu}
            layers:
              - {conv: {out: $out, kernel: 1}, name: conv}
              - {$act: {}, name: act}
          classifier:
            layers:
              - global_avgpool
              - flatten
              - {linear: 10, name: fc}
        layers:
          - {conv_act: {out: 8, act: hardswish}, name: a}
          - {conv_act: [8, $act], name: b}
          - $act
          - {$head: {}, name: head}
    """
    report = net(body)
    by = rows(report)
    assert by["a.act"].type == "hardswish" and by["b.act"].type == "relu"
    assert by["relu1"].type == "relu"  # the bare `$act` entry, named after its type
    assert by["head.fc"].output_shape == (10,)  # a block named by a var


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("vars: {act: 3}\nlayers:\n  - {$act: {}}\n", ["'$act' names the layer type, but act = 3"]),
        ("layers:\n  - {$act: {}}\n", ["'$act': no block argument or var 'act'"]),
        ("vars: {act: rellu}\nlayers:\n  - $act\n", ["unknown layer type 'rellu'", "did you mean 'relu'",
                                                      "(the value of $act)"]),
    ],
)
def test_layer_type_errors(body: str, words: list[str]) -> None:
    with pytest.raises(CnnCalcError) as info:
        net(body)
    for word in words:
        assert word in str(info.value)
    assert str(info.value).startswith("t.yaml:")


# -- numbered blocks and split ------------------------------------------------------------------


def test_numbered_blocks_name_entries_as_sequential() -> None:
    # torchvision's Conv2dNormActivation: 0 conv, 1 bn, 2 activation unless linear; numbers skip nothing
    body = """
        blocks:
          cna:
            numbered: true
            args: {out: null, linear: 0}
            layers:
              - {conv: {out: $out, kernel: 1, bias: false}}
              - bn
              - {relu, if: "${not linear}"}
          body:
            numbered: true
            layers:
              - {cna: 8, if: false}
              - {cna: 8}
              - {cna: {out: 4, linear: 1}}
              - {relu, name: named}
              - {relu, repeat: 2}
        layers:
          - {body, name: features}
    """
    assert names(net(body)) == ["features.0.0", "features.0.1", "features.0.2", "features.1.0", "features.1.1",
                                "features.named", "features.2", "features.3"]


def test_split_parts_are_addressable() -> None:
    body = """
        layers:
          - {split: {sizes: [2, 6]}, name: parts}
          - {conv: {out: 2, kernel: 1}, name: right}
          - {concat: [parts.0, right], name: cat}
    """
    by = rows(net(body))
    assert by["parts.0"].output_shape == (2, 16, 16) and by["parts.1"].output_shape == (6, 16, 16)
    assert by["right"].inputs == ("parts.1",) and by["right"].params == 6 * 2 + 2
    assert by["cat"].output_shape == (4, 16, 16)


# -- numbers and functions ------------------------------------------------------------------------


def test_exponent_floats_are_numbers() -> None:
    doc = load_text("a: 1e-6\nb: '1e-6'\nc: 1.0e-6\nd: -2E3\ne: 1e\nf: [3e2]\n", "x.yaml")
    assert doc == {"a": 1e-6, "b": "1e-6", "c": 1e-6, "d": -2000.0, "e": "1e", "f": [300.0]}
    report = net("layers:\n  - {layernorm: {eps: 1e-6}, name: ln}\n")
    assert report.layers[0].bound is not None and report.layers[0].bound.layer.eps == 1e-6  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # torchvision's _make_divisible(v, 8): the nearest multiple of 8 (halves up), at least 8,
        # one more 8 if that lost over 10%
        ("make_divisible(16 * 1.0, 8)", 16),
        ("make_divisible(32 * 1.1, 8)", 32),  # 35.2 + 4 = 39.2 -> 32; 32 >= 0.9·35.2 = 31.68
        ("make_divisible(40 * 1.1, 8)", 48),  # 44 + 4 = 48 -> 48
        ("make_divisible(24 * 0.5, 8)", 16),  # 12 + 4 = 16 -> 16
        ("make_divisible(32 * 0.35, 8)", 16),  # 11.2 -> 8 < 0.9·11.2 = 10.08: + 8 = 16
        ("make_divisible(3, 8)", 8),  # the floor: at least the divisor
        ("make_divisible(3, 8, 1)", 9),  # min_value 1: 0 -> 1 < 2.7: + 8
        ("make_divisible(960 // 4, 8)", 240),  # MobileNetV3's SE width
        ("int(ceil(3 * 1.1))", 4),  # EfficientNet-B1's adjust_depth: ceil(3.3) = 4
        ("int(-2.7)", -2),  # toward zero
        ("int(round(0.25 * 48))", 12),  # RegNetY-400MF's SE width
    ],
)
def test_functions(text: str, expected: int) -> None:
    value = evaluate(text, {})
    assert value == expected and isinstance(value, int)


@pytest.mark.parametrize(("text", "words"), [("make_divisible(10, 0)", "positive integer"),
                                             ("make_divisible(10)", "2 to 3 argument(s)"),
                                             ("int(1, 2)", "1 argument(s)")])
def test_function_errors(text: str, words: str) -> None:
    with pytest.raises(CnnCalcError, match=words.replace("(", r"\(").replace(")", r"\)")):
        evaluate(text, {})


@pytest.mark.torch
def test_make_divisible_is_torchvisions() -> None:
    ops = importlib.import_module("torchvision.models._utils")
    for v in [x / 4 for x in range(1, 4000)]:
        for divisor in (1, 4, 8, 16):
            assert evaluate(f"make_divisible({v}, {divisor})", {}) == ops._make_divisible(v, divisor), (v, divisor)


# -- variants -------------------------------------------------------------------------------------

FAMILY = """
name: toy
title: Toy family
source: hand-written
family: Toy
input: [3, 32, 32]
variants:
  toy_small: {title: Toy S, vars: {width: 8}}
  toy_large: {title: Toy L, input: [3, 64, 64], vars: {width: 16, depth_mult: 2}}
vars:
  width: 4
  depth_mult: 1
  blocks: ${2 * depth_mult}     # derived: follows the variant's depth_mult
layers:
  - {conv: {out: $width, kernel: 3, padding: 1}, repeat: $blocks}
"""


def test_a_variant_sets_vars_before_they_are_derived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(FAMILY)
    monkeypatch.setattr(zoo, "archs_dir", lambda: tmp_path)
    assert zoo.names() == ["toy_large", "toy_small"]  # the family file lists its variants, not itself
    large = cnncalc.analyze("toy_large")
    assert (large.name, large.title, large.input_shape) == ("toy_large", "Toy L", (3, 64, 64))
    assert len(large.layers) == 4  # blocks = 2·2
    assert large.totals.params == (3 * 9 * 16 + 16) + 3 * (16 * 9 * 16 + 16)
    small = cnncalc.analyze("toy_small", overrides={"width": 2})  # --set after the variant
    assert (small.name, small.input_shape, len(small.layers)) == ("toy_small", (3, 32, 32), 2)
    assert small.totals.params == (3 * 9 * 2 + 2) + (2 * 9 * 2 + 2)
    family = cnncalc.analyze("toy")  # the file by its own name: its vars as written
    assert (family.name, len(family.layers), family.totals.output_shape) == ("toy", 2, (4, 32, 32))
    with pytest.raises(CnnCalcError, match="did you mean toy_small"):
        cnncalc.analyze("toy_smal")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("toy_small: {title: Toy S, vars: {widht: 8}}", ["sets 'widht'", "did you mean 'width'"]),
        ("toy_small: {title: Toy S, input: [3, 32, 32], depth: 3}", ["unknown key 'depth' in variant 'toy_small'"]),
        ("toy_small: 3", ["variant 'toy_small' must be a mapping"]),
    ],
)
def test_variant_errors(tmp_path: Path, change: str, words: list[str]) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(FAMILY.replace("toy_small: {title: Toy S, vars: {width: 8}}", change))
    with pytest.raises(CnnCalcError) as info:
        cnncalc.load(path)
    for word in words:
        assert word in str(info.value)
    assert str(info.value).startswith(f"{path}:")
