"""Tables drawn exactly as rich draws them, without rich's cost per cell.

rich's `Table` measures and lays out every cell as a renderable (about 60 µs a
cell): a thousand-row network took longer to print than to analyse. The tables
of `shapes`, `compare` and `list` are plain text cells in columns that fit the
width, and for those the layout is simple arithmetic: each column as wide as its
widest cell plus one space either side (clamped by its min/max width), cells
justified left or right, the box characters of rich's ``HEAVY_HEAD`` or
``SIMPLE_HEAD``. `Grid.lines` draws exactly that; `emit` writes it as plain text
on a pipe (no rich console; a line longer than the width broken where rich would
break it, see `plain`) or, on a terminal, as one styled `rich.text.Text` (bold
header, italic title, as rich's default theme styles them). A table wider than
the output whose columns may not wrap (`list`'s) is squeezed as rich squeezes
it, every column giving up a share (rich's own ``ratio_reduce``) and its cells
ending in "…". A table where rich would wrap cells, a cell with a line break, or
an output that is not UTF-8 goes to rich's own `Table` instead, so the result is
always what rich would print (tests/render/test_fasttable.py compares them, on
random tables too).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from cnncalc.render.plain import cell_len, cut, fit, wrapped

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

PLAIN_WIDTH = 140  # piped or captured output is not squeezed to rich's 80-column default

# rich.box: top, head, head_row, mid, row, foot_row, foot, bottom; each left, horizontal, divider, right
BOXES = {
    "heavy_head": ("┏━┳┓", "┃ ┃┃", "┡━╇┩", "│ ││", "├─┼┤", "├─┼┤", "│ ││", "└─┴┘"),
    "simple_head": ("    ", "    ", " ── ", "    ", "    ", "    ", "    ", "    "),
    "none": ("", "", "", "", "", "", "", ""),
}
# rich's default theme: the styles the tables use
TITLE, HEADER, BOLD = "italic", "bold", "bold"


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False
    no_wrap: bool = False
    min_width: int | None = None
    max_width: int | None = None  # a longer cell ends in "…" if no_wrap, else rich wraps it
    bold: bool = False  # the cells' style (the totals grid's first column)
    drop: int = 0  # > 0: left out when the table is wider than the output, the highest first


Line = list[tuple[str, str | None]]  # a line of output: pieces of text, each with its style


@dataclass
class Grid:
    """A table of text cells, as `rich.table.Table(title=..., box=..., title_justify="left")` or, with
    ``box="none"``, as `rich.table.Table.grid(padding=(0, pad))`."""

    columns: Sequence[Column]
    title: str = ""
    box: str = "heavy_head"
    pad: int = 1
    rows: list[list[str]] = field(default_factory=list)
    ends: set[int] = field(default_factory=set)  # rows that end a section (a rule after them)
    dropped_note: str = "left out to fit the width: {columns}"  # the line under a table that left columns out

    def add_row(self, *cells: str) -> None:
        self.rows.append(list(cells))

    def add_section(self) -> None:
        if self.rows:
            self.ends.add(len(self.rows) - 1)

    @property
    def grid(self) -> bool:
        return self.box == "none"

    def _padding(self, k: int) -> tuple[int, int]:
        """Left and right padding of column k (a grid collapses padding and has none at its edges)."""
        if not self.grid:
            return self.pad, self.pad
        last = len(self.columns) - 1
        return 0, (self.pad if k < last else 0)

    @property
    def borders(self) -> int:
        """The columns the box's vertical lines take (none in a grid)."""
        return 0 if self.grid else 2 + len(self.columns) - 1

    def _cells(self, k: int) -> list[str]:
        """Column k's header (not in a grid) and cells."""
        return ([] if self.grid else [self.columns[k].header]) + [row[k] for row in self.rows]

    def _clamped(self, k: int, w: int) -> int:
        """Width `w` (padding included) within column k's min and max width, the minimum first (rich's
        ``Measurement.clamp``)."""
        col, padding = self.columns[k], sum(self._padding(k))
        if col.min_width is not None:
            w = max(w, col.min_width + padding)
        if col.max_width is not None:
            w = min(w, col.max_width + padding)
        return w

    def natural_width(self) -> int:
        """The width the table takes when no cell is cut (within each column's min and max width)."""
        return self.borders + sum(
            self._clamped(k, max((cell_len(line) for c in self._cells(k) for line in c.split("\n")), default=0)
                          + sum(self._padding(k)))
            for k in range(len(self.columns)))

    def fitted(self, width: int) -> tuple[Grid, list[str]]:
        """The table without its droppable columns (``Column.drop``, the highest first) until it fits
        `width`, and the headers left out."""
        grid, left_out = self, []
        while grid.natural_width() > width:
            ranked = [(col.drop, k) for k, col in enumerate(grid.columns) if col.drop > 0]
            if not ranked:
                break
            k = max(ranked)[1]
            left_out.append(grid.columns[k].header)
            grid = replace(grid, columns=[c for j, c in enumerate(grid.columns) if j != k],
                           rows=[row[:k] + row[k + 1:] for row in grid.rows])
        return grid, left_out

    def widths(self, width: int) -> list[int] | None:
        """Each column's width with its padding; None where rich would have to wrap or squeeze."""
        room = width - self.borders
        widths = []
        for k in range(len(self.columns)):  # as rich measures a column: its cells, within the room, clamped
            cells = self._cells(k)
            if any("\n" in c for c in cells):
                return None
            w = max((cell_len(c) for c in cells), default=0) + sum(self._padding(k)) if cells else room
            widths.append(self._clamped(k, min(w, room)) or 1)
        if sum(widths) > room:
            squeezed = self._squeezed(widths, room)
            if squeezed is None:
                return None
            widths = squeezed
        for k, col in enumerate(self.columns):  # a cell wider than its column is cut, or wrapped by rich
            inner = widths[k] - sum(self._padding(k))
            if not col.no_wrap and any(cell_len(c) > inner for c in self._cells(k)):
                return None
        return widths

    def _squeezed(self, widths: list[int], room: int) -> list[int] | None:
        """The widths of columns that do not fit `room` when no cell may wrap, reduced as rich reduces them:
        the excess taken from every column alike (rich's ``ratio_reduce``), then each column measured again
        within its share (no wider than its widest cell, no narrower than its ``min_width``, so the table
        may stay wider than `room`: rich draws it so and the console cuts each line at the width); None
        where a column may wrap (rich would wrap it first) or one is left no room for a character."""
        if not all(col.no_wrap for col in self.columns):
            return None
        from rich._ratio import ratio_reduce  # rich's own rounding, so the shares are rich's to the column

        shares = ratio_reduce(sum(widths) - room, [1] * len(widths), widths, widths)
        result = []
        for k, (natural, share) in enumerate(zip(widths, shares, strict=True)):
            if share < 1:  # rich measures a column given no width as 0 wide, whatever its min_width
                return None
            w = self._clamped(k, min(natural, share))
            if w <= sum(self._padding(k)):  # no room for a character: rich draws what is left of the column
                return None
            result.append(w)
        return result

    def lines(self, width: int) -> list[Line] | None:
        """The table as rich draws it in `width` columns, or None where only rich can draw it."""
        widths = self.widths(width)
        if widths is None:
            return None
        total = sum(widths) + self.borders
        out: list[Line] = []
        if self.title:
            if cell_len(self.title) > total:
                return None
            out.append([(self.title + " " * (total - cell_len(self.title)), TITLE)])
        top, head, head_row, mid, row_rule, _, foot, bottom = BOXES[self.box]

        def rule(chars: str) -> Line:
            return [(chars[0] + chars[2].join(chars[1] * w for w in widths) + chars[3], None)]

        def cells(values: Sequence[str], chars: str, style: str | None) -> Line:
            line: Line = [(chars[0], None)] if chars else []
            for k, (value, w, col) in enumerate(zip(values, widths, self.columns, strict=True)):
                left, right = self._padding(k)
                inner = w - left - right
                text = fit(value, inner)
                space = " " * (inner - cell_len(text))
                text = space + text if col.right else text + space
                cell_style = BOLD if col.bold else style  # rich writes padding and text as three pieces
                line += [(" " * left, cell_style), (text, cell_style), (" " * right, cell_style)]
                if chars and k < len(widths) - 1:
                    line.append((chars[2], None))
            if chars:
                line.append((chars[3], None))
            return line

        if not self.grid:
            out.append(rule(top))
            out.append(cells([c.header for c in self.columns], head, HEADER))
            out.append(rule(head_row))
        for k, row in enumerate(self.rows):
            out.append(cells(row, "" if self.grid else (foot if k == len(self.rows) - 1 else mid), None))
            if k in self.ends and k < len(self.rows) - 1 and not self.grid:
                out.append(rule(row_rule))
        if not self.grid:
            out.append(rule(bottom))
        return out if total <= width else [_cropped(line, width) for line in out]

    def to_rich(self) -> Table:
        """The same table as a rich `Table` (where rich must lay it out)."""
        from rich import box
        from rich.table import Table
        from rich.text import Text

        if self.grid:
            table = Table.grid(padding=(0, self.pad))
        else:
            title = Text(self.title, style="table.title") if self.title else None
            table = Table(title=title, title_justify="left", box=getattr(box, self.box.upper()))
        for col in self.columns:
            table.add_column(col.header, justify="right" if col.right else "left", no_wrap=col.no_wrap,
                             max_width=col.max_width,
                             min_width=col.min_width, style="bold" if col.bold else None)
        for k, row in enumerate(self.rows):
            table.add_row(*(Text(c) for c in row), end_section=k in self.ends)  # text, never markup
        return table


