"""The torch backend: every layer kind lowers, parameters match, names survive, the forward is generated.

Oracles: torch's own modules (numel of their parameters and buffers, the shapes
they output), hand calculations written out below, and max pooling's own windows.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch import nn

import cnncalc
from cnncalc.errors import LayerError
from cnncalc.layers import REGISTRY
from cnncalc.layers.base import Layer, Shape
from cnncalc.torch.export import constructor, export_source
from cnncalc.torch.lower import build_module, lower, module_paths
from cnncalc.torch.modules import WindowSum

# values for required arguments, by name, so that every registered kind can be built
REQUIRED = {"out": 4, "kernel": 3, "size": 3, "groups": 2, "table": [[0, 1], [2], [3, 0, 1]],
            "op": "F.interpolate"}
# kinds with no PyTorch module by design: an imported operation cnncalc only keeps the traced shape of
UNBUILDABLE = {"uncounted"}
BUILT = sorted(set(REGISTRY) - UNBUILDABLE)
# an input per rank: C×L, C×H×W, C×D×H×W (channels divisible by the groups above)
INPUTS = {1: (4, 9), 2: (4, 9, 8), 3: (4, 6, 7, 5)}


def sample(kind: str) -> Layer:
    cls = REGISTRY[kind]
    missing = [a.name for a in cls.args() if a.required and a.name not in REQUIRED]
    assert not missing, f"{kind}: add a sample value for its required arguments {missing} to REQUIRED"
    return cls.from_args({a.name: REQUIRED[a.name] for a in cls.args() if a.required})


def inputs_for(layer: Layer, rank: int) -> list[Shape]:
    return [INPUTS[rank]] * max(layer.MIN_INPUTS, 1)


CASES = [(kind, rank) for kind in BUILT for rank in (1, 2, 3)]


@pytest.mark.parametrize(("kind", "rank"), CASES)
def test_every_kind_lowers_with_parameter_parity(kind: str, rank: int) -> None:
    """params/buffers/output shape of each kind equal its torch module's, in 1-D, 2-D and 3-D."""
    layer = sample(kind)
    ins = inputs_for(layer, rank)
    bound = layer.bind(ins)
    out = bound.output
    module = layer.to_torch(bound).eval()  # NotImplementedError here: a kind without a lowering
    assert isinstance(module, nn.Module)
    assert sum(p.numel() for p in module.parameters()) == bound.params.value
    buffers = sum(b.numel() for n, b in module.named_buffers() if not n.endswith("num_batches_tracked"))
    assert buffers == bound.buffers.value
    xs = [torch.randn(2, *s) for s in ins]
    with torch.no_grad():
        y = module(*xs)
        stand_in = layer.to_torch_linear(bound).eval()(*xs)
    assert tuple(y.shape) == (2, *out)
    assert tuple(stand_in.shape) == (2, *out), "the receptive-field stand-in must keep the geometry"


@pytest.mark.parametrize("kind", sorted(UNBUILDABLE))
def test_a_kind_without_a_module_says_so(kind: str) -> None:
    layer = sample(kind)
    with pytest.raises(LayerError, match="cannot build it in PyTorch"):
        layer.to_torch(layer.bind(inputs_for(layer, 2)))


@pytest.mark.parametrize("kind", BUILT)
def test_every_kind_exports_as_code(kind: str) -> None:
    """The constructor written for `cnncalc export` rebuilds an equivalent module: same class,
    same parameter shapes, same outputs once given the same state."""
    from cnncalc.torch import classic, modules

    layer = sample(kind)
    ins = inputs_for(layer, 2)
    module = layer.to_torch(layer.bind(ins)).eval()
    rebuilt = eval(constructor(module), {"nn": nn, **vars(modules), **vars(classic)}).eval()
    assert type(rebuilt) is type(module)
    assert [p.shape for p in rebuilt.parameters()] == [p.shape for p in module.parameters()]
    rebuilt.load_state_dict(module.state_dict())
    xs = [torch.randn(2, *s) for s in ins]
    with torch.no_grad():
        assert torch.allclose(rebuilt(*xs), module(*xs))


def test_registry_walk_covers_every_kind() -> None:
    # the kinds the course needs; a kind dropped from the registry fails here
    for kind in ("conv", "convtranspose", "maxpool", "avgpool", "linear", "bn", "lrn", "relu", "add", "concat",
                 "mul", "dropout", "spp", "global_avgpool"):
        assert kind in REGISTRY


SQUEEZE = cnncalc.load("squeezenet1_0")


@pytest.mark.parametrize(
    ("network", "path", "cls", "weight"),
    [
        # SqueezeNet fire2.squeeze: 1×1 conv 96 → 16 (Iandola et al., Table 1)
        ("squeezenet1_0", "fire2.squeeze", nn.Conv2d, (16, 96, 1, 1)),
        ("squeezenet1_0", "fire9.expand3x3", nn.Conv2d, (256, 64, 3, 3)),
        # ResNet-50 layer1's projection shortcut: 1×1 conv 64 → 256
        ("resnet50", "layer1.bottleneck1.shortcut.conv", nn.Conv2d, (256, 64, 1, 1)),
        ("resnet50", "layer4.bottleneck3.bn3", nn.BatchNorm2d, (2048,)),
        ("resnet50", "fc", nn.Linear, (1000, 2048)),  # after flatten: a plain linear layer
    ],
)
def test_submodules_carry_the_layer_names(network: str, path: str, cls: type, weight: Any) -> None:
    module = build_module(cnncalc.load(network))
    sub = module.get_submodule(path)
    assert isinstance(sub, cls)
    if weight is not None:
        assert tuple(sub.weight.shape) == weight


