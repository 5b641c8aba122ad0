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


# One of each way a network is written; the whole zoo (every variant) and examples/*.yaml are checked by
# tools/export_zoo.py (its last result is in the README).
REPRESENTATIVE = {
    "lenet5": None,  # a chain: one nn.Sequential
    "lenet5_1998": None,  # the classic kinds (subsample, table conv, RBF): their modules copied into the file
    "resnet18": (3, 64, 64),  # blocks, an optional shortcut, loops
    "squeezenet1_0": (3, 64, 64),  # concatenations
    "densenet121": (3, 64, 64),  # a loop whose copies change the channel count
    "efficientnet_b1": (3, 64, 64),  # a variant; if on entries, numbered blocks, make_divisible, a flagged add
    "regnet_x_400mf": (3, 64, 64),  # a block no instance has (se = 0): refused in code
    "regnet_y_400mf": (3, 64, 64),  # ... and present (se = 1)
    "convnext_tiny": (3, 64, 64),  # layernorm, per-position linear, scale, stochastic depth
    "mobilenet_v3_small": (3, 64, 64),  # $act and $features: a block chosen by a var
    "shufflenet_v2_x0_5": (3, 64, 64),  # split and channel shuffle
    "examples/convnext_block.yaml": None,
    "examples/shufflenet_unit.yaml": None,
}
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("network", sorted(REPRESENTATIVE))
def test_representative_networks_export_and_equal_build_module(network: str) -> None:
    shape = REPRESENTATIVE[network]
    source_name = str(ROOT / network) if network.startswith("examples/") else network
    graph = cnncalc.load(source_name, input_shape=shape)
    cls, _ = load_exported(export_source(source_name, input_shape=shape))
    ours = cls().eval()
    reference = build_module(graph).eval()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == [
        (k, v.shape) for k, v in reference.state_dict().items()]  # the same paths, in the same order
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


def test_efficientnet_reads_like_torchvision() -> None:
    """`if:` becomes a Python if; a numbered block is an nn.Sequential filled by append (children 0, 1, 2 …
    as torchvision's); the residual add is made under a flag, as torchvision's ``use_res_connect``."""
    source = export_source("efficientnet_b0")
    assert "def make_divisible(" in source  # the language's function, written into the file
    assert "hidden = make_divisible(inp * t, 8) if hidden is None else hidden" in source
    assert "        if hidden != inp:\n            self.append(ConvNormAct(in_channels, out=hidden" in source
    assert "        if not linear:\n            self.append(nn.SiLU(inplace=True))" in source
    assert "self.use_add = stride == 1 and inp == oup" in source
    assert "        if self.use_add:\n            out = x + out" in source
    assert "self.stochastic_depth = StochasticDepth(p=sd) if stride == 1 and inp == oup else None" in source
    _, namespace = load_exported(source)
    mbconv = namespace["Mbconv"]
    with_shortcut, without = mbconv(16, t=6, k=3, stride=1, inp=16, oup=16), mbconv(16, t=6, k=3, stride=2, inp=16,
                                                                                       oup=24)
    assert with_shortcut.use_add and not without.use_add and without.stochastic_depth is None
    assert [n for n, _ in namespace["MbconvBlock"](16, inp=16, hidden=16, oup=8, k=3, stride=1).named_children()] == [
        "0", "1", "2"]  # no expansion when hidden == inp: the depthwise block is 0, as in torchvision


def test_a_variant_exports_with_its_own_vars_as_defaults() -> None:
    """efficientnet_b2's class builds efficientnet_b2 (width 1.1, depth 1.2), not the family's defaults."""
    cls, _ = load_exported(export_source("efficientnet_b2", input_shape=(3, 64, 64)))
    expected = build_module(cnncalc.load("efficientnet_b2", input_shape=(3, 64, 64)))
    assert sum(p.numel() for p in cls().parameters()) == sum(p.numel() for p in expected.parameters()) == 9_109_994
    # 9,109,994: torchvision.models.efficientnet_b2's parameter count (its model card)


def test_a_block_the_network_does_not_have_is_refused_by_the_class() -> None:
    """RegNetX has no squeeze-and-excitation, so its file has no class for it: asking for one is an error
    in the file, never a silently different network."""
    cls, _ = load_exported(export_source("regnet_x_400mf", input_shape=(3, 64, 64)))
    cls()
    with pytest.raises(ValueError, match=r"squeeze_excitation .* is not in the network this file was exported from"):
        cls(se=1)


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
    for network in ("resnet50", "densenet121", "squeezenet1_0", "mobilenet_v2", "inception_v3", "vgg16",
                    "efficientnet_b0", "regnet_y_400mf", "convnext_tiny", "mnasnet0_5"):
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
