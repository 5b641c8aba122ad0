"""A `Diagram` as a Mermaid flowchart, which GitHub and GitLab draw where Markdown shows it.

Ids are generated (``n12``, ``c3``); every piece of user text goes into a quoted
label with each character that Mermaid or HTML could read as syntax written as
Mermaid's entity code (``#60;`` for ``<``), so a name can neither end a label nor
inject markup.
"""

from __future__ import annotations

from cnncalc.render.diagram import Cluster, Diagram, Node
from cnncalc.render.dot import clean

SAFE = frozenset(" ._-,:/()+=*%×·")
MAX_EDGES = 500  # Mermaid's default maxEdges, which GitHub keeps
MAX_TEXT = 50_000  # Mermaid's default maxTextSize


def text(value: str) -> str:
    """`value` for the inside of a quoted Mermaid label: anything not plainly safe as ``#code;``."""
    return "".join(c if c.isalnum() or c in SAFE else f"#{ord(c)};" for c in clean(value))


def _class(category: str) -> str:
    return "k_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in category)


def _node(node: Node) -> str:
    lines = [f"<b>{text(node.label)}</b>"]
    if node.category != "input":
        lines.append(text(node.description))
    lines.append(text(node.shape))
    if node.costs:
        lines.append(f"<small>{text(node.costs)}</small>")
    return f'{node.id}["{"<br/>".join(lines)}"]:::{_class(node.category)}'


def _cluster(diagram: Diagram, cluster: Cluster, indent: str) -> list[str]:
    lines = [f'{indent}subgraph {cluster.id}["{text(cluster.label)}"]']
    boxes, nodes = diagram.children(cluster.id)
    lines += [f"{indent}  {_node(n)}" for n in nodes]
    for box in boxes:
        lines += _cluster(diagram, box, indent + "  ")
    lines.append(f"{indent}end")
    return lines


def to_mermaid(diagram: Diagram) -> str:
    """The Mermaid flowchart of `diagram`: top to bottom, subgraphs for block instances, a legend."""
    title = f"{diagram.title} ({diagram.name}, input {diagram.input_shape})"
    lines = ["flowchart TB", f'  subgraph legend["{text(title)}"]', "    direction LR"]
    lines += [f'    legend{k}["{text(name)}"]:::{_class(name)}' for k, (name, _) in enumerate(diagram.legend)]
    if len(diagram.legend) > 1:  # invisible links keep the legend in one row
        lines.append("    " + " ~~~ ".join(f"legend{k}" for k in range(len(diagram.legend))))
    lines.append("  end")
    boxes, nodes = diagram.children(None)
    lines += [f"  {_node(n)}" for n in nodes]
    for box in boxes:
        lines += _cluster(diagram, box, "  ")
    for e in diagram.edges:
        label = f'|"{text(e.label)}"|' if e.label else ""
        lines.append(f"  {e.src} -->{label} {e.dst}")
    lines += [f"  classDef {_class(name)} fill:{fill},stroke:#555555,color:#000000" for name, fill in diagram.legend]
    return "\n".join(lines) + "\n"


def too_large(diagram: Diagram, source: str) -> str | None:
    """Why Mermaid (as GitHub runs it) would refuse `source`, or None."""
    if len(diagram.edges) > MAX_EDGES:
        return f"{len(diagram.edges)} edges, more than the {MAX_EDGES} Mermaid draws by default"
    if len(source) > MAX_TEXT:
        return f"{len(source):,} characters, more than the {MAX_TEXT:,} Mermaid reads by default"
    return None


__all__ = ["MAX_EDGES", "MAX_TEXT", "text", "to_mermaid", "too_large"]
