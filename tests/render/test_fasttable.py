"""The fast tables print what rich's `Table` prints, character for character.

Oracle: rich itself. Each table is also built the way the renderers built it
before the fast path existed (a rich `Table` per command, cell by cell), printed
by rich into a string, and compared with `fasttable`'s output: plain (a pipe,
140 columns) and styled (a terminal with colours, ANSI codes included).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

import cnncalc
from cnncalc.analysis import collapse
from cnncalc.analysis.catalogue import Entry
from cnncalc.layers.base import fmt_shape
from cnncalc.layers.text import render
from cnncalc.render import catalogue, tables
from cnncalc.render.fasttable import Column, Grid, emit
from cnncalc.render.plain import plain_output


def rich_shapes(console: Console, report: Any, rows: Any) -> None:
    """`print_shapes` as it was written with rich's Table."""
    title = report.name if report.title == report.name else f"{report.title} — {report.name}"
    table = Table(title=f"{title}, input {fmt_shape(report.input_shape)}", title_justify="left")
    for col, right in zip(tables.LAYER_HEADER, (False, False, False, True, True, False, False), strict=True):
        table.add_column(col, justify="right" if right else "left", no_wrap=col in ("layer", "output"))
    for row in rows:
        table.add_row(*tables.layer_cells(row))
    console.print(table)
    for n in [f"{r.name}: {render(n)}" for r in rows for n in r.notes]:
        console.print(f"[yellow]⚠[/] {n}" if "tile" in n else f"* {n}", highlight=False)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for k, v in tables.totals_lines(report):
        grid.add_row(k, v)
    console.print(grid)


def rich_comparison(console: Console, rows: Any) -> None:
    """`print_comparison` written with rich's Table: the same columns (input only when the inputs differ; the
    size ratio only where --bits or --sparsity make it differ from the params ratio, else FLOPs), notes below."""
    from cnncalc.render import summary

    inputs = [r.report.input_shape for r in rows]
    same_input = len(set(inputs)) == 1
    sized = any(r.size is not None and r.size.bytes * rows[0].report.totals.params
                != rows[0].size.bytes * r.report.totals.params for r in rows if rows[0].size is not None)
    hidden = ({"input"} if same_input else set()) | ({"FLOPs"} if sized else {"size ratio"})
    table = Table(title=summary.compare_title(len(rows), rows[0].report.name, inputs), title_justify="left",
                  box=box.SIMPLE_HEAD)
    for col in tables.COMPARE_HEADER:
        if col not in hidden:
            table.add_column(col, justify="left" if col in ("network", "input", "RF") else "right", no_wrap=True)
    for r in rows:
        cells = tables.comparison_cells(r, exact=False)
        table.add_row(*(c for c, col in zip(cells, tables.COMPARE_HEADER, strict=True) if col not in hidden))
    console.print(table)
    for line in summary.compare_notes(rows):
        console.print(f"* {line}", markup=False, highlight=False)


def rich_catalogue(console: Console, entries: list[Entry]) -> None:
    table = Table(title=f"The zoo: {len(entries)} networks", title_justify="left")
    for col in catalogue.TABLE_ORDER:
        table.add_column(col, justify="right" if col in ("params", "MACs", "depth", "MB", "top-1 %") else "left",
                         no_wrap=True, overflow="ellipsis", max_width={"source": 16, "title": 20}.get(col),
                         min_width={"params": 8, "MACs": 8, "input": 9, "depth": 5}.get(col))
    order = [catalogue.LIST_HEADER.index(col) for col in catalogue.TABLE_ORDER]
    family = None
    for e in entries:
        cells = catalogue.catalogue_cells(e, exact=False)
        if cells[0] == family:
            cells[0] = ""
        else:
            family = cells[0]
            if table.row_count:
                table.add_section()
        table.add_row(*[cells[k] for k in order])
    console.print(table)


def consoles(width: int = 140) -> Iterator[tuple[Console, Console]]:
    """Pairs of identical consoles: plain (a pipe) and a colour terminal."""
    for terminal in (False, True):
        yield tuple(Console(file=io.StringIO(), width=width, force_terminal=terminal,  # type: ignore[misc]
                            color_system="truecolor" if terminal else None, legacy_windows=False)
                    for _ in range(2))


@contextmanager
def piped() -> Iterator[io.StringIO]:
    out = io.StringIO()
    with redirect_stdout(out):
        yield out


def text(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined,no-any-return]


@pytest.mark.parametrize(("network", "depth"), [
    ("lenet5", None), ("resnet50", None), ("resnet50", 1), ("inception_v3", 2), ("mobilenet_v2", None),
    ("sppnet", None),
])
def test_shapes_table_is_rich_table(network: str, depth: int | None) -> None:
    report = cnncalc.analyze(network)
    rows = collapse(report, depth)
    for ours, theirs in consoles():
        tables.print_shapes(ours, report, rows)
        rich_shapes(theirs, report, rows)
        assert text(ours) == text(theirs)
    ours_console, _ = next(consoles())
    rich_shapes(ours_console, report, rows)
    with piped() as out:
        tables.print_shapes(None, report, rows)  # the pipe: no rich at all
    assert out.getvalue() == text(ours_console)


