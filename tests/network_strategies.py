"""Hypothesis strategies: random networks written as YAML, valid by construction.

The generator tracks sizes with torch's formulas, written out here, so that it
only builds networks torch accepts: chains and branches merged by add, concat
and mul; 1-D, 2-D and 3-D; random kernels, strides, paddings incl. 'same',
dilations, groups; pooling with ceil_mode; transposed convolutions; adaptive
pooling; linear heads. It imports no torch: the analytic tests use it too.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

Draw = Any
SIZES = {1: (8, 40), 2: (6, 16), 3: (4, 8)}
MAX_SIZE = {1: 120, 2: 36, 3: 12}  # per axis, to keep torch fast
ELEMENTWISE = ["relu", "bn", "dropout", "sigmoid", "tanh", "identity", "gelu", "prelu", "leaky_relu", "softmax",
               "layernorm", "elu"]


def conv_out(n: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def pool_out(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """torch's pooling size, incl. dropping a ceil_mode window that starts in the right padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    return out - 1 if ceil and (out - 1) * s >= n + p else out


def divisors(n: int) -> list[int]:
    return [g for g in range(1, n + 1) if n % g == 0]


class Net:
    """A network under construction: YAML entries and the current output's shape."""

    def __init__(self, rank: int, shape: tuple[int, ...]) -> None:
        self.rank, self.input = rank, shape
        self.entries: list[dict[str, Any]] = []
        self.shapes: dict[str, tuple[int, ...]] = {"input": shape}
        self.last = "input"

    def add(self, kind: str, args: Any, shape: tuple[int, ...], source: str | list[str] | None = None) -> str:
        name = f"l{len(self.entries) + 1}"
        entry: dict[str, Any] = {kind: args, "name": name}
        if not isinstance(args, list):  # a merge names its inputs in its value
            entry["from"] = source if source is not None else self.last
        self.entries.append(entry)
        self.shapes[name] = shape
        self.last = name
        return name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.shapes[self.last]

    def text(self) -> str:
        doc = {"name": "random", "input": list(self.input), "layers": self.entries}
        return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None)


def axis_values(draw: Draw, rank: int, lo: int, hi: int) -> tuple[int, ...]:
    if draw(st.booleans()):
        return (draw(st.integers(lo, hi)),) * rank
    return tuple(draw(st.integers(lo, hi)) for _ in range(rank))


def arg(values: tuple[int, ...]) -> int | list[int]:
    return values[0] if len(set(values)) == 1 else list(values)


