"""Names in one scope of a written network, as the YAML language will give them.

An entry without ``name`` is called TYPE plus a counter per type within its scope
(``conv1``, ``relu2``), the counter counting every entry of that type, named or
not, and every copy of a ``repeat``. The writer leaves the name out where that
automatic name will do, keeps a module's own name (``conv1``, ``downsample``)
where it is free, and names an entry explicitly when something refers to it and
its automatic name cannot be known (after a repeat whose count is an argument).

>>> name_scope([("conv", "conv1", 1, False), ("conv", None, 1, True), ("relu", None, 1, False)])
[('conv1', 'conv1'), (None, 'conv2'), (None, 'relu1')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

Record = tuple[str, "str | None", Any, bool]  # type, wanted name, copies (int or expression), referenced


def name_scope(records: Sequence[Record]) -> list[tuple[str | None, str]]:
    """(the name to write or None, the name others refer to it by) for each entry."""
    autos, every_auto, unknown = _automatic(records)
    result: list[tuple[str | None, str]] = []
    taken = set(every_auto)
    for (kind, name, count, referenced), auto in zip(records, autos, strict=True):
        risky = kind in unknown and name is not None and re.fullmatch(rf"{re.escape(kind)}\d+", name) is not None
        if name is not None and name not in taken and name not in ("in", "input") and not risky:
            taken |= {name, *(f"{name}_{k}" for k in range(1, count + 1))} if isinstance(count, int) else {name}
            result.append((name, name))
        elif auto is not None:
            result.append((None, auto))
        elif referenced:
            fresh = _fresh(kind, name, taken)
            taken.add(fresh)
            result.append((fresh, fresh))
        else:
            result.append((None, "?"))
    return result


def _automatic(records: Sequence[Record]) -> tuple[list[str | None], set[str], set[str]]:
    """The automatic name of each entry's last copy (None where a count is an argument), every
    automatic name an unnamed entry takes, and the types whose counters are unknown."""
    counters: dict[str, int | None] = {}
    last: list[str | None] = []
    every: set[str] = set()
    unknown: set[str] = set()
    for kind, name, count, _ in records:
        before = counters.get(kind, 0)
        after = None if before is None or not isinstance(count, int) else before + count
        counters[kind] = after
        if after is None:
            unknown.add(kind)
        last.append(None if after is None else f"{kind}{after}")
        if name is None and before is not None and after is not None:
            every |= {f"{kind}{c}" for c in range(before + 1, after + 1)}
    return last, every, unknown


def _fresh(kind: str, name: str | None, taken: set[str]) -> str:
    base = name or kind
    k = 2
    while f"{base}_{k}" in taken:
        k += 1
    return f"{base}_{k}"


__all__ = ["name_scope"]
