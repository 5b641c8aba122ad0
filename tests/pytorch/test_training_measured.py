"""Training memory against torch: what autograd keeps, measured with saved_tensors_hooks, equals the
analysis to the byte, per layer and in total, in cnncalc's own module and in torchvision's models;
and the step's peak equals a live-storage tracker's on the zoo's networks.

One network per zoo family here (a smaller input where the default one is slow to run twice);
`benchmarks/train_memory.py` runs every zoo network at its own input (README, "Will it fit?").
"""

from __future__ import annotations

import gc
import json
import weakref

import pytest
import torch
import torchvision
from hypothesis import HealthCheck, given, settings
from network_strategies import networks
from typer.testing import CliRunner

import cnncalc
from cnncalc import zoo
from cnncalc.analysis import analyze_graph
from cnncalc.analysis.training import in_place, saved_rule
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.layers import REGISTRY
from cnncalc.torch.lower import lower
from cnncalc.verify.training import measure_saved, verify_training

# (zoo network, input or None for its own, torchvision's model of the same network or None)
FAMILIES = [
    ("lenet5", None, None),
    ("alexnet", None, "alexnet"),
    ("alexnet_original", None, None),  # local response norm
    ("vgg11_bn", (3, 32, 32), "vgg11_bn"),
    ("nin", (3, 96, 96), None),
    ("googlenet_tv", (3, 96, 96), "googlenet"),
    ("inception_v3", (3, 96, 96), "inception_v3"),
    ("resnet18", None, "resnet18"),
    ("resnext50_32x4d", (3, 32, 32), "resnext50_32x4d"),
    ("se_resnet50", (3, 32, 32), None),  # sigmoid gates, broadcast mul
    ("densenet121", (3, 32, 32), "densenet121"),
    ("squeezenet1_1", None, "squeezenet1_1"),
    ("sppnet", None, None),  # spatial pyramid pooling
    ("mobilenet_v2", (3, 64, 64), "mobilenet_v2"),  # relu6 in place, dropout
    ("convnext_tiny", (3, 64, 64), "convnext_tiny"),  # layer norm over channels last, layer scale, stochastic depth
    ("efficientnet_b0", (3, 64, 64), "efficientnet_b0"),  # SiLU, squeeze-excitation
    ("regnet_y_400mf", (3, 64, 64), "regnet_y_400mf"),  # group convs, SE
    ("shufflenet_v2_x0_5", (3, 64, 64), "shufflenet_v2_x0_5"),  # split, channel shuffle
    ("mnasnet0_5", (3, 64, 64), "mnasnet0_5"),
]
# torch cannot train a batch norm on one value per channel ("Expected more than 1 value per channel when
# training"): where an input shrinks to 1×1 before a batch norm, batches 2 and 3. By hand: 32 / 32 = 1 for the
# networks that downsample 32 times; inception_v3 at 96: 47, 45, pool 22, 20, pool 9, Mixed_6a 4, Mixed_7a 1
ONE_BY_ONE = {("inception_v3", 96), ("resnext50_32x4d", 32), ("se_resnet50", 32), ("densenet121", 32),
              ("resnet18", 32), ("mobilenet_v2", 32)}


def batches_for(name: str, shape: tuple[int, ...] | None) -> tuple[int, int]:
    return (2, 3) if shape is not None and (name, shape[-1]) in ONE_BY_ONE else (1, 2)


def test_the_done_when_example_resnet18_at_batch_4() -> None:
    """`cnncalc shapes resnet18 --train --batch 4 --format json` = what torchvision's resnet18 keeps."""
    result = CliRunner().invoke(app, ["shapes", "resnet18", "--train", "--batch", "4", "--format", "json"])
    assert result.exit_code == 0, result.output
    ours = json.loads(result.output)["totals"]["training"]["saved_bytes"]
    torch.manual_seed(0)
    model = torchvision.models.resnet18(weights=None).train()
    measured = measure_saved(model, torch.randn(4, 3, 224, 224))
    assert ours == measured.total == 88_757_760


@pytest.mark.parametrize(("name", "shape", "model"), FAMILIES)
def test_one_network_per_family(name: str, shape: tuple[int, ...] | None, model: str | None) -> None:
    batches = batches_for(name, shape)
    result = verify_training(cnncalc.load(name, input_shape=shape), batches=batches, peak=False,
                             against=f"torchvision:{model}" if model else None)
    assert result.ok, "\n".join(result.mismatches()[:20])
    checked = [t.what for t in result.totals]
    assert checked[:1] == [f"saved, batch {batches[0]}"] and (model is None or any("torchvision" in w for w in checked))


def test_every_family_is_covered() -> None:
    families = {cnncalc.analyze(n).family for n in zoo.names()}
    assert families <= {cnncalc.analyze(n).family for n, _, _ in FAMILIES}


@pytest.mark.parametrize(("name", "shape"), [("lenet5", None), ("alexnet_original", (3, 96, 96)),
                                             ("squeezenet1_1", (3, 64, 64)), ("resnet18", (3, 32, 32)),
                                             ("mobilenet_v2", (3, 32, 32)),
                                             # a conv after a channels-last layer norm: AccumulateGrad copies its
                                             # weight gradient once the conv's backward has released its input
                                             ("convnext_tiny", (3, 64, 64))])
