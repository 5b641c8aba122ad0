"""`cnncalc list`: the zoo as a table, JSON, CSV or Markdown (from `cnncalc.zoo.entries`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cnncalc.render.fasttable import Column, Grid, emit
from cnncalc.render.formats import human, to_csv, to_json, to_markdown

if TYPE_CHECKING:
    from rich.console import Console

    from cnncalc.zoo import Entry

LIST_HEADER = ("family", "name", "title", "input", "params", "MACs", "depth", "source")


def catalogue_cells(entry: Entry, exact: bool) -> list[str]:
    num = (lambda n: f"{n:,}") if exact else human
    shape = "×".join(str(d) for d in entry.input_shape)  # as layers.base.fmt_shape, without importing the layers
    return [entry.family or "Other", entry.name, entry.title, shape,
            num(entry.params), num(entry.macs), str(entry.depth), entry.source]


def catalogue_text(reports: Sequence[Entry], fmt: str) -> str:
    if fmt == "json":
        return to_json({"networks": [
            {"name": r.name, "title": r.title, "family": r.family, "source": r.source,
             "input_shape": list(r.input_shape), "params": r.params, "macs": r.macs,
             "flops": r.flops, "depth": r.depth} for r in reports]})
    cells = [catalogue_cells(r, exact=True) for r in reports]
    if fmt == "csv":
        return to_csv(LIST_HEADER, cells)
    return to_markdown(LIST_HEADER, cells, [False, False, False, False, True, True, True, False])


def print_catalogue(console: Console | None, reports: Sequence[Entry]) -> None:
    columns = [Column(col, right=col in ("params", "MACs", "depth"), no_wrap=True,
                      max_width={"source": 26, "title": 24}.get(col),
                      min_width={"params": 8, "MACs": 8, "input": 9, "depth": 5}.get(col)) for col in LIST_HEADER]
    table = Grid(columns, title=f"The zoo: {len(reports)} networks")
    family = None
    for r in reports:
        cells = catalogue_cells(r, exact=False)
        if cells[0] == family:
            cells[0] = ""
        else:
            family = cells[0]
            table.add_section()
        table.add_row(*cells)
    emit(console, [table])
