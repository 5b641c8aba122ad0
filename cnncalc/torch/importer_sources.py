"""Building the PyTorch model a source names (`cnncalc.sources`), and importing it as a network file.

``torchvision:NAME`` and ``timm:NAME`` build the library's model without weights;
``file.py:Name`` executes that file (as ``python file.py`` would) and
``package.module:Name`` imports the module, then calls the class or function
with the source's options. Models are built on the meta device where they can
be (no memory, no initialisation), else on the CPU.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cnncalc.errors import CnnCalcError, Location
from cnncalc.layers.base import did_you_mean
from cnncalc.sources import TorchSource
from cnncalc.torch import importer, importer_yaml

TORCHVISION_OPTIONS = {  # as torchvision's reference counts are made: the auxiliary heads only train
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"aux_logits": False, "init_weights": False},
}
TORCHVISION_INPUT = {"inception_v3": (3, 299, 299)}


def build(source: TorchSource, *, meta: bool = True) -> nn.Module:
    """The model `source` names, in eval mode (see the module docstring); with `meta` false, on the CPU
    with the weights its constructor initialises."""
    factory, options = _factory(source)
    for device in ("meta", "cpu") if meta else ("cpu",):
        try:
            with torch.device(device):
                model = factory(**options)
            break
        except TypeError as exc:
            raise CnnCalcError(f"{source.text}: {_first_line(exc)}", Location(source.text)) from None
        except Exception as exc:  # the meta device is tried first; the CPU reports the problem
            if device == "cpu":
                raise CnnCalcError(f"{source.text}: building the model failed: {type(exc).__name__}: "
                                   f"{_first_line(exc)}") from None
    if not isinstance(model, nn.Module):
        raise CnnCalcError(f"{source.text}: {source.attr or source.name} returned a {type(model).__name__}, "
                           "not a torch.nn.Module")
    return model.eval()


def default_input(source: TorchSource, model: nn.Module) -> tuple[int, ...] | None:
    if source.kind == "torchvision":
        return TORCHVISION_INPUT.get(source.name, (3, 224, 224))
    if source.kind == "timm":
        size = (getattr(model, "pretrained_cfg", None) or {}).get("input_size")
        return tuple(size) if size else (3, 224, 224)
    return None


def import_yaml(source: TorchSource, *, input_shape: Sequence[int] | None = None,
                allow_uncounted: bool = False) -> str:
    """The model as a network file a person would write (`cnncalc import`)."""
    model = build(source)
    shape = tuple(input_shape) if input_shape is not None else default_input(source, model)
    if shape is None:
        raise CnnCalcError(f"{source.text}: a PyTorch model has no input size of its own; give one with --input, "
                           "e.g. --input 3x224x224")
    traced = importer.trace(model, shape, source.text, allow_uncounted=allow_uncounted)
    return importer_yaml.write(traced, name=network_name(source), title=title(source), source=source.text)


def network_name(source: TorchSource) -> str:
    name = source.name if source.kind in ("torchvision", "timm") else source.attr
    name = re.sub(r"[^A-Za-z0-9_\-]", "_", name)
    return name if re.match(r"^[A-Za-z_]", name) else f"net_{name}"


def title(source: TorchSource) -> str:
    if source.kind == "torchvision":
        return f"torchvision.models.{source.name}"
    if source.kind == "timm":
        return f"timm {source.name}"
    return f"{source.attr} from {source.name}"


def _factory(source: TorchSource) -> tuple[Any, dict[str, Any]]:
    if source.kind == "torchvision":
        return _torchvision(source)
    if source.kind == "timm":
        try:
            import timm  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise CnnCalcError("timm is not installed: pip install timm") from None
        known = timm.list_models()
        if source.name not in known:
            raise CnnCalcError(f"timm has no model {source.name!r}{did_you_mean(source.name, known)}")
        return timm.create_model, {"model_name": source.name, "pretrained": False, **source.options}
    module = _user_module(source)
    if not hasattr(module, source.attr):
        names = [n for n in dir(module) if not n.startswith("_")]
        raise CnnCalcError(f"{source.name} has no {source.attr!r}{did_you_mean(source.attr, names)}")
    factory = getattr(module, source.attr)
    if not callable(factory):
        raise CnnCalcError(f"{source.name}:{source.attr} is neither a class nor a function")
    return factory, dict(source.options)


def _torchvision(source: TorchSource) -> tuple[Any, dict[str, Any]]:
    try:
        import torchvision
    except ImportError:
        raise CnnCalcError("torchvision is not installed: pip install 'cnncalc[torchvision]'") from None
    known = torchvision.models.list_models()
    if source.name not in known:
        raise CnnCalcError(f"torchvision has no model {source.name!r}{did_you_mean(source.name, known)}")
    options = {"weights": None, **TORCHVISION_OPTIONS.get(source.name, {}), **source.options}
    return (lambda **kw: torchvision.models.get_model(source.name, **kw)), options


def _user_module(source: TorchSource) -> Any:
    """The user's file executed, or module imported: running that code is what the user asked for."""
    if source.kind == "module":
        try:
            return importlib.import_module(source.name)
        except ImportError as exc:
            raise CnnCalcError(f"cannot import {source.name}: {_first_line(exc)}") from None
    path = Path(source.name)
    if not path.is_file():
        raise CnnCalcError(f"no such file: {source.name}")
    name = f"cnncalc_user_{re.sub(r'[^A-Za-z0-9_]', '_', path.stem)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look classes up by module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise CnnCalcError(f"running {source.name} failed: {type(exc).__name__}: {_first_line(exc)}") from None
    return module


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


__all__ = ["build", "default_input", "import_yaml", "network_name"]