def _cropped(line: Line, width: int) -> Line:
    """A line cut at `width` cells, as rich's console cuts a table wider than itself."""
    out: Line = []
    room = width
    for text, style in line:
        if room <= 0:
            break
        n = cell_len(text)
        if n > room:
            text, n = cut(text, room), room
        out.append((text, style))
        room -= n
    return out


def emit(console: Console | None, items: Sequence[Grid | Line]) -> None:
    """Print tables and lines of text (pieces with their styles): to stdout as plain text when
    `console` is None (see `plain_output`), else through the rich console."""
    width = PLAIN_WIDTH if console is None else console.width
    items = _fitted(items, width)
    drawn = [item.lines(width) if isinstance(item, Grid) else [item] for item in items]
    if console is None:
        if all(d is not None for d in drawn):
            out = []
            for item, lines in zip(items, drawn, strict=True):
                assert lines is not None
                texts = ["".join(t for t, _ in line) for line in lines]
                out += texts if isinstance(item, Grid) else [part for text in texts for part in wrapped(text, width)]
            sys.stdout.write("".join(line + "\n" for line in out))
            return
        from rich.console import Console

        console = Console(width=PLAIN_WIDTH)
    for item, lines in zip(items, drawn, strict=True):
        if not isinstance(item, Grid):
            console.print(_styled([item]), highlight=False)
        elif lines is None:
            console.print(item.to_rich())
        else:
            console.print(_styled(lines), soft_wrap=True)


def _fitted(items: Sequence[Grid | Line], width: int) -> list[Grid | Line]:
    """Each table as wide as `width` allows, a line under it naming the columns it left out."""
    out: list[Grid | Line] = []
    for item in items:
        if not isinstance(item, Grid):
            out.append(item)
            continue
        grid, left_out = item.fitted(width)
        out.append(grid)
        if left_out:
            out.append([("* " + grid.dropped_note.format(columns=", ".join(left_out)), None)])
    return out


def _styled(lines: list[Line]) -> Text:
    from rich.text import Text

    text = Text()
    for k, line in enumerate(lines):
        for piece, style in line:
            text.append(piece, style)
        if k < len(lines) - 1:
            text.append("\n")
    return text
