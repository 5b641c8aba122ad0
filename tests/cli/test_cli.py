"""The `shapes`, `compare` and `list` commands end to end, and the no-torch rule of the analytic commands."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cnncalc.cli import app

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_shapes_json_follows_the_contract() -> None:
    data = json.loads(run("shapes", "alexnet", "--format", "json"))
    for key in ("name", "title", "input_shape", "batch", "dtype", "layers", "totals"):
        assert key in data
    first = data["layers"][0]
    for key in ("name", "type", "inputs", "output_shape", "params", "buffers", "macs", "flops", "activations", "rf"):
        assert key in first
    # torchvision AlexNet conv1: 64 filters 11x11 stride 4 pad 2 on 3x224x224 -> (224 + 4 - 11)//4 + 1 = 55
    assert first["output_shape"] == [64, 55, 55]
    assert first["params"] == 64 * 3 * 11 * 11 + 64  # 23,296
    assert first["macs"] == 64 * 55 * 55 * 3 * 11 * 11  # 70,276,800
    assert first["rf"]["size"] == [11, 11] and first["rf"]["jump"] == [4, 4]
    totals = data["totals"]
    for key in ("params", "trainable_params", "buffers", "macs", "flops", "activations", "param_bytes",
                "activation_bytes", "peak_activation_bytes", "depth", "output_shape", "rf"):
        assert key in totals
    assert totals["params"] == 61100840  # torchvision alexnet (shared/reference)
    assert totals["rf"]["size"] == [195, 195] and totals["rf"]["jump"] == [32, 32]


def test_shapes_options_input_batch_dtype_set() -> None:
    base = json.loads(run("shapes", "alexnet", "-f", "json"))
    data = json.loads(run("shapes", "alexnet", "-f", "json", "--input", "3,227,227", "--batch", "2",
                          "--dtype", "fp16", "--set", "num_classes=10"))
    assert data["input_shape"] == [3, 227, 227] and data["batch"] == 2 and data["dtype"] == "float16"
    # 227: conv1 (227 + 4 - 11)//4 + 1 = 56
    assert data["layers"][0]["output_shape"] == [64, 56, 56]
    assert data["totals"]["output_shape"] == [10]
    # num_classes 10 instead of 1000 removes 4096·990 + 990 params from fc8
    assert data["totals"]["params"] == base["totals"]["params"] - (4096 * 990 + 990)
    assert data["totals"]["param_bytes"] == data["totals"]["params"] * 2


def test_shapes_csv_and_markdown() -> None:
    rows = list(csv.DictReader(io.StringIO(run("shapes", "vgg16", "-f", "csv"))))
    by = {r["name"]: r for r in rows}
    # VGG-16 conv5 layers: 3·3·512·512 + 512 = 2,359,808; fc6: 7·7·512·4096 + 4096 = 102,764,544
    assert any(int(r["params"]) == 2359808 for r in rows)
    assert any(int(r["params"]) == 102764544 for r in rows)
    assert sum(int(r["params"]) for r in by.values()) == 138357544
    md = run("shapes", "vgg16", "-f", "markdown")
    assert md.startswith("| layer | type | output |") and "**params**" in md


def test_shapes_table_and_depth() -> None:
    out = run("shapes", "resnet18", "--depth", "1")
    assert "layer1" in out and "params" in out and "11,689,512" in out
    full = run("shapes", "resnet18")
    assert full.count("\n") > out.count("\n")


def test_compare_ratios() -> None:
    data = json.loads(run("compare", "alexnet", "squeezenet1_0", "-f", "json"))
    a, s = data["networks"]
    assert a["ratios"]["params"] == 1.0
    # 1,248,424 / 61,100,840 (torchvision figures): SqueezeNet has ~49x fewer parameters
    assert s["ratios"]["params"] == pytest.approx(1248424 / 61100840)
    table = run("compare", "alexnet", "squeezenet1_0")
    assert "48.9× fewer" in table


def test_list_shows_the_zoo() -> None:
    data = json.loads(run("list", "-f", "json"))
    names = {n["name"] for n in data["networks"]}
    assert {"lenet5", "alexnet", "vgg16", "resnet50", "squeezenet1_0"} <= names
    resnet50 = next(n for n in data["networks"] if n["name"] == "resnet50")
    assert resnet50["params"] == 25557032 and resnet50["depth"] == 50
    assert "ResNet" in run("list")


@pytest.mark.parametrize("args", [["shapes", "resnet50", "-f", "json"], ["compare", "alexnet", "vgg16"],
                                  ["list", "-f", "csv"], ["shapes", "vgg16"]])
def test_analytic_commands_never_import_torch_or_numpy(args: list[str]) -> None:
    code = (f"import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'numpy', 'fvcore'))\n"
            "sys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr[-500:]


def test_the_entry_point_builds_only_the_command_it_runs() -> None:
    from cnncalc.cli import invoked

    names = sorted(c.name or c.callback.__name__ for c in invoked(["shapes", "alexnet"]).registered_commands
                   if c.callback)
    assert names == ["shapes"]
    assert [c.name for c in invoked(["list"]).registered_commands] == ["list"]
    assert invoked(["--help"]) is app and invoked([]) is app and invoked(["shapez"]) is app
    # run through main, as the console script does: the one-command app is still `cnncalc COMMAND ...`
    code = ("import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', 'shapes', 'alexnet', '-f', 'json']\n"
            "main()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert json.loads(proc.stdout)["totals"]["params"] == 61100840  # torchvision alexnet (shared/reference)
    proc = subprocess.run([sys.executable, "-m", "cnncalc", "shapez"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Did you mean 'shapes'?" in proc.stderr
