"""The outside tools the picture tests use, each failing clearly (never skipping) when it is missing.

CI installs them: Graphviz and Chromium from Debian's packages, Mermaid's
browser bundle from the npm registry, matplotlib (with Pillow) from the ``test``
extra. ``tools/install_picture_deps.sh`` installs all of them; the messages below
say the same.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from cnncalc.render.diagram import COLOURS, Cluster, Diagram, Edge, Node

ROOT = Path(__file__).resolve().parent.parent

# GoogLeNet (Table 1 as the zoo writes it): stem conv1 (conv, relu), pool1, norm1, conv2_reduce (conv, relu),
# conv2 (conv, relu), norm2, pool2 = 10 layers; 9 inception modules of 6 conv_relu (12 layers), a max pool and
# a concat = 14 each; pool3, pool4; pool5, flatten, dropout, classifier.
GOOGLENET_LAYERS = 10 + 9 * 14 + 2 + 4
INCEPTIONS = ["inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c", "inception_4d",
              "inception_4e", "inception_5a", "inception_5b"]
# ResNet-18 as torchvision builds it: conv1, bn1, relu, maxpool, layer1..layer4 of two BasicBlocks, avgpool, fc
# (and cnncalc's explicit flatten); at --depth 1 every BasicBlock is one node inside its stage's box.
RESNET18_DEPTH1 = ["input", "conv1", "bn1", "relu", "maxpool",
                   *[f"layer{s}.basic{b}" for s in (1, 2, 3, 4) for b in (1, 2)], "avgpool", "flatten1", "fc"]
# DenseNet-121: stem 4, 6+12+24+16 = 58 dense layers of 7 (bn, relu, conv 1×1, bn, relu, conv 3×3, concat),
# 3 transitions of 4 (bn, relu, conv, avgpool), then norm5, relu, pooling, flatten, classifier.
DENSENET121_LAYERS = 4 + 58 * 7 + 3 * 4 + 5

MERMAID_JS = Path(os.environ.get("CNNCALC_MERMAID_JS", ROOT / ".cache" / "mermaid" / "mermaid.min.js"))
INSTALL = "tools/install_picture_deps.sh installs it"


HOSTILE = 'a"b\\N<script>alert(1)</script>&lt;]}|\n#x;\'`'


def hostile_diagram() -> Diagram:
    """Every user string of a drawing made of the characters that could break DOT, Mermaid or HTML."""
    details = (("layer", HOSTILE), ("note", HOSTILE))
    nodes = (Node("n0", "input", "input", "input", "input", "input", "3×8×8", "", None, (("input", "3×8×8"),)),
             Node("n1", HOSTILE, HOSTILE, "conv", "conv", HOSTILE, "4×8×8", HOSTILE, "c0", details))
    return Diagram(HOSTILE, HOSTILE, "3×8×8", HOSTILE, nodes, (Edge("n0", "n1", HOSTILE),),
                   (Cluster("c0", HOSTILE, HOSTILE, None),), (("input", COLOURS["input"]), ("conv", COLOURS["conv"])))


def dot() -> str:
    exe = shutil.which("dot")
    if exe is None:
        pytest.fail(f"Graphviz's dot is not installed (Debian: apt-get install graphviz; {INSTALL})")
    return exe


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.fail(f"no headless browser: install Chromium (Debian: apt-get install chromium; {INSTALL})")


def mermaid_js() -> Path:
    if not MERMAID_JS.is_file():
        pytest.fail(f"Mermaid's browser bundle is not at {MERMAID_JS}: npm pack mermaid@11 and extract "
                    f"package/dist/mermaid.min.js there, or set CNNCALC_MERMAID_JS ({INSTALL})")
    return MERMAID_JS


def pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        pytest.fail("Pillow is not installed: pip install 'cnncalc[test]' (matplotlib brings it)")
    return Image


def need_matplotlib() -> None:
    """matplotlib in the interpreter the CLI runs in (the tests run the CLI as a subprocess)."""
    proc = subprocess.run([sys.executable, "-c", "import matplotlib"], capture_output=True)
    if proc.returncode:
        pytest.fail("matplotlib is not installed: pip install 'cnncalc[plot]' (the test extra has it)")


def cnncalc(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command line in a fresh interpreter (so imports are its own), as a user runs it."""
    return subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})})


def _browser(page: Path, *options: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--virtual-time-budget=30000", *options, page.as_uri()],
            capture_output=True, text=True, timeout=300)


def dump_dom(page: Path) -> str:
    """The page's DOM after its scripts ran, as headless Chromium serialises it."""
    proc = _browser(page, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def screenshot(page: Path, out: Path, size: tuple[int, int] = (1280, 900)) -> None:
    proc = _browser(page, f"--window-size={size[0]},{size[1]}", f"--screenshot={out}")
    assert proc.returncode == 0 and out.is_file(), proc.stderr[-2000:]


def render_mermaid(source: str, folder: Path) -> dict[str, Any]:
    """Mermaid's own parser and renderer on `source` in headless Chromium.

    Returns {"status": "ok" or the error, "nodes": each drawn node's text, "boxes": each subgraph's
    title, "active": how many script, iframe, object or on* elements the drawing holds}.
    """
    page = folder / "mermaid.html"
    page.write_text(f"""<!DOCTYPE html><meta charset="utf-8"><body>
<pre id="src">{html.escape(source)}</pre><div id="drawing"></div><pre id="result"></pre>
<script src="{mermaid_js().as_uri()}"></script>
<script>
var out = document.getElementById("result");
var place = document.getElementById("drawing");
function texts(selector) {{
  return Array.prototype.map.call(place.querySelectorAll(selector), function (e) {{ return e.textContent; }});
}}
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
var src = document.getElementById("src").textContent;
mermaid.parse(src).then(function () {{ return mermaid.render("graph", src); }})
  .then(function (r) {{
    place.innerHTML = r.svg;
    var active = place.querySelectorAll("script, iframe, object, embed").length;
    Array.prototype.forEach.call(place.querySelectorAll("*"), function (e) {{
      Array.prototype.forEach.call(e.attributes, function (a) {{ if (/^on/i.test(a.name)) {{ active += 1; }} }});
    }});
    out.textContent = JSON.stringify({{status: "ok", nodes: texts("g.node"), boxes: texts("g.cluster-label"),
                                       active: active}});
  }})
  .catch(function (e) {{ out.textContent = JSON.stringify({{status: "error: " + e}}); }});
</script>""", encoding="utf-8")
    dom = dump_dom(page)
    start = dom.index('<pre id="result">') + len('<pre id="result">')
    text = html.unescape(dom[start:dom.index("</pre>", start)])
    assert text, "Mermaid did not finish (no result in the page)"
    result: dict[str, Any] = json.loads(text)
    return result


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header (no library needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def colours(path: Path) -> dict[tuple[int, int, int], int]:
    """Pixel count of each RGB colour of an image."""
    image = pillow().open(path).convert("RGB")
    counts: dict[tuple[int, int, int], int] = {}
    for count, rgb in image.getcolors(maxcolors=1 << 24):
        counts[rgb] = count
    return counts


def hex_rgb(value: str) -> tuple[int, int, int]:
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
