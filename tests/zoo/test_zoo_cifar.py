"""The CIFAR-10 networks of the ResNet paper and GoogLeNet's auxiliary classifiers, against the papers.

Every expected number is worked out below from the paper's text (He et al. 2016, section 4.2;
Szegedy et al. 2015, section 5), never taken from cnncalc's output.
"""

from __future__ import annotations

import pytest

import cnncalc


def cifar_params(n: int, projection: bool = False) -> int:
    """He et al. section 4.2 with 10 classes: bias-free convs, BN γ and β after each, FC 64·10 + 10."""
    conv = 3 * 3 * 3 * 16                                  # conv1: 432
    conv += 2 * n * 3 * 3 * 16 * 16                         # stage 1: 2n convs 16 -> 16
    conv += 3 * 3 * 16 * 32 + (2 * n - 1) * 3 * 3 * 32 * 32  # stage 2: the first 16 -> 32, then 32 -> 32
    conv += 3 * 3 * 32 * 64 + (2 * n - 1) * 3 * 3 * 64 * 64  # stage 3
    bn = 2 * (16 + 2 * n * (16 + 32 + 64))                 # γ and β of every BN
    fc = 64 * 10 + 10
    option_b = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64) if projection else 0  # 1×1/2 projections + their BN
    return conv + bn + fc + option_b


def test_the_arithmetic_gives_the_papers_figures() -> None:
    # Table 6: ResNet-20 0.27M, ResNet-56 0.85M; the exact figures
    assert cifar_params(3) == 269_722 and cifar_params(9) == 853_018


@pytest.mark.parametrize(("name", "n", "layers"), [
    ("resnet20_cifar", 3, 20), ("resnet56_cifar", 9, 56), ("plain20_cifar", 3, 20), ("plain56_cifar", 9, 56),
])
def test_cifar_networks(name: str, n: int, layers: int) -> None:
    r = cnncalc.analyze(name)
    # "exactly the same depth, width, and number of parameters as the plain counterparts" (option A)
    assert r.totals.params == cifar_params(n)
    assert r.totals.depth == 6 * n + 2 == layers
    assert r.input_shape == (3, 32, 32) and r.totals.output_shape == (10,)
    adds = [x for x in r.layers if x.type == "add"]
    assert len(adds) == (3 * n if name.startswith("resnet") else 0)  # "totally 3n shortcuts"
    pads = [x for x in r.layers if x.type == "pad_channels"]
    # option A where the size changes: 16 -> 32 and 32 -> 64 channels, half of the new ones on each side
    assert [(p.input_shapes[0], p.output_shape) for p in pads] == (
        [((16, 16, 16), (32, 16, 16)), ((32, 8, 8), (64, 8, 8))] if name.startswith("resnet") else [])


@pytest.mark.parametrize(("name", "n"), [("resnet20_cifar", 3), ("resnet56_cifar", 9)])
def test_option_b_adds_the_projections(name: str, n: int) -> None:
    r = cnncalc.analyze(name, overrides={"shortcut": 2})
    assert r.totals.params == cifar_params(n, projection=True)  # 272,474 / 855,770
    assert r.totals.depth == 6 * n + 2


def test_the_paper_accuracy_is_cited_for_the_residual_ones() -> None:
    from cnncalc.analysis.accuracy import report_accuracy

    a = report_accuracy(cnncalc.analyze("resnet56_cifar"))
    assert a is not None and a.dataset == "CIFAR-10" and a.top1 == pytest.approx(100 - 6.97)  # Table 6
    assert report_accuracy(cnncalc.analyze("resnet56_cifar", overrides={"num_classes": 100})) is None
    assert report_accuracy(cnncalc.analyze("plain56_cifar")) is None  # only drawn in Figure 6


# -- GoogLeNet's auxiliary classifiers (Szegedy et al. 2015, section 5) ---------------------------

def aux_params(channels: int, classes: int = 1000) -> int:
    """5×5/3 average pooling of 14×14 -> 4×4, 1×1 conv 128 + bias, FC 1024 on 128·4·4, FC to the classes."""
    return (channels * 128 + 128) + (128 * 4 * 4 * 1024 + 1024) + (1024 * classes + classes)


def test_googlenet_aux_heads() -> None:
    plain = cnncalc.analyze("googlenet")
    aux = cnncalc.analyze("googlenet", overrides={"aux": 1})
    assert aux_params(512) == 3_188_840 and aux_params(528) == 3_190_888  # on inception (4a) and (4d)
    assert plain.totals.params == 6_998_552
    assert aux.totals.params == 6_998_552 + 3_188_840 + 3_190_888 == 13_378_280
    rows = {r.name: r for r in aux.layers}
    assert rows["aux1.pool"].output_shape == (512, 4, 4) and rows["aux2.pool"].output_shape == (528, 4, 4)
    assert sum(r.params for r in aux.layers if r.name.startswith("aux1.")) == 3_188_840
    # side outputs: the network's output, depth and main path are unchanged
    assert aux.totals.output_shape == (1000,) and aux.totals.depth == plain.totals.depth == 22
    assert aux.totals.macs - plain.totals.macs == sum(
        c * 128 * 16 + 2048 * 1024 + 1024 * 1000 for c in (512, 528))  # 8,372,224
