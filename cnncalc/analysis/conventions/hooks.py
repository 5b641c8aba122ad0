"""The counters that hook modules: torchinfo 1.8.0 and thop 0.1.1.

Both see module calls only: a function, a tensor method or an operator (``F.relu``,
``x.mean``, ``a + b``) is invisible to them. torchinfo counts every leaf module
(one without children) from its parameters and output size, whatever it
computes; thop counts the modules whose exact class is in its ``register_hooks``
table and walks into the children of any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cnncalc.analysis.conventions.tool import Number, Tally, Tool, joined, numel
from cnncalc.layers.torchop import TorchOp

# -- torchinfo ---------------------------------------------------------------------------------


def torchinfo(op: TorchOp, batch: int) -> Tally:
    """LayerInfo.calculate_macs, summed over leaf modules (``is_leaf_layer``)."""
    if op.form != "module":
        return Tally(0, f"{op.target}: not a module, torchinfo does not see it")
    children = [c for c in op.calls if c.form == "module"]
    if children:  # not a leaf: only its leaf children add to total_mult_adds
        return joined([torchinfo(c, batch) for c in children])
    if not op.params:
        return Tally(0, "leaf module without weight or bias")
    out = (batch, *op.output)
    params = sum(op.params.get(name, 0) for name in ("weight", "bias"))
    if "Conv" in op.class_name:
        return Tally(params * numel(out[:1] + out[2:]), "class name has 'Conv': numel(weight + bias)·N·∏(output "
                                                        "spatial)")
    return Tally(params * out[0], "numel(weight + bias)·output_size[0], i.e. once per sample")


# -- thop --------------------------------------------------------------------------------------

Hook = Callable[[TorchOp, int], Tally]


def _conv(op: TorchOp, batch: int) -> Tally:
    x, y = (batch, *op.inputs[0]), (batch, *op.output)
    kernel = numel(op.attrs["kernel_size"])
    return Tally(float(numel(y) * (x[1] // op.attrs["groups"]) * kernel),
                 "numel(out)·(C_in/groups)·∏k; no bias" + ("; the conv formula, for a transposed one too"
                                                             if op.attrs["transposed"] else ""))


def _norm(op: TorchOp, batch: int) -> Tally:
    affine = op.attrs.get("affine") or op.attrs.get("elementwise_affine")
    per = 4 if affine else 2
    return Tally(float(per * batch * numel(op.inputs[0])), f"2·numel(input){', ×2 with affine' if affine else ''}")


def _zero(op: TorchOp, batch: int) -> Tally:
    return Tally(0.0, "registered as zero_ops")


def _avgpool(op: TorchOp, batch: int) -> Tally:
    return Tally(float(batch * numel(op.output)), "numel(output)")


def _adaptive_avgpool(op: TorchOp, batch: int) -> Tally:
    kernel = 1.0
    for n, o in zip(op.inputs[0][1:], op.output[1:], strict=True):
        kernel *= float(n) / float(o)
    return Tally(float(int((kernel + 1.0) * float(batch * numel(op.output)))),
                 "(∏ input/output spatial + 1)·numel(output), in float64")


def _linear(op: TorchOp, batch: int) -> Tally:
    return Tally(float(op.attrs["in_features"] * batch * numel(op.output)), "in_features·numel(output); no bias")


def _prelu(op: TorchOp, batch: int) -> Tally:
    return Tally(float(batch * numel(op.inputs[0])), "numel(input) (in eval mode)")


def _softmax(op: TorchOp, batch: int) -> Tally:
    x = (batch, *op.inputs[0])
    n = x[op.attrs["dim"]]
    return Tally(float((numel(x) // n) * (3 * n - 1)), "rows·(3n − 1), n the size of dim")


def _each(names: Sequence[str], hook: Hook) -> dict[str, Hook]:
    return {name.format(r=r): hook for name in names for r in (1, 2, 3)}


# thop.profile.register_hooks (exact classes; those without a formula here are not produced by any layer kind)
THOP: dict[str, Hook] = {
    **_each(("nn.Conv{r}d", "nn.ConvTranspose{r}d"), _conv),
    **_each(("nn.BatchNorm{r}d", "nn.InstanceNorm{r}d", "nn.LayerNorm", "nn.SyncBatchNorm"), _norm),
    "nn.PReLU": _prelu, "nn.Softmax": _softmax, "nn.LeakyReLU": _zero,
    **_each(("nn.ZeroPad2d", "nn.ReLU", "nn.ReLU6", "nn.MaxPool{r}d", "nn.AdaptiveMaxPool{r}d", "nn.Dropout",
             "nn.Sequential", "nn.PixelShuffle"), _zero),
    **_each(("nn.AvgPool{r}d",), _avgpool),
    **_each(("nn.AdaptiveAvgPool{r}d",), _adaptive_avgpool),
    "nn.Linear": _linear,
}


def thop(op: TorchOp, batch: int) -> Tally:
    """thop's hook for the exact class, or its children's (dfs_count) for any other module."""
    if op.form != "module":
        return Tally(0.0, f"{op.target}: not a module, thop does not see it")
    hook = THOP.get(op.target)
    if hook is not None:
        return hook(op, batch)
    children = [c for c in op.calls if c.form == "module"]
    if children:
        return joined([thop(c, batch) for c in children])
    return Tally(0.0, f"{op.class_name} is not in register_hooks")


def float_total(values: Sequence[Number]) -> Number:
    """thop's total: a float64 sum."""
    return float(sum(float(v) for v in values))


TORCHINFO_TOOL = Tool(
    "torchinfo", "torchinfo summary", "summary(model, input_data=x).total_mult_adds", "torchinfo 1.8.0",
    "mult-adds, from each leaf module's parameters", torchinfo, lambda values: int(sum(values)))
THOP_TOOL = Tool(
    "thop", "thop profile", "profile(model, inputs=(x,))[0]", "thop 0.1.1.post2209072238",
    "MACs (returned as a float)", thop, float_total)

__all__ = ["THOP", "THOP_TOOL", "TORCHINFO_TOOL", "float_total", "thop", "torchinfo"]
