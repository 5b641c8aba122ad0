"""`cnncalc verify --against torchvision:NAME`: the same network, proven by its outputs.

The reference is torchvision's model (``weights=None``), built with the options
written after ``?`` (``torchvision:resnet50?num_classes=10``) and with
``num_classes`` from ``--set`` when the network sets it. Compared with ours:

- params, buffers (without ``num_batches_tracked``) and the output shape;
- MACs: our analytic total against fvcore's conv, linear and matmul counts of
  the reference (fvcore counts one multiply-add as one flop);
- parameter shapes: every tensor of ours paired with one of theirs of the same
  shape, in order within each shape (so a parameter that a module registers
  before its children, as ConvNeXt's ``layer_scale``, still pairs);
- outputs: the reference's per-channel tensors (norm scales and shifts, biases,
  layer scales, running statistics) are first set to seeded random values, so
  that every one of them matters; then its parameters and buffers are copied
  into our module through the pairing, both run in eval mode (`DTYPE`) on the
  same random input, and their outputs must agree within `TOLERANCE` of the
  largest output magnitude. When they do not, `cnncalc.verify.diagnose` names
  the first layer whose output differs.

A reference that cannot be built on the meta device (RegNet computes its widths
with tensors) is built on the CPU. Any failure to build or run the reference is
reported as one line (`AgainstError`), the other results kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from cnncalc.errors import CnnCalcError
from cnncalc.layers.base import did_you_mean

if TYPE_CHECKING:
    import torch
    from torch import nn

TORCHVISION_OPTIONS = {  # as torchvision's own reference counts are made
    "googlenet": {"aux_logits": False, "init_weights": False},
    "inception_v3": {"aux_logits": False, "init_weights": False},
}
MAC_OPS = ("conv", "linear", "addmm", "matmul", "bmm", "mm", "einsum")  # fvcore's operator names
DTYPE = "float32"  # float64 would be exact to more digits, but torch's CPU depthwise convolutions crawl in it
TOLERANCE = 1e-5  # outputs agree within this fraction of their largest magnitude
SEED = 0


class AgainstError(Exception):
    """The reference could not be built or run: one line for the user, the other checks kept."""


def parse(against: str, settings: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """``torchvision:NAME[?key=value&...]`` -> (NAME, constructor options), checked before any work.

    ``num_classes`` set with ``--set`` is passed on unless the options give it.

    Any other PyTorch source (``mynet.py:Net?width=32``, `cnncalc.sources`) gives its text
    without the query as the name.

    >>> parse("torchvision:resnet50?num_classes=10&zero_init_residual=true")
    ('resnet50', {'num_classes': 10, 'zero_init_residual': True})
    >>> parse("mynet.py:Net?width=32")
    ('mynet.py:Net', {'width': 32})
    """
    from cnncalc.sources import parse as parse_source

    source = parse_source(against)
    if source is not None and source.kind != "torchvision":
        return source.text.partition("?")[0], dict(source.options)
    kind, _, rest = against.partition(":")
    name, _, query = rest.partition("?")
    if kind != "torchvision" or not name:
        raise CnnCalcError(f"--against {against!r}: write torchvision:NAME, e.g. torchvision:resnet50 "
                           "(constructor options after '?': torchvision:resnet50?num_classes=10), timm:NAME, "
                           "file.py:Name or package.module:Name")
    options: dict[str, Any] = dict(TORCHVISION_OPTIONS.get(name, {}))
    if settings and "num_classes" in settings:
        options["num_classes"] = settings["num_classes"]
    for item in filter(None, query.split("&")):
        key, equals, value = item.partition("=")
        if not equals or not key.isidentifier():
            raise CnnCalcError(f"--against {against!r}: options are key=value pairs joined by '&', "
                               f"received {item!r}")
        options[key] = _value(value)
    try:
        import torchvision
    except ImportError:
        raise CnnCalcError("torchvision is not installed: pip install 'cnncalc[torchvision]'") from None
    known = torchvision.models.list_models(module=torchvision.models)
    if name not in known:
        raise CnnCalcError(f"torchvision has no classification model {name!r}{did_you_mean(name, known)}")
    return name, options


def _value(text: str) -> Any:
    """An option's value: an int, a float, true/false/none, or the text itself."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def build(name: str, options: Mapping[str, Any], *, meta: bool = False) -> nn.Module:
    """torchvision's model (or another PyTorch source's, `parse`), in eval mode: on the meta device
    if asked and possible, else on the CPU."""
    import torch
    import torchvision

    if ":" in name:
        from dataclasses import replace

        from cnncalc.sources import parse as parse_source
        from cnncalc.torch.importer_sources import build as build_source

        source = parse_source(name)
        assert source is not None
        try:
            return build_source(replace(source, options=dict(options)), meta=meta)
        except CnnCalcError as exc:
            raise AgainstError(exc.message) from None

    if meta:
        try:
            with torch.device("meta"):
                model: nn.Module = torchvision.models.get_model(name, weights=None, **options)
            return model.eval()
        except (NotImplementedError, RuntimeError):  # e.g. RegNet's widths: .tolist() of a meta tensor
            pass
    try:
        with torch.device("cpu"):
            model = torchvision.models.get_model(name, weights=None, **options)
        return model.eval()
    except Exception as exc:  # any failure of third-party code: one line, the other results kept
        raise AgainstError(f"cannot build torchvision's {name}{_shown(options)}: {_one_line(exc)}") from None


