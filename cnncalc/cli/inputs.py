"""``--input`` as people write it, in ``--layout``, and a word on stderr when it reads oddly.

An input that looks like the other layout (``32x32x3`` channels first) or a
2-number input where a network or layer takes an image is read as asked, never
swapped, and the warning gives the exact command that means the other reading,
rebuilt from the command's own parameters.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

import typer

from cnncalc.layers.text import ENGLISH, Language, Msg

Shape = tuple[int, ...]


def command_line(ctx: typer.Context | None, changes: Mapping[str, Any]) -> str:
    """The command being run, with some parameters changed (``{"layout": "hwc"}``), as one shell line."""
    if ctx is None:
        return ""
    parts = ["cnncalc", ctx.info_name or ""]
    for param in ctx.command.params:
        name = param.name or ""
        value = changes.get(name, ctx.params.get(name))
        if param.param_type_name == "argument":
            parts += [_text(v) for v in value] if isinstance(value, list | tuple) else [] if value is None \
                else [_text(value)]
            continue
        unchanged = name not in changes and _text(value) == _text(param.default)
        if value is None or value == [] or value == () or unchanged:
            continue
        flag = max(param.opts, key=len)
        if getattr(param, "is_flag", False):
            parts += [flag] if value else []
        elif isinstance(value, list | tuple):
            for item in value:
                parts += [flag, _text(item)]
        else:
            parts += [flag, _text(value)]
    return shlex.join(parts)


def _text(value: Any) -> str:
    return str(value.value if isinstance(value, Enum) else value)


def warn(message: Msg, language: Language = ENGLISH) -> None:
    sys.stderr.write(f"cnncalc: {message.render(language)}\n")


def read(ctx: typer.Context | None, text: str, layout: str, *, network: str | None = None,
         option: str = "input", language: Language = ENGLISH) -> Shape:
    """One ``--input`` in `layout` -> channels first, with a warning for an odd-looking reading.

    With a `network`, a 2-number input is compared with the network's own input.
    """
    from cnncalc.homework import layout as layouts
    from cnncalc.homework.worked import read_input

    written = read_input(text)
    rank = _rank(network) if network is not None and len(written) == 2 else None
    other = layouts.other_reading(written, layout)
    if other is not None:
        hint = layouts.suspicious(written, layout, command_line(ctx, {"layout": other}))
        if hint is not None:
            warn(hint, language)
    flat = layouts.flat_input(written, rank, command_line(ctx, {option: _with_channel(ctx, text)}))
    if flat is not None:
        warn(flat, language)
    return layouts.channels_first(written, layout)


def _rank(network: str) -> int | None:
    import cnncalc
    from cnncalc.errors import CnnCalcError
    from cnncalc.sources import parse

    if parse(network) is not None:  # a PyTorch model: not traced twice (and often without its own input)
        return None
    try:
        return len(cnncalc.load(network).spec.input_shape)
    except CnnCalcError:
        return None


def optional(ctx: typer.Context | None, text: str | None, layout: str, network: str | None = None,
             language: Language = ENGLISH) -> Shape | None:
    """An optional ``--input`` (None: the network's own)."""
    return None if text is None else read(ctx, text, layout, network=network, language=language)


def _with_channel(ctx: typer.Context | None, text: str) -> Any:
    from cnncalc.homework.worked import read_input

    shape = "1x" + "x".join(str(d) for d in read_input(text))
    current = ctx.params.get("inputs") if ctx is not None else None
    return [shape] if isinstance(current, list) else shape


def read_all(ctx: typer.Context | None, texts: Sequence[str], layout: str, language: Language = ENGLISH) -> list[Shape]:
    """The ``--input`` values of `cnncalc layer` (one per input of a merge)."""
    return [read(ctx, t, layout, option="inputs", language=language) for t in texts]


__all__ = ["command_line", "optional", "read", "read_all", "warn"]
