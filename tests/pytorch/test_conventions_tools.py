"""`--as TOOL` on zoo networks equals what the tools themselves print for torchvision's models.

The oracle is each tool run on torchvision's model (weights=None, eval, batch 1; see
counting_tools.py), on the same input as cnncalc's zoo network. cnncalc computes its
numbers by its own rules for the tool, without torch; the networks are those of the
zoo that mirror a torchvision model, including ones whose torchvision code calls
functions (``F.relu``, ``F.adaptive_avg_pool2d``, ``F.max_pool2d``) that some tools
cannot see. Smaller inputs than 224×224 keep the runs short where the network
allows it; the counts at 224×224 are compared with the recorded totals in
tests/analysis/test_conventions.py.
"""

from __future__ import annotations

import pytest
import torch
from counting_tools import TOOLS, torchvision_model, totals

import cnncalc
from cnncalc import zoo
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.conventions import counted

# zoo name -> (torchvision name, input side); the issue names convnext_tiny, mobilenet_v2 and densenet121
NETWORKS = {
    "alexnet": ("alexnet", 128),
    "vgg11": ("vgg11", 64),
    "resnet18": ("resnet18", 112),
    "resnet50": ("resnet50", 128),
    "resnext50_32x4d": ("resnext50_32x4d", 96),
    "squeezenet1_0": ("squeezenet1_0", 128),
    "squeezenet1_1": ("squeezenet1_1", 128),
    "mobilenet_v2": ("mobilenet_v2", 160),
    "densenet121": ("densenet121", 128),
    "googlenet_tv": ("googlenet", 112),
    "inception_v3": ("inception_v3", 139),
    "convnext_tiny": ("convnext_tiny", 64),
    "efficientnet_b0": ("efficientnet_b0", 96),
    "mobilenet_v3_small": ("mobilenet_v3_small", 96),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", 96),
    "regnet_y_400mf": ("regnet_y_400mf", 96),
    "mnasnet0_5": ("mnasnet0_5", 96),
}


def _params() -> list[object]:
    marks = {n: pytest.mark.skipif(n not in zoo.names(), reason=f"the zoo has no {n} yet") for n in NETWORKS}
    return [pytest.param(n, marks=[pytest.mark.slow, marks[n]]) for n in NETWORKS]


@pytest.mark.parametrize("network", _params())
def test_as_tool_equals_the_tool(network: str) -> None:
    model_name, side = NETWORKS[network]
    shape = (3, side, side)
    graph = cnncalc.load(network, input_shape=shape)
    ours = counted(graph, analyze_graph(graph)).totals
    with torch.no_grad():
        theirs = totals(torchvision_model(model_name), torch.zeros((1, *shape)))
    assert {t: ours[t] for t in TOOLS} == theirs


def test_ten_zoo_networks_are_held_to_the_tools() -> None:
    present = [n for n in NETWORKS if n in zoo.names()]
    assert len(present) >= 10 and {"mobilenet_v2", "densenet121"} <= set(present)
