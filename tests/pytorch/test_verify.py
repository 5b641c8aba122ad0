"""`cnncalc verify`: every zoo network agrees with PyTorch, and a disagreement is caught.

The oracles are torch itself (module outputs, numel), fvcore's FlopCountAnalysis,
torch's FlopCounterMode and gradients; the analytic side is cnncalc's report.
To keep the suite fast the zoo is checked at a reduced input where the network
accepts one, and the gradient receptive fields on layers whose field is small;
of a family file only the first variant is built (tools/verify_zoo.py builds all).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace

import pytest
import torch
from typer.testing import CliRunner
from zoo_helpers import representatives, small_graph

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.graph import Graph
from cnncalc.layers import REGISTRY
from cnncalc.layers.base import Bound
from cnncalc.layers.formula import Mul, Sum
from cnncalc.verify import verify

runner = CliRunner()
RF_LIMIT = 64  # receptive fields measured in the zoo test: those at most this wide


def small_fields(graph: Graph) -> list[str]:
    """Up to three layers with fields of at most RF_LIMIT pixels, spread over the network."""
    small = [r.name for r in analyze_graph(graph).layers if not r.rf.whole and max(r.rf.size_ints()) <= RF_LIMIT]
    return list(dict.fromkeys(small[len(small) * k // 3] for k in (1, 2)) | {small[-1]: None}) if small else []


@pytest.mark.parametrize("name", representatives())
def test_zoo_network_passes_verify(name: str) -> None:
    graph = small_graph(name)
    result = verify(graph, rf_layers=small_fields(graph))
    assert result.ok, "\n".join(result.mismatches())
    assert len(result.layers) == len(graph.order)
    assert result.fields, "no receptive field was measured"


def test_default_fields_include_the_last_spatial_layer() -> None:
    # SqueezeNet 1.0: relu10 is the last layer before the global pool; its field, by hand:
    # conv1 7/2 → 7 (j 2); pool 3/2 → 11 (j 4); fire2–4 (3×3 each) → 19, 27, 35; pool → 43 (j 8);
    # fire5–8 → 59, 75, 91, 107; pool → 123 (j 16); fire9 → 155; conv10 1×1 → 155
    result = verify(cnncalc.load("squeezenet1_0"))
    fields = {f.name: f for f in result.fields}
    assert fields["relu10"].analytic == (155, 155)
    assert fields["relu10"].measured == (155, 155)
    assert result.ok


def test_transposed_convolution_field_is_a_bound() -> None:
    # 3×3/2 transposed: an output unit is fed by ⌈3/2⌉ = 2 inputs at most, then a 3×3 conv
    # on the input side: 3 + (2 − 1)·1 = 4 at most; odd units are fed by one input only
    graph = cnncalc.load_text_graph("""
name: up
input: [2, 12, 12]
layers:
  - {conv: {out: 3, kernel: 3, padding: 1}, name: c}
  - {convtranspose: {out: 2, kernel: 3, stride: 2}, name: up}
