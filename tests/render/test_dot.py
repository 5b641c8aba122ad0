"""Graphviz source, and the real Graphviz `dot` laying it out: nodes, labels, branches side by side, escaping."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from picture_tools import (
    GOOGLENET_LAYERS,
    HOSTILE,
    RESNET18_DEPTH1,
    cnncalc,
    colours,
    dot,
    hex_rgb,
    hostile_diagram,
    png_size,
)

import cnncalc as lib
from cnncalc.render.diagram import COLOURS, diagram
from cnncalc.render.dot import html_text, run_dot, to_dot, tooltip

SVG = "{http://www.w3.org/2000/svg}"
def svg_nodes(svg: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g") if "layer" in (g.get("class") or "").split()}


def texts(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]


def box(g: ET.Element) -> tuple[float, float, float, float]:
    """The node's outline as (x0, y0, x1, y1), from its path or polygon points."""
    shape = next(e for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon"))
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points") or "")]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_escaping_for_dot() -> None:
    assert html_text('<b>"x" & y</b>') == "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
    assert tooltip('say "\\N"\nnext & more') == '"say \\"\\\\\\\\N\\"\\nnext &amp; more"'
    assert html_text("a\x00b\x1bc") == "a b c"  # control characters cannot be in XML


def test_hostile_names_stay_text_in_dot_and_svg() -> None:
    dot()
    source = to_dot(hostile_diagram())
    assert "&lt;script&gt;" in source  # in labels the text is entities
    svg = run_dot(source, "svg")
    root = ET.fromstring(svg)  # well-formed
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    # exactly the drawing's two nodes, one edge and one box: nothing added by the text
    assert sorted(svg_nodes(svg)) == ["n0", "n1"]
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]) == 1
    assert len([g for g in root.iter(f"{SVG}g") if "cluster" in (g.get("class") or "").split()]) == 1
    node = svg_nodes(svg)["n1"]
    shown = texts(node)
    assert HOSTILE.replace("\n", " ") in shown  # the name, exactly, as text (no \\N made the node's id)
    edge_label = [t for g in root.iter(f"{SVG}g") if g.get("class") == "edge" for t in texts(g)]
    assert edge_label == [" " + HOSTILE.replace("\n", " ")]
    title = next(a for a in node.iter() if a.get("{http://www.w3.org/1999/xlink}title"))
    assert title.get("{http://www.w3.org/1999/xlink}title") == f"layer: {HOSTILE}\nnote: {HOSTILE}"


@pytest.mark.slow
def test_googlenet_svg_has_every_layer_and_four_branches_side_by_side(tmp_path: Path) -> None:
    dot()
    proc = cnncalc("draw", "googlenet", "-o", str(tmp_path / "g.svg"))
    assert proc.returncode == 0, proc.stderr
    svg = (tmp_path / "g.svg").read_bytes()
    nodes = svg_nodes(svg)
    assert len(nodes) == GOOGLENET_LAYERS + 1
    drawing = {n.id: n for n in diagram(lib.analyze("googlenet")).nodes}
    for node_id, g in nodes.items():
        shown = texts(g)
        assert shown[0] == drawing[node_id].label and drawing[node_id].shape in shown
    by_name = {drawing[i].name: g for i, g in nodes.items()}
    assert texts(by_name["inception_3a.b3x3.conv"])[:3] == ["conv", "conv 3×3 p1", "128×28×28"]
    # the four branches of inception (3a) end side by side: one row, four columns, above the concat
    ends = [box(by_name[f"inception_3a.{b}.relu1"]) for b in ("b1x1", "b3x3", "b5x5", "pool_proj")]
    concat = box(by_name["inception_3a.output"])
    assert all(e[3] < concat[1] for e in ends)
    lefts = sorted(ends)
    assert all(a[2] <= b[0] for a, b in itertools.pairwise(lefts)), "branches overlap horizontally"
    firsts = [box(by_name[f"inception_3a.{b}.conv"]) for b in ("b1x1", "b3x3_reduce", "b5x5_reduce")]
    firsts.append(box(by_name["inception_3a.pool"]))
    assert max(f[1] for f in firsts) < min(f[3] for f in firsts), "the four branches do not start on one row"


@pytest.mark.slow
def test_resnet_shortcut_runs_beside_the_main_path(tmp_path: Path) -> None:
    dot()
    svg = run_dot(to_dot(diagram(lib.analyze("resnet18"))), "svg")
    drawing = {n.name: n.id for n in diagram(lib.analyze("resnet18")).nodes}
    nodes = svg_nodes(svg)
    for main_layer, shortcut_layer in (("conv1", "shortcut.conv"), ("bn1", "shortcut.bn")):
        main = box(nodes[drawing[f"layer2.basic1.{main_layer}"]])
        shortcut = box(nodes[drawing[f"layer2.basic1.{shortcut_layer}"]])
        assert shortcut[2] <= main[0] or main[2] <= shortcut[0], "the shortcut is not beside the main path"
    main, shortcut = box(nodes[drawing["layer2.basic1.conv1"]]), box(nodes[drawing["layer2.basic1.shortcut.conv"]])
    assert shortcut[1] < main[3] and main[1] < shortcut[3], "the shortcut does not start level with the main path"


def test_resnet18_depth1_svg_is_one_node_per_block() -> None:
    dot()
    svg = run_dot(to_dot(diagram(lib.analyze("resnet18"), 1)), "svg")
    nodes = svg_nodes(svg)
    assert sorted(texts(g)[0] for g in nodes.values()) == sorted(n.split(".")[-1] for n in RESNET18_DEPTH1)
    root = ET.fromstring(svg)
    boxes = [g for g in root.iter(f"{SVG}g") if "cluster" in (g.get("class") or "")]
    assert sorted(texts(g)[0] for g in boxes) == [f"layer{k} · stage" for k in (1, 2, 3, 4)]


@pytest.mark.slow
def test_png_and_pdf_through_dot(tmp_path: Path) -> None:
    dot()
    for fmt in ("png", "pdf"):
        proc = cnncalc("draw", "lenet5", "-o", str(tmp_path / f"l.{fmt}"))
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "l.pdf").read_bytes()[:5] == b"%PDF-"
    width, height = png_size(tmp_path / "l.png")
    assert 150 < width < 2000 and 800 < height < 4000  # 13 nodes, one above the other
    counts = colours(tmp_path / "l.png")
    # not blank: the conv and linear fills are there, and the picture is not one colour
    assert counts.get(hex_rgb(COLOURS["conv"]), 0) > 500 and counts.get(hex_rgb(COLOURS["linear"]), 0) > 500
    assert max(counts.values()) < width * height * 0.95


def test_missing_dot_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for name in ("x.svg", "x.png", "x.pdf", "x.html"):
        proc = cnncalc("draw", "lenet5", "-o", str(tmp_path / name), env={"PATH": str(tmp_path)})
        assert proc.returncode == 2 and proc.stdout == ""
        line = proc.stderr.strip()
        assert "\n" not in line and "apt-get install graphviz" in line and "brew install graphviz" in line
        assert ".dot" in line and ".mmd" in line
        assert not (tmp_path / name).exists()
    # the text formats need no Graphviz
    proc = cnncalc("draw", "lenet5", "-o", str(tmp_path / "x.dot"), env={"PATH": str(tmp_path)})
    assert proc.returncode == 0 and (tmp_path / "x.dot").read_text().startswith("digraph cnncalc {")
