"""A lowered module read back as the constructor call that rebuilds it.

Each layer is built by its own `to_torch`; `cnncalc export` writes it back as
``nn.Conv2d(64, 256, 1, bias=False)``: the constructor's parameters are read from
the module's attributes of the same name (a flag for an optional tensor such as
``bias`` is whether the tensor is there), and those equal to their defaults are
left out. One lowering path, nothing to drift.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from cnncalc.errors import CnnCalcError
from cnncalc.torch import classic
from cnncalc.torch import modules as custom
from cnncalc.torch.codegen import literal

_EMPTY = inspect.Parameter.empty
NONE = object()  # no default: the argument is always written


def _same_text(text: str, default: Any) -> bool:
    try:
        return text == literal(_compact(default))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class Ctor:
    """``callee(*positional, **keywords)``: values are constants or nested `Ctor`s."""

    callee: str  # "nn.Conv2d", or the name of a module class copied into the file
    args: tuple[tuple[str, Any, bool], ...]  # (parameter, value, written by keyword)
    custom: type | None = None  # the class, when it is one of cnncalc's own modules
    defaults: tuple[Any, ...] = ()  # per argument: its default (`NONE`: required), left out when equal

    def leaves(self, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
        """Every constant in the call, with where it is."""
        out: list[tuple[tuple[Any, ...], Any]] = []
        for k, (_, value, _) in enumerate(self.args):
            if isinstance(value, Ctor):
                out += value.leaves((*path, k))
            else:
                out.append(((*path, k), value))
        return out

    def shape(self) -> tuple[Any, ...]:
        """The call without its constants: equal for modules that differ only in numbers."""
        return (self.callee, tuple((n, kw, v.shape() if isinstance(v, Ctor) else None) for n, v, kw in self.args))

    def customs(self) -> set[type]:
        found = {self.custom} if self.custom is not None else set()
        for _, value, _ in self.args:
            if isinstance(value, Ctor):
                found |= value.customs()
        return found

    def render(self, code: dict[tuple[Any, ...], str] | None = None, path: tuple[Any, ...] = ()) -> str:
        """Source of the call; `code` gives the source of some constants (by `leaves` path). An argument
        whose source is its default's is left out."""
        parts = []
        for k, (name, value, keyword) in enumerate(self.args):
            here = (*path, k)
            text = value.render(code, here) if isinstance(value, Ctor) else (code or {}).get(here) or literal(value)
            default = self.defaults[k] if k < len(self.defaults) else NONE
            if keyword and default is not NONE and not isinstance(value, Ctor) and _same_text(text, default):
                continue
            parts.append(f"{name}={text}" if keyword else text)
        return f"{self.callee}({', '.join(parts)})"


def read(module: nn.Module) -> Ctor:
    """The constructor call that rebuilds `module`."""
    cls = type(module)
    mine = cls.__module__ in _OURS
    name = f"nn.{cls.__name__}" if getattr(nn, cls.__name__, None) is cls else cls.__name__
    if isinstance(module, nn.Sequential):
        return Ctor(name, tuple(("", read(m), False) for m in module), cls if mine else None)
    args = []
    defaults = []
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    for k, p in enumerate(params):
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in ("device", "dtype"):
            continue
        value = _attribute(module, p)
        value = read(value) if isinstance(value, nn.Module) else _compact(value)
        args.append((p.name, value, not (p.default is _EMPTY and k < 2)))
        defaults.append(NONE if p.default is _EMPTY else p.default)
    return Ctor(name, tuple(args), cls if mine else None, tuple(defaults))


def constructor(module: nn.Module, used: set[type] | None = None) -> str:
    """Python source that builds a module equal to `module` (class and arguments)."""
    call = read(module)
    if used is not None:
        used |= call.customs()
    return call.render()


def _attribute(module: nn.Module, p: inspect.Parameter) -> Any:
    """The module's value for constructor parameter `p`: its attribute of that name; a flag for
    an optional tensor (``bias``, ``affine`` ...) is whether the tensor is there."""
    if p.name in vars(module) or p.name in module._modules:
        value = getattr(module, p.name)
    elif p.name in module._parameters:
        value = module._parameters[p.name] is not None
    elif p.name == "affine" and "weight" in module._parameters:
        value = module._parameters["weight"] is not None
    else:
        raise CnnCalcError(f"cannot write {type(module).__name__} as code: it keeps no {p.name!r}")
    if isinstance(value, torch.Tensor) or (value is None and isinstance(p.default, bool)):
        return value is not None
    return value


def _compact(value: Any) -> Any:
    """(3, 3) -> 3: a tuple of equal numbers is written as one, as torch accepts."""
    if isinstance(value, tuple) and value and all(v == value[0] for v in value) and not isinstance(value[0], tuple):
        return value[0]
    return value


_OURS = {m.__name__: m for m in (custom, classic)}  # cnncalc's own module classes, copied into exported files


def custom_sources(used: set[type]) -> list[str]:
    """The source of the custom module classes used, in the order their modules define them, each
    module's helper functions that they call first."""
    result: list[str] = []
    for module in _OURS.values():
        ordered = sorted((c for _, c in inspect.getmembers(module, inspect.isclass) if c in used),
                         key=lambda c: inspect.getsourcelines(c)[1])
        texts = [inspect.getsource(c) for c in ordered]
        helpers = [f for name, f in inspect.getmembers(module, inspect.isfunction)
                   if f.__module__ == module.__name__ and any(f"{name}(" in t for t in texts)]
        result += [inspect.getsource(f) for f in helpers] + texts
    return result
