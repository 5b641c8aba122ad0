"""An input shape as a user writes it (``--input 3x224x224``, a file's ``input:``), and the limits on it."""

from __future__ import annotations

import math
import re

from cnncalc.errors import CnnCalcError, Location

MAX_SIZE = 2**40  # any single dimension larger than this is refused as not sensible
MAX_INPUT_NUMEL = 2**48  # the input's elements, as the analysis limits every layer's output


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x224x224', '3,224,224', '3×224×224' or '[3, 224, 224]' -> (3, 224, 224).

    >>> parse_shape("3x224x224"), parse_shape("3, 227, 227")
    ((3, 224, 224), (3, 227, 227))
    """
    cleaned = text.strip().strip("[]()").replace("×", "x").replace("*", "x").replace(",", "x").replace(" ", "")
    parts = [p for p in cleaned.lower().split("x")]
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses; at most 15 digits each
    if not parts or not all(re.fullmatch(r"[0-9]{1,15}", p) for p in parts):
        shown = text if len(text) <= 60 else text[:59] + "…"
        raise CnnCalcError(f"cannot read the shape {shown!r}; write it channels first, e.g. 3x224x224 or 3,224,224 "
                           "(ASCII digits, at most 15 each)")
    shape = tuple(int(p) for p in parts)
    check_input_shape(shape, Location("--input"))
    return shape


def check_input_shape(shape: tuple[int, ...], where: Location) -> None:
    if not 1 <= len(shape) <= 4:
        raise CnnCalcError(f"the input shape must be [C], [C, L], [C, H, W] or [C, D, H, W]; received "
                           f"{list(shape)}", where)
    for d in shape:
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise CnnCalcError(f"input sizes must be positive integers, received {list(shape)}", where)
        if d > MAX_SIZE:
            raise CnnCalcError(f"input size {d} is too large to be sensible (limit {MAX_SIZE:,})", where)
    numel = math.prod(shape)
    if numel > MAX_INPUT_NUMEL:
        raise CnnCalcError(f"the input {'×'.join(map(str, shape))} has {numel:,} elements, too many to be sensible "
                           f"(at most {MAX_INPUT_NUMEL:,})", where)


__all__ = ["MAX_INPUT_NUMEL", "MAX_SIZE", "check_input_shape", "parse_shape"]
