"""Mermaid text, read and drawn by Mermaid itself (its browser bundle in headless Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from picture_tools import HOSTILE, RESNET18_DEPTH1, cnncalc, hostile_diagram, render_mermaid

import cnncalc as lib
from cnncalc.render.diagram import diagram
from cnncalc.render.mermaid import MAX_EDGES, text, to_mermaid, too_large


def test_text_escapes_everything_mermaid_or_html_could_read() -> None:
    assert text("conv1 3×224×224") == "conv1 3×224×224"
    assert text('a"b<i>|]') == "a#34;b#60;i#62;#124;#93;"
    assert text("#35;") == "#35;35#59;"  # an entity code in a name is shown as written
    assert text("x\ny") == "x y"


def test_the_flowchart_has_a_node_per_drawn_layer_and_subgraphs_for_boxes() -> None:
    source = to_mermaid(diagram(lib.analyze("resnet18"), 1))
    assert source.startswith("flowchart TB\n")
    nodes = re.findall(r"^\s*(n\d+)\[", source, re.M)
    assert len(nodes) == len(RESNET18_DEPTH1)
    assert re.findall(r'^\s*subgraph (c\d+)\["(layer\d) · stage"\]', source, re.M) == [
        ("c0", "layer1"), ("c1", "layer2"), ("c2", "layer3"), ("c3", "layer4")]
    assert len(re.findall(r"^\s*n\d+ -->", source, re.M)) == len(RESNET18_DEPTH1) - 1
    assert 'n0 -->|"3×224×224"| n1' in source
    assert "classDef k_conv fill:#9ecae1" in source


@pytest.mark.slow
def test_mermaid_draws_resnet18_depth1_from_the_cli(tmp_path: Path) -> None:
    proc = cnncalc("draw", "resnet18", "--depth", "1", "-o", str(tmp_path / "r.mmd"))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    result = render_mermaid((tmp_path / "r.mmd").read_text(encoding="utf-8"), tmp_path)
    assert result["status"] == "ok", result["status"]
    labels = result["nodes"]
    # one node per drawn layer or block, and one per legend entry
    legend = ["input", "conv", "linear", "pooling", "normalisation", "activation", "reshape", "block"]
    assert len(labels) == len(RESNET18_DEPTH1) + len(legend)
    assert sorted(label for label in labels if label in legend) == sorted(legend)
    drawn = [label for label in labels if label not in legend]
    for name in RESNET18_DEPTH1:
        assert any(label.startswith(name.split(".")[-1]) for label in drawn), name
    # layer2.basic1: a BasicBlock with the projection shortcut, 9 layers, to 128×28×28
    assert sum("basic, 9 layers128×28×28" in label for label in drawn) == 1
    assert sorted(b for b in result["boxes"] if b.startswith("layer")) == [f"layer{k} · stage" for k in (1, 2, 3, 4)]
    assert result["active"] == 0


@pytest.mark.slow
def test_mermaid_keeps_hostile_names_as_text(tmp_path: Path) -> None:
    result = render_mermaid(to_mermaid(hostile_diagram()), tmp_path)
    assert result["status"] == "ok", result["status"]
    assert result["active"] == 0  # no script, iframe or event handler came out of the text
    shown = HOSTILE.replace("\n", " ")
    assert any(label.startswith(shown + shown) for label in result["nodes"])  # its name, then its description
    assert shown in result["boxes"]


def test_mermaid_limits_are_reported(tmp_path: Path) -> None:
    big = diagram(lib.analyze("resnet152"))
    assert len(big.edges) > MAX_EDGES and too_large(big, to_mermaid(big))
    assert too_large(diagram(lib.analyze("resnet152"), 1), "x") is None
    proc = cnncalc("draw", "resnet152", "-o", str(tmp_path / "big.mmd"))
    assert proc.returncode == 0 and "--depth" in proc.stderr and "GitHub" in proc.stderr
