"""A `Diagram` as one self-contained HTML page: Graphviz's SVG and a panel that shows the layer under the pointer.

Nothing is loaded from anywhere (a Content-Security-Policy forbids it): the SVG,
the style, the script and each layer's details (as JSON in a data block) are in
the file. User text reaches the page only escaped: in the SVG through Graphviz
(`render.dot` escapes it), in the markup through `html.escape`, in the data
block with ``<``, ``>`` and ``&`` as JSON escapes, and the script writes it with
``textContent``, never as markup.
"""

from __future__ import annotations

import html
import json
import re

from cnncalc.render.diagram import Diagram

_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.S)

STYLE = """
body { margin: 0; font: 14px Helvetica, Arial, sans-serif; color: #222; background: #fff; }
header { padding: 10px 16px; border-bottom: 1px solid #ddd; margin-right: 320px; }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 0; color: #555; }
#graph { margin-right: 320px; padding: 8px; overflow: auto; }
#graph svg { max-width: 100%; height: auto; }
#graph g.node { cursor: pointer; }
#graph g.node:hover path, #graph g.node:hover polygon, #graph g.node.pinned path,
#graph g.node.pinned polygon { stroke: #d62728; stroke-width: 2.5px; }
aside { position: fixed; top: 0; right: 0; width: 300px; height: 100%; overflow: auto; box-sizing: border-box;
        padding: 12px 14px; border-left: 1px solid #ddd; background: #fafafa; }
aside h2 { font-size: 16px; margin: 0 0 8px; word-break: break-all; }
aside p { color: #666; margin: 0 0 8px; }
dl { margin: 0; } dt { font-weight: bold; color: #555; margin-top: 6px; }
dd { margin: 0 0 0 10px; word-break: break-word; font-variant-numeric: tabular-nums; }
"""

SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("cnncalc-layers").textContent);
  var title = document.getElementById("panel-title");
  var list = document.getElementById("panel-details");
  var pinned = null;
  function show(id) {
    var rows = data[id];
    if (!rows) { return; }
    title.textContent = rows[0][1];
    while (list.firstChild) { list.removeChild(list.firstChild); }
    rows.forEach(function (row) {
      var dt = document.createElement("dt"); dt.textContent = row[0];
      var dd = document.createElement("dd"); dd.textContent = row[1];
      list.appendChild(dt); list.appendChild(dd);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("#graph g.node"), function (g) {
    g.addEventListener("mouseenter", function () { if (pinned === null) { show(g.id); } });
    g.addEventListener("click", function () {
      if (pinned !== null) { document.getElementById(pinned).classList.remove("pinned"); }
      pinned = pinned === g.id ? null : g.id;
      if (pinned !== null) { g.classList.add("pinned"); }
      show(g.id);
    });
  });
})();
"""


def _data(diagram: Diagram) -> str:
    """Each node's details as JSON that cannot end its <script> block."""
    text = json.dumps({n.id: [list(d) for d in n.details] for n in diagram.nodes}, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(diagram: Diagram, svg: str) -> str:
    """The page: header, the SVG Graphviz drew from `render.dot.to_dot(diagram)`, the hover panel."""
    body = _PROLOG.sub("", svg, count=1)
    title = html.escape(diagram.title)
    about = html.escape(f"{diagram.name} · input {diagram.input_shape} · {diagram.summary}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="cnncalc draw">
<title>{title} — cnncalc</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{title}</h1><p>{about}</p></header>
<div id="graph">
{body}
</div>
<aside id="panel"><h2 id="panel-title">{title}</h2><p>Point at a layer to see its numbers; click to pin it.</p>
<dl id="panel-details"></dl></aside>
<script type="application/json" id="cnncalc-layers">{_data(diagram)}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


__all__ = ["to_html"]
