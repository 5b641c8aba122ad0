"""`--against torchvision:NAME`: zoo networks that are torchvision models compute what torchvision's do.

The oracle is torchvision itself: its models built with weights=None, counted (params, buffers,
output shape, parameter shapes; the meta device where the model allows it) and, with their
weights copied into ours, run on the same input (outputs compared). One network of every family
is run here, at a small input; tools/verify_zoo.py runs them all (README, "Cross-checking").
``googlenet`` is the zoo's ``googlenet_tv`` (the zoo's ``googlenet`` is the paper's network).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner
from zoo_helpers import REFERENCE, representatives, small_graph, torchvision_pairs

import cnncalc
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.verify import against_torchvision, verify
from cnncalc.verify.against import build

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]

# family -> one of its networks, verified with outputs compared (and EfficientNetV2's fused blocks too)
FAMILIES = {
    "Classic": "alexnet", "VGG": "vgg11_bn", "Inception": "googlenet_tv", "ResNet": "resnet18",
    "ResNeXt": "resnext50_32x4d", "DenseNet": "densenet121", "SqueezeNet": "squeezenet1_1",
    "MobileNet": "mobilenet_v3_small", "ShuffleNet": "shufflenet_v2_x0_5", "MNASNet": "mnasnet0_5",
    "EfficientNet": "efficientnet_b0", "RegNet": "regnet_y_400mf", "ConvNeXt": "convnext_tiny",
}
EXTRA = ["efficientnet_v2_s"]
MODEL = dict(torchvision_pairs())


@pytest.mark.parametrize(("name", "model"), [p for p in torchvision_pairs() if p[0] in representatives()])
def test_zoo_network_counts_as_torchvision(name: str, model: str) -> None:
    assert REFERENCE.is_file(), f"reference counts not found at {REFERENCE}"
    checks = against_torchvision(cnncalc.load(name), f"torchvision:{model}")
    assert [c.what for c in checks] == ["params", "buffers", "output shape", "parameter shapes"]
    bad = [f"{c.what}: {c.cell.ours} != {c.cell.theirs}" for c in checks if not c.ok]
    assert not bad, "\n".join(bad)


def test_every_torchvision_family_is_run_with_outputs() -> None:
    families = {cnncalc.analyze(name).family for name, _ in torchvision_pairs()}
    assert families == set(FAMILIES)
    assert all(FAMILIES[f] in MODEL for f in families)


@pytest.mark.parametrize("name", [*FAMILIES.values(), *EXTRA])
def test_outputs_equal_torchvisions(name: str) -> None:
    graph = small_graph(name)
    result = verify(graph, against=f"torchvision:{MODEL[name]}", rf_layers=[])
    assert result.ok, "\n".join(result.mismatches())
    checks = {c.what: c for c in result.against_checks}
    assert list(checks) == ["params", "buffers", "MACs", "output shape", "parameter shapes", "outputs"]
    assert checks["MACs"].cell.theirs == cnncalc.analyze(name, input_shape=graph.spec.input_shape).totals.macs
    assert checks["outputs"].ok and checks["outputs"].cell.ours.startswith("max |Δ| ")


def shufflenet_stand_in() -> str:
    """ShuffleNetV2 with the untouched half of each unit written as the branch again: same counts."""
    text = (ROOT / "archs" / "shufflenet_v2.yaml").read_text()
    assert "{concat: [parts.0, branch2], name: cat}" in text
    return text.replace("{concat: [parts.0, branch2], name: cat}", "{concat: [branch2, branch2], name: cat}")


def test_a_count_equivalent_stand_in_fails_with_the_layer_named() -> None:
    graph = cnncalc.load_text_graph(shufflenet_stand_in(), "stand_in.yaml", input_shape=(3, 64, 64))
    result = verify(graph, against="torchvision:shufflenet_v2_x1_0", rf_layers=[])
    checks = {c.what: c for c in result.against_checks}
    assert all(checks[k].ok for k in ("params", "buffers", "MACs", "output shape", "parameter shapes"))
    assert not checks["outputs"].ok and not result.ok
    assert "the first layer whose output differs is stage2.1.cat (concat)" in checks["outputs"].detail


def test_a_different_batch_norm_epsilon_is_caught() -> None:
    # EfficientNet-B5 … B7 use eps 0.001 where B0 uses 1e-5: every count equal, the function not
    graph = small_graph("efficientnet_b0", overrides={"bn_eps": 0.001})
    result = verify(graph, against="torchvision:efficientnet_b0", rf_layers=[])
    checks = {c.what: c for c in result.against_checks}
    assert all(checks[k].ok for k in ("params", "buffers", "MACs", "output shape", "parameter shapes"))
    assert not checks["outputs"].ok
    assert "the first layer whose output differs is features.0.1 (bn; torchvision's features.0.1): same input, " \
           "different output" in checks["outputs"].detail


def test_cli_names_the_layer_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "stand_in.yaml"
    path.write_text(shufflenet_stand_in())
    result = runner.invoke(app, ["verify", str(path), "--input", "3x64x64", "--rf", "conv1",
                                 "--against", "torchvision:shufflenet_v2_x1_0"])
    assert result.exit_code == 1, result.output
    assert "stage2.1.cat (concat)" in " ".join(result.output.split())


def test_a_per_channel_prelu_for_a_layer_scale_does_not_pair() -> None:
    # the stand-in the issue found: equal counts, but a PReLU's slopes are C, a layer scale C×1×1
    text = (ROOT / "archs" / "convnext.yaml").read_text()
    text = text.replace("{scale: {init: $layer_scale}, name: layer_scale}", "{prelu: {per_channel: true}, "
                        "name: layer_scale}")
    checks = {c.what: c for c in against_torchvision(cnncalc.load_text_graph(text, "x.yaml"),
                                                     "torchvision:convnext_tiny")}
    assert checks["params"].ok and not checks["parameter shapes"].ok
    assert "has no partner" in checks["parameter shapes"].detail


def test_constructor_options_and_set_reach_the_reference() -> None:
    # --set num_classes=10 builds torchvision's resnet18 with 10 classes: 11,689,512 − 513·990 params
    graph = cnncalc.load("resnet18", input_shape=(3, 32, 32), overrides={"num_classes": 10})
    result = verify(graph, against="torchvision:resnet18", rf_layers=[], settings={"num_classes": 10})
    checks = {c.what: c for c in result.against_checks}
    assert result.ok, result.mismatches()
    assert checks["params"].cell.theirs == 11_689_512 - 513 * 990 and checks["output shape"].cell.theirs == (10,)
    # width_mult is torchvision's constructor option: the family file computes the same widths
    graph = small_graph("mobilenet_v3_large", overrides={"width_mult": 0.75})
    result = verify(graph, against="torchvision:mobilenet_v3_large?width_mult=0.75", rf_layers=[])
    assert result.ok, result.mismatches()


def test_cli_set_and_input_reach_the_reference() -> None:
    result = runner.invoke(app, ["verify", "resnet18", "--set", "num_classes=10", "--input", "3x32x32", "--rf",
                                 "conv1", "--against", "torchvision:resnet18", "--format", "json"])
    assert result.exit_code == 0, result.output
    checks = {c["what"]: c for c in json.loads(result.output)["against"]["checks"]}
    assert checks["output shape"]["theirs"] == [10] and checks["outputs"]["ok"]


def test_a_reference_that_cannot_be_built_is_one_line_exit_2() -> None:
    result = runner.invoke(app, ["verify", "lenet5", "--rf", "C1", "--against", "torchvision:resnet18?bogus=1",
                                 "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["layers"] and data["ok"] is False  # the per-layer results are kept
    error = data["against"]["error"]
    assert error.startswith("--against torchvision:resnet18?bogus=1: cannot build torchvision's resnet18(bogus=1): ")
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("cnncalc: --against") and "Traceback" not in \
        result.output


@pytest.mark.parametrize(("against", "words"), [
    ("resnet18", "write torchvision:NAME"),
    ("torchvision:resnet19", "did you mean 'resnet18'"),
    ("torchvision:resnet18?classes", "key=value pairs"),
])
def test_bad_reference_specs_fail_before_any_work(against: str, words: str) -> None:
    with pytest.raises(CnnCalcError, match=words):
        verify(cnncalc.load("lenet5"), against=against)


def test_regnet_is_built_on_the_cpu_when_meta_fails() -> None:
    # RegNet computes its widths with tensors (.tolist()), impossible on the meta device
    model = build("regnet_x_400mf", {}, meta=True)
    assert not any(p.is_meta for p in model.parameters())
    assert sum(p.numel() for p in model.parameters()) == 5_495_976  # torchvision's regnet_x_400mf


def test_a_different_network_is_caught() -> None:
    # ResNet-18 is not ResNet-34: 11,689,512 vs 21,797,672 parameters (torchvision)
    checks = {c.what: c for c in against_torchvision(cnncalc.load("resnet18"), "torchvision:resnet34")}
    assert checks["params"].cell.ours == 11_689_512 and checks["params"].cell.theirs == 21_797_672
    assert not checks["parameter shapes"].ok
    assert checks["output shape"].ok  # both end in 1000 classes


def test_cli_verify_against_torchvision() -> None:
    result = runner.invoke(app, ["verify", "squeezenet1_1", "--against", "torchvision:squeezenet1_1",
                                 "--rf", "fire2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["against"]["model"] == "torchvision:squeezenet1_1" and data["against"]["error"] is None
    checks = {c["what"]: c for c in data["against"]["checks"]}
    assert checks["params"]["theirs"] == 1_235_496  # torchvision's squeezenet1_1
    assert checks["parameter shapes"]["ok"] and checks["outputs"]["ok"]
    assert checks["MACs"]["theirs"] == 349_151_936  # fvcore's conv + linear (shared/reference)