def test_the_step_peak_equals_a_live_storage_tracker(name: str, shape: tuple[int, ...] | None) -> None:
    first, second = batches_for(name, shape)
    result = verify_training(cnncalc.load(name, input_shape=shape), batches=(first, second), optimizer="adam")
    assert result.ok
    assert [m.what for m in result.measured] == [f"step peak, batch {first}, adam", f"step peak, batch {second}, adam"]
    assert all(m.ok for m in result.measured), [(m.cell.ours, m.cell.theirs) for m in result.measured]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks())
def test_random_networks_keep_what_the_rules_say(text: str) -> None:
    graph = cnncalc.load_text_graph(text)
    try:
        result = verify_training(graph, batches=(1, 2), peak=False)
    except CnnCalcError as exc:
        if "nothing to train" in str(exc):
            return
        assert "one value per channel" in str(exc)
        result = verify_training(graph, batches=(2, 3), peak=False)
    assert result.ok, text + "\n" + "\n".join(result.mismatches()[:20])


def test_a_channel_split_fills_the_other_parts_gradients_with_zeros() -> None:
    """Each part of a split is its own torch.split call, whose backward makes zeros for the parts it did not
    return before concatenating: at batch 3 the peak of shufflenet_v2_x1_5 at 64×64 falls there (704 bytes
    above the analysis before the zeros were counted; benchmarks/train_memory.py)."""
    result = verify_training(cnncalc.load("shufflenet_v2_x1_5", input_shape=(3, 64, 64)), batches=(3,))
    assert result.ok and result.measured
    assert all(m.ok for m in result.measured), [(m.cell.ours, m.cell.theirs) for m in result.measured]


def test_measuring_keeps_nothing_alive() -> None:
    """ReLU keeps its output for the backward: packed as the tensor itself, its own grad_fn held it in a cycle
    that no collector frees, with every parameter; benchmarks/train_memory.py grew to 24 GiB over the zoo."""
    module = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.ReLU())
    weight = weakref.ref(module[0].weight)
    assert measure_saved(module, torch.randn(2, 4)).total == 2 * 4 * 4 + 2 * 4 * 4  # the input, ReLU's output
    del module
    gc.collect()
    assert weight() is None


def test_mixed_precision_keeps_bf16_activations_and_weight_copies() -> None:
    result = verify_training(cnncalc.load("resnet18", input_shape=(3, 64, 64)), batches=(1, 2), amp="bf16")
    assert result.ok, "\n".join(result.mismatches()[:20])
    casts = [t for t in result.totals if t.what.startswith("weight casts")]
    # resnet18's conv and fc weights (11,689,512 params less the biases of fc, 1000, and batch norms,
    # 2·4,800) as bfloat16 copies, 2 bytes each; the bias copies are not kept
    assert casts and all(t.cell.theirs == 2 * (11_689_512 - 1000 - 2 * 4800) for t in casts)


def test_in_place_layers_match_the_lowering_for_the_zoo() -> None:
    for name in zoo.names():
        graph = cnncalc.load(name)
        report = analyze_graph(graph)
        built = lower(graph, report, device="meta", inplace=True)
        lowered = {n for n in built.paths if getattr(built.submodule(n), "inplace", False) is True}
        assert in_place(graph, report) == lowered, name


@pytest.mark.parametrize("kind", sorted(set(REGISTRY) - {"uncounted"}))  # uncounted: no module (test_lower.py)
def test_a_kind_runs_in_place_exactly_when_its_module_can(kind: str) -> None:
    shapes = [(4, 6, 6)] * REGISTRY[kind].MIN_INPUTS
    samples = {"out": 4, "size": 3, "groups": 2, "kernel": 2, "table": [[0, 1], [2], [3, 0, 1]], "op": "F.interpolate"}
    required = {a.name: samples[a.name] for a in REGISTRY[kind].args() if a.required}
    bound = REGISTRY[kind].from_args(required).bind(shapes)
    module = bound.layer.to_torch(bound)
    assert saved_rule(bound.layer).in_place == isinstance(getattr(module, "inplace", None), bool), kind


def test_cli_verify_train() -> None:
    result = CliRunner().invoke(app, ["verify", "lenet5", "--train", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["torch"] == torch.__version__
    assert {t["what"] for t in data["totals"]} == {"saved, batch 1", "saved, batch 2"}
    assert [m["what"] for m in data["measured"]] == ["step peak, batch 1, sgd", "step peak, batch 2, sgd"]
    table = CliRunner().invoke(app, ["verify", "lenet5", "--train", "--batch", "3"])
    assert table.exit_code == 0 and "all exact" in table.output


def test_cli_verify_train_where_batch_one_cannot_train() -> None:
    """resnet18 at 32×32 ends in 1×1 maps (32 / 32) before its last batch norms: batch 1 is refused with what
    to do, and the batch asked for is what is checked (not batch 1 first)."""
    refused = CliRunner().invoke(app, ["verify", "resnet18", "--input", "3x32x32", "--train"])
    assert isinstance(refused.exception, CnnCalcError)  # `cnncalc.cli.main` prints it in one line, exit 2
    assert "use --batch 2 or more" in str(refused.exception)
    result = CliRunner().invoke(app, ["verify", "resnet18", "--input", "3x32x32", "--train", "--batch", "2",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [t["what"] for t in json.loads(result.output)["totals"]] == ["saved, batch 2"]
