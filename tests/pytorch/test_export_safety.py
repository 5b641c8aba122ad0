"""Hostile input: nothing from a network file becomes code, and export never damages a file.

A network's title, notes and names are written into the exported file only as
escaped text or checked identifiers: a title that closes a docstring and calls
``os.system`` must not run anything when the file is imported. A fuzzed network
(hypothesis, derandomised in CI) with hostile titles, names and notes must export
to a file that compiles, imports, and computes what `build_module` computes.
Files: export refuses to replace its input or an existing file without --force,
writes through symlinks, keeps the mode, and leaves nothing half-written.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_export import load_exported
from typer.testing import CliRunner

import cnncalc
from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.torch.export import export_source
from cnncalc.torch.lower import build_module

HOSTILE_NAMES = ["global", "class", "lambda", "forward", "training", "self", "x", "torch", "nn", "math", "i",
                 "in_channels", "out", "my-layer", "None", "True", "print", "__init__", "add_module", "out_channels",
                 "def", "return", "match", "type", "state_dict", "model", "channels", "load_torchvision_state_dict"]
PAYLOAD = '"""\n__import__("os").system("touch {canary}")\n"""'


def hostile_text(canary: Path) -> st.SearchStrategy[str]:
    payload = PAYLOAD.format(canary=canary)
    return st.one_of(st.just(payload), st.just("C:\\users\\net\\"), st.just('ends in a quote "'),
                     st.just("# not a comment\r\nx = 1\x00\u2028"), st.text(max_size=40))


def network(draw: Any, canary: Path) -> str:
    names = st.sampled_from(HOSTILE_NAMES)
    block = draw(names.filter(lambda n: n not in ("None", "True"))) + "_b"
    width = draw(st.integers(2, 5))
    inner = draw(st.lists(names, min_size=3, max_size=3, unique=True))
    block_layers: list[Any] = [
        {"conv": {"out": "$w", "kernel": 3, "padding": 1}, "name": inner[0]},
        {"relu": None, "name": inner[1], "repeat": "$k"},
        {"add": ["in", inner[1]], "name": inner[2]} if draw(st.booleans()) else {"concat": ["in", inner[1]],
                                                                                  "name": inner[2]},
    ]
    tops = draw(st.lists(names, min_size=4, max_size=4, unique=True))
    doc = {
        "name": "net", "title": draw(hostile_text(canary)), "notes": draw(hostile_text(canary)),
        "source": draw(hostile_text(canary)), "input": [width, 6, 6], "vars": {"num_classes": 3, "k": 1},
        "blocks": {block: {"args": {"w": None, "k": 1}, "layers": block_layers}},
        "layers": [
            {block: {"w": width, "k": 1}, "name": tops[0]},
            {block: {"w": f"${{{width} * 2}}" if block_layers[2].get("concat") else width, "k": 0},
             "name": tops[1]},
            {"global_avgpool": None, "name": tops[2]},
            "flatten",
            {"linear": "$num_classes", "name": tops[3]},
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@st.composite
def hostile_networks(draw: Any, canary: str) -> str:
    return network(draw, Path(canary))


@settings(max_examples=25)
@given(st.data())
def test_fuzzed_hostile_networks_export_safely(tmp_path_factory: Any, data: st.DataObject) -> None:
    canary = tmp_path_factory.mktemp("canary") / "RAN"
    text = data.draw(hostile_networks(str(canary)))
    try:
        graph = cnncalc.load_text_graph(text)
    except CnnCalcError:
        return  # not a valid network (e.g. a name the language refuses): nothing to export
    source = export_source("net.yaml", text=text)
    compile(source, "net.py", "exec")
    cls, _ = load_exported(source)
    assert not canary.exists(), "importing the exported file ran a command"
    ours, reference = cls().eval(), build_module(graph).eval()
    assert list(ours.state_dict()) == list(reference.state_dict())
    ours.load_state_dict(reference.state_dict())
    x = torch.randn(1, *graph.spec.input_shape)
    with torch.no_grad():
        assert torch.allclose(ours(x), reference(x), atol=1e-5)


def test_a_title_that_closes_the_docstring_runs_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "RAN"
    for title in (PAYLOAD.format(canary=canary), "C:\\users\\x", 'a "quoted" title\\'):
        text = yaml.safe_dump({"name": "net", "title": title, "notes": title, "input": [1, 4, 4],
                               "layers": [{"conv": 2, "name": "global"}]})
        source = export_source(f'{title}.yaml', text=text)
        cls, _ = load_exported(source)
        assert not canary.exists()
        assert cls()(torch.zeros(1, 1, 4, 4)).shape == (1, 2, 2, 2)
        assert isinstance(cls().get_submodule("global"), torch.nn.Conv2d)  # the YAML name is the path


def test_out_input_returns_the_input() -> None:
    text = "name: ident\ninput: [2, 4]\nout: input\nlayers:\n  - {conv: {out: 3, kernel: 1}, name: c}\n"
    assert cnncalc.analyze_text(text).totals.output_shape == (2, 4)
    cls, _ = load_exported(export_source("ident.yaml", text=text))
    x = torch.randn(1, 2, 4)
    assert torch.equal(cls()(x), x)
    assert torch.equal(build_module(cnncalc.load_text_graph(text))(x), x)


def test_keyword_layer_names_work_in_verify_and_bench_modules() -> None:
    text = ("name: kw\ninput: [3, 8, 8]\nlayers:\n  - {conv: 4, name: global}\n  - {relu, name: class}\n"
            "  - {conv: {out: 4, padding: 1}, name: my-conv}\n  - {add: [global, my-conv], name: lambda}\n")
    module = build_module(cnncalc.load_text_graph(text))
    assert module(torch.zeros(1, 3, 8, 8)).shape == (1, 4, 6, 6)  # 8 − 3 + 1 = 6
    assert isinstance(module.get_submodule("global"), torch.nn.Conv2d)
    from cnncalc.verify import verify

    assert verify(cnncalc.load_text_graph(text)).ok


NAN = "name: n\ninput: [3, 8, 8]\nlayers:\n  - {conv: 4}\n  - {leaky_relu: {negative_slope: %s}}\n"
runner = CliRunner()


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_arguments_are_refused(tmp_path: Path, value: str) -> None:
    path = tmp_path / "n.yaml"
    path.write_text(NAN % value)
    result = runner.invoke(app, ["export", str(path)])
    assert isinstance(result.exception, CnnCalcError)  # the command line prints it on one line, exit status 2
    assert "n.yaml:5:" in str(result.exception) and "finite number" in str(result.exception)


def test_export_never_replaces_its_input_nor_a_file_without_force(tmp_path: Path) -> None:
    net = tmp_path / "x.yaml"
    net.write_text("name: x\ninput: [1, 4, 4]\nlayers:\n  - {conv: 2}\n")
    before = net.read_text()
    for target in (net, tmp_path / "link.yaml"):
        if target.name == "link.yaml":
            target.symlink_to(net)
        with pytest.raises(CnnCalcError, match="network file being read"):
            runner.invoke(app, ["export", str(net), "-o", str(target), "--force"], catch_exceptions=False)
    assert net.read_text() == before
    out = tmp_path / "x.py"
    out.write_text("keep me")
    os.chmod(out, 0o640)
    with pytest.raises(CnnCalcError, match="--force"):
        runner.invoke(app, ["export", str(net), "-o", str(out)], catch_exceptions=False)
    assert out.read_text() == "keep me"
    result = runner.invoke(app, ["export", str(net), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "class X(" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o640
    link = tmp_path / "model.py"
    link.symlink_to(out)
    result = runner.invoke(app, ["export", str(net), "-o", str(link), "--force"])
    assert result.exit_code == 0 and link.is_symlink()  # written through the link, to its target


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnncalc.render import files

    out = tmp_path / "x.py"
    out.write_text("old")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(CnnCalcError, match="No space left"):
        files.write_text(out, "new", force=True)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.py"]  # no temporary file left behind


def test_a_float_argument_equal_to_a_size_is_not_taken_for_it() -> None:
    """ELU's alpha is 1.0 and the channels are 1: the linear after it was written nn.Linear(8, 1.0), which torch
    refuses (found by tools/fuzz_exports.py). Input 1×8: flatten gives 8 features, linear 8·1 + 1 = 9 parameters."""
    text = "name: n\ninput: [1, 8]\nlayers:\n  - elu\n  - {linear: 1}\n"
    cls, _ = load_exported(export_source("n.yaml", text=text))
    model = cls()
    assert model(torch.zeros(2, 1, 8)).shape == (2, 1)
    assert sum(p.numel() for p in model.parameters()) == 9


def test_a_size_computed_as_a_whole_float_is_written_as_an_int() -> None:
    """`${w / 2}` is 4.0 for w = 8: the file wrote nn.Conv2d(3, w / 2), a TypeError when built; now int(w / 2),
    still following w: 16 / 2 = 8 and 16 · 1.5 = 24 channels."""
    text = ("name: n\ninput: [3, 8, 8]\nvars: {w: 8}\nlayers:\n  - {conv: {out: \"${w / 2}\", kernel: 1}}\n"
            "  - {conv: {out: \"${w * 1.5}\", kernel: 1}}\n")
    cls, _ = load_exported(export_source("n.yaml", text=text))
    assert cls()(torch.zeros(1, 3, 8, 8)).shape == (1, 12, 8, 8)  # 8 · 1.5 = 12
    wider = cls(w=16)
    assert (wider.conv1.out_channels, wider.conv2.out_channels) == (8, 24)
    assert wider(torch.zeros(1, 3, 8, 8)).shape == (1, 24, 8, 8)
