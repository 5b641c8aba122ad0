"""Plain text as rich lays it out in a terminal's cells: widths, cropping, line breaks.

The pieces of `fasttable` that are about text rather than tables: how many cells a
string takes, a cell cut to a width with an ellipsis, a long line broken where
rich breaks it, and whether output goes to a pipe (where cnncalc prints plain
text, 140 columns wide, without rich's console).
"""

from __future__ import annotations

import os
import sys


def cell_len(text: str) -> int:
    """Terminal cells `text` takes, as rich counts them."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as rich_len

    return rich_len(text)


def cut(text: str, width: int) -> str:
    """`text` cut to `width` cells (rich's ``set_cell_size`` where a character may take two)."""
    if cell_len(text) <= width:
        return text
    if text.isascii():
        return text[: max(width, 0)]
    from rich.cells import set_cell_size

    return set_cell_size(text, width)


def fit(text: str, width: int) -> str:
    """`text` cropped with an ellipsis to `width` cells, as rich's ``overflow="ellipsis"``."""
    return text if cell_len(text) <= width else cut(text, width - 1) + "…"


def wrapped(text: str, width: int) -> list[str]:
    """A line of plain text as rich prints it `width` columns wide: broken before the words that do not
    fit (rich's own `divide_line`; a word longer than a line folded), each part keeping its trailing
    spaces up to the width (rich's ``rstrip_end``) and cut to the width."""
    if cell_len(text) <= width:
        return [text]
    from rich._wrap import divide_line

    offsets = divide_line(text, width, fold=True)
    parts = []
    for start, end in zip([0, *offsets], [*offsets, len(text)], strict=True):
        part = text[start:end]
        if len(part) > width:
            part = part[:len(part) - min(len(part) - len(part.rstrip()), len(part) - width)]
        parts.append(cut(part, width))
    return parts


def plain_output() -> bool:
    """Whether output goes to a pipe or file as plain UTF-8 text (no terminal, no forced colours),
    where rich would print its tables 140 columns wide with no styles."""
    forced = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")
    if any(name in os.environ for name in forced):
        return False
    stream = sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        tty = bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        tty = False
    return not tty and (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").startswith("utf")


__all__ = ["cell_len", "cut", "fit", "plain_output", "wrapped"]
