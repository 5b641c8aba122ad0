"""Other tools' counting conventions (`--as`, `conventions`), without torch.

The expected numbers come from the tools' documented rules worked out by hand for a
tiny network (in the comments), and from the totals the real tools printed for
torchvision's models (``shared/reference/counter_totals.json``: fvcore, torch's
FlopCounterMode, torchinfo, ptflops and thop, their exact calls recorded there).
tests/pytorch/test_conventions_tools.py runs the tools themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.conventions import TOOLS, counted, facts
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.layers import REGISTRY
from cnncalc.layers.torchop import all_spellings

ROOT = Path(__file__).resolve().parents[2]
TOTALS = next((p for p in (ROOT.parent / "shared" / "reference" / "counter_totals.json",
                           ROOT / "shared" / "reference" / "counter_totals.json") if p.is_file()),
              ROOT.parent / "shared" / "reference" / "counter_totals.json")
KEYS = {"fvcore": "fvcore", "flopcounter": "flopcountermode", "torchinfo": "torchinfo_mult_adds",
        "ptflops": "ptflops_pytorch", "ptflops-aten": "ptflops_aten", "thop": "thop"}
ZOO = {"alexnet": "alexnet", "vgg16": "vgg16", "resnet18": "resnet18", "resnet50": "resnet50",
       "squeezenet1_0": "squeezenet1_0", "mobilenet_v2": "mobilenet_v2", "densenet121": "densenet121",
       "googlenet_tv": "googlenet", "inception_v3": "inception_v3", "efficientnet_b0": "efficientnet_b0",
       "convnext_tiny": "convnext_tiny"}

TINY = textwrap.dedent("""\
    name: tiny
    input: [3, 8, 8]
    layers:
      - {conv: {out: 4, kernel: 3, padding: 1}, name: conv}   # 4x8x8, bias
      - {bn, name: bn}
      - {relu, name: relu}
      - {maxpool: 2, name: pool}                              # 4x4x4
      - {global_avgpool, name: gap}                           # 4x1x1
      - flatten
      - {linear: 10, name: fc}
