"""The one-file HTML page: self-contained, safe with any name, and showing the graph in a real browser."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from picture_tools import (
    DENSENET121_LAYERS,
    HOSTILE,
    cnncalc,
    colours,
    dot,
    dump_dom,
    hex_rgb,
    hostile_diagram,
    png_size,
    screenshot,
)

from cnncalc.render.diagram import COLOURS
from cnncalc.render.dot import run_dot, to_dot
from cnncalc.render.html import to_html


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(page: str) -> Elements:
    parser = Elements()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def densenet_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dot()
    path = tmp_path_factory.mktemp("html") / "d.html"
    proc = cnncalc("draw", "densenet121", "-o", str(path))
    assert proc.returncode == 0, proc.stderr
    return path


def test_the_page_needs_nothing_from_outside(densenet_page: Path) -> None:
    page = densenet_page.read_text(encoding="utf-8")
    found = parse(page)
    tags = [t for t, _ in found.tags]
    assert tags.count("svg") == 1 and tags.count("script") == 2 and "link" not in tags and "iframe" not in tags
    assert all("src" not in attrs for tag, attrs in found.tags if tag in ("script", "img"))
    policy = next(a["content"] for t, a in found.tags if t == "meta" and a.get("http-equiv"))
    assert policy and "default-src 'none'" in policy
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    data = json.loads(found.scripts[0])
    assert len(data) == DENSENET121_LAYERS + 1  # the input and every layer: one hover panel each
    conv0 = next(rows for rows in data.values() if rows[0] == ["layer", "conv0"])
    # torchvision densenet121 conv0: 64 filters 7×7 on 3 channels, no bias: 64·3·49 = 9,408
    assert ["params", "9,408"] in conv0 and ["output", "64×112×112"] in conv0


def test_hostile_text_stays_text_in_the_page() -> None:
    dot()
    drawing = hostile_diagram()
    page = to_html(drawing, run_dot(to_dot(drawing), "svg").decode("utf-8"))
    assert "<script>alert" not in page and "</script>&" not in page
    found = parse(page)
    assert [t for t, _ in found.tags].count("script") == 2
    assert not [a for _, attrs in found.tags for a in attrs if a.startswith("on")]
    data = json.loads(found.scripts[0])
    assert data["n1"] == [["layer", HOSTILE], ["note", HOSTILE]]
    assert f"<title>{html.escape(HOSTILE)} — cnncalc</title>" in page


@pytest.mark.slow
def test_a_screenshot_shows_the_graph(densenet_page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    screenshot(densenet_page, shot, (1280, 900))
    assert png_size(shot) == (1280, 900)
    counts = colours(shot)
    # the stem's nodes are on the first screen: input (grey), conv0 (conv blue), norm0 (orange), pool0 (green)
    for category in ("input", "conv", "normalisation", "activation", "pooling"):
        assert counts.get(hex_rgb(COLOURS[category]), 0) > 1500, category
    white = counts.get((255, 255, 255), 0)
    assert white < 1280 * 900 * 0.9, "the page is (nearly) blank"


@pytest.mark.slow
def test_pointing_at_a_layer_fills_the_panel(densenet_page: Path, tmp_path: Path) -> None:
    page = densenet_page.read_text(encoding="utf-8")
    data = json.loads(parse(page).scripts[0])
    node = next(i for i, rows in data.items() if rows[0] == ["layer", "conv0"])
    probe = (f'<script>document.getElementById("{node}").dispatchEvent(new MouseEvent("mouseenter"));'
             "</script></body>")
    (tmp_path / "probe.html").write_text(page.replace("</body>", probe), encoding="utf-8")
    dom = dump_dom(tmp_path / "probe.html")
    panel = dom[dom.index('<aside id="panel">'):dom.index("</aside>")]
    assert '<h2 id="panel-title">conv0</h2>' in panel
    assert "<dt>params</dt><dd>9,408</dd>" in panel and "<dt>type</dt><dd>conv 7×7/2 p3 no bias</dd>" in panel
