"""Small torch modules for layer kinds that torch has no module for.

Imported only inside `to_torch` methods: the analysis never imports torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class MinPool(nn.Module):
    """Min pooling as ``−maxpool(−x)``, around a torch max pooling module."""

    def __init__(self, maxpool: nn.Module) -> None:
        super().__init__()
        self.maxpool = maxpool

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.maxpool(-x)
        return -out


class WindowSum(nn.Module):
    """The sum over each window of a max pooling's geometry (kernel, stride, padding, dilation,
    ceil_mode): its linear stand-in when receptive fields are measured by gradients.

    The input is padded (or cropped) to exactly the windows max pooling reads, then
    summed by a convolution of ones applied to each channel alone.
    """

    def __init__(self, kernel: Sequence[int], stride: Sequence[int], padding: Sequence[int],
                 dilation: Sequence[int], ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel, self.stride, self.padding = tuple(kernel), tuple(stride), tuple(padding)
        self.dilation, self.ceil_mode = tuple(dilation), ceil_mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads: list[int] = []
        for axis, (k, s, p, d) in enumerate(zip(self.kernel, self.stride, self.padding, self.dilation, strict=True)):
            n = x.shape[2 + axis]
            span = n + 2 * p - d * (k - 1) - 1
            count = (-(-span // s) if self.ceil_mode else span // s) + 1
            if self.ceil_mode and (count - 1) * s >= n + p:
                count -= 1  # torch drops a last window that starts in the right padding
            pads = [p, (count - 1) * s + d * (k - 1) + 1 - n - p, *pads]
        padded = nn.functional.pad(x, pads)
        c = x.shape[1]
        ones = torch.ones((c, 1, *self.kernel), dtype=x.dtype, device=x.device)
        conv = getattr(nn.functional, f"conv{len(self.kernel)}d")
        out: torch.Tensor = conv(padded, ones, None, self.stride, 0, self.dilation, c)
        return out


class SpatialPyramidPooling(nn.Module):
    """Spatial pyramid pooling: adaptive pooling to n bins per axis for each level,
    flattened and concatenated in level order: ``(N, C·Σ nʳ)``."""

    def __init__(self, levels: Sequence[int], mode: str = "max", rank: int = 2) -> None:
        super().__init__()
        self.levels, self.mode, self.rank = tuple(levels), mode, rank  # kept for `cnncalc export`
        cls: type[nn.Module] = getattr(nn, f"Adaptive{mode.capitalize()}Pool{rank}d")
        self.pools = nn.ModuleList(cls(n) for n in levels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([pool(x).flatten(1) for pool in self.pools], dim=1)


class ChannelsFirstLayerNorm(nn.Module):
    """LayerNorm over dimension 1 (the channels) of an (N, C, ...) tensor, as in ConvNeXt.

    Equivalent to moving the channels last, applying ``torch.nn.LayerNorm(C)`` and
    moving them back. Parameters: a weight and a bias of C each when ``affine``.
    """

    def __init__(self, channels: int, eps: float = 1e-6, affine: bool = True) -> None:
        super().__init__()
        self.channels = channels
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(channels)) if affine else None
        self.bias = nn.Parameter(torch.zeros(channels)) if affine else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.layer_norm(x.movedim(1, -1), (self.channels,), self.weight, self.bias, self.eps)
        return y.movedim(-1, 1)


class Add(nn.Module):
    """The elementwise sum of its inputs (residual connections): ``forward(*xs)``.

    With ``inplace`` the sum is accumulated into the first input, as torchvision's
    ``out += identity`` (the torch backend sets it where no one else reads that input).
    """

    MERGE = "add"  # the merge the exported forward writes (`cnncalc.torch.forward.Step.merge`)

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        total = xs[0]
        for k, x in enumerate(xs[1:]):
            total = total.add_(x) if self.inplace or k > 0 else total + x
        return total

    def code(self, args: Sequence[str]) -> str:
        """The same as a Python expression (`cnncalc export`)."""
        return " + ".join(args)


class Concat(nn.Module):
    """Its inputs joined along `dim` (1: the channels, behind the batch dimension)."""

    MERGE = "cat"

    def __init__(self, dim: int = 1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)

    def code(self, args: Sequence[str]) -> str:
        """The same as a Python expression (`cnncalc export`)."""
        return f"torch.cat([{', '.join(args)}], dim={self.dim})"


class Mul(nn.Module):
    """The elementwise product of its inputs, broadcasting size-1 dimensions (SE gates)."""

    MERGE = "mul"

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        product = xs[0]
        for x in xs[1:]:
            product = product * x
        return product

    def code(self, args: Sequence[str]) -> str:
        """The same as a Python expression (`cnncalc export`)."""
        return " * ".join(args)


class ChannelSplit(nn.Module):
    """Part `index` of the channels split as ``torch.split(x, sizes, dim=1)`` does (`sizes`: the parts'
    channel counts, or one count for parts of equal size), a view: one module per part, as the network
    file names them ``NAME.0``, ``NAME.1`` …"""

    def __init__(self, sizes: int | Sequence[int], index: int) -> None:
        super().__init__()
        self.sizes = sizes if isinstance(sizes, int) else tuple(sizes)
        self.index = index

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sizes = self.sizes if isinstance(self.sizes, int) else list(self.sizes)
        return torch.split(x, sizes, dim=1)[self.index]


class ChannelShuffle(nn.Module):
    """ShuffleNet's channel shuffle for any rank: channels viewed as (groups, C/groups), transposed,
    flattened back (torch.nn.ChannelShuffle needs a spatial dimension)."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c = x.shape[0], x.shape[1]
        grouped = x.reshape(n, self.groups, c // self.groups, *x.shape[2:])
        return grouped.transpose(1, 2).reshape(x.shape)


class LayerScale(nn.Module):
    """A learned factor per channel (ConvNeXt's ``layer_scale``): ``x · weight`` with a weight of shape
    (C, 1, …, 1), one 1 per spatial dimension (`rank`), initialised to `init`."""

    def __init__(self, channels: int, init: float = 1.0, rank: int = 2) -> None:
        super().__init__()
        self.channels, self.init, self.rank = channels, init, rank
        self.weight = nn.Parameter(torch.full((channels, *(1,) * rank), float(init)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


class PointwiseLinear(nn.Module):
    """``nn.Linear`` over dimension 1 (the channels) at every position of an (N, C, ...) tensor: what
    torch computes for a Linear on a channels-last tensor (ConvNeXt). Weight (out, in), bias (out)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        bound = 1 / in_features**0.5  # nn.Linear's default initialisation
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(x.movedim(1, -1), self.weight, self.bias).movedim(-1, 1)


class StochasticDepth(nn.Module):
    """Stochastic depth: the identity at inference; while training, the input (a residual branch)
    zeroed with probability `p` per sample (``row``) or for the whole batch (``batch``) and scaled by
    1/(1 − p) where kept."""

    def __init__(self, p: float = 0.0, mode: str = "row") -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        keep = 1.0 - self.p
        shape = (x.shape[0],) + (1,) * (x.dim() - 1) if self.mode == "row" else (1,) * x.dim()
        mask = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep)
        return x * mask / keep if keep > 0 else x * mask
