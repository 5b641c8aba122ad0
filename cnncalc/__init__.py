"""cnncalc: shapes, parameters, receptive fields, MACs/FLOPs and memory of CNNs, analytically.

The Python API::

    import cnncalc
    report = cnncalc.analyze("resnet50")            # a zoo name or a path to a YAML file
    report.totals.params                            # 25557032
    graph = cnncalc.load("my_net.yaml", input_shape=(3, 227, 227))
    rows = cnncalc.compare(["alexnet", "squeezenet1_0"])

Nothing here imports torch or numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cnncalc import zoo
from cnncalc.analysis import LayerReport, Report, Totals, analyze_graph, collapse
from cnncalc.analysis.compare import ComparisonRow, compare_reports
from cnncalc.dsl.document import parse_document
from cnncalc.dsl.expand import expand
from cnncalc.dsl.loader import load_file, load_text
from cnncalc.errors import CnnCalcError, Location
from cnncalc.graph import Graph, build
from cnncalc.spec import NetSpec
from cnncalc.zoo import locate

__version__ = "0.1.0"

Source = str | Path


def spec_from_text(text: str, filename: str = "<string>", *, input_shape: Sequence[int] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> NetSpec:
    """Parse and expand YAML text into flat layer specs."""
    document = parse_document(load_text(text, filename), filename,
                              input_shape=tuple(input_shape) if input_shape is not None else None,
                              overrides=overrides)
    return expand(document)


def load(source: Source, *, input_shape: Sequence[int] | None = None,
         overrides: Mapping[str, Any] | None = None) -> Graph:
    """A zoo name or YAML file -> the layer graph (expanded and topologically ordered).

    A zoo name may be a variant of a family file (efficientnet_b3: efficientnet.yaml
    with that variant's settings)."""
    path, variant = locate(source)
    document = parse_document(load_file(path), str(path),
                              input_shape=tuple(input_shape) if input_shape is not None else None,
                              overrides=overrides, variant=variant)
    return build(expand(document))


def load_text_graph(text: str, filename: str = "<string>", **options: Any) -> Graph:
    """Like `load`, from YAML text."""
    return build(spec_from_text(text, filename, **options))


def analyze(source: Source, *, input_shape: Sequence[int] | None = None, batch: int = 1, dtype: str = "fp32",
            overrides: Mapping[str, Any] | None = None) -> Report:
    """Per-layer and total numbers for a network (zoo name or YAML file)."""
    return analyze_graph(load(source, input_shape=input_shape, overrides=overrides), batch=batch, dtype=dtype)


def analyze_text(text: str, filename: str = "<string>", *, batch: int = 1, dtype: str = "fp32",
                 **options: Any) -> Report:
    """Like `analyze`, from YAML text (handy in tests and notebooks)."""
    return analyze_graph(load_text_graph(text, filename, **options), batch=batch, dtype=dtype)


FAMILY_ORDER = ("Classic", "VGG", "NiN", "Inception", "ResNet", "ResNeXt", "SENet", "DenseNet", "SqueezeNet",
                "SPP", "MobileNet", "ShuffleNet", "MNASNet", "EfficientNet", "RegNet", "ConvNeXt")


def catalogue() -> list[Report]:
    """Every zoo network analysed at its default input, grouped by family (history order)."""
    reports = [analyze(name) for name in zoo.names()]
    rank = {f: k for k, f in enumerate(FAMILY_ORDER)}
    return sorted(reports, key=lambda r: (rank.get(r.family, len(rank)), r.family, r.totals.params, r.name))


def compare(sources: Sequence[Source], *, input_shape: Sequence[int] | None = None, batch: int = 1,
            dtype: str = "fp32") -> list[ComparisonRow]:
    """One row per network with ratios to the first."""
    reports = [analyze(s, input_shape=input_shape, batch=batch, dtype=dtype) for s in sources]
    return compare_reports(reports)


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
