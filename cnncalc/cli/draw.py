"""`cnncalc draw` (the layer graph as DOT, Mermaid, SVG, PNG, PDF, HTML or JSON) and the `--plot` options' files.

A file is written by `cnncalc.render.files`: whole or not at all, through a symbolic
link to its target, keeping the mode and hard links of the file it replaces, and an
existing file only with ``--force``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

import cnncalc
from cnncalc.cli.app import app
from cnncalc.cli.needs import NEEDS
from cnncalc.cli.options import InputOpt, Layout, LayoutOpt, NetworkArg, SetOpt, parse_overrides
from cnncalc.errors import CnnCalcError


class DrawFormat(str, Enum):
    dot = "dot"
    mmd = "mmd"
    svg = "svg"
    png = "png"
    pdf = "pdf"
    html = "html"
    json = "json"


EXTENSIONS = {".dot": "dot", ".gv": "dot", ".mmd": "mmd", ".mermaid": "mmd", ".svg": "svg", ".png": "png",
              ".pdf": "pdf", ".html": "html", ".htm": "html", ".json": "json"}
NEEDS_DOT = {"svg", "png", "pdf", "html"}

PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Also draw a chart to FILE (.svg, .png or .pdf; "
                                              "needs matplotlib: pip install 'cnncalc[plot]').")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def writable(path: Path, force: bool) -> Path:
    """The file that writing `path` replaces (symbolic links followed); refused if it exists, unless `force`."""
    from cnncalc.render.files import writable as check

    return check(path, force=force)


def save(path: Path, data: bytes, force: bool) -> None:
    """Write `data` to `path` whole, keeping an existing file's mode and hard links (`cnncalc.render.files`)."""
    from cnncalc.render.files import write_bytes

    write_bytes(path, data, force=force)


def chart_format(path: Path) -> str:
    """svg, png or pdf, from the extension of a --plot file."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        raise CnnCalcError(f"--plot {path}: name a .svg, .png or .pdf file")
    return fmt


def draw_format(output: Path | None, given: DrawFormat | None) -> str:
    if given is not None:
        return given.value
    if output is None:
        return "dot"
    fmt = EXTENSIONS.get(output.suffix.lower())
    if fmt is None:
        raise CnnCalcError(f"cannot tell the format of {output} from its extension: name a "
                           f"{', '.join(EXTENSIONS)} file, or pass --format")
    return fmt


@app.command()
def draw(
    ctx: typer.Context,
    network: NetworkArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE; its extension picks "
                                                "the format (default: DOT on stdout).")] = None,
    format: Annotated[DrawFormat | None, typer.Option(
        "--format", "-f", help="dot (Graphviz source), mmd (Mermaid), svg, png, pdf (through Graphviz's dot), "
        "html (one page, the SVG with a panel per layer) or json (the drawing's nodes and edges).")] = None,
    depth: Annotated[int | None, typer.Option(
        "--depth", "-d", help="Draw block instances nested deeper than N as one node each.")] = None,
    input: InputOpt = None,
    layout: LayoutOpt = Layout.chw,
    set: SetOpt = None,
    force: ForceOpt = False,
) -> None:
    """Draw the layer graph: one node per layer (name, kind, output shape), block instances boxed,
    colours by layer kind, parallel branches side by side."""
    from cnncalc.cli import inputs
    from cnncalc.render import diagram as render_diagram
    from cnncalc.render import dot, mermaid

    fmt = draw_format(output, format)
    if output is not None:
        writable(output, force)
    if fmt in NEEDS_DOT and not NEEDS["dot"].present():  # the need of cnncalc.cli.needs, with draw's own hint
        raise CnnCalcError(dot.MISSING_DOT)
    shape = inputs.optional(ctx, input, layout.value, network)
    report = cnncalc.analyze(network, input_shape=shape, overrides=parse_overrides(set))
    drawing = render_diagram.diagram(report, depth, layout.value)
    data: bytes
    if fmt == "json":
        data = (json.dumps(dataclasses.asdict(drawing), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    elif fmt == "mmd":
        text = mermaid.to_mermaid(drawing)
        problem = mermaid.too_large(drawing, text)
        if problem:
            sys.stderr.write(f"cnncalc: warning: the Mermaid text has {problem}; GitHub will not draw it: "
                             "draw fewer nodes with --depth N\n")
        data = text.encode("utf-8")
    elif fmt == "dot":
        data = dot.to_dot(drawing).encode("utf-8")
    elif fmt == "html":
        from cnncalc.render.html import to_html

        svg = dot.run_dot(dot.to_dot(drawing), "svg").decode("utf-8")
        data = to_html(drawing, svg).encode("utf-8")
    else:
        data = dot.run_dot(dot.to_dot(drawing), fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        save(output, data, force)


__all__ = ["ForceOpt", "PlotOpt", "chart_format", "draw", "save", "writable"]