def conv(draw: Draw, net: Net, source: str | None = None, keep: bool = False, out: int | None = None) -> str:
    """A convolution; `keep`: stride 1 and 'same' padding, the size unchanged."""
    shape = net.shapes[source or net.last]
    c, spatial = shape[0], shape[1:]
    groups = draw(st.sampled_from([g for g in divisors(c) if out is None or out % g == 0]))
    out = out if out is not None else groups * draw(st.integers(1, max(1, 6 // groups)))
    kernel = axis_values(draw, net.rank, 1, 4)
    dilation = axis_values(draw, net.rank, 1, 2)
    stride = (1,) * net.rank if keep else axis_values(draw, net.rank, 1, 3)
    style = "same" if keep else draw(st.sampled_from(["int", "same", "pairs", "valid"]))
    args: dict[str, Any] = {"out": out, "kernel": arg(kernel), "groups": groups}
    if any(d > 1 for d in dilation):
        args["dilation"] = arg(dilation)
    if any(s > 1 for s in stride):
        args["stride"] = arg(stride)
    sizes = []
    pairs = []
    for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True):
        k_eff = d * (k - 1) + 1
        if style == "same":
            sizes.append(-(-n // s))
            continue
        lo = draw(st.integers(0, k_eff // 2)) if style != "valid" else 0
        hi = (lo if style == "int" else draw(st.integers(0, k_eff // 2))) if style != "valid" else 0
        pairs.append([lo, hi])
        sizes.append(conv_out(n, k, s, lo, hi, d))
    if min(sizes) < 1:
        return net.last if source is None else source  # the kernel does not fit: leave it out
    if style == "same":
        args["padding"] = "same"
    elif style == "int":
        args["padding"] = arg(tuple(p[0] for p in pairs))
    elif style == "pairs":
        args["padding"] = pairs
    if draw(st.booleans()):
        args["bias"] = False
    return net.add("conv", args, (out, *sizes), source)


def pool(draw: Draw, net: Net) -> None:
    kind = draw(st.sampled_from(["maxpool", "avgpool", "minpool", "adaptive_avgpool", "adaptive_maxpool"]))
    c, spatial = net.shape[0], net.shape[1:]
    if kind.startswith("adaptive"):
        outs = tuple(draw(st.integers(1, n)) for n in spatial)
        net.add(kind, {"out": arg(outs)}, (c, *outs))
        return
    kernel = axis_values(draw, net.rank, 1, 3)
    stride = axis_values(draw, net.rank, 1, 3)
    dilation = axis_values(draw, net.rank, 1, 2) if kind != "avgpool" else (1,) * net.rank
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil = draw(st.booleans())
    sizes = []
    for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation, strict=True):
        if d * (k - 1) + 1 > n + 2 * p or (kind == "avgpool" and net.rank == 3 and k > n):
            return  # torch's AvgPool3d also wants the input at least as large as the kernel
        sizes.append(pool_out(n, k, s, p, d, ceil))
    args: dict[str, Any] = {"kernel": arg(kernel), "stride": arg(stride), "padding": arg(padding), "ceil_mode": ceil}
    if any(d > 1 for d in dilation):
        args["dilation"] = arg(dilation)
    if kind == "avgpool":
        args["count_include_pad"] = draw(st.booleans())
    net.add(kind, args, (c, *sizes))


def transposed(draw: Draw, net: Net) -> None:
    c, spatial = net.shape[0], net.shape[1:]
    groups = draw(st.sampled_from(divisors(c)))
    out = groups * draw(st.integers(1, max(1, 4 // groups)))
    kernel = axis_values(draw, net.rank, 1, 4)
    stride = axis_values(draw, net.rank, 1, 3)
    dilation = axis_values(draw, net.rank, 1, 2)
    padding, out_pad, sizes = [], [], []
    for n, k, s, d in zip(spatial, kernel, stride, dilation, strict=True):
        p = draw(st.integers(0, d * (k - 1) // 2))
        op = draw(st.integers(0, max(s, d) - 1))
        padding.append(p)
        out_pad.append(op)
        sizes.append((n - 1) * s - 2 * p + d * (k - 1) + op + 1)
    if max(sizes) > MAX_SIZE[net.rank] or min(sizes) < 1:
        return
    net.add("convtranspose", {"out": out, "kernel": arg(kernel), "stride": arg(stride), "padding": arg(tuple(padding)),
                              "output_padding": arg(tuple(out_pad)), "dilation": arg(dilation), "groups": groups},
            (out, *sizes))


def elementwise(draw: Draw, net: Net) -> None:
    kind = draw(st.sampled_from(ELEMENTWISE + (["groupnorm"] if net.shape[0] % 2 == 0 else [])))
    args: Any = {"groups": 2} if kind == "groupnorm" else {}
    net.add(kind, args, net.shape)


def branch(draw: Draw, net: Net) -> None:
    """Two paths from the current layer, merged: residual add, concat, SE-style mul, strided add."""
    x = net.last
    c, spatial = net.shape[0], net.shape[1:]
    merge = draw(st.sampled_from(["add", "concat", "mul", "down"]))
    if merge == "down":
        if min(spatial) < 2:
            return
        width = draw(st.integers(1, 6))
        k = draw(st.sampled_from([1, 3, 5]))
        sizes = tuple((n - 1) // 2 + 1 for n in spatial)
        a = net.add("conv", {"out": width, "kernel": k, "stride": 2, "padding": k // 2}, (width, *sizes), x)
        b = net.add("conv", {"out": width, "kernel": 1, "stride": 2}, (width, *sizes), x)
        net.add("add", [a, b], (width, *sizes))
        return
    if merge == "mul" and draw(st.booleans()):
        squeeze = net.add("global_avgpool", {}, (c, *(1,) * net.rank), x)
        gate = conv(draw, net, squeeze, keep=True, out=c)
        gate = net.add("sigmoid", {}, (c, *(1,) * net.rank), gate)
        net.add("mul", [x, gate], net.shapes[x])
        return
    width = c if merge in ("add", "mul") else None
    a = conv(draw, net, x, keep=True, out=width)
    if draw(st.booleans()):
        a = conv(draw, net, a, keep=True, out=width)
    if merge == "concat" and draw(st.booleans()):
        b = net.add("maxpool", {"kernel": 3, "stride": 1, "padding": 1}, net.shapes[x], x)
    elif draw(st.booleans()):
        b = conv(draw, net, x, keep=True, out=width)
    else:
        b = x
    shape = (net.shapes[a][0] + net.shapes[b][0], *spatial) if merge == "concat" else net.shapes[a]
    net.add(merge, [a, b], shape)


def head(draw: Draw, net: Net) -> None:
    style = draw(st.sampled_from(["linear", "gap", "spp"]))
    c, spatial = net.shape[0], net.shape[1:]
    if style == "gap":
        net.add("global_avgpool", {}, (c, *(1,) * net.rank))
        net.add("flatten", {}, (c,))
    elif style == "spp" and min(spatial) >= 2:
        net.add("spp", {"levels": [1, 2]}, (c * (1 + 2**net.rank),))
    out = draw(st.integers(1, 5))
    net.add("linear", {"out": out}, (out,))


@st.composite
def networks(draw: Draw) -> str:
    rank = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(*SIZES[rank])) for _ in range(rank))
    net = Net(rank, (draw(st.integers(1, 4)), *spatial))
    steps = [conv, conv, pool, transposed, elementwise, branch, branch]
    for _ in range(draw(st.integers(1, 5))):
        if len(net.shape) < 2:
            break
        draw(st.sampled_from(steps))(draw, net)
    if not net.entries:
        conv(draw, net, keep=True)
    if draw(st.booleans()):
        head(draw, net)
    return net.text()
