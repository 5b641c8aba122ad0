"""Where a network comes from, without torch: the source syntax, what a file may name, and the commands
that take a zoo name or YAML file importing no torch. (The PyTorch side: tests/pytorch/test_importer.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app
from cnncalc.errors import CnnCalcError
from cnncalc.sources import parse, with_args

runner = CliRunner()


@pytest.mark.parametrize(("text", "kind", "name", "attr", "options"), [
    ("torchvision:resnet50?num_classes=10", "torchvision", "resnet50", "", {"num_classes": 10}),
    ("timm:resnet50d", "timm", "resnet50d", "", {}),
    ("nets/mine.py:Net?width=32&act=relu", "file", "nets/mine.py", "Net", {"width": 32, "act": "relu"}),
    ("mypkg.models:build?pretrained=false", "module", "mypkg.models", "build", {"pretrained": False}),
])
def test_pytorch_sources(text: str, kind: str, name: str, attr: str, options: dict[str, object]) -> None:
    source = parse(text)
    assert source is not None
    assert (source.kind, source.name, source.attr, source.options) == (kind, name, attr, options)


@pytest.mark.parametrize("text", ["resnet50", "nets/my.yaml", "C:/nets/my.yaml", "a b:c"])
def test_zoo_names_and_paths_are_not_pytorch_sources(text: str) -> None:
    assert parse(text) is None


def test_arguments_join_the_query_and_need_a_pytorch_source() -> None:
    assert with_args("mynet.py:Net", ["width=8", "depth=2"]) == "mynet.py:Net?width=8&depth=2"
    assert with_args("torchvision:resnet18?num_classes=3", ["zero_init_residual=true"]) == \
        "torchvision:resnet18?num_classes=3&zero_init_residual=true"
    with pytest.raises(CnnCalcError, match="--set for its vars"):
        with_args("resnet50", ["width=8"])
    with pytest.raises(CnnCalcError, match="key=value pairs"):
        parse("torchvision:resnet18?10")


def test_an_answer_file_never_makes_cnncalc_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\nclass Net: pass\n")
    answers = tmp_path / "answers.yaml"
    answers.write_text("network: evil.py:Net\ninput: [3, 32, 32]\nanswers:\n  conv1.params: 1\n")
    result = runner.invoke(app, ["check", str(answers)])
    assert result.exit_code != 0 and not marker.exists()
    assert isinstance(result.exception, CnnCalcError)
    assert "never runs code" in str(result.exception) and f"{answers}:1:" in str(result.exception)


@pytest.mark.parametrize("args", [
    ["shapes", "resnet50", "--as", "fvcore", "-f", "json"], ["conventions", "resnet18"],
    ["explain", "resnet18", "conv1"], ["compare", "alexnet", "resnet18", "--as", "torchinfo"],
])
def test_commands_given_a_zoo_name_never_import_torch(args: list[str]) -> None:
    code = (f"import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'fvcore', 'torchvision'))\n"
            "sys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr[-500:]


def test_import_needs_a_pytorch_source() -> None:
    result = runner.invoke(app, ["import", "resnet50"])
    assert isinstance(result.exception, CnnCalcError) and "not a PyTorch model" in str(result.exception)


def test_the_help_says_a_python_file_runs() -> None:
    for command in ("shapes", "import"):
        text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output.split())
        assert "runs its code" in text, command