def title(name: str) -> str:
    """How messages name the reference: ``torchvision's resnet50``, ``mynet.py:Net``."""
    return name if ":" in name else f"torchvision's {name}"


def named_tensors(module: nn.Module) -> tuple[list[tuple[str, torch.Tensor]], list[tuple[str, torch.Tensor]]]:
    """(parameters, buffers without num_batches_tracked), each as (qualified name, tensor) in order."""
    params: list[tuple[str, torch.Tensor]] = list(module.named_parameters())
    buffers = [(n, b) for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")]
    return params, buffers


def pair(ours: list[tuple[str, torch.Tensor]], theirs: list[tuple[str, torch.Tensor]]) -> (
        tuple[list[tuple[str, str]], str]):
    """Our tensors paired with theirs: the k-th of a shape with the k-th of that shape.

    Returns the pairs (our name, their name) and, when the shapes do not pair, what differs
    (empty when every tensor has its partner).
    """
    by_shape: dict[tuple[int, ...], list[str]] = {}
    for name, tensor in theirs:
        by_shape.setdefault(tuple(tensor.shape), []).append(name)
    taken: dict[tuple[int, ...], int] = {}
    pairs: list[tuple[str, str]] = []
    for name, tensor in ours:
        shape = tuple(tensor.shape)
        k = taken[shape] = taken.get(shape, 0) + 1
        candidates = by_shape.get(shape, [])
        if k > len(candidates):
            return pairs, f"{name} ({_shape(shape)}) has no partner: torchvision has {len(candidates)} tensor(s) " \
                          f"of that shape, we have more"
        pairs.append((name, candidates[k - 1]))
    for shape, names in by_shape.items():
        if taken.get(shape, 0) < len(names):
            return pairs, f"torchvision's {names[taken.get(shape, 0)]} ({_shape(shape)}) has no partner in ours"
    return pairs, ""


def ordered(ours: list[tuple[str, torch.Tensor]], theirs: list[tuple[str, torch.Tensor]]) -> str:
    """How the registration orders compare: '' when equal, else where they first differ."""
    for k, ((a, x), (b, y)) in enumerate(zip(ours, theirs, strict=False)):
        if x.shape != y.shape:
            return f"the registration orders differ from #{k}: {a} {_shape(x.shape)}, torchvision's {b} " \
                   f"{_shape(y.shape)}"
    return ""


def perturb(module: nn.Module) -> None:
    """Seeded random values for every per-channel tensor (one dimension longer than 1 at most):
    norm scales and shifts, biases, layer scales, running means near 0 and variances in [0.5, 1.5]."""
    import torch

    generator = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
            if not tensor.is_floating_point() or sum(d > 1 for d in tensor.shape) > 1:
                continue
            noise = torch.rand(tensor.shape, generator=generator, dtype=torch.float64)
            if name.endswith("running_var"):
                tensor.copy_(0.5 + noise)
            else:
                tensor.add_((noise - 0.5).mul_(0.4).to(tensor.dtype))  # ± 0.2


def copy_into(ours: nn.Module, theirs: nn.Module, pairs: list[tuple[str, str]]) -> None:
    """Each of their tensors into its partner of ours (both already in the same dtype)."""
    import torch

    mine = dict(_all_tensors(ours))
    source = dict(_all_tensors(theirs))
    with torch.no_grad():
        for a, b in pairs:
            mine[a].copy_(source[b])


def _all_tensors(module: nn.Module) -> Iterator[tuple[str, torch.Tensor]]:
    yield from module.named_parameters()
    yield from module.named_buffers()


def fvcore_macs(module: nn.Module, x: torch.Tensor) -> int:
    """fvcore's conv, linear and matmul counts of `module` on `x` (one per multiply-add)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fvcore's import and trace warn about deprecated torch.jit APIs
        from fvcore.nn import FlopCountAnalysis

        analysis = FlopCountAnalysis(module, x).unsupported_ops_warnings(False).uncalled_modules_warnings(False)
        by_operator = analysis.by_operator()
    return sum(n for op, n in by_operator.items() if op in MAC_OPS)


def _shape(shape: Any) -> str:
    return "×".join(map(str, shape)) or "scalar"


def _shown(options: Mapping[str, Any]) -> str:
    return "(" + ", ".join(f"{k}={v!r}" for k, v in options.items()) + ")" if options else ""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text[:300]}"


__all__ = ["MAC_OPS", "TOLERANCE", "AgainstError", "build", "copy_into", "fvcore_macs", "named_tensors", "ordered",
           "pair", "parse", "perturb", "title"]