def test_parameters_follow_the_network_order() -> None:
    # conv1 (7·7·3·96 + 96 = 14,208) comes first, conv10 (512·1000 + 1000) last
    params = list(build_module(SQUEEZE).parameters())
    assert params[0].numel() == 7 * 7 * 3 * 96 and params[1].numel() == 96
    assert params[-2].numel() == 512 * 1000 and params[-1].numel() == 1000


def test_names_that_modules_already_use_are_renamed() -> None:
    assert module_paths(["forward", "training.conv", "conv1"]) == {
        "forward": "forward_", "training.conv": "training_.conv", "conv1": "conv1"}
    graph = cnncalc.load_text_graph("""
name: clash
input: [3, 8, 8]
layers:
  - {conv: 4, name: forward}
  - {relu, name: eval}
""")
    module = build_module(graph)
    assert isinstance(module.get_submodule("forward_"), nn.Conv2d)
    assert tuple(module(torch.zeros(1, 3, 8, 8)).shape) == (1, 4, 6, 6)  # 8 − 3 + 1 = 6


ONE_D = """
name: audio
input: [2, 100]
layers:
  - {conv: {out: 8, kernel: 5, stride: 2, padding: same}, name: c1}   # ceil(100/2) = 50; 5·2·8 + 8 = 88
  - relu
  - {maxpool: {kernel: 3, stride: 2, ceil_mode: true}}                # ceil((50 − 3)/2) + 1 = 25
  - {conv: {out: 8, kernel: 3, dilation: 2, groups: 4}, name: c2}     # 25 − 4 = 21; 3·2·8 + 8 = 56
  - {add: [c2, c2]}
  - global_avgpool
  - flatten
  - {linear: 3}                                                        # 8·3 + 3 = 27
"""

THREE_D = """
name: video
input: [3, 8, 16, 16]
layers:
  - {conv: {out: 6, kernel: [3, 3, 3], padding: 1}, name: c1}          # 3·27·6 + 6 = 492
  - {bn, name: bn1}                                                    # 12 params, 12 buffers
  - relu
  - {maxpool: [1, 2, 2]}                                               # 8×8×8
  - {conv: {out: 6, kernel: 1}, name: b1}                              # 6·6 + 6 = 42
  - {conv: {out: 6, kernel: 3, padding: 1}, from: maxpool1, name: b2}  # 6·6·27 + 6 = 978
  - {concat: [b1, b2]}                                                 # 12×8×8×8
  - {convtranspose: {out: 2, kernel: 2, stride: 2}}                    # 12·2·8 + 2 = 194; 16×16×16
"""


@pytest.mark.parametrize(
    ("text", "input_shape", "output", "params"),
    [
        (ONE_D, (2, 100), (3,), 88 + 56 + 27),
        (THREE_D, (3, 8, 16, 16), (2, 16, 16, 16), 492 + 12 + 42 + 978 + 194),
    ],
)
def test_1d_and_3d_networks(text: str, input_shape: Shape, output: Shape, params: int) -> None:
    module = build_module(cnncalc.load_text_graph(text))
    with torch.no_grad():
        y = module(torch.randn(2, *input_shape))
    assert tuple(y.shape) == (2, *output)
    assert sum(p.numel() for p in module.parameters()) == params


SHARED = """
name: shared
input: [3, 8, 8]
layers:
  - {conv: {out: 4, padding: 1}, name: c}
  - {identity, name: alias}
  - {relu, name: r}                  # its input aliases c, which `add` reads too: not in place
  - {add: [c, r], name: sum}
  - {relu, name: last}               # reads a fresh sum nobody else reads: in place
"""


def test_in_place_only_where_no_one_else_reads() -> None:
    graph = cnncalc.load_text_graph(SHARED)
    fast = lower(graph, inplace=True).module
    plain = lower(graph, inplace=False).module
    plain.load_state_dict(fast.state_dict())
    assert not fast.get_submodule("r").inplace and fast.get_submodule("last").inplace
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        assert torch.equal(fast(x), plain(x))


def test_forward_is_generated_code_that_frees_intermediates() -> None:
    code = build_module(SQUEEZE).code
    assert "self.fire2.squeeze(" in code
    assert "del " in code  # a value read by two branches is deleted after its last use
    assert "for " not in code


