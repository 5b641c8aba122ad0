"""The drawing of a network before any syntax: which nodes, boxes, edges and colours.

Expected counts are written out from the zoo files' structure (which follow the
papers and torchvision), not read back from cnncalc.
"""

from __future__ import annotations

import itertools
import re

import pytest
from picture_tools import DENSENET121_LAYERS, GOOGLENET_LAYERS, INCEPTIONS, RESNET18_DEPTH1

import cnncalc
from cnncalc.layers import REGISTRY
from cnncalc.render.diagram import COLOURS, Diagram, category, colour, diagram


def by_name(d: Diagram) -> dict[str, object]:
    return {n.name: n for n in d.nodes}


def test_googlenet_has_one_node_per_layer_and_a_box_per_block_instance() -> None:
    d = diagram(cnncalc.analyze("googlenet"))
    assert len(d.nodes) == GOOGLENET_LAYERS + 1  # and the input
    assert len({n.id for n in d.nodes}) == len(d.nodes)
    boxes = {c.path: c for c in d.clusters}
    # every inception module is a box holding its six conv_relu boxes
    for name in INCEPTIONS:
        inner = [c for c in d.clusters if c.parent == boxes[name].id]
        assert sorted(c.label for c in inner) == sorted(
            f"{b} · conv_relu" for b in ("b1x1", "b3x3_reduce", "b3x3", "b5x5_reduce", "b5x5", "pool_proj"))
        assert boxes[name].label == f"{name} · inception"


def test_an_inception_module_is_four_branches_into_its_concat() -> None:
    d = diagram(cnncalc.analyze("googlenet"))
    names = {n.id: n.name for n in d.nodes}
    concat = next(n for n in d.nodes if n.name == "inception_3a.output")
    sources = sorted(names[e.src] for e in d.edges if e.dst == concat.id)
    assert sources == ["inception_3a.b1x1.relu1", "inception_3a.b3x3.relu1", "inception_3a.b5x5.relu1",
                       "inception_3a.pool_proj.relu1"]
    # Table 1, inception (3a): 64 + 128 + 32 + 32 = 256 channels on 28×28
    assert concat.shape == "256×28×28" and concat.kind == "concat" and concat.category == "merge"
    assert concat.label == "output"  # its name inside the inception_3a box
    # the module's input (pool2, 192×28×28) feeds the four branches: four edges out, each labelled once
    pool2 = next(n for n in d.nodes if n.name == "pool2")
    out = [e for e in d.edges if e.src == pool2.id]
    assert len(out) == 4 and {e.label for e in out} == {"192×28×28"}


def test_resnet18_depth1_is_one_node_per_block() -> None:
    d = diagram(cnncalc.analyze("resnet18"), 1)
    assert [n.name for n in d.nodes] == RESNET18_DEPTH1
    nodes = {n.name: n for n in d.nodes}
    block = nodes["layer2.basic1"]
    assert block.category == "block" and block.kind == "basic" and block.label == "basic1"
    # two 3×3 convs, two bns, two relus, the add, and the 1×1/2 projection (conv + bn): 9 layers
    assert block.description == "basic, 9 layers" and block.shape == "128×28×28"
    stages = {c.path: c for c in d.clusters}
    assert sorted(stages) == ["layer1", "layer2", "layer3", "layer4"]
    assert nodes["layer2.basic1"].cluster == stages["layer2"].id and nodes["fc"].cluster is None
    # a chain: each node reads the one before it
    ids = [n.id for n in d.nodes]
    assert [(e.src, e.dst) for e in d.edges] == list(itertools.pairwise(ids))


def test_a_resnet_block_is_a_main_path_and_a_shortcut() -> None:
    d = diagram(cnncalc.analyze("resnet18"))
    names = {n.id: n.name for n in d.nodes}
    add = next(n for n in d.nodes if n.name == "layer2.basic1.add")
    assert sorted(names[e.src] for e in d.edges if e.dst == add.id) == ["layer2.basic1.bn2",
                                                                       "layer2.basic1.shortcut.bn"]
    # the identity shortcut of layer1.basic1 comes straight from maxpool
    add1 = next(n for n in d.nodes if n.name == "layer1.basic1.add")
    assert sorted(names[e.src] for e in d.edges if e.dst == add1.id) == ["layer1.basic1.bn2", "maxpool"]
    # the block's input feeds both paths
    relu = next(n for n in d.nodes if n.name == "layer1.basic2.relu2")
    assert sorted(names[e.dst] for e in d.edges if e.src == relu.id) == ["layer2.basic1.conv1",
                                                                        "layer2.basic1.shortcut.conv"]


