"""The charts (`--plot`): their data against torchvision's figures, and the images matplotlib writes.

The images are made by the command line in a fresh interpreter (matplotlib imports
numpy, which the analytic test run refuses in-process); each carries its numbers
as JSON in its Description metadata, which is read back here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from picture_tools import cnncalc, colours, hex_rgb, need_matplotlib, pillow, png_size

import cnncalc as lib
from cnncalc.render.chart import BUBBLE_SIZE, DPI, LARGE_BUBBLE_SIZE, PALETTE, bars, points

DONE_WHEN = ["alexnet", "vgg16", "googlenet", "resnet50", "squeezenet1_0", "mobilenet_v2"]


def reference(name: str) -> dict[str, Any]:
    for folder in Path(__file__).resolve().parents:
        path = folder / "shared" / "reference" / name
        if path.is_file():
            models: dict[str, Any] = json.loads(path.read_text())["models"]
            return models
    pytest.fail(f"shared/reference/{name} not found beside the repository")


def test_bubble_data_is_torchvisions_counts_and_accuracy() -> None:
    counts, accuracy = reference("torchvision_counts.json"), reference("torchvision_accuracy.json")
    data = {p.name: p for p in points([lib.analyze(n) for n in DONE_WHEN])}
    for name in ("alexnet", "vgg16", "resnet50", "squeezenet1_0", "mobilenet_v2"):
        ref = counts[name]
        assert data[name].params == ref["params"]
        assert data[name].macs == ref["fvcore_conv"] + ref.get("fvcore_linear", 0)  # MACs = fvcore's conv + linear
        assert data[name].top1 == accuracy[name]["IMAGENET1K_V1"]["acc@1"]
    assert data["googlenet"].top1 is None  # the paper's GoogLeNet is not torchvision's
    assert data["alexnet"].family == "Classic" and data["vgg16"].family == "VGG"


def test_bar_data_is_the_rows_with_costs() -> None:
    rows = lib.collapse(lib.analyze("resnet18"), 1)
    data = bars(rows)
    assert [b.name for b in data] == ["conv1", "bn1", *[f"layer{s}.basic{b}" for s in (1, 2, 3, 4) for b in (1, 2)],
                                      "fc"]
    assert sum(b.params for b in data) == 11689512  # torchvision resnet18
    assert {b.category for b in data} == {"conv", "normalisation", "block", "linear"}
    fc = data[-1]
    assert (fc.params, fc.macs) == (512 * 1000 + 1000, 512 * 1000)


def description(path: Path) -> Any:
    if path.suffix == ".png":
        return json.loads(pillow().open(path).text["Description"])
    root = ET.fromstring(path.read_bytes())
    node = next(e for e in root.iter() if e.tag.endswith("description"))
    return json.loads("".join(node.itertext()))


@pytest.mark.slow
def test_compare_plot_png(tmp_path: Path) -> None:
    need_matplotlib()
    out = tmp_path / "c.png"
    proc = cnncalc("compare", *DONE_WHEN, "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "alexnet" in proc.stdout  # the table is still printed
    assert png_size(out) == (int(BUBBLE_SIZE[0] * DPI), int(BUBBLE_SIZE[1] * DPI)) == (1000, 650)
    counts = colours(out)
    assert counts.get((255, 255, 255), 0) < 1000 * 650 * 0.97, "blank"
    # each family's bubbles, 55 % opaque over white, are there (AlexNet's is the biggest but VGG-16's)
    for k, family in enumerate(["Classic", "VGG", "Inception", "ResNet", "SqueezeNet", "MobileNet"]):
        rgb = hex_rgb(PALETTE[k])
        blended = tuple(round(0.55 * c + 0.45 * 255) for c in rgb)
        near = sum(n for (r, g, b), n in counts.items()
                   if max(abs(r - blended[0]), abs(g - blended[1]), abs(b - blended[2])) <= 2)
        assert near > 20, family
    accuracy = reference("torchvision_accuracy.json")
    shown = {p["name"]: p for p in description(out)["points"]}
    assert list(shown) == DONE_WHEN
    assert shown["resnet50"]["top1"] == accuracy["resnet50"]["IMAGENET1K_V1"]["acc@1"]
    assert shown["googlenet"]["top1"] is None
    assert shown["vgg16"]["params"] == 138357544  # torchvision vgg16


@pytest.mark.slow
def test_compare_plot_svg_labels_every_bubble(tmp_path: Path) -> None:
    need_matplotlib()
    out = tmp_path / "c.svg"
    proc = cnncalc("compare", *DONE_WHEN, "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    root = ET.fromstring(out.read_bytes())
    texts = ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for name in DONE_WHEN:
        assert texts.count(name) == 1, name
    assert "ImageNet top-1 accuracy (%)" in texts and "top-1 not known" in texts
    assert any(t.startswith("MACs per image") for t in texts)
    # the bubbles: one path per network, each filled with its family's colour
    fills = re.findall(r"fill: ?(#[0-9a-f]{6}); ?fill-opacity: ?0\.55", out.read_text())
    assert len(fills) == len(DONE_WHEN) and set(fills) <= set(PALETTE)


@pytest.mark.slow
def test_list_plot_whole_zoo_and_family(tmp_path: Path) -> None:
    need_matplotlib()
    proc = cnncalc("list", "--plot", str(tmp_path / "zoo.png"))
    assert proc.returncode == 0, proc.stderr
    assert png_size(tmp_path / "zoo.png") == (int(LARGE_BUBBLE_SIZE[0] * DPI), int(LARGE_BUBBLE_SIZE[1] * DPI))
    assert len(description(tmp_path / "zoo.png")["points"]) == len(lib.zoo.names())
    proc = cnncalc("list", "--family", "resnet", "--plot", str(tmp_path / "resnet.svg"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    names = [n["name"] for n in json.loads(proc.stdout)["networks"]]
    assert sorted(names) == ["resnet101", "resnet152", "resnet18", "resnet34", "resnet50", "wide_resnet101_2",
                             "wide_resnet50_2"]
    assert sorted(p["name"] for p in description(tmp_path / "resnet.svg")["points"]) == sorted(names)


@pytest.mark.slow
def test_shapes_plot_bars(tmp_path: Path) -> None:
    need_matplotlib()
    out = tmp_path / "bars.svg"
    proc = cnncalc("shapes", "resnet18", "--depth", "1", "--plot", str(out))
    assert proc.returncode == 0, proc.stderr
    data = description(out)
    assert data["network"] == "resnet18" and data["bars"][-1] == {"name": "fc", "category": "linear",
                                                                   "params": 513000, "macs": 512000}
    texts = ["".join(t.itertext()).strip() for t in ET.fromstring(out.read_bytes()).iter(
        "{http://www.w3.org/2000/svg}text")]
    assert "layer4.basic2" in texts and "parameters (total 11.69 M)" in texts
    # layer4.basic2: 2·(3·3·512·512) + 2·(2·512) = 4,720,640 of 11,689,512 params = 40.4 %
    assert "40.4%" in texts
    proc = cnncalc("shapes", "alexnet", "--plot", str(tmp_path / "a.pdf"))
    assert proc.returncode == 0 and (tmp_path / "a.pdf").read_bytes()[:5] == b"%PDF-"


def test_plot_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    existing = tmp_path / "c.png"
    existing.write_bytes(b"mine")
    for args in (["compare", "alexnet", "vgg16"], ["list"], ["shapes", "alexnet"]):
        proc = cnncalc(*args, "--plot", str(existing))
        assert proc.returncode == 2 and "--force" in proc.stderr and proc.stdout == ""
        proc = cnncalc(*args, "--plot", str(tmp_path / "c.txt"))
        assert proc.returncode == 2 and ".svg, .png or .pdf" in proc.stderr
    assert existing.read_bytes() == b"mine"
    proc = cnncalc("list", "--family", "Transformers")
    assert proc.returncode == 2 and "ResNet" in proc.stderr


def test_without_matplotlib_plot_is_one_line_and_exit_2(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['matplotlib'] = None\nfrom cnncalc.cli import main\n"
            f"sys.argv = ['cnncalc', 'compare', 'alexnet', 'vgg16', '--plot', {str(tmp_path / 'c.png')!r}]\nmain()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2 and "pip install 'cnncalc[plot]'" in proc.stderr
    assert proc.stderr.count("\n") == 1 and not (tmp_path / "c.png").exists()


@pytest.mark.parametrize("args", [["compare", "alexnet", "vgg16"], ["list", "-f", "json"],
                                  ["shapes", "resnet18", "--depth", "1"], ["draw", "resnet18", "-f", "mmd"]])
def test_matplotlib_is_imported_only_for_plot(args: list[str]) -> None:
    code = (f"import sys; from cnncalc.cli import main; sys.argv = ['cnncalc', *{args!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'numpy', 'torch', 'PIL'))\n"
            "sys.stderr.write(repr(bad))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("[]"), proc.stderr[-500:]