@pytest.mark.parametrize(
    ("n", "kernel", "stride", "padding", "dilation", "ceil_mode"),
    [(7, 3, 2, 1, 1, True), (8, 2, 2, 0, 1, True), (9, 3, 2, 0, 2, False), (10, 2, 3, 1, 3, True),
     (5, 2, 2, 1, 1, True), (6, 3, 1, 1, 2, False)],
)
def test_window_sum_reads_max_pooling_windows(n: int, kernel: int, stride: int, padding: int, dilation: int,
                                              ceil_mode: bool) -> None:
    """Output o of the stand-in is > 0 for a one-hot input exactly when max pooling's window o holds it."""
    pool = nn.MaxPool1d(kernel, stride, padding, dilation, ceil_mode=ceil_mode)
    stand_in = WindowSum((kernel,), (stride,), (padding,), (dilation,), ceil_mode)
    for hot in range(n):
        x = torch.full((1, 1, n), -1.0)
        x[0, 0, hot] = 1.0
        one_hot = (x > 0).float()
        assert torch.equal(pool(x) == 1, stand_in(one_hot) > 0)


def _exec_export(source: str) -> nn.Module:
    namespace: dict[str, Any] = {"__name__": "exported"}
    exec(compile(source, "exported.py", "exec"), namespace)
    classes = [v for v in namespace.values()
               if isinstance(v, type) and issubclass(v, nn.Module) and v.__module__ == "exported"]
    return classes[-1]()  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("network", "input_shape", "params", "output"),
    [
        # torchvision's counts: squeezenet1_0 1,248,424; resnet18 11,689,512
        ("squeezenet1_0", (3, 224, 224), 1_248_424, (1000,)),
        ("resnet18", (3, 64, 64), 11_689_512, (1000,)),
        # LeNet-5: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706
        ("lenet5", (1, 32, 32), 61_706, (10,)),
    ],
)
def test_export_is_standalone_and_equivalent(network: str, input_shape: Shape, params: int, output: Shape) -> None:
    source = export_source(network, input_shape=input_shape)
    assert "cnncalc" not in source.split('"""', 2)[2]  # only the docstring names cnncalc
    module = _exec_export(source).eval()
    assert sum(p.numel() for p in module.parameters()) == params
    with torch.no_grad():
        assert tuple(module(torch.zeros(1, *input_shape)).shape) == (1, *output)


def test_export_of_branches_and_custom_modules() -> None:
    # the 3-D net above: 1,718 params, 2×16×16×16 out; the concat is an expression in forward
    source = export_source("video.yaml", text=THREE_D)
    assert "torch.cat([b1, x], dim=1)" in source
    assert source.count("\nclass ") == 1  # no blocks: one class
    module = _exec_export(source)
    assert sum(p.numel() for p in module.parameters()) == 492 + 12 + 42 + 978 + 194
    assert tuple(module(torch.zeros(1, 3, 8, 16, 16)).shape) == (1, 2, 16, 16, 16)


MIN_POOL = """
name: minpool_net
input: [1, 6]
layers:
  - {minpool: {kernel: 2}, name: low}    # 6 → 3
  - {add: [low, low]}
"""


def test_export_copies_modules_torch_lacks() -> None:
    source = export_source("minpool.yaml", text=MIN_POOL)
    assert "class MinPool(nn.Module)" in source
    module = _exec_export(source)
    x = torch.tensor([[[3.0, 1.0, 5.0, 4.0, 0.0, 2.0]]])
    # min over pairs (3, 1), (5, 4), (0, 2) = 1, 4, 0; added to itself
    assert module(x).tolist() == [[[2.0, 8.0, 0.0]]]


TRAINABLE = """
name: trainable
input: [3, 8, 8]
layers:
  - {conv: {out: 4, padding: 1}, name: c1}
  - {bn, name: bn1}
  - {relu, name: r1}                 # after bn: in place
  - {dropout: 0.5, name: d1}         # after an in-place relu, which keeps its output: not in place
  - {sigmoid, name: s1}
  - {relu, name: r2}                 # sigmoid keeps its output for the backward pass: not in place
  - {conv: {out: 4, padding: 1}, name: c2}
  - {add: [c2, r2], name: sum}       # c2's output, read once: accumulated in place
  - {relu, name: r3}                 # after an in-place sum: in place
  - global_avgpool
  - flatten
  - {linear: 2}
"""


def test_in_place_layers_train_like_the_plain_module() -> None:
    """Forward and backward in training mode give the same loss and gradients in place or not."""
    graph = cnncalc.load_text_graph(TRAINABLE)
    fast = lower(graph, inplace=True).module.train()
    plain = lower(graph, inplace=False).module.train()
    plain.load_state_dict(fast.state_dict())
    flags = {name: fast.get_submodule(name).inplace for name in ("r1", "d1", "r2", "sum", "r3")}
    assert flags == {"r1": True, "d1": False, "r2": False, "sum": True, "r3": True}
    x = torch.randn(4, 3, 8, 8)
    losses = []
    for module in (fast, plain):
        torch.manual_seed(0)  # the same dropout mask
        loss = module(x).square().sum()
        loss.backward()
        losses.append(loss.item())
    assert losses[0] == pytest.approx(losses[1])
    for (name, a), b in zip(fast.named_parameters(), plain.parameters(), strict=True):
        assert a.grad is not None and b.grad is not None
        assert torch.allclose(a.grad, b.grad, atol=1e-6), name
