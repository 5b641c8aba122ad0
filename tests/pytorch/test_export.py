"""`cnncalc export --to torch`: the file a PyTorch user keeps.

Oracles: `build_module` (the module verify and bench use: its state_dict and its
outputs), torchvision's own models (their state_dicts, freshly initialised and
then randomised, loaded through the exported `load_torchvision_state_dict`), and
ruff (the generated code passes it).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

import cnncalc
from cnncalc import zoo
from cnncalc.torch.export import export_source
from cnncalc.torch.lower import build_module
from cnncalc.torch.pretrained import TORCHVISION
from cnncalc.verify.against import TORCHVISION_OPTIONS


def load_exported(source: str) -> tuple[type[nn.Module], dict[str, Any]]:
    """The exported file run as a module: its top class (the last one) and its namespace."""
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(source, "exported.py", "exec"), namespace)
    classes = [v for v in namespace.values()
               if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == "exported"]
    return classes[-1], namespace


def randomised(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Every tensor replaced by random values (variances positive), so that a swapped pair shows."""
    torch.manual_seed(0)
    out = {}
    for key, value in state.items():
        if not value.is_floating_point():
            out[key] = value.clone()
        elif key.endswith("running_var"):
            out[key] = torch.rand_like(value) + 0.5
        else:
            out[key] = torch.randn_like(value) * 0.05
    return out


@pytest.mark.parametrize("network", zoo.names())
def test_every_zoo_network_exports_and_equals_build_module(network: str) -> None:
    graph = cnncalc.load(network)
    cls, _ = load_exported(export_source(network))
    ours = cls().eval()
    reference = build_module(graph).eval()
    assert list(ours.state_dict()) == list(reference.state_dict())  # the same paths, in the same order
    weights = randomised(reference.state_dict())
    reference.load_state_dict(weights)
    ours.load_state_dict(weights)
    x = torch.randn(2, *graph.spec.input_shape)
    with torch.no_grad():
        expected = reference(x)
        assert torch.allclose(ours(x), expected, rtol=1e-4, atol=1e-5)
        reference.load_state_dict(randomised(ours.state_dict()) | {})  # and back
        ours.load_state_dict(reference.state_dict())
        assert torch.allclose(ours(x), reference(x), rtol=1e-4, atol=1e-5)


SMALL = {"inception_v3": 96, "googlenet_tv": 96}


@pytest.mark.parametrize("network", sorted(TORCHVISION))
def test_torchvision_weights_load_into_the_export(network: str) -> None:
    """torchvision's state_dict (randomised) loads through the exported function and gives
    torchvision's outputs."""
    import torchvision

    name = TORCHVISION[network]
    theirs = getattr(torchvision.models, name)(weights=None, **TORCHVISION_OPTIONS.get(name, {})).eval()
    state = randomised(theirs.state_dict())
    theirs.load_state_dict(state)
    size = SMALL.get(network, 64)
    cls, namespace = load_exported(export_source(network, input_shape=(3, size, size)))
    ours = cls().eval()
    namespace["load_torchvision_state_dict"](ours, state)
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), rtol=1e-3, atol=1e-4)


def test_a_wrong_state_dict_is_refused_with_the_names() -> None:
    import torchvision

    cls, namespace = load_exported(export_source("resnet18", input_shape=(3, 64, 64)))
    load = namespace["load_torchvision_state_dict"]
    with pytest.raises(ValueError, match=re.escape("fc.bias (3,) does not fit fc.bias (1000,)")):
        load(cls(), torchvision.models.resnet18(weights=None).state_dict() | {"fc.bias": torch.zeros(3)})
    with pytest.raises(ValueError, match="218 tensors given, the model has 122"):
        load(cls(), torchvision.models.resnet34(weights=None).state_dict())


def test_resnet50_reads_like_torchvision() -> None:
    """A class per block, named after it, its arguments as parameters; the vars as keyword arguments."""
    source = export_source("resnet50")
    assert "class Bottleneck(nn.Module):" in source
    assert "def __init__(self, in_channels: int, width: int, stride: int = 1, down: int = 0)" in source
    assert "class Resnet50(nn.Sequential):" in source
    assert "num_classes: int = 1000" in source
    assert "out += x" in source  # in place, as torchvision's `out += identity`
    assert "layer1_bottleneck1" not in source
    cls, _ = load_exported(source)
    model = cls(num_classes=10)  # the constructor and --set agree
    assert model.fc.out_features == 10
    assert [n for n, _ in model.named_parameters()] == [
        n for n, _ in build_module(cnncalc.load("resnet50", overrides={"num_classes": 10})).named_parameters()]


def test_vars_change_the_structure_as_set_does() -> None:
    """Densenet121(growth=16, b4=2) is `cnncalc export densenet121 --set growth=16 --set b4=2`."""
    cls, _ = load_exported(export_source("densenet121"))
    changed = cls(growth=16, b4=2)
    expected = build_module(cnncalc.load("densenet121", overrides={"growth": 16, "b4": 2}))
    assert [(n, p.shape) for n, p in changed.named_parameters()] == [
        (n, p.shape) for n, p in expected.named_parameters()]


def test_generated_code_passes_ruff() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    for network in ("resnet50", "densenet121", "squeezenet1_0", "mobilenet_v2", "inception_v3", "vgg16"):
        proc = subprocess.run([ruff, "check", "--isolated", "--select", "E,F,W,I,B,UP", "--line-length", "120",
                               "--stdin-filename", f"{network}.py", "-"], input=export_source(network),
                              capture_output=True, text=True)
        assert proc.returncode == 0, network + "\n" + proc.stdout + proc.stderr


def test_the_forward_frees_what_it_no_longer_needs() -> None:
    source = export_source("inception_v3")
    assert "del " in source or source.count("x = ") > 50


def test_readme_shows_real_exports() -> None:
    """Each ```python block after an ``<!-- export:NAME -->`` marker is a piece of `cnncalc export NAME`."""
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"<!-- export:(\w+) -->\n((?:```python\n.*?```\n)+)", readme, re.S)
    assert {name for name, _ in shown} >= {"resnet50", "densenet121", "squeezenet1_0"}
    for name, blocks in shown:
        source = export_source(name)
        for block in re.findall(r"```python\n(.*?)```", blocks, re.S):
            assert block in source, f"README's export of {name} differs from the output:\n{block}"
