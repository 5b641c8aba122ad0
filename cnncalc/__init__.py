"""cnncalc: shapes, parameters, receptive fields, MACs/FLOPs and memory of CNNs, analytically.

The Python API::

    import cnncalc
    report = cnncalc.analyze("resnet50")            # a zoo name or a path to a YAML file
    cnncalc.analyze("torchvision:resnet18")         # or a PyTorch model (imports torch)
    report.totals.params                            # 25557032
    graph = cnncalc.load("my_net.yaml", input_shape=(3, 227, 227))
    rows = cnncalc.compare(["alexnet", "squeezenet1_0"])

Nothing here imports torch or numpy. Importing the package is nearly free: each
function imports the parts it needs when called (``cnncalc --help`` needs none of
them), and the classes listed in ``__all__`` are loaded on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cnncalc.analysis import LayerReport, Report, Totals, collapse
    from cnncalc.analysis.compare import ComparisonRow
    from cnncalc.errors import CnnCalcError, Location
    from cnncalc.graph import Graph
    from cnncalc.spec import NetSpec

__version__ = "0.1.0"

Source = str | Path

_LAZY = {  # public name -> the module that defines it
    "LayerReport": "cnncalc.analysis", "Report": "cnncalc.analysis", "Totals": "cnncalc.analysis",
    "collapse": "cnncalc.analysis", "ComparisonRow": "cnncalc.analysis.compare", "CnnCalcError": "cnncalc.errors",
    "Location": "cnncalc.errors", "Graph": "cnncalc.graph", "NetSpec": "cnncalc.spec",
}


def __getattr__(name: str) -> Any:
    """The classes of the API, and the subpackages (``cnncalc.layers``), imported on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


def spec_from_text(text: str, filename: str = "<string>", *, input_shape: Sequence[int] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> NetSpec:
    """Parse and expand YAML text into flat layer specs."""
    from cnncalc.dsl.document import parse_document
    from cnncalc.dsl.expand import expand
    from cnncalc.dsl.loader import load_text

    document = parse_document(load_text(text, filename), filename,
                              input_shape=tuple(input_shape) if input_shape is not None else None,
                              overrides=overrides)
    return expand(document)


def load(source: Source, *, input_shape: Sequence[int] | None = None,
         overrides: Mapping[str, Any] | None = None) -> Graph:
    """A zoo name, YAML file or PyTorch model (`cnncalc.sources`) -> the layer graph (expanded and
    topologically ordered).

    A zoo name may be a variant of a family file (efficientnet_b3: efficientnet.yaml
    with that variant's settings). A PyTorch model (``torchvision:resnet50``,
    ``mynet.py:Net``) is traced with torch, which only such a source imports."""
    from cnncalc import sources

    torch_source = sources.parse(source)
    if torch_source is not None:
        return sources.load_graph(torch_source, input_shape=input_shape, overrides=overrides)
    from cnncalc.dsl.document import parse_document
    from cnncalc.dsl.expand import expand
    from cnncalc.dsl.loader import load_file
    from cnncalc.graph import build
    from cnncalc.zoo import locate

    path, variant = locate(source)
    document = parse_document(load_file(path), str(path),
                              input_shape=tuple(input_shape) if input_shape is not None else None,
                              overrides=overrides, variant=variant)
    return build(expand(document))


def load_text_graph(text: str, filename: str = "<string>", **options: Any) -> Graph:
    """Like `load`, from YAML text."""
    from cnncalc.graph import build

    return build(spec_from_text(text, filename, **options))


def analyze(source: Source, *, input_shape: Sequence[int] | None = None, batch: int = 1, dtype: str = "fp32",
            overrides: Mapping[str, Any] | None = None) -> Report:
    """Per-layer and total numbers for a network (zoo name or YAML file)."""
    from cnncalc.analysis import analyze_graph

    return analyze_graph(load(source, input_shape=input_shape, overrides=overrides), batch=batch, dtype=dtype)


def analyze_text(text: str, filename: str = "<string>", *, batch: int = 1, dtype: str = "fp32",
                 **options: Any) -> Report:
    """Like `analyze`, from YAML text (handy in tests and notebooks)."""
    from cnncalc.analysis import analyze_graph

    return analyze_graph(load_text_graph(text, filename, **options), batch=batch, dtype=dtype)


def catalogue() -> list[Report]:
    """Every zoo network analysed at its default input, grouped by family (history order).

    (`cnncalc list` reads the totals from a cache instead: `cnncalc.analysis.catalogue.entries`.)
    """
    from cnncalc import zoo
    from cnncalc.analysis.catalogue import place

    reports = [analyze(name) for name in zoo.names()]
    return sorted(reports, key=lambda r: place(r.family, r.totals.params, r.name))


def compare(sources: Sequence[Source], *, input_shape: Sequence[int] | None = None, batch: int = 1,
            dtype: str = "fp32", bits: Sequence[int] | None = None, sparsity: Sequence[float] | None = None,
            index_bits: Sequence[int] | None = None) -> list[ComparisonRow]:
    """One row per network with ratios to the first, its model size and published accuracy.

    `bits` and `sparsity` (one value for all networks or one each) give the model size of
    quantised and pruned parameters; `index_bits` counts a sparse index (`cnncalc.analysis.size`)."""
    from cnncalc.analysis.compare import compare_reports
    from cnncalc.analysis.size import check

    for b in bits or [32]:
        for f in sparsity or [0.0]:
            for i in index_bits or [0]:
                check(b, f, i)  # before the networks are analysed
    reports = [analyze(s, input_shape=input_shape, batch=batch, dtype=dtype) for s in sources]
    return compare_reports(reports, bits, sparsity, index_bits)


__all__ = [
    "CnnCalcError",
    "ComparisonRow",
    "Graph",
    "LayerReport",
    "Location",
    "Report",
    "Totals",
    "analyze",
    "analyze_text",
    "catalogue",
    "collapse",
    "compare",
    "load",
    "load_text_graph",
    "spec_from_text",
]