def test_narrow_terminal_falls_back_to_rich() -> None:
    """At 60 columns the table must wrap cells: rich lays it out, as before."""
    report = cnncalc.analyze("lenet5")
    for ours, theirs in consoles(width=60):
        tables.print_shapes(ours, report, report.layers)
        rich_shapes(theirs, report, report.layers)
        assert text(ours) == text(theirs)
        assert "━━━┓" in text(ours)


def test_compare_and_catalogue_tables_are_rich_tables() -> None:
    rows = cnncalc.compare(["alexnet", "squeezenet1_0", "resnet50"])
    mixed = cnncalc.compare(["lenet5", "alexnet"])  # different inputs: an input column
    entries = [Entry.of(cnncalc.analyze(n)) for n in ("lenet5", "alexnet", "vgg16", "resnet18", "nin")]
    for ours, theirs in consoles():
        tables.print_comparison(ours, rows)
        tables.print_comparison(ours, mixed)
        catalogue.print_catalogue(ours, entries)
        rich_comparison(theirs, rows)
        rich_comparison(theirs, mixed)
        rich_catalogue(theirs, entries)
        assert text(ours) == text(theirs)
        assert "…" in text(ours)  # long titles and sources end in an ellipsis


def test_user_text_is_never_markup() -> None:
    """A title or note with rich markup in it is printed as written (rich's Table would read it as markup)."""
    grid = Grid([Column("layer"), Column("n", right=True)], title="[bold]net[/]")
    grid.add_row("[red]x", "1")
    with piped() as out:
        emit(None, [grid, [("* [/] closes nothing", None)]])
    assert "[bold]net[/]" in out.getvalue() and "[red]x" in out.getvalue()
    assert "* [/] closes nothing" in out.getvalue()
    for width in (140, 10):  # 10: too narrow, drawn by rich
        console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor")
        emit(console, [grid, [("* [/] closes nothing", None)]])
        assert "[/]" in text(console)


def test_plain_output_only_for_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES"):
        monkeypatch.delenv(name, raising=False)
    with piped():
        assert plain_output()
        monkeypatch.setenv("FORCE_COLOR", "1")
        assert not plain_output()  # rich would print colours: rich prints it


def test_a_table_too_wide_leaves_out_its_droppable_columns_and_says_so() -> None:
    """Widths by hand: "| a | bbbbbbbbbb | c |" is 1 + 3 + 1 + 12 + 1 + 3 + 1 = 22 columns; at 20 the
    droppable b goes (| a | c | = 9), the highest `drop` first, and no cell is cut."""
    grid = Grid([Column("a"), Column("b", drop=1), Column("c", drop=2)])
    grid.add_row("1", "bbbbbbbbbb", "3")
    assert grid.natural_width() == 22
    assert grid.fitted(22) == (grid, [])
    narrow, left_out = grid.fitted(20)
    assert left_out == ["c"] and [c.header for c in narrow.columns] == ["a", "b"]
    assert narrow.rows == [["1", "bbbbbbbbbb"]]
    narrow, left_out = grid.fitted(15)
    assert left_out == ["c", "b"] and narrow.natural_width() == 5
    wide = Grid([Column("a"), Column("x" * 150, drop=1)])  # wider than a pipe's 140 columns
    wide.add_row("1", "2")
    with piped() as out:
        emit(None, [wide])
    lines = [line.strip() for line in out.getvalue().splitlines()]
    assert lines[:5] == ["┏━━━┓", "┃ a ┃", "┡━━━┩", "│ 1 │", "└───┘"]
    assert "".join(lines[5:]) == "* left out to fit the width:" + "x" * 150  # folded by rich at 140


def test_compare_leaves_out_the_receptive_field_before_cutting_a_number() -> None:
    rows = cnncalc.compare(["alexnet_original", "squeezenet1_0", "lenet5"])  # three inputs: an input column
    with piped() as out:
        tables.print_comparison(None, rows)
    text = out.getvalue()
    assert not [line for line in text.splitlines() if line.startswith("  ") and "…" in line]  # cells whole
    assert "60.97 M" in text and "left out to fit the width: RF" in text


