"""PyTorch models as networks: `cnncalc.load("torchvision:NAME")`, ``file.py:Name`` and `cnncalc import`.

Oracles: torch itself (parameter counts, output shapes, a model run on the same weights),
torchvision's counts measured with fvcore (../shared/reference/torchvision_counts.json: params,
buffers, output shape, conv + linear MACs and fvcore's total), and hand calculations written
out below. tools/import_sweep.py runs every torchvision classification model (README, "Bring
your own PyTorch model").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import torch
from zoo_helpers import REFERENCE

import cnncalc
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.conventions import counted
from cnncalc.cli import main
from cnncalc.errors import CnnCalcError
from cnncalc.sources import parse
from cnncalc.torch.importer_sources import build, import_yaml
from cnncalc.verify import verify

ROOT = Path(__file__).resolve().parents[2]
MYNETS = ROOT / "tests" / "fixtures" / "mynets.py"
MACS = ("fvcore_conv", "fvcore_linear", "fvcore_matmul", "fvcore_addmm", "fvcore_einsum", "fvcore_bmm")
# quick ones in every run; the rest of the families are slow (tools/import_sweep.py runs all 80)
QUICK = ["resnet18", "mobilenet_v2", "squeezenet1_1", "shufflenet_v2_x0_5", "mnasnet0_5", "efficientnet_b0",
         "convnext_tiny", "googlenet", "regnet_x_400mf"]
SLOW = ["alexnet", "vgg11_bn", "resnext50_32x4d", "wide_resnet50_2", "densenet121", "inception_v3",
        "mobilenet_v3_large", "efficientnet_v2_s", "regnet_y_400mf"]


class Ran(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Ran]:
    """`cnncalc ARGS` in this process (torch is imported once), run from the repository's root."""
    monkeypatch.chdir(ROOT)

    def run(*args: str) -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def reference(name: str) -> dict[str, Any]:
    models: dict[str, Any] = json.loads(REFERENCE.read_text())["models"]
    return models[name]


@pytest.mark.parametrize("name", [*QUICK, *(pytest.param(n, marks=pytest.mark.slow) for n in SLOW)])
def test_torchvision_model_imports_with_torchvisions_counts(name: str) -> None:
    expected = reference(name)
    graph = cnncalc.load(f"torchvision:{name}", input_shape=tuple(expected["input"]))
    report = analyze_graph(graph)
    assert report.totals.params == expected["params"]
    assert report.totals.buffers == expected["buffers"]
    assert list(report.totals.output_shape) == expected["output_shape"]
    assert report.totals.macs == sum(expected.get(k, 0) for k in MACS)
    assert counted(graph, report, ["fvcore"]).totals["fvcore"] == expected["fvcore_total"]


def test_hand_written_branches_groups_and_functions() -> None:
    """Branchy on 3×32×32, by hand: stem 3→16 3×3/2 p1 -> 16×16×16 (params 16·27 + 16 = 448, MACs
    16·256·27 = 110,592); each Unit: a 1×1 16→8 (128; 8·16·256 = 32,768), b 3×3 16→8 in g groups
    (8·(16/g)·9: 576 for g=2, 288 for g=4; MACs ×256), bn 2·16 params and 2·16 buffers; fc 16→10
    (170; 160)."""
    graph = cnncalc.load(f"{MYNETS}:Branchy", input_shape=(3, 32, 32))
    report = analyze_graph(graph)
    assert report.totals.params == 448 + (128 + 576 + 32) + (128 + 288 + 32) + 170
    assert report.totals.buffers == 2 * 32
    assert report.totals.macs == 110_592 + (32_768 + 147_456) + (32_768 + 73_728) + 160
    model = build(parse(f"{MYNETS}:Branchy"), meta=False)  # type: ignore[arg-type]
    assert report.totals.params == sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        assert report.totals.output_shape == tuple(model(torch.zeros(1, 3, 32, 32)).shape[1:])
    kinds = [r.type for r in report.layers]
    assert kinds.count("concat") == 2 and kinds.count("add") == 2 and "global_avgpool" in kinds
    assert kinds[-2:] == ["flatten", "linear"]


