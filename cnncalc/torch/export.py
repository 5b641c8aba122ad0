"""`cnncalc export --to torch`: a network as the PyTorch file a person would have written.

One ``nn.Module`` class per block definition, named after the block
(``Bottleneck``), its arguments as constructor parameters; repeats as loops in an
``nn.Sequential``; the network's vars as keyword arguments of the top class
(``Resnet50(num_classes=1000)``), so that ``--set`` and the constructor agree.
Submodules are named as in the YAML, so the state_dict is `build_module`'s: weights
move both ways. Each forward frees intermediates after their last use and adds in
place where the left operand is dead. A network that mirrors a torchvision model
also gets ``load_torchvision_state_dict(model, state_dict)``. The file imports only
torch; the few modules torch lacks are copied into it from `cnncalc.torch.modules`.

How classes are written: `program`. Nothing from the network file becomes code
except through `codegen` (identifiers, escaped literals and docstrings).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cnncalc import layers
from cnncalc.analysis import Report, analyze_graph
from cnncalc.dsl.safe import make_divisible
from cnncalc.graph import Graph
from cnncalc.layers.base import fmt_shape
from cnncalc.torch import flat, pretrained, record
from cnncalc.torch.classes import Unwritable
from cnncalc.torch.codegen import class_name, docstring, wrap
from cnncalc.torch.ctor import constructor, custom_sources
from cnncalc.torch.lower import lower
from cnncalc.torch.program import write
from cnncalc.torch.scopes import scopes
from cnncalc.torch.written import Context, Written


def export_source(source: str | Path, *, input_shape: Sequence[int] | None = None,
                  overrides: Mapping[str, Any] | None = None, text: str | None = None) -> str:
    """The PyTorch file of a zoo name or YAML file (or of YAML `text`, `source` naming it)."""
    graph, recording = record.load(source, input_shape=input_shape, overrides=overrides, text=text)
    return export_recorded(graph, recording)


def export_recorded(graph: Graph, recording: record.Recording) -> str:
    report = analyze_graph(graph)
    built = lower(graph, report, device="meta", inplace=True)
    try:
        classes, top = _classes(graph, recording, built)
    except Unwritable:
        classes, top = flat.classes(graph, built)
    return _file(graph, report, classes, top)


def _classes(graph: Graph, recording: record.Recording, built: Any) -> tuple[list[Written], Written]:
    doc = recording.document
    found = scopes(graph, recording)
    ctx = Context(built, {}, dict(doc.vars), {k: v for k, v in doc.defaults.items()})
    ctx.defaults = {t: doc.defaults.get(layers.canonical(t) or t) for t in _types(recording)}
    ctx.block_args = {name: list(b.args) for name, b in doc.blocks.items()}
    taken = {class_name(graph.spec.name)}
    written: list[Written] = []
    for block in _bottom_up(recording):
        instances = found.get(block, [])
        if not instances:
            continue
        definition = doc.blocks[block]
        params = list(definition.args.items())
        name = class_name(block, taken)
        try:
            groups = [(name, instances, write(recording.entries(block), instances, ctx, name, params,
                                              definition.out, top=False, numbered=definition.numbered))]
        except Unwritable:
            groups = []
            for n, one in enumerate(instances):
                label = name if n == 0 else class_name(f"{block}{n + 1}", taken | {name})
                groups.append((label, [one], write(recording.entries(block), [one], ctx, label, params,
                                                   definition.out, top=False, numbered=definition.numbered)))
        for label, members, cls in groups:
            same = next((w for w in written if w.name != label and _text(w) == _text(cls).replace(
                f"class {label}(", f"class {w.name}(")), None)
            chosen = same or cls
            if same is None:
                taken.add(label)
                written.append(cls)
            else:
                same.values.update(cls.values)
            for member in members:
                ctx.classes[member.path] = chosen
    params = list(recording.written_vars.items())
    top = write(recording.entries(None), found[None], ctx, class_name(graph.spec.name), params, doc.out, top=True)
    return written, top


def _types(recording: record.Recording) -> set[str]:
    found = {e.type_name for e in recording.entries(None)}
    for b in recording.document.blocks:
        found |= {e.type_name for e in recording.entries(b)}
    return found


def _bottom_up(recording: record.Recording) -> list[str]:
    """Block names, each after the blocks it uses."""
    blocks = recording.document.blocks
    uses = {b: {e.type_name for e in recording.entries(b) if e.type_name in blocks} for b in blocks}
    done: list[str] = []

    def visit(b: str, depth: int) -> None:
        if b in done or depth > len(blocks):
            return
        for child in sorted(uses[b]):
            visit(child, depth + 1)
        done.append(b)

    for b in blocks:
        visit(b, 0)
    return done


def _text(cls: Written) -> str:
    return "\n".join(_class_lines(cls, ""))


def _class_lines(cls: Written, doc: str) -> list[str]:
    lines = [f"class {cls.name}({cls.base}):"]
    if doc:
        lines.append(doc)
        lines.append("")
    lines += wrap(f"    def __init__({cls.signature()}) -> None:")
    lines.append("        super().__init__()")
    for line in cls.body:
        for part in line.split("\n"):
            lines += wrap("        " + part)
    if cls.forward is not None:
        lines += ["", "    def forward(self, x: torch.Tensor) -> torch.Tensor:"]
        for line in cls.forward:
            lines += wrap(line)
    return lines


def _file(graph: Graph, report: Report, classes: list[Written], top: Written) -> str:
    spec = graph.spec
    title = spec.title or spec.name
    shape = fmt_shape(spec.input_shape)
    every = [*classes, top]
    customs: set[type] = set().union(*(c.customs for c in every)) if every else set()
    sources = custom_sources(customs)
    header = (f"{title}: a PyTorch module generated by cnncalc from {Path(spec.file).name or spec.name}.\n\n"
              f"Input (N, {', '.join(map(str, spec.input_shape))}): {shape} per sample; output "
              f"(N, {', '.join(map(str, report.totals.output_shape))}). {report.totals.params:,} parameters.")
    lines = [docstring(header), "", "from __future__ import annotations", ""]
    stdlib = []
    if any(c.names.uses_math for c in every):
        stdlib.append("import math")
    if any("Sequence" in s for s in sources):
        stdlib.append("from collections.abc import Sequence")
    if stdlib:
        lines += [*sorted(stdlib, key=lambda t: t.split()[1]), ""]
    lines += ["import torch", "from torch import nn", "", ""]
    helpers = set().union(*(c.names.helpers for c in every))
    if "make_divisible" in helpers:  # the language's function, as the analysis computes it
        lines += [inspect.getsource(make_divisible).rstrip(), "", ""]
    for source in sources:
        lines += [source.rstrip(), "", ""]
    for cls in classes:
        lines += [*_class_lines(cls, ""), "", ""]
    main = top
    lines += [*_class_lines(main, docstring(f"{title} ({spec.name}), input {shape}.", "    ")), "", ""]
    loader = pretrained.loader(spec.name, main.name)
    if loader:
        lines += [*loader, "", ""]
    lines += ['if __name__ == "__main__":', f"    model = {main.name}().eval()",
              f"    print(model(torch.zeros(1, {', '.join(map(str, spec.input_shape))})).shape)", ""]
    return "\n".join(lines)


def export_torch(graph: Graph) -> str:
    """The PyTorch file of a graph loaded without its recording: written without block classes."""
    report = analyze_graph(graph)
    built = lower(graph, report, device="meta", inplace=True)
    return _file(graph, report, *flat.classes(graph, built))


__all__ = ["constructor", "export_recorded", "export_source", "export_torch"]
