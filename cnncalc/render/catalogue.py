"""`cnncalc list`: the zoo as a table, JSON, CSV or Markdown (from `cnncalc.analysis.catalogue.entries`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from cnncalc.layers.text import ENGLISH, Language, Msg
from cnncalc.render.fasttable import Column, Grid, emit
from cnncalc.render.formats import human, to_csv, to_json, to_markdown

if TYPE_CHECKING:
    from rich.console import Console

    from cnncalc.analysis.catalogue import Entry
    from cnncalc.dsl.header import Header

LIST_HEADER = ("family", "name", "title", "input", "params", "MACs", "depth", "source", "MB", "top-1 %")


def catalogue_cells(entry: Entry, exact: bool) -> list[str]:
    num = (lambda n: f"{n:,}") if exact else human
    shape = "×".join(str(d) for d in entry.input_shape)  # as layers.base.fmt_shape, without importing the layers
    a = entry.accuracy
    top1 = "—" if a is None or a.top1 is None else f"{a.top1:g}" if exact else f"{a.top1:.1f}"
    if a is not None and a.top1 is not None and not a.dataset.startswith("ImageNet"):
        top1 += f" ({a.dataset})"
    return [entry.family or "Other", entry.name, entry.title, shape,
            num(entry.params), num(entry.macs), str(entry.depth), entry.source,
            f"{entry.param_bytes / 1e6:.2f}" if exact else f"{entry.param_bytes / 1e6:.1f}", top1]


def catalogue_text(reports: Sequence[Entry], fmt: str) -> str:
    if fmt == "json":
        return to_json({"networks": [
            {"name": r.name, "title": r.title, "family": r.family, "source": r.source,
             "input_shape": list(r.input_shape), "params": r.params, "macs": r.macs,
             "flops": r.flops, "depth": r.depth, "param_bytes": r.param_bytes,
             "accuracy": r.accuracy.as_dict() if r.accuracy else None}
            for r in reports]})
    cells = [catalogue_cells(r, exact=True) for r in reports]
    if fmt == "csv":
        return to_csv(LIST_HEADER, cells)
    return to_markdown(LIST_HEADER, cells, [False, False, False, False, True, True, True, False, True, True])


TABLE_ORDER = ("family", "name", "title", "input", "params", "MACs", "depth", "MB", "top-1 %", "source")


def print_catalogue(console: Console | None, reports: Sequence[Entry]) -> None:
    """The table (MB: float32 parameters; top-1: the published accuracy, on ImageNet unless it says)."""
    order = [LIST_HEADER.index(col) for col in TABLE_ORDER]
    columns = [Column(col, right=col in ("params", "MACs", "depth", "MB", "top-1 %"), no_wrap=True,
                      max_width={"source": 16, "title": 20}.get(col),
                      min_width={"params": 8, "MACs": 8, "input": 9, "depth": 5}.get(col)) for col in TABLE_ORDER]
    table = Grid(columns, title=f"The zoo: {len(reports)} networks")
    family = None
    for r in reports:
        cells = catalogue_cells(r, exact=False)
        if cells[0] == family:
            cells[0] = ""
        else:
            family = cells[0]
            table.add_section()
        table.add_row(*[cells[k] for k in order])
    emit(console, [table])


def show_text(header: Header, fmt: str, language: Language = ENGLISH) -> str:
    """`cnncalc show`: the network's file as written (JSON: with its header fields), a variant said first."""
    if fmt == "json":
        return to_json({
            "name": header.name, "title": header.title, "family": header.family, "source": header.source,
            "notes": header.notes, "file": header.file, "variant": header.variant, "variants": list(header.variants),
            "accuracy": header.accuracy.as_dict() if header.accuracy else None,
            "yaml": header.text})
    lead = ""
    if header.variant is not None:  # the variant's own title, notes or accuracy, if any, are in its entry
        lead = "# " + Msg("{name} is a variant of the zoo file {file}: the file below, read with its settings "
                          "under variants: {name}", name=header.variant, file=Path(header.file).name
                          ).render(language) + "\n"
    return lead + header.text + ("" if header.text.endswith("\n") else "\n")