def test_edges_are_labelled_where_the_shape_changes() -> None:
    d = diagram(cnncalc.analyze("resnet18"))
    names = {n.id: n.name for n in d.nodes}
    labels = {(names[e.src], names[e.dst]): e.label for e in d.edges}
    assert labels[("input", "conv1")] == "3×224×224"
    assert labels[("conv1", "bn1")] == "64×112×112"  # (224 + 2·3 − 7) // 2 + 1 = 112
    assert labels[("bn1", "relu")] == ""  # batch norm keeps the shape
    assert labels[("maxpool", "layer1.basic1.conv1")] == "64×56×56"  # (112 + 2 − 3) // 2 + 1 = 56


def test_densenet121_node_count_and_dense_connections() -> None:
    d = diagram(cnncalc.analyze("densenet121"))
    assert len(d.nodes) == DENSENET121_LAYERS + 1
    names = {n.id: n.name for n in d.nodes}
    cat = next(n for n in d.nodes if n.name == "denseblock1.denselayer_2.cat")
    # each dense layer concatenates its input (everything before it) with its 32 new channels
    assert sorted(names[e.src] for e in d.edges if e.dst == cat.id) == ["denseblock1.denselayer_1.cat",
                                                                       "denseblock1.denselayer_2.conv2"]
    assert cat.shape == "128×56×56"  # 64 + 2·32


def test_nodes_show_name_kind_shape_and_costs() -> None:
    d = diagram(cnncalc.analyze("lenet5"))
    c1 = next(n for n in d.nodes if n.name == "C1")
    # LeNet-5 C1: 6 filters 5×5 on 1×32×32: 6·25 + 6 = 156 params, 6·28·28·25 = 117,600 MACs
    assert (c1.label, c1.description, c1.shape) == ("C1", "conv 5×5", "6×28×28")
    assert c1.costs == "156 params · 117.60 K MACs"
    assert ("params", "156") in c1.details and ("MACs", "117,600") in c1.details
    assert next(n for n in d.nodes if n.name == "tanh1").costs == ""
    assert d.nodes[0].name == "input" and d.nodes[0].shape == "1×32×32"


def test_every_kind_has_a_category_and_colour() -> None:
    for kind in REGISTRY:
        name = category(kind)
        assert name and re.fullmatch(r"[a-z_]+", name), kind
        assert re.fullmatch(r"#[0-9a-f]{6}", colour(name)), kind
    assert category("conv") == "conv" and category("bn") == "normalisation" and category("relu") == "activation"
    assert category("maxpool") == "pooling" and category("add") == "merge" and category("flatten") == "reshape"
    assert category("bottleneck") == "block"  # a block's name, not a kind
    assert set(COLOURS) >= {"input", "block"}


def test_the_legend_lists_the_categories_drawn_in_order() -> None:
    d = diagram(cnncalc.analyze("lenet5"))
    assert [c for c, _ in d.legend] == ["input", "conv", "linear", "pooling", "activation", "reshape"]
    assert all(fill == COLOURS[c] for c, fill in d.legend)


@pytest.mark.parametrize("depth", [0, 1, 2, None])
def test_collapsed_drawings_keep_the_totals(depth: int | None) -> None:
    report = cnncalc.analyze("resnet18")
    d = diagram(report, depth)
    params = sum(int(dict(n.details)["params"].replace(",", "")) for n in d.nodes if n.name != "input")
    assert params == 11689512  # torchvision resnet18
    # every edge joins two drawn nodes, and nothing is drawn twice
    ids = {n.id for n in d.nodes}
    assert all(e.src in ids and e.dst in ids for e in d.edges)
    assert len({(e.src, e.dst) for e in d.edges}) == len(d.edges)
