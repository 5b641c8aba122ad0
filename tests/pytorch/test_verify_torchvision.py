"""`--against torchvision:NAME`: every zoo network that is a torchvision model matches it.

The oracle is torchvision itself (its models built with weights=None on the meta
device: totals, output shape, the ordered list of parameter shapes), for every
zoo network named in the shared reference counts (``googlenet`` is the zoo's
``googlenet_tv``: the zoo's ``googlenet`` is the paper's network).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from zoo_helpers import REFERENCE, torchvision_pairs

import cnncalc
from cnncalc.cli import app
from cnncalc.verify import against_torchvision


@pytest.mark.parametrize(("name", "model"), torchvision_pairs())
def test_zoo_network_matches_torchvision(name: str, model: str) -> None:
    assert REFERENCE.is_file(), f"reference counts not found at {REFERENCE}"
    checks = against_torchvision(cnncalc.load(name), f"torchvision:{model}")
    assert [c.what for c in checks] == ["params", "buffers", "output shape", "parameter shapes"]
    bad = [f"{c.what}: {c.cell.ours} != {c.cell.theirs}" for c in checks if not c.ok]
    assert not bad, "\n".join(bad)


def test_the_zoo_has_torchvision_networks() -> None:
    # the core zoo at least: AlexNet, VGG, ResNet, SqueezeNet are torchvision models
    names = {name for name, _ in torchvision_pairs()}
    assert {"alexnet", "vgg16", "resnet50", "squeezenet1_0", "squeezenet1_1"} <= names


def test_a_different_network_is_caught() -> None:
    # ResNet-18 is not ResNet-34: 11,689,512 vs 21,797,672 parameters (torchvision)
    checks = {c.what: c for c in against_torchvision(cnncalc.load("resnet18"), "torchvision:resnet34")}
    assert checks["params"].cell.ours == 11_689_512 and checks["params"].cell.theirs == 21_797_672
    assert not checks["parameter shapes"].ok
    assert checks["output shape"].ok  # both end in 1000 classes


def test_cli_verify_against_torchvision() -> None:
    result = CliRunner().invoke(app, ["verify", "squeezenet1_1", "--against", "torchvision:squeezenet1_1",
                                      "--rf", "fire2", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["against"]["model"] == "torchvision:squeezenet1_1"
    checks = {c["what"]: c for c in data["against"]["checks"]}
    assert checks["params"]["theirs"] == 1_235_496  # torchvision's squeezenet1_1
    assert checks["parameter shapes"]["ok"]
