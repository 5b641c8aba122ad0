"""Shapes as people write them: channels first (C×H×W) or last (H×W×C), and readings that look wrong.

cnncalc computes channels first; ``--layout hwc`` (``layout: hwc`` in an answer
file or a quiz key) reads and prints shapes channels last, as the lecture notes
and CS231n write volumes (32×32×3). An input whose numbers look like the other
order — ``32x32x3`` read as C×H×W would be 32 channels of 32×3 — is still read
as asked, never silently swapped, but `suspicious` says so, and the CLI prints
the exact command that means the other reading.

>>> channels_first((32, 32, 3), "hwc"), in_layout((10, 32, 32), "hwc")
((3, 32, 32), (32, 32, 10))
>>> other_reading((32, 32, 3), "chw"), other_reading((3, 224, 224), "chw")
('hwc', None)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnncalc.layers.base import fmt_shape
from cnncalc.layers.text import Msg

LAYOUTS = ("chw", "hwc")
AXES = {2: ("C×L", "L×C"), 3: ("C×H×W", "H×W×C"), 4: ("C×D×H×W", "D×H×W×C")}
CHANNELS = (1, 3, 4)  # grey, RGB, RGBA: what an image's channel count usually is
LARGE = 16  # spatial sizes at least this large do not look like channel counts of a tiny image


def channels_first(shape: Sequence[int], layout: str) -> tuple[int, ...]:
    """A shape as written in `layout` -> channels first (vectors are unchanged)."""
    return tuple(shape) if layout == "chw" or len(shape) < 2 else (shape[-1], *shape[:-1])


def in_layout(shape: Sequence[Any], layout: str) -> tuple[Any, ...]:
    """A channels-first shape in 'chw' or 'hwc' order (vectors are unchanged)."""
    return tuple(shape) if layout == "chw" or len(shape) < 2 else (*shape[1:], shape[0])


def axes(rank: int, layout: str) -> str:
    """``C×H×W`` or ``H×W×C`` (and the 1-D and 3-D forms) for a shape of `rank` numbers."""
    names = AXES.get(rank)
    return "" if names is None else names[LAYOUTS.index(layout)]


def _image_like(channels: int, spatial: Sequence[int]) -> bool:
    return channels in CHANNELS and (len(set(spatial)) == 1 or min(spatial) >= LARGE) and spatial[0] != channels


def other_reading(written: Sequence[int], layout: str) -> str | None:
    """The layout that the numbers as written look like, when it is not `layout` (else None).

    ``32x32x3`` read C×H×W looks like H×W×C (the last number 1, 3 or 4, the first two equal or
    large); ``3x224x224`` read H×W×C looks like C×H×W.
    """
    if len(written) != 3:
        return None
    if layout == "chw" and _image_like(written[-1], written[:-1]):
        return "hwc"
    if layout == "hwc" and _image_like(written[0], written[1:]):
        return "chw"
    return None


def suspicious(written: Sequence[int], layout: str, command: str | None = None) -> Msg | None:
    """Why an input as written might mean the other layout, with the command for it; None if it reads well."""
    other = other_reading(written, layout)
    if other is None:
        return None
    read = channels_first(written, layout)
    msg = Msg("{written} is read as {axes}: {c} channels of {spatial}; if it is {other_axes}, use "
              "--layout {other} (in an answer file, layout: {other})", written=fmt_shape(written),
              axes=axes(3, layout), c=read[0], spatial=fmt_shape(read[1:]), other_axes=axes(3, other), other=other)
    return msg if command is None else Msg("{msg}: {command}", msg=msg, command=command)


def flat_input(written: Sequence[int], rank: int | None, command: str | None = None) -> Msg | None:
    """A 2-number input where a 2-D one is expected (`rank` 3, or unknown and the two equal): 7x7 is
    read as 7 channels of length 7, a 1-D input."""
    if len(written) != 2 or (rank is not None and rank != 3) or (rank is None and written[0] != written[1]):
        return None
    msg = Msg("{written} is read as C×L: {c} channels of length {n}, a 1-D input; for a {written} image with "
              "one channel write 1x{h}x{w} (C×H×W)", written=fmt_shape(written), c=written[0], n=written[1],
              h=written[0], w=written[1])
    return msg if command is None else Msg("{msg}: {command}", msg=msg, command=command)


__all__ = ["LAYOUTS", "axes", "channels_first", "flat_input", "in_layout", "other_reading", "suspicious"]