""")


def count(text: str, batch: int = 1) -> dict[str, object]:
    graph = cnncalc.load_text_graph(text, "tiny.yaml")
    return dict(counted(graph, analyze_graph(graph, batch=batch)).totals)


def test_tiny_network_by_each_tools_rules() -> None:
    # conv: weight 4·3·3·3 = 108 at 8·8 = 64 positions: 6,912 multiply-adds; bias 4 over 4·8·8 = 256 outputs
    totals = count(TINY)
    # fvcore: conv 6,912 (no bias) + bn 2·256 + adaptive_avg_pool2d numel(input) 4·4·4 = 64 + linear 4·10 = 40
    assert totals["fvcore"] == 6912 + 512 + 64 + 40 == 7528
    # FlopCounterMode: 2 per multiply-add of conv and linear only
    assert totals["flopcounter"] == 2 * (6912 + 40) == 13904
    # torchinfo: conv (108 + 4)·8·8; bn (4 + 4)·1 per sample; linear (40 + 10)·1
    assert totals["torchinfo"] == 112 * 64 + 8 + 50 == 7226
    # ptflops: conv 6,912 + bias 256; bn 2·256; ReLU hook 256 + patched F.relu 256; MaxPool hook numel(in) 256 +
    # F.max_pool2d 256; AdaptiveAvgPool hook 64 + F.adaptive_avg_pool2d 64; Linear (40 + 10)
    assert totals["ptflops"] == 7168 + 512 + 512 + 512 + 128 + 50 == 8882
    # ptflops aten: convolution 6,912 + bias 256; addmm 40 + bias 10
    assert totals["ptflops-aten"] == 7168 + 50 == 7218
    # thop: conv numel(out)·(C_in/g)·k² = 256·3·9; bn 4·numel = 1,024; ReLU, MaxPool zero_ops;
    # AdaptiveAvgPool (4·4/1·1 + 1)·4 = 68; Linear in_features·numel(out) = 40
    assert totals["thop"] == 6912 + 1024 + 68 + 40 == 8044.0


def test_batch_scales_all_but_ptflops_module_hooks() -> None:
    totals = count(TINY, batch=2)
    assert totals["fvcore"] == 2 * 7528 and totals["torchinfo"] == 2 * 7226 and totals["thop"] == 2 * 8044
    # ptflops divides its module hooks by the batch but not the patched functions: hooks per sample
    # 7168 + 512 + 256 + 256 + 64 + 50 = 8,306; functions for the batch 2·(256 + 256 + 64) = 1,152
    assert totals["ptflops"] == 8306 + 1152


def test_how_the_code_calls_an_op_changes_what_is_counted() -> None:
    text = TINY.replace("{relu, name: relu}", "{relu, name: relu, torch: F.relu}").replace(
        "{global_avgpool, name: gap}", "{global_avgpool, name: gap, torch: x.mean}")
    totals = count(text)
    # fvcore has no handle for aten::mean: the pool's 64 vanish
    assert totals["fvcore"] == 7528 - 64
    # ptflops: F.relu alone counts 256 (no hook); x.mean is neither hooked nor patched (-128)
    assert totals["ptflops"] == 8882 - 256 - 128
    # thop sees no module for either: the pool's 68 vanish
    assert totals["thop"] == 8044 - 68


def test_add_written_as_torch_add_counts_only_for_ptflops() -> None:
    text = textwrap.dedent("""\
        name: residual
        input: [4, 5, 5]
        layers:
          - {conv: {out: 4, kernel: 1, bias: false}, name: conv}
          - {add: [input, conv], name: plus}
          - {add: [input, plus], name: call, torch: torch.add}
    """)
    totals = count(text)
    # conv: 16 weights at 25 positions = 400 for every tool; `+` counts nowhere, torch.add (patched) 4·5·5
    assert totals["fvcore"] == 400 and totals["thop"] == 400 and totals["torchinfo"] == 400
    assert totals["ptflops"] == 400 + 100


@pytest.mark.parametrize("network", sorted(ZOO))
def test_zoo_networks_give_what_the_tools_printed(network: str) -> None:
    assert TOTALS.is_file(), f"reference totals not found at {TOTALS}"
    reference = json.loads(TOTALS.read_text())["models"][ZOO[network]]
    totals = counted(cnncalc.load(network), cnncalc.analyze(network)).totals
    assert {t: totals[t] for t in TOOLS} == {t: reference[KEYS[t]] for t in TOOLS}


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_kind_says_which_torch_call_computes_it(kind: str) -> None:
    calls = all_spellings(REGISTRY[kind])
    assert calls, f"{kind} declares no TORCH_CALLS"
    for call in calls:
        facts.lookup(call)  # a spelling the tools' rules know


def test_a_wrong_spelling_is_refused_where_it_is_written() -> None:
    text = TINY.replace("{relu, name: relu}", "{relu, name: relu, torch: F.gelu}")
    with pytest.raises(CnnCalcError) as err:
        cnncalc.load_text_graph(text, "tiny.yaml")
    assert str(err.value).startswith("tiny.yaml:6:")  # the line of the relu entry
    assert "'F.gelu' is not a way to write relu" in str(err.value) and "F.relu" in str(err.value)


def test_torch_on_a_block_instance_is_refused() -> None:
    text = textwrap.dedent("""\
        name: b
        input: [3, 8, 8]
        blocks:
          unit: {layers: [relu]}
        layers:
          - {unit, torch: nn.ReLU}
    """)
    with pytest.raises(CnnCalcError, match="a block instance has none"):
        cnncalc.load_text_graph(text, "b.yaml")


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_shapes_as_prints_the_tools_totals() -> None:
    assert "4,111,512,576" in run("shapes", "resnet50", "--as", "fvcore")
    assert "4,089,238,376" in run("shapes", "resnet50", "--as", "torchinfo")
    data = json.loads(run("shapes", "resnet50", "--as", "ptflops", "-f", "json"))
    assert data["totals"]["macs"] == 4_089_184_256  # the report is unchanged
    assert data["counted_as"]["tool"] == "ptflops" and data["counted_as"]["total"] == 4_132_436_968
    relu = next(x for x in data["counted_as"]["layers"] if x["name"] == "relu")
    assert relu["torch"] == "nn.ReLU" and relu["count"] == 2 * 64 * 112 * 112  # hook + patched F.relu


def test_shapes_as_collapses_blocks_with_depth() -> None:
    data = json.loads(run("shapes", "resnet50", "--as", "thop", "--depth", "1", "-f", "json"))
    names = [x["name"] for x in data["counted_as"]["layers"]]
    assert "layer1.bottleneck1" in names and not any(n.startswith("layer1.bottleneck1.") for n in names)
    assert sum(x["count"] for x in data["counted_as"]["layers"]) == data["counted_as"]["total"] == 4_133_742_592


def test_compare_as() -> None:
    data = json.loads(run("compare", "alexnet", "vgg16", "--as", "flopcounter", "-f", "json"))
    assert [n["total"] for n in data["networks"]] == [1_428_376_960, 30_940_528_640]


def test_conventions_table_adds_up() -> None:
    data = json.loads(run("conventions", "resnet50", "-f", "json"))
    rows = {c["category"]: c["counts"] for c in data["categories"]}
    # every tool agrees on the convolutions (FlopCounterMode at 2 per multiply-add) ...
    assert {rows["conv"][t] for t in TOOLS if t != "flopcounter"} == {4_087_136_256}
    # ... and no tool counts the residual additions written as `out += identity`
    assert set(rows["add (residual)"].values()) == {0}
    for tool in TOOLS:
        assert sum(r[tool] for r in rows.values()) == data["totals"][tool]
    assert "ptflops-aten" in run("conventions", "resnet50")


def test_an_unknown_tool_is_refused() -> None:
    result = CliRunner().invoke(app, ["shapes", "resnet50", "--as", "fvcor"])
    assert result.exit_code == 2 and "fvcore" in result.output


@pytest.mark.parametrize("args", [["shapes", "densenet121", "--as", "thop"], ["conventions", "mobilenet_v2"],
                                  ["compare", "alexnet", "resnet18", "--as", "ptflops"]])
def test_conventions_never_import_torch_or_the_tools(args: list[str]) -> None:
    code = (f"import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'fvcore', 'torchinfo', "
            "'ptflops', 'thop'))\nsys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr[-500:]