@pytest.mark.parametrize("params_min", [None, 8])
@pytest.mark.parametrize("width", [40, 57, 80, 99, 118, 140])
def test_a_table_wider_than_the_output_is_squeezed_as_rich_squeezes_it(width: int, params_min: int | None) -> None:
    """Columns that may not wrap (as `list`'s) share the excess alike and end in "…": rich's layout,
    compared with rich's own Table at several widths. By hand at 140 without a min_width: the columns
    are 9 + 18 + 22 + 10 + 18 + 82 = 159 wide with padding, the borders 7, so 26 too many for 140 - 7 =
    133; rich's ratio_reduce takes from each in turn round(left / columns left): 26/6 -> 4, 22/5 -> 4,
    18/4 = 4.5 -> 4 (Python rounds half to even), 14/3 -> 5, 9/2 = 4.5 -> 4, 5/1 = 5: 5 + 14 + 18 + 5 + 14 +
    77 = 133, drawn here. With params' min_width 8 (10 with padding) that column keeps 10: 138 + 7 = 145
    columns, which rich draws and its console cuts at 140 (the right border and 4 cells of notes go)."""
    columns = [Column("family", no_wrap=True), Column("name", no_wrap=True),
               Column("title", no_wrap=True, max_width=20),
               Column("params", right=True, no_wrap=True, min_width=params_min),
               Column("source", no_wrap=True, max_width=16), Column("notes", no_wrap=True)]
    cells = [["Classic", "lenet5_1998", "LeNet-5 (as published, 1998)", "60.84 K", "Y. LeCun, L. Bottou", "x" * 30],
             ["ResNet", "resnet152", "ResNet-152", "60.19 M", "He et al. 2016", "a note that is long " * 4],
             ["", "wide_resnet101_2", "Wide ResNet-101-2", "126.89 M", "Zagoruyko", ""]]
    grid = Grid(columns, title="The zoo")
    table = Table(title="The zoo", title_justify="left")
    for col in columns:
        table.add_column(col.header, justify="right" if col.right else "left", no_wrap=True,
                         max_width=col.max_width, min_width=col.min_width)
    for row in cells:
        grid.add_row(*row)
        table.add_row(*row)
    assert grid.natural_width() == 159 + 7
    for ours, theirs in consoles(width):
        emit(ours, [grid])
        theirs.print(table)
        assert text(ours) == text(theirs)
    if width == 140:
        assert grid.widths(width) == ([5, 14, 18, 10, 14, 77] if params_min else [5, 14, 18, 5, 14, 77])


@settings(max_examples=80, deadline=None)
@given(data=st.data(), width=st.integers(20, 160))
def test_any_no_wrap_table_is_drawn_as_rich_draws_it(data: st.DataObject, width: int) -> None:
    """Random tables of columns that may not wrap, with random min and max widths, at random widths:
    fasttable's output equals rich's Table's, squeezed or not."""
    n = data.draw(st.integers(1, 6))
    bounds = st.one_of(st.none(), st.integers(1, 30))
    columns = [Column(f"h{k}" * data.draw(st.integers(1, 4)), right=data.draw(st.booleans()), no_wrap=True,
                      min_width=data.draw(bounds), max_width=data.draw(bounds)) for k in range(n)]
    words = st.text(alphabet="abc xyz-…×·", max_size=40).map(str.strip)  # cells as the tables write them
    grid = Grid(columns, title=data.draw(st.sampled_from(["", "A title"])))
    table = Table(title=grid.title or None, title_justify="left")
    for col in columns:
        table.add_column(col.header, justify="right" if col.right else "left", no_wrap=True,
                         max_width=col.max_width, min_width=col.min_width)
    for _ in range(data.draw(st.integers(0, 4))):
        row = [data.draw(words) for _ in columns]
        grid.add_row(*row)
        table.add_row(*(Text(c) for c in row))
    for ours, theirs in consoles(width):
        emit(ours, [grid])
        theirs.print(table)
        assert text(ours) == text(theirs)


@settings(max_examples=150, deadline=None)
@given(line=st.lists(st.sampled_from([*"ab xyz  ×·—юя-,.", "word ", "a-very-long-hyphenated-word" * 3]),
                     max_size=80).map("".join).map(str.strip),
       width=st.integers(8, 140))
def test_a_long_line_is_wrapped_as_rich_wraps_it(line: str, width: int) -> None:
    """A line wider than a pipe's output (compare's notes) is broken where rich breaks it, without rich's
    console: the same words on each line, the same spaces kept at the ends, a long word folded."""
    console = Console(file=io.StringIO(), width=width, legacy_windows=False)
    console.print(Text(line), highlight=False)
    from cnncalc.render import fasttable

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fasttable, "PLAIN_WIDTH", width)
        with piped() as out:
            emit(None, [[(line, None)]])
    assert out.getvalue() == text(console)


def test_the_zoo_table_wider_than_a_pipe_is_drawn_here_as_rich_draws_it() -> None:
    """`list`'s table: with inception_resnet_v2's name (19 characters), EfficientNet's family and a CIFAR-10
    accuracy its columns want 148 of a pipe's 140; rich squeezes them and cuts the lines, and so does this."""
    entries = [Entry.of(cnncalc.analyze(n)) for n in ("inception_resnet_v2", "efficientnet_b0", "resnet20_cifar",
                                                      "alexnet_original")]
    shown: list[Grid] = []
    real_emit = catalogue.emit
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalogue, "emit", lambda console, items: shown.extend(items))
        catalogue.print_catalogue(None, entries)
    assert shown[0].natural_width() == 148 and shown[0].lines(140) is not None
    for ours, theirs in consoles():
        real_emit(ours, shown)
        rich_catalogue(theirs, entries)
        assert text(ours) == text(theirs)
