"""Pure integer formulas for output sizes along one spatial dimension.

Int in, int out, the same rules PyTorch applies (``torch.nn.Conv2d``,
``MaxPool2d``, ``ConvTranspose2d``, ``AdaptiveAvgPool2d``).
"""

from __future__ import annotations


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """The extent of a dilated kernel: ``d·(k−1)+1``.

    >>> effective_kernel(3, 2)
    5
    """
    return dilation * (kernel - 1) + 1


def conv_out(
    size: int,
    kernel: int,
    stride: int = 1,
    pad_lo: int = 0,
    pad_hi: int | None = None,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output size of a convolution or pooling window: ``⌊(n + p_lo + p_hi − k_eff) / s⌋ + 1``.

    With `ceil_mode` the division rounds up, but (as in PyTorch) a last window that
    would start inside the right padding is dropped. The result may be < 1 when the
    kernel is larger than the padded input: callers report that.

    >>> conv_out(224, 11, 4, 2)        # AlexNet conv1 (torchvision)
    55
    >>> conv_out(32, 5, 1, 2)          # the notes: 5x5, stride 1, pad 2 keeps 32
    32
    >>> conv_out(7, 3, 3)              # 3x3 with stride 3 does not tile 7: floored
    2
    >>> conv_out(55, 3, 2, ceil_mode=True), conv_out(13, 3, 2, ceil_mode=True)
    (27, 6)
    """
    pad_hi = pad_lo if pad_hi is None else pad_hi
    span = size + pad_lo + pad_hi - effective_kernel(kernel, dilation)
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


def conv_exact(size: int, kernel: int, stride: int = 1, pad_lo: int = 0, pad_hi: int | None = None,
               dilation: int = 1) -> bool:
    """True when the windows tile the padded input exactly (no rounding happened).

    >>> conv_exact(7, 3, 3), conv_exact(7, 3, 2)
    (False, True)
    """
    pad_hi = pad_lo if pad_hi is None else pad_hi
    span = size + pad_lo + pad_hi - effective_kernel(kernel, dilation)
    return span >= 0 and span % stride == 0


def same_padding(size: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Padding (before, after) that gives ``ceil(n / s)`` outputs; the odd pixel goes after.

    This is TensorFlow's 'same', which for stride 1 is PyTorch's ``padding='same'``.

    >>> same_padding(224, 3), same_padding(224, 4), same_padding(225, 3, 2)
    ((1, 1), (1, 2), (1, 1))
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + effective_kernel(kernel, dilation) - size, 0)
    return total // 2, total - total // 2


def transposed_out(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, output_padding: int = 0
) -> int:
    """Output size of a transposed convolution: ``(n−1)·s − 2p + d·(k−1) + output_padding + 1``.

    >>> transposed_out(7, 4, 2, 1)     # the usual 2x upsampling
    14
    """
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    """The [start, end) windows of adaptive pooling, as PyTorch computes them.

    >>> adaptive_bins(6, 6)[:2], adaptive_bins(7, 3)
    ([(0, 1), (1, 2)], [(0, 3), (2, 5), (4, 7)])
    """
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]