def test_a_module_class_used_twice_is_a_block_with_arguments() -> None:
    text = import_yaml(parse(f"{MYNETS}:Branchy"), input_shape=(3, 32, 32))  # type: ignore[arg-type]
    assert "  Unit:\n" in text and "args: {groups: null}" in text
    assert "{Unit: {groups: 2}, name: unit1}" in text and "{Unit: {groups: 4}, name: unit2}" in text
    assert "torch: F.relu" in text  # the code's spelling, for the counting tools


def test_mean_over_the_spatial_dimensions_is_global_pooling() -> None:
    """conv 3→8 3×3 on 10×10: 8×8×8, params 8·27 + 8 = 224, MACs 8·64·27 = 13,824; x.mean((2, 3)) and
    linear 8→4: 36 params, 32 MACs."""
    report = cnncalc.analyze(f"{MYNETS}:MeanHead", input_shape=(3, 10, 10))
    assert [r.type for r in report.layers] == ["conv", "global_avgpool", "flatten", "linear"]
    assert (report.totals.params, report.totals.macs) == (224 + 36, 13_824 + 32)


def test_factory_function_with_arguments() -> None:
    report = cnncalc.analyze(f"{MYNETS}:make_branchy?width=7", input_shape=(3, 16, 16))
    assert report.totals.output_shape == (7,) and report.layers[-1].params == 16 * 7 + 7


def test_an_operation_without_a_kind_is_named_never_a_silent_zero() -> None:
    with pytest.raises(CnnCalcError, match=r"torch\.roll in the model's forward \(Rolled\).*--allow-uncounted"):
        cnncalc.load(f"{MYNETS}:Rolled", input_shape=(3, 8, 8))
    text = import_yaml(parse(f"{MYNETS}:Rolled"), input_shape=(3, 8, 8), allow_uncounted=True)  # type: ignore[arg-type]
    graph = cnncalc.load_text_graph(text)
    report = analyze_graph(graph)
    row = report.layers[-1]
    assert row.type == "uncounted" and row.output_shape == (4, 8, 8) and row.macs == 0
    assert "not counted" in str(row.bound.notes[0]) if row.bound else False
    assert [c for c, _ in counted(graph, report).by_category()] == ["conv", "not counted"]


def test_resnet18_imports_as_blocks_and_repeats_and_round_trips(tmp_path: Path, cli: Callable[..., Ran]) -> None:
    out = tmp_path / "r18.yaml"
    proc = cli("import", "torchvision:resnet18", "--input", "3x64x64", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert "  BasicBlock:\n" in text and "args: {width: null, stride: null}" in text
    assert "repeat: 2" in text and "{layer: {width: 128, stride: 2}, name: layer2}" in text
    ours = json.loads(cli("shapes", str(out), "-f", "json").stdout)
    theirs = json.loads(cli("shapes", "torchvision:resnet18", "--input", "3x64x64", "-f", "json").stdout)
    assert ours.pop("file") == str(out) and theirs.pop("file") == "torchvision:resnet18"
    assert ours == theirs
    result = verify(cnncalc.load(out), against="torchvision:resnet18")
    assert result.against_error is None
    assert [c.what for c in result.against_checks if not c.ok] == []
    assert [c.what for c in result.against_checks][-1] == "outputs"


def test_verify_against_a_users_file() -> None:
    graph = cnncalc.load(f"{MYNETS}:Branchy", input_shape=(3, 16, 16))
    result = verify(graph, against=f"{MYNETS}:Branchy")
    assert result.against_error is None and all(c.ok for c in result.against_checks)


@pytest.mark.parametrize(("source", "message"), [
    ("tests/fixtures/nosuch.py:Net", "no such file"),
    ("tests/fixtures/mynets.py:Brachy", "did you mean 'Branchy'"),
    ("tests/fixtures/mynets.py:Branchy?depth=3", "depth"),
    ("torchvision:resnet1800", "did you mean"),
    ("tests/fixtures/mynets.py:Branchy", "--input"),  # a model has no input size of its own
])
def test_bad_sources_are_one_line_and_exit_2(source: str, message: str, cli: Callable[..., Ran]) -> None:
    proc = cli("shapes", source)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and message in proc.stderr, proc.stderr


def test_shapes_of_a_users_file_from_the_command_line(cli: Callable[..., Ran]) -> None:
    proc = cli("shapes", "tests/fixtures/mynets.py:Branchy", "--input", "3x64x64", "--arg", "width=5")
    assert proc.returncode == 0, proc.stderr
    assert "unit2.b" in proc.stdout and "output            5 " in proc.stdout