""")
    result = verify(graph, rf_layers=["up", "c"])
    up, c = result.fields
    assert up.status == "bound" and up.analytic == (4, 4)
    assert all(m <= 4 for m in up.measured)
    assert c.status == "exact" and c.measured == (3, 3)
    assert result.ok


def broken(monkeypatch: pytest.MonkeyPatch, kind: str, change: Callable[[Bound], Bound]) -> None:
    """Make the rules of `kind` wrong: each bound layer passed through `change`."""
    cls = REGISTRY[kind]
    original = cls._bind
    monkeypatch.setattr(cls, "_bind", lambda self, ins, fields: change(original(self, ins, fields)))


def test_a_wrong_analytic_number_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    broken(monkeypatch, "conv", lambda b: replace(b, params=Sum(b.params, 1)))
    result = verify(cnncalc.load("lenet5"), rf_layers=[])
    assert not result.ok
    # LeNet-5's C1: 5·5·1·6 + 6 = 156 parameters in torch; the broken rule says 157
    assert "C1: params 157 (analytic) != 156 (torch)" in result.mismatches()


def test_a_wrong_receptive_field_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.layers.rf import RF, Field

    broken(monkeypatch, "avgpool", lambda b: replace(b, receptive=Field(RF.of_input(2), ())))
    result = verify(cnncalc.load("lenet5"), rf_layers=["S2"])
    # S2 is a 2×2/2 average pool after the 5×5 C1: 5 + (2 − 1)·1 = 6 measured, 1 claimed
    assert result.fields[0].measured == (6, 6)
    assert not result.ok


def test_unknown_rf_layer_is_a_user_error() -> None:
    with pytest.raises(CnnCalcError, match=r"no layer 'C50'.*did you mean 'C5'"):
        verify(cnncalc.load("lenet5"), rf_layers=["C50"])


def test_block_instance_stands_for_its_output() -> None:
    result = verify(cnncalc.load("squeezenet1_0", input_shape=(3, 64, 64)), rf_layers=["fire2"])
    assert [f.name for f in result.fields] == ["fire2.concat"]


def test_cli_exit_codes_and_json(monkeypatch: pytest.MonkeyPatch) -> None:
    ok = runner.invoke(app, ["verify", "lenet5"])
    assert ok.exit_code == 0, ok.output
    assert "every number agrees" in ok.output and "mismatch" not in ok.output
    data = json.loads(runner.invoke(app, ["verify", "lenet5", "--format", "json"]).output)
    assert data["ok"] is True and data["mismatches"] == []
    assert data["layers"][0]["params"] == {"ours": 156, "theirs": 156, "ok": True}  # 5·5·6 + 6
    totals = {t["what"]: t for t in data["totals"]}
    assert totals["2·MACs"]["theirs"] == 2 * totals["MACs"]["theirs"]

    broken(monkeypatch, "conv", lambda b: replace(b, macs=Mul(b.macs, 2)))
    bad = runner.invoke(app, ["verify", "lenet5"])
    assert bad.exit_code == 1
    # C1: 28·28·6 · 5·5·1 = 117,600 MACs (fvcore); the broken rule says twice that
    assert "C1: macs 235200 (analytic) != 117600 (torch)" in bad.output and "mismatch" in bad.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["verify", "no_such_net"], "unknown network"),
        (["verify", "lenet5", "--against", "resnet50"], "torchvision:NAME"),
        (["verify", "lenet5", "--against", "torchvision:resnet5O"], "no classification model"),
        (["verify", "lenet5", "--rf", "nothing"], "no layer 'nothing'"),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert isinstance(result.exception, CnnCalcError) and message in str(result.exception)


def test_cuda_when_there_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(CnnCalcError, match="no CUDA device: use --device cpu"):
        verify(cnncalc.load("lenet5"), device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (checked above without one)")
def test_verify_on_cuda() -> None:
    assert verify(cnncalc.load("resnet18", input_shape=(3, 64, 64)), device="cuda").ok


def test_missing_torchvision_is_a_one_line_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torchvision", None)  # makes `import torchvision` fail
    with pytest.raises(CnnCalcError) as info:
        verify(cnncalc.load("lenet5"), against="torchvision:resnet18")
    assert str(info.value) == "torchvision is not installed: pip install 'cnncalc[torchvision]'"


def test_export_command(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "net.py"
    result = runner.invoke(app, ["export", "lenet5", "--to", "torch", "-o", str(target)])
    assert result.exit_code == 0, result.output
    namespace: dict[str, object] = {"__name__": "net"}
    exec(compile(target.read_text(), str(target), "exec"), namespace)
    module = namespace["Lenet5"]()  # type: ignore[operator]
    assert sum(p.numel() for p in module.parameters()) == 61_706  # 156 + 2,416 + 48,120 + 10,164 + 850
    assert tuple(module(torch.zeros(1, 1, 32, 32)).shape) == (1, 10)


SIDE_HEAD = """
name: side_head
input: [3, 16, 16]
layers:
  - {conv: {out: 8, kernel: 3}, name: c1}
  - {global_avgpool, name: gap1, from: c1}
  - {flatten, name: flat1}
  - {linear: 5, name: head}            # a dead end, like GoogLeNet's auxiliary classifiers
  - {conv: {out: 4, kernel: 3}, name: c2, from: c1}
  - {global_avgpool, name: gap2}
  - {flatten, name: out}
"""


def test_side_outputs_are_computed_and_counted() -> None:
    """A dead-end branch is in the analytic totals; the verified module returns it too, so that fvcore's
    trace does not drop its work (it counted 0 MACs for GoogLeNet's aux heads before)."""
    graph = cnncalc.load_text_graph(SIDE_HEAD)
    result = verify(graph)
    assert result.ok, "\n".join(result.mismatches())
    head = next(c for c in result.layers if c.name == "head")
    assert head.macs.ours == head.macs.theirs == 8 * 5  # linear 8 -> 5
    assert analyze_graph(graph).totals.output_shape == (4,)


@pytest.mark.parametrize("overrides", [{"shortcut": 2}, {"shortcut": 0}])
def test_cifar_resnet_shortcut_options_pass_verify(overrides: dict[str, int]) -> None:
    graph = cnncalc.load("resnet20_cifar", overrides=overrides)
    result = verify(graph, rf_layers=small_fields(graph))
    assert result.ok, "\n".join(result.mismatches())
