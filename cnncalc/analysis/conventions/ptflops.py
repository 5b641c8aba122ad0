"""ptflops 0.7.5 with its default (pytorch) backend: module hooks plus patched functions.

ptflops counts in three places, and this module keeps them apart as ptflops does:

- a forward hook on every module whose exact class is in ``MODULES_MAPPING``
  (summed, then divided by the batch size);
- ``torch.nn.functional`` functions it replaces while the model runs
  (``FUNCTIONAL_MAPPING``): they count wherever they are called — also inside a
  torch.nn module's own forward, so ``nn.ReLU`` counts twice (its hook and its
  ``F.relu``) and ``nn.ReLU6`` once (it calls ``F.hardtanh``, which is not patched);
- ``torch``/``Tensor`` methods it replaces (``TENSOR_OPS_MAPPING``): ``torch.add``
  and ``x.mul`` count, the operators ``+`` ``*`` and the in-place ``add_`` do not.

The total is ``hooks / N + functions + tensor ops``, truncated to an integer.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from cnncalc.analysis.conventions import facts
from cnncalc.analysis.conventions.tool import Number, Tally, Tool, conv_spatial, int_total, joined, numel, walk
from cnncalc.layers.torchop import TorchOp

Hook = Callable[[TorchOp, int], Tally]


def _conv(op: TorchOp, batch: int) -> Tally:
    a = op.attrs
    value = numel(a["kernel_size"]) * a["in_channels"] * (a["out_channels"] // a["groups"]) * batch * conv_spatial(op)
    rule = f"hook: N·∏k·C_in·(C_out/groups)·∏({'input' if a['transposed'] else 'output'} spatial)"
    if a["bias"]:
        value += batch * numel(op.output)
        rule += " + bias N·numel(out)"
    return Tally(value, rule)


def _output(op: TorchOp, batch: int) -> Tally:
    return Tally(batch * numel(op.output), "hook: numel(output)")


def _input(op: TorchOp, batch: int) -> Tally:
    return Tally(batch * numel(op.inputs[0]), "hook: numel(input)")


def _norm(op: TorchOp, batch: int) -> Tally:
    per = 2 if op.attrs.get("affine") else 1  # nn.LayerNorm has no .affine: never doubled
    return Tally(per * batch * numel(op.inputs[0]), f"hook: {'2·' if per == 2 else ''}numel(input)")


def _linear(op: TorchOp, batch: int) -> Tally:
    a = op.attrs
    rows = batch * numel(op.inputs[0][:-1])
    return Tally((a["in_features"] * a["out_features"] + (a["out_features"] if a["bias"] else 0)) * rows,
                 "hook: (in·out + bias)·∏(input dims but the last)")


def _each(names: tuple[str, ...], hook: Hook) -> dict[str, Hook]:
    return {name.format(r=r): hook for name in names for r in (1, 2, 3)}


# pytorch_ops.MODULES_MAPPING (exact classes)
MODULES: dict[str, Hook] = {
    **_each(("nn.Conv{r}d", "nn.ConvTranspose{r}d"), _conv),
    **_each(("nn.ReLU", "nn.PReLU", "nn.ELU", "nn.LeakyReLU", "nn.ReLU6", "nn.GELU", "nn.Upsample"), _output),
    **_each(("nn.MaxPool{r}d", "nn.AvgPool{r}d", "nn.AdaptiveMaxPool{r}d", "nn.AdaptiveAvgPool{r}d"), _input),
    **_each(("nn.BatchNorm{r}d", "nn.InstanceNorm{r}d", "nn.GroupNorm", "nn.LayerNorm"), _norm),
    "nn.Linear": _linear,
}


def _numel(op: TorchOp, batch: int) -> Tally:
    return Tally(batch * numel(op.inputs[0]), f"patched {op.target}: numel(input)")


def _local_response_norm(op: TorchOp, batch: int) -> Tally:
    """Inside F.local_response_norm: the patched avg_pool on the channel-padded square (a function)."""
    shape = op.inputs[0]
    padded = batch * (shape[0] + op.attrs["size"] - 1) * numel(shape[1:])
    return Tally(padded, "patched avg_pool inside F.local_response_norm: N·(C + size − 1)·∏spatial")


# the functions pytorch_engine.patch_functional replaces (F.linear's patch is commented out there)
FUNCTIONS: dict[str, Hook] = {
    **{f"F.{name}": _numel for name in ("relu", "prelu", "elu", "relu6", "gelu", "silu", "softmax")},
    **_each(("F.avg_pool{r}d", "F.max_pool{r}d", "F.adaptive_avg_pool{r}d", "F.adaptive_max_pool{r}d"), _numel),
    "F.local_response_norm": _local_response_norm,
}


def _broadcast_left(op: TorchOp, batch: int) -> Tally:
    """_elementwise_tensor_flops_hook: dimensions aligned from the left, the larger size of each."""
    shapes = [(batch, *s) for s in op.inputs]
    total = 0
    for k in range(1, len(shapes)):  # a + b + c is two calls
        a, b = shapes[0], shapes[k]
        dims = [max(a[i] if i < len(a) else 1, b[i] if i < len(b) else 1) for i in range(max(len(a), len(b)))]
        total += numel(dims)
    return Tally(total, f"patched {op.target}: numel of the operands broadcast from the left")


def _lrn_tensor_ops(op: TorchOp, batch: int) -> Tally:
    return Tally(3 * batch * numel(op.inputs[0]), "patched x.mul(x), .mul(alpha), .add(k) inside "
                                                  "F.local_response_norm: 3·numel(input)")


# pytorch_ops.TENSOR_OPS_MAPPING (the matmul family is not listed: no layer kind is a matrix product)
TENSOR_OPS: dict[str, Hook] = {name: _broadcast_left for name in ("torch.add", "x.add", "torch.mul", "x.mul")}
INSIDE_TENSOR_OPS: dict[str, Hook] = {"F.local_response_norm": _lrn_tensor_ops}


def parts(op: TorchOp, batch: int) -> tuple[Tally, Tally]:
    """(module hooks, patched functions and tensor ops) for one call and what it runs inside."""
    hooks: list[Tally] = []
    patched: list[Tally] = []
    for call in walk(op) if not op.torch_nn else (op,):
        if call.torch_nn and call.target in MODULES:
            hooks.append(MODULES[call.target](call, batch))
        functions = facts.lookup(call.target).calls if call.torch_nn else (call.target,)
        for name in functions:
            inner = TorchOp(name, call.inputs, call.output, call.attrs)
            if name in FUNCTIONS:
                patched.append(FUNCTIONS[name](inner, batch))
            if name in INSIDE_TENSOR_OPS:
                patched.append(INSIDE_TENSOR_OPS[name](inner, batch))
            if name in TENSOR_OPS:
                patched.append(TENSOR_OPS[name](inner, batch))
    return joined(hooks), joined(patched)


def ptflops(op: TorchOp, batch: int) -> Tally:
    hooks, patched = parts(op, batch)
    value = Fraction(hooks.value) / batch + Fraction(patched.value)
    rules = [r for r in (hooks.rule, patched.rule) if r]
    shown: Number = int(value) if value.denominator == 1 else value
    return Tally(shown, "; ".join(rules) if value else f"{op.target}: not hooked, not patched")


PTFLOPS_TOOL = Tool(
    "ptflops", "ptflops (pytorch backend)", "get_model_complexity_info(model, (C, H, W))[0]",
    "ptflops 0.7.5", "MACs; hooks per sample, patched calls per batch", ptflops, int_total)

__all__ = ["FUNCTIONS", "MODULES", "PTFLOPS_TOOL", "TENSOR_OPS", "parts", "ptflops"]
