"""Names as people say them, `cnncalc show`, the notes under the tables, accuracy and size in `compare`/`list`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnncalc import zoo


def cnncalc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.mark.parametrize(("said", "meant"), [
    ("squeezenet", "squeezenet1_0"), ("SqueezeNet", "squeezenet1_0"), ("inception_v1", "googlenet"),
    ("vgg_d", "vgg16"), ("vgg_e", "vgg19"), ("VGG-16", "vgg16"), ("ResNet-50", "resnet50"),
    ("lenet", "lenet5_1998"), ("resnet20", "resnet20_cifar"), ("squeezenet1.1", "squeezenet1_1"),
])
def test_aliases(said: str, meant: str) -> None:
    assert zoo.alias(said) == meant
    assert zoo.locate(said) == zoo.locate(meant)


def test_zoo_names_are_not_aliases() -> None:
    assert zoo.alias("alexnet") is None and zoo.alias("googlenet") is None
    assert all(target in zoo.names() for target in zoo.ALIASES.values())
    assert not set(zoo.ALIASES) & {zoo.normalised(n) for n in zoo.names()}  # an alias never hides a zoo name


def test_compare_alexnet_squeezenet() -> None:
    result = cnncalc("compare", "alexnet", "squeezenet")
    assert result.returncode == 0, result.stderr
    assert "squeezenet1_0" in result.stderr and "squeezenet" in result.stderr  # said on stderr
    # torchvision: AlexNet 61,100,840 params, SqueezeNet 1.0 1,248,424 -> 48.94x
    assert "48.9× fewer" in result.stdout
    assert "56.5" in result.stdout and "58.1" in result.stdout  # torchvision's top-1 beside them
    data = json.loads(cnncalc("compare", "alexnet", "squeezenet", "-f", "json").stdout)
    second = data["networks"][1]
    assert second["name"] == "squeezenet1_0" and second["ratios"]["params"] == pytest.approx(1_248_424 / 61_100_840)
    assert second["accuracy"]["top1"] == 58.092 and "torchvision" in second["accuracy"]["source"]
    assert second["size"]["bytes"] == 1_248_424 * 4 and second["size"]["index_counted"] is False


@pytest.mark.parametrize("family", ["vgg", "resnet"])
def test_ambiguous_names_list_the_choices(family: str) -> None:
    result = cnncalc("shapes", family)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{family}16" in result.stderr or f"{family}50" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_named_like_a_zoo_network(tmp_path: Path) -> None:
    result = cnncalc("shapes", "vgg16.yaml", "-f", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "vgg16.yaml" in result.stderr and "zoo" in result.stderr
    assert json.loads(result.stdout)["totals"]["params"] == 138_357_544  # torchvision's vgg16
    missing = cnncalc("shapes", "no_such_net.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_show_prints_the_file_and_its_variant() -> None:
    single = cnncalc("show", "squeezenet")
    assert single.returncode == 0
    assert single.stdout == (zoo.archs_dir() / "squeezenet1_0.yaml").read_text(encoding="utf-8")
    variant = cnncalc("show", "resnet56_cifar")
    assert variant.stdout.startswith("# resnet56_cifar is a variant of the zoo file resnet_cifar.yaml")
    data = json.loads(cnncalc("show", "resnet56_cifar", "-f", "json").stdout)
    assert data["variant"] == "resnet56_cifar" and "resnet20_cifar" in data["variants"]
    assert data["yaml"] == (zoo.archs_dir() / "resnet_cifar.yaml").read_text(encoding="utf-8")
    assert "option A" in data["notes"] and data["accuracy"]["dataset"] == "CIFAR-10"


def test_notes_under_shapes_and_explain_total() -> None:
    shown = cnncalc("shapes", "googlenet").stdout
    assert "notes" in shown and "auxiliary classifiers" in shown
    assert "auxiliary classifiers" not in cnncalc("shapes", "googlenet", "--quiet").stdout
    assert "auxiliary classifiers" in cnncalc("explain", "googlenet", "total").stdout
    assert "auxiliary classifiers" not in cnncalc("explain", "googlenet", "total", "-q").stdout
    assert "auxiliary classifiers" in json.loads(cnncalc("shapes", "googlenet", "-f", "json").stdout)["notes"]
    assert "auxiliary classifiers" in json.loads(cnncalc("explain", "googlenet", "total", "-f", "json").stdout)["notes"]


def test_list_has_size_and_accuracy() -> None:
    data = json.loads(cnncalc("list", "-f", "json").stdout)["networks"]
    by = {n["name"]: n for n in data}
    assert by["resnet50"]["accuracy"]["top1"] == 76.13 and by["resnet50"]["param_bytes"] == 25_557_032 * 4
    assert by["resnet20_cifar"]["accuracy"]["dataset"] == "CIFAR-10"
    assert by["lenet5"]["accuracy"] is None


def test_list_show_and_compare_write_an_accuracy_alike() -> None:
    """One JSON shape for a published accuracy. resnet20_cifar's file cites He et al. 2016, Table 6: 8.75 %
    test error, so 91.25 % top-1, on CIFAR-10's 32×32 images; `show` reads the file alone (no input: no crop)."""
    listed = next(n for n in json.loads(cnncalc("list", "-f", "json").stdout)["networks"]
                  if n["name"] == "resnet20_cifar")["accuracy"]
    compared = json.loads(cnncalc("compare", "resnet20_cifar", "alexnet", "-f", "json").stdout)["networks"][0]
    shown = json.loads(cnncalc("show", "resnet20_cifar", "-f", "json").stdout)["accuracy"]
    assert listed == compared["accuracy"]
    assert listed["top1"] == 100 - 8.75 and listed["dataset"] == "CIFAR-10" and listed["crop"] == 32
    assert shown == {**listed, "crop": None}


def test_one_accuracy_source_per_network() -> None:
    """No zoo file cites an accuracy where torchvision's table has one (one source of truth)."""
    import cnncalc as api
    from cnncalc.analysis.accuracy import imagenet_accuracy

    for name in zoo.names():
        report = api.analyze(name)
        assert report.accuracy is None or imagenet_accuracy(name) is None, name
