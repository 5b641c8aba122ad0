"""Where two networks that should compute the same thing first part ways.

Both are run on the same input with forward hooks that keep a fingerprint of
every tensor a module reads or writes (position-weighted sums of the values and
of their magnitudes, so that a permutation or a rescaling changes it; nothing
large is stored). Then, in our topological order:

1. the first of our layers holding parameters whose output differs from that of
   the reference module holding the partners of its parameters (the layer `F`);
   if F's input agrees, F itself computes something else;
2. otherwise the difference came from parameter-free layers (concatenations,
   splits, shuffles, merges) before F: walking back from F's inputs through our
   layers whose values occur nowhere in the reference (as any module's input or
   output), the first whose inputs all occur there is named.

A reference tensor laid out channels-last (ConvNeXt's Linear layers) is also
fingerprinted channels-first, so that it compares with ours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from torch import nn

    from cnncalc.graph import Graph
    from cnncalc.torch.lower import Built

PERIOD = 4099  # a prime: the fingerprint's weights repeat with this period
CLOSE = 1e-5  # fingerprints agree within this fraction of the tensor's absolute sum (as TOLERANCE)

# shape (without the batch), position-weighted sums of the values and of their magnitudes, absolute sum
Print = tuple[tuple[int, ...], float, float, float]


def fingerprint(t: torch.Tensor) -> Print:
    """The tensor's shape, its elements and their magnitudes summed with weights that depend on the
    position, and the sum of the magnitudes."""
    import torch

    flat = t.detach().reshape(-1).to(torch.float64)
    generator = torch.Generator().manual_seed(PERIOD)
    weights = torch.rand(PERIOD, generator=generator, dtype=torch.float64).to(flat.device)
    magnitudes = flat.abs()
    return tuple(t.shape[1:]), _weighted(flat, weights), _weighted(magnitudes, weights), float(magnitudes.sum())


def _weighted(flat: torch.Tensor, weights: torch.Tensor) -> float:
    """Σ xᵢ·wᵢ with wᵢ = weights[i mod PERIOD]·(1 + ⌊i / PERIOD⌋ mod 7)."""
    import torch

    n = flat.numel()
    rows = n // PERIOD
    head = flat[: rows * PERIOD].view(rows, PERIOD) @ weights if rows else flat.new_zeros(0)
    scale = torch.arange(rows, dtype=torch.float64, device=flat.device).remainder_(7).add_(1)
    return float(head @ scale) + float(flat[rows * PERIOD:] @ weights[: n - rows * PERIOD])


def same(a: Print, b: Print) -> bool:
    bound = CLOSE * max(a[3], b[3], 1e-300)
    return a[0] == b[0] and abs(a[1] - b[1]) <= bound and abs(a[2] - b[2]) <= bound


@dataclass
class Trace:
    """The fingerprints one run left: per module (or layer) its first input and its output."""

    inputs: dict[str, list[Print]]
    outputs: dict[str, list[Print]]

    def all_prints(self) -> list[Print]:
        return [p for group in (*self.inputs.values(), *self.outputs.values()) for p in group]


def trace(module: nn.Module, x: torch.Tensor, paths: Iterable[str], *, channels_last: bool = False) -> Trace:
    """Run `module` on `x`, fingerprinting each listed submodule's inputs and output (every call)."""
    import torch

    result = Trace({}, {})
    handles = []

    def prints(t: Any) -> list[Print]:
        if not isinstance(t, torch.Tensor) or not t.is_floating_point():
            return []
        found = [fingerprint(t)]
        if channels_last and t.dim() >= 3:  # (N, ..., C) read as (N, C, ...)
            found.append(fingerprint(t.movedim(-1, 1)))
        return found

    for path in paths:
        def hook(m: Any, args: Any, output: Any, path: str = path) -> None:
            for arg in args:
                result.inputs.setdefault(path, []).extend(prints(arg))
            result.outputs.setdefault(path, []).extend(prints(output))

        handles.append(module.get_submodule(path).register_forward_hook(hook))
    try:
        with torch.no_grad():
            module(x)
    finally:
        for handle in handles:
            handle.remove()
    return result


def first_difference(graph: Graph, built: Built, theirs: nn.Module, x: torch.Tensor,
                     partners: dict[str, str]) -> str:
    """A sentence naming where our network (`built`) first departs from `theirs` on `x`.

    `partners` maps each of our layers that holds parameters to the reference module
    holding their partners.
    """
    ours = trace(built.module, x, [built.paths[n.name] for n in graph.order])
    ref = trace(theirs, x, [name for name, _ in theirs.named_modules() if name], channels_last=True)
    known = ref.all_prints()
    by_path = {built.paths[n.name]: n for n in graph.order}

    def occurs(p: Print) -> bool:
        return any(same(p, q) for q in known)

    def agrees(mine: list[Print], their: list[Print]) -> bool:
        return bool(mine) and any(same(mine[0], q) for q in their)

    for node in graph.order:
        path = built.paths[node.name]
        if node.name not in partners:
            continue
        other = partners[node.name]
        if agrees(ours.outputs.get(path, []), ref.outputs.get(other, [])):
            continue
        where = f"{node.name} ({node.layer.KIND}; torchvision's {other or 'model'})"
        if agrees(ours.inputs.get(path, []), ref.inputs.get(other, [])):
            return f"the first layer whose output differs is {where}: same input, different output"
        culprit = _source(node.name, graph, ours, built, occurs)
        if culprit is None:
            return f"the first layer whose output differs is {where}; its input differs already"
        kind = by_path[built.paths[culprit]].layer.KIND
        return (f"the first layer whose output differs is {culprit} ({kind}): its inputs occur in torchvision's "
                f"model, its output nowhere (it feeds {node.name})")
    return "every layer holding parameters agrees with its partner; the difference is in the last layers"


def _source(name: str, graph: Graph, ours: Trace, built: Built, occurs: Any) -> str | None:
    """Walking back from `name`'s inputs through layers whose outputs occur nowhere in the reference:
    the first (in topological order) whose own inputs all occur there."""
    specs = {n.name: n for n in graph.order}
    position = {n.name: k for k, n in enumerate(graph.order)}

    def found(layer: str) -> bool:
        if layer not in specs:
            return True  # the network's input
        return all(occurs(p) for p in ours.outputs.get(built.paths[layer], [])[:1])

    lost: set[str] = set()
    stack = [i for i in specs[name].inputs if not found(i)]
    while stack:
        layer = stack.pop()
        if layer in lost:
            continue
        lost.add(layer)
        stack += [i for i in specs[layer].inputs if not found(i)]
    origins = [layer for layer in lost if all(found(i) for i in specs[layer].inputs)]
    return min(origins, key=position.__getitem__) if origins else None


__all__ = ["Trace", "fingerprint", "first_difference", "same", "trace"]
