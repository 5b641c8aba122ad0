"""Where a network comes from: a zoo name, a YAML file, or PyTorch code.

A network argument is one of

- a zoo name (``resnet50``) or a path to a YAML file (`cnncalc.zoo`);
- ``torchvision:NAME``, with constructor options as a query
  (``torchvision:resnet50?num_classes=10``);
- ``timm:NAME`` (when timm is installed), options likewise;
- ``path/to/file.py:Name`` or ``package.module:Name``: a class or a factory
  function, called with the query's options (``mynet.py:Net?width=32``). This
  imports and runs that file or module: it is what the user asks for, and it is
  never done for a name written inside a file (`refuse_code`).

This module only reads the text; torch is imported, by `cnncalc.torch.importer_sources`,
when a PyTorch source is loaded.

>>> parse("torchvision:resnet50?num_classes=10").options
{'num_classes': 10}
>>> parse("nets/mine.py:Net").kind, parse("mypkg.models:build").name, parse("resnet50") is None
('file', 'mypkg.models', True)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnncalc.errors import CnnCalcError

if TYPE_CHECKING:
    from cnncalc.graph import Graph

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
LIBRARIES = ("torchvision", "timm")


@dataclass(frozen=True)
class TorchSource:
    """A network written in PyTorch: a library's model, or a class or function in a file or module."""

    kind: str  # torchvision, timm, file or module
    name: str  # the model name, the file's path or the module's dotted name
    attr: str  # the class or function (file and module sources)
    options: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @property
    def runs_user_code(self) -> bool:
        return self.kind in ("file", "module")


def literal(text: str) -> Any:
    """An option's value: an integer, a number, true/false, none, or else the text itself.

    >>> [literal(v) for v in ("10", "0.5", "true", "None", "relu")]
    [10, 0.5, True, None, 'relu']
    """
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text.strip()


def options(text: str, where: str) -> dict[str, Any]:
    """``key=value&key2=value2`` (or comma-separated) -> a dict of literals."""
    result: dict[str, Any] = {}
    for item in re.split(r"[&,]", text) if text else []:
        key, sep, value = item.partition("=")
        if not sep or not IDENTIFIER.match(key.strip()):
            raise CnnCalcError(f"{where}: options are key=value pairs joined by '&', e.g. ?num_classes=10&dropout=0.1;"
                               f" received {item!r}")
        result[key.strip()] = literal(value)
    return result


def parse(source: str | Path) -> TorchSource | None:
    """The PyTorch source `source` names, or None for a zoo name or a YAML path (a `Path` always is one)."""
    if not isinstance(source, str) or ":" not in source:
        return None
    head, _, query = source.partition("?")
    left, _, right = head.rpartition(":")
    if left in LIBRARIES:
        if not right:
            raise CnnCalcError(f"{source!r}: name the model, e.g. {left}:resnet50")
        return TorchSource(left, right, "", options(query, source), source)
    if not IDENTIFIER.match(right):
        return None
    if left.endswith(".py"):
        return TorchSource("file", left, right, options(query, source), source)
    if DOTTED.match(left):
        return TorchSource("module", left, right, options(query, source), source)
    return None


def with_args(source: str, args: Sequence[str] | None) -> str:
    """`source` with ``--arg key=value`` options appended to its query."""
    if not args:
        return source
    if parse(source) is None:
        raise CnnCalcError(f"--arg sets a PyTorch model's arguments; {source!r} is a network file or zoo name "
                           "(use --set for its vars)")
    return source + ("&" if "?" in source else "?") + "&".join(args)


def refuse_code(source: str) -> TorchSource | None:
    """A PyTorch source written inside a file (an answer file's ``network:``): a library's model is
    allowed, code is not — a file must never make cnncalc run a Python file or import a module."""
    parsed = parse(source)
    if parsed is not None and parsed.runs_user_code:
        raise CnnCalcError(f"{source!r} names Python code; a file may name a zoo network, a YAML file or "
                           "torchvision:NAME, but cnncalc never runs code a file names. Import it yourself: "
                           f"cnncalc import {source} -o net.yaml, and name net.yaml")
    return parsed


def require_torch(source: TorchSource) -> None:
    """One line naming what to install when PyTorch (or the model's library) is missing (as
    `cnncalc.cli.needs` says it for the torch commands)."""
    import importlib.util

    needs = [("torch", "PyTorch", "torch"), *([(source.kind, source.kind, source.kind)]
                                              if source.kind in LIBRARIES else [])]
    missing = []
    for module, what, extra in needs:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing.append((what, extra))
    if missing:
        whats = " and ".join(w for w, _ in missing)
        extras = ",".join(e for _, e in missing if e != "timm")
        commands = [f"pip install 'cnncalc[{extras}]'"] if extras else []
        commands += ["pip install timm"] if any(e == "timm" for _, e in missing) else []
        how = " and ".join(commands)
        raise CnnCalcError(f"{source.text} is a PyTorch model: reading it needs {whats}, which "
                           f"{'is' if len(missing) == 1 else 'are'} not installed: {how}")


def load_graph(source: TorchSource, *, input_shape: Sequence[int] | None = None,
               overrides: Mapping[str, Any] | None = None, allow_uncounted: bool = False) -> Graph:
    """The layer graph of a PyTorch model: traced, written as YAML (`cnncalc import`) and read back, so
    that ``shapes SRC`` and ``shapes net.yaml`` are the same network."""
    if overrides:
        raise CnnCalcError(f"--set changes a network file's vars; give {source.text}'s arguments as ?key=value or "
                           "--arg key=value")
    require_torch(source)
    from cnncalc.torch.importer_sources import import_yaml

    text = import_yaml(source, input_shape=input_shape, allow_uncounted=allow_uncounted)
    from cnncalc import load_text_graph

    return load_text_graph(text, source.text)


__all__ = ["TorchSource", "literal", "load_graph", "options", "parse", "refuse_code", "require_torch", "with_args"]
