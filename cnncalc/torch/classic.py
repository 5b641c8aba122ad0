"""Torch modules for the classic papers' layers that torch has no module for (`cnncalc.layers.classic`).

Imported only inside `to_torch` methods: the analysis never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def _per_axis(value: int | Sequence[int], rank: int) -> tuple[int, ...]:
    """An int for every axis, or one per axis (as torch's own modules accept them)."""
    return (value,) * rank if isinstance(value, int) else tuple(value)


class Subsample(nn.Module):
    """LeNet-5's subsampling: each map's window summed, times a per-map coefficient, plus a per-map bias."""

    def __init__(self, channels: int, kernel: int | Sequence[int], stride: int | Sequence[int],
                 rank: int = 2) -> None:
        super().__init__()
        self.channels, self.rank = channels, rank
        self.kernel, self.stride = _per_axis(kernel, rank), _per_axis(stride, rank)
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pool = getattr(nn.functional, f"avg_pool{len(self.kernel)}d")
        volume = 1
        for k in self.kernel:
            volume *= k
        shape = (1, self.channels) + (1,) * len(self.kernel)
        summed: torch.Tensor = pool(x, self.kernel, self.stride) * volume
        return summed * self.weight.view(shape) + self.bias.view(shape)


class TableConv(nn.Module):
    """A convolution whose output maps each read a subset of the input maps (LeNet-5's C3):
    one convolution per output map over its input maps, the results stacked."""

    def __init__(self, table: Sequence[Sequence[int]], kernel: int | Sequence[int], bias: bool = True,
                 rank: int = 2) -> None:
        super().__init__()
        self.table, self.rank = tuple(tuple(maps) for maps in table), rank
        self.kernel, self.bias = _per_axis(kernel, rank), bias
        conv = getattr(nn, f"Conv{len(self.kernel)}d")
        self.maps = nn.ModuleList(conv(len(maps), 1, self.kernel, bias=bias) for maps in self.table)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = [conv(x[:, list(maps)]) for maps, conv in zip(self.table, self.maps, strict=True)]
        return torch.cat(parts, dim=1)


class RBF(nn.Module):
    """Euclidean RBF units: y_i = Σ_j (x_j − w_ij)² over the flattened input (LeNet-5's output)."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.randn(out_features, in_features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.flatten(1)
        return (flat.unsqueeze(1) - self.weight).pow(2).sum(-1)


class PadChannels(nn.Module):
    """Zero channels before and after the input's (ResNet's "option A" shortcut)."""

    def __init__(self, before: int, after: int, rank: int = 2) -> None:
        super().__init__()
        self.before, self.after, self.rank = before, after, rank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.pad(x, (0, 0) * self.rank + (self.before, self.after))
