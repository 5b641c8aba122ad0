"""Property tests: random networks, written as YAML, analysed by cnncalc and run by torch.

Valid networks (chains and branches merged by add, concat and mul; 1-D, 2-D and
3-D; random kernels, strides, paddings incl. 'same', dilations, groups; pooling
with ceil_mode; transposed convolutions; adaptive pooling; linear heads) must
agree with torch in every layer's output shape, params, buffers and MACs
(fvcore), in total FLOPs (FlopCounterMode) and in receptive fields (gradients;
after a transposed convolution the analytic field is an upper bound). The
generator (tests/network_strategies.py) tracks sizes with torch's formulas, so that it only
builds networks torch accepts.

Invalid networks (a kernel larger than its padded input, groups that do not
divide the channels, merges of mismatched shapes) must raise `CnnCalcError`
naming the problem; random argument soup must raise `CnnCalcError` or work in
torch too — never another exception.

Profiles (tests/conftest.py): ``ci`` is derandomized and small, ``dev`` larger.
"""

from __future__ import annotations

from typing import Any

import torch
import yaml
from hypothesis import given
from hypothesis import strategies as st
from network_strategies import SIZES, Draw, Net, conv, elementwise, networks, pool

import cnncalc
from cnncalc.errors import CnnCalcError
from cnncalc.torch.lower import build_module
from cnncalc.verify import verify


@given(networks())
def test_random_networks_agree_with_torch(text: str) -> None:
    graph = cnncalc.load_text_graph(text)
    report = cnncalc.analyze_text(text)
    spatial = [r.name for r in report.layers if not r.rf.whole]
    result = verify(graph, rf_layers=spatial)
    assert result.ok, text + "\n" + "\n".join(result.mismatches())
    # every layer was compared; each spatial layer's field measured
    assert len(result.layers) == len(report.layers)
    assert [f.name for f in result.fields] == spatial


@st.composite
def invalid_networks(draw: Draw) -> tuple[str, str]:
    """A valid prefix, then one layer that cannot work; returns (YAML, a word the error must contain)."""
    rank = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(*SIZES[rank])) for _ in range(rank))
    net = Net(rank, (draw(st.integers(2, 4)), *spatial))
    for _ in range(draw(st.integers(0, 2))):
        draw(st.sampled_from([conv, pool, elementwise]))(draw, net)
    if len(net.shape) < 2:
        conv(draw, net, keep=True)
    c, spatial = net.shape[0], net.shape[1:]
    fault = draw(st.sampled_from(["kernel", "groups", "add", "concat"]))
    if fault == "kernel":
        padding = draw(st.integers(0, 2))
        kernel = max(spatial) + 2 * padding + draw(st.integers(1, 3))
        net.add("conv", {"out": 2, "kernel": kernel, "padding": padding}, net.shape)
        return net.text(), "larger than the padded input"
    if fault == "groups":
        groups = draw(st.sampled_from([g for g in range(2, 6) if c % g]))
        net.add("conv", {"out": groups * 2, "kernel": 1, "groups": groups}, net.shape)
        return net.text(), "divisible by the number of groups"
    x = net.last
    if fault == "add":
        other = net.add("conv", {"out": c + 1, "kernel": 1}, net.shape, x)
        net.add("add", [x, other], net.shape)
        return net.text(), "same shape"
    if min(spatial) < 2:  # too small to pool: upsample instead
        other = net.add("convtranspose", {"out": c, "kernel": 2, "stride": 2}, net.shape, x)
    else:
        other = net.add("maxpool", {"kernel": 2, "ceil_mode": True}, net.shape, x)
    net.add("concat", [x, other], net.shape)
    return net.text(), "same spatial size"


@given(invalid_networks())
def test_invalid_networks_raise_a_clear_error(case: tuple[str, str]) -> None:
    text, words = case
    try:
        cnncalc.analyze_text(text)
    except CnnCalcError as exc:
        assert words in str(exc), str(exc)
        assert "<string>:" in str(exc)  # located in the file
    else:
        raise AssertionError(f"no error for\n{text}")


SOUP_KINDS = ["conv", "maxpool", "avgpool", "minpool", "convtranspose", "adaptive_avgpool", "linear", "lrn",
              "groupnorm", "spp", "add", "concat", "mul", "flatten", "global_maxpool", "bn"]


@st.composite
def soups(draw: Draw) -> str:
    """Layers with arbitrary small arguments and inputs: many invalid, some valid."""
    rank = draw(st.integers(0, 3))
    shape = [draw(st.integers(1, 4))] + [draw(st.integers(1, 10)) for _ in range(rank)]
    small = st.integers(-1, 6)
    layers: list[dict[str, Any]] = []
    for k in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(SOUP_KINDS))
        names = ["input"] + [f"s{j}" for j in range(1, k + 1)]
        args: Any = {
            "out": draw(small), "kernel": draw(st.one_of(small, st.lists(small, min_size=1, max_size=3))),
            "stride": draw(st.integers(1, 4)), "padding": draw(st.one_of(small, st.just("same"))),
            "dilation": draw(st.integers(1, 3)), "groups": draw(st.integers(1, 3)), "ceil_mode": draw(st.booleans()),
            "size": draw(small), "levels": draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)),
        }
        allowed = {a.name for a in cnncalc.layers.REGISTRY[kind].args()}
        args = {key: v for key, v in args.items() if key in allowed and draw(st.booleans())}
        entry: dict[str, Any] = {kind: args or None, "name": f"s{k + 1}"}
        if kind in ("add", "concat", "mul"):
            entry[kind] = draw(st.lists(st.sampled_from(names), min_size=2, max_size=3))
        else:
            entry["from"] = draw(st.sampled_from(names))
        if entry[kind] is None:
            entry = {"name": f"s{k + 1}", "from": entry["from"], kind: {}}
        layers.append(entry)
    return yaml.safe_dump({"name": "soup", "input": shape, "layers": layers}, sort_keys=False)


@given(soups())
def test_argument_soup_fails_cleanly_or_runs_in_torch(text: str) -> None:
    try:
        report = cnncalc.analyze_text(text)
    except CnnCalcError:
        return
    module = build_module(cnncalc.load_text_graph(text)).eval()
    with torch.no_grad():
        y = module(torch.randn(1, *report.input_shape))
    assert tuple(y.shape[1:]) == report.totals.output_shape, text
