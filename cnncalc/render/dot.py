"""A `Diagram` as Graphviz source (DOT), and Graphviz's `dot` run on it for SVG, PNG and PDF.

Every piece of user text (layer and block names, the title, notes) is escaped:
HTML-like labels get XML entities, quoted attributes get their quotes and
backslashes escaped, so no name can end a string, add an attribute or a node,
or inject markup into the SVG. Node and box ids are generated (``n12``, ``c3``).
"""

from __future__ import annotations

import html
import shutil
import subprocess
import unicodedata

from cnncalc.errors import CnnCalcError
from cnncalc.render.diagram import Cluster, Diagram, Node

FONT = "Helvetica,Arial,sans-serif"
DOT_TIMEOUT = 600  # seconds: a graph so large that dot takes longer is better drawn with --depth
MISSING_DOT = ("Graphviz's `dot` was not found, and .svg, .png, .pdf and .html need it: install Graphviz "
               "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), or write .dot "
               "(Graphviz source) or .mmd (Mermaid) instead")


def clean(text: str) -> str:
    """`text` without control characters (XML cannot hold them), one line."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def html_text(text: str) -> str:
    """Text for a Graphviz HTML-like label: every markup character as an entity, backslashes doubled.

    Graphviz expands ``\\N``, ``\\G`` ... in HTML-like labels too (after reading the
    entities, so ``&#92;`` would not do); ``\\\\`` is its escape for a backslash.
    """
    return html.escape(clean(text), quote=True).replace("\\", "\\\\")


def tooltip(text: str) -> str:
    """A quoted DOT tooltip that shows `text` itself, its line breaks kept.

    Graphviz reads a tooltip's backslash escapes twice (``\\n`` as a line break, then
    ``\\N`` as the node's name), so one backslash is written as four; quotes are
    escaped, and ``&`` is an entity (Graphviz would read ``&lt;`` in a name as ``<``).
    """
    lines = [clean(line).replace("\\", "\\" * 4).replace('"', '\\"').replace("&", "&amp;")
             for line in text.split("\n")]
    return '"' + "\\n".join(lines) + '"'


def _label(node: Node) -> str:
    lines = [f"<B>{html_text(node.label)}</B>"]
    if node.category != "input":
        lines.append(html_text(node.description))
    lines.append(html_text(node.shape))
    if node.costs:
        lines.append(f'<FONT POINT-SIZE="8" COLOR="#444444">{html_text(node.costs)}</FONT>')
    return "<" + "<BR/>".join(lines) + ">"


def _node(node: Node, fill: str) -> str:
    text = "\n".join(f"{what}: {value}" for what, value in node.details)
    return (f'{node.id} [id="{node.id}", class="layer {node.category}", fillcolor="{fill}", '
            f'label={_label(node)}, tooltip={tooltip(text)}];')


def _title(diagram: Diagram) -> str:
    """The graph's label: the title, then the legend, one coloured cell per layer category drawn."""
    cells = "".join(f'<TD BGCOLOR="{fill}" BORDER="1" CELLPADDING="2"><FONT POINT-SIZE="9">{html_text(name)}'
                    '</FONT></TD>' for name, fill in diagram.legend)
    about = f"{diagram.name}, input {diagram.input_shape}; {diagram.summary}"
    return (f'<<TABLE BORDER="0" CELLSPACING="0"><TR><TD>{html_text(diagram.title)}</TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="10">{html_text(about)}</FONT></TD></TR><TR><TD>'
            f'<TABLE BORDER="0" CELLSPACING="2"><TR>{cells}</TR></TABLE></TD></TR></TABLE>>')


def _cluster(diagram: Diagram, cluster: Cluster, fills: dict[str, str], indent: str) -> list[str]:
    lines = [f"{indent}subgraph cluster_{cluster.id} {{",
             f'{indent}  id="{cluster.id}"; class="block"; style="rounded,dashed"; color="#7f7f7f"; '
             f'fontsize=9; fontcolor="#555555"; label=<{html_text(cluster.label)}>; tooltip={tooltip(cluster.path)};']
    boxes, nodes = diagram.children(cluster.id)
    lines += [f"{indent}  {_node(n, fills[n.category])}" for n in nodes]
    for box in boxes:
        lines += _cluster(diagram, box, fills, indent + "  ")
    lines.append(f"{indent}}}")
    return lines


def to_dot(diagram: Diagram) -> str:
    """The Graphviz source of `diagram`: top to bottom, boxes for block instances, title and legend on top."""
    fills = dict(diagram.legend)
    lines = [
        "digraph cnncalc {",
        f'  graph [rankdir=TB, ordering=out, newrank=true, nodesep=0.25, ranksep=0.3, fontname="{FONT}", '
        f'fontsize=14, labelloc=t, label={_title(diagram)}, tooltip=" "];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=10, margin="0.1,0.03", '
        'penwidth=0.8, color="#555555"];',
        f'  edge [fontname="{FONT}", fontsize=8, fontcolor="#444444", color="#666666", arrowsize=0.6];',
    ]
    boxes, nodes = diagram.children(None)
    lines += [f"  {_node(n, fills[n.category])}" for n in nodes]
    for box in boxes:
        lines += _cluster(diagram, box, fills, "  ")
    for e in diagram.edges:
        label = f" [label=< {html_text(e.label)}>]" if e.label else ""
        lines.append(f"  {e.src} -> {e.dst}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def have_dot() -> bool:
    return shutil.which("dot") is not None


def run_dot(source: str, fmt: str) -> bytes:
    """Graphviz's layout and rendering of `source` as `fmt` (svg, png or pdf)."""
    exe = shutil.which("dot")
    if exe is None:
        raise CnnCalcError(MISSING_DOT)
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True,
                              timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise CnnCalcError(f"Graphviz's dot took more than {DOT_TIMEOUT} s on this graph; draw fewer nodes "
                           "with --depth N, or write .dot and lay it out yourself") from None
    except OSError as exc:
        raise CnnCalcError(f"cannot run Graphviz's dot ({exe}): {exc.strerror}") from None
    if proc.returncode != 0 or not proc.stdout:
        problem = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CnnCalcError(f"Graphviz's dot failed: {problem[0] if problem else f'exit status {proc.returncode}'}")
    return proc.stdout


__all__ = ["MISSING_DOT", "clean", "have_dot", "html_text", "run_dot", "to_dot", "tooltip"]
