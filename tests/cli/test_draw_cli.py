"""`cnncalc draw` end to end: formats, options, files written whole and never over one without --force."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from picture_tools import RESNET18_DEPTH1, cnncalc, dot
from typer.testing import CliRunner

from cnncalc.cli import app

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_default_is_dot_on_stdout_and_format_picks_another() -> None:
    assert run("draw", "lenet5").startswith("digraph cnncalc {")
    assert run("draw", "lenet5", "--format", "mmd").startswith("flowchart TB")
    data = json.loads(run("draw", "resnet18", "--depth", "1", "-f", "json"))
    assert [n["name"] for n in data["nodes"]] == RESNET18_DEPTH1
    for key in ("name", "title", "input_shape", "summary", "nodes", "edges", "clusters", "legend"):
        assert key in data
    assert set(data["nodes"][1]) >= {"id", "name", "label", "kind", "category", "description", "shape", "costs",
                                     "cluster", "details"}


def test_the_extension_picks_the_format(tmp_path: Path) -> None:
    for name, start in (("a.dot", "digraph cnncalc {"), ("a.gv", "digraph cnncalc {"), ("a.mmd", "flowchart TB"),
                        ("a.json", "{")):
        run("draw", "lenet5", "-o", str(tmp_path / name))
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start), name
    # --format wins over the extension
    run("draw", "lenet5", "-o", str(tmp_path / "b.txt"), "--format", "mmd")
    assert (tmp_path / "b.txt").read_text(encoding="utf-8").startswith("flowchart TB")


def test_options_input_set_and_depth() -> None:
    data = json.loads(run("draw", "lenet5", "-f", "json", "--set", "num_classes=5", "--input", "1x32x32"))
    assert data["nodes"][-1]["name"] == "output" and data["nodes"][-1]["shape"] == "5"
    assert data["input_shape"] == "1×32×32"
    depth0 = json.loads(run("draw", "resnet18", "-d", "0", "-f", "json"))
    # the four stages collapse into one node each
    assert [n["name"] for n in depth0["nodes"]][4:9] == ["maxpool", "layer1", "layer2", "layer3", "layer4"]


def test_layout_hwc_reads_the_input_and_writes_every_shape_channels_last() -> None:
    """LeNet-5 on 32×32×1 written H×W×C: C1 is 6 filters of 5×5 on 32×32, (32 − 5)/1 + 1 = 28, so 28×28×6;
    the node, its panel and the edge into S2 (which halves it to 14×14×6) all say so."""
    data = json.loads(run("draw", "lenet5", "-f", "json", "--input", "32x32x1", "--layout", "hwc"))
    nodes = {n["name"]: n for n in data["nodes"]}
    assert data["input_shape"] == "32×32×1" and nodes["input"]["shape"] == "32×32×1"
    assert nodes["C1"]["shape"] == "28×28×6" and dict(map(tuple, nodes["C1"]["details"]))["output"] == "28×28×6"
    assert nodes["S2"]["shape"] == "14×14×6"
    assert "28×28×6" in {e["label"] for e in data["edges"]}
    assert nodes["output"]["shape"] == "10"  # a vector has no layout
    chw = json.loads(run("draw", "lenet5", "-f", "json", "--input", "1x32x32"))
    assert {n["name"]: n["shape"] for n in chw["nodes"]}["C1"] == "6×28×28"


@pytest.mark.parametrize(("args", "message"), [
    (["draw", "lenet5", "-o", "x.xyz"], "cannot tell the format of x.xyz"),
    (["draw", "lenet5", "-d", "-1"], "--depth must be >= 0"),
    (["draw", "no_such_net"], "unknown network 'no_such_net'"),
    (["draw", "lenet5", "-o", "no/such/folder/x.dot"], "does not exist"),
])
def test_bad_requests_are_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    proc = cnncalc(*args, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert message in proc.stderr and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_needs_force_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "g.mmd"
    target.write_text("mine", encoding="utf-8")
    os.chmod(target, 0o640)
    proc = cnncalc("draw", "lenet5", "-o", str(target))
    assert proc.returncode == 2 and "--force" in proc.stderr
    assert target.read_text(encoding="utf-8") == "mine"
    proc = cnncalc("draw", "lenet5", "-o", str(target), "--force")
    assert proc.returncode == 0, proc.stderr
    assert target.read_text(encoding="utf-8").startswith("flowchart TB")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.mmd"]  # no temporary file left


def test_writing_through_a_symbolic_link_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.dot"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.dot"
    link.symlink_to(target)
    proc = cnncalc("draw", "lenet5", "-o", str(link), "--force")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("digraph cnncalc {")


@pytest.mark.slow
def test_done_when_commands(tmp_path: Path) -> None:
    """The issue's four commands, each producing its file (the pictures are checked in tests/render)."""
    dot()
    for args in (["draw", "googlenet", "-o", "g.svg"], ["draw", "resnet18", "--depth", "1", "-o", "r.mmd"],
                 ["draw", "densenet121", "-o", "d.html"]):
        proc = cnncalc(*args, cwd=tmp_path)
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert (tmp_path / "g.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (tmp_path / "r.mmd").read_text(encoding="utf-8").startswith("flowchart TB")
    assert (tmp_path / "d.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
