"""Regenerate the README's pictures in docs/images/ with the real commands, or check that they are current.

Each picture is the output of one command below (Graphviz's `dot` and matplotlib
needed). With --check, the commands write to a temporary folder instead and the
results are compared with the committed files: the Graphviz source exactly; the
diagram's SVG by its nodes, boxes and edges (ids, classes and texts, so another
Graphviz version's coordinates do not matter); a chart by the numbers it carries
in its metadata. Exit 1 (and say which file) if anything differs.

    .venv/bin/python tools/update_pictures.py [--check]
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMAGES = "docs/images"
CHART = ("alexnet vgg16 googlenet_tv inception_v3 resnet18 resnet50 resnet152 densenet121 resnext50_32x4d "
         "squeezenet1_0 mobilenet_v2")
COMMANDS = (
    f"cnncalc draw googlenet --depth 1 -o {IMAGES}/googlenet.dot",
    f"cnncalc draw googlenet --depth 1 -o {IMAGES}/googlenet.svg",
    f"cnncalc compare {CHART} --plot {IMAGES}/compare.svg",
)
SVG = "{http://www.w3.org/2000/svg}"


def run(command: str, folder: Path) -> None:
    """Run `command` with its docs/images/ paths in `folder`, replacing what is there."""
    argv = [a.replace(f"{IMAGES}/", f"{folder}/") for a in shlex.split(command)]
    exe = str(Path(sys.executable).with_name("cnncalc"))
    proc = subprocess.run([exe, *argv[1:], "--force"], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"{command}: exit {proc.returncode}: {proc.stderr.strip()}")


def outputs() -> list[str]:
    return [Path(shlex.split(c)[-1]).name for c in COMMANDS]


def _texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def summary(path: Path) -> Any:
    """What a picture shows, independent of the renderer's version."""
    if path.suffix == ".dot":
        return path.read_text(encoding="utf-8")
    root = ET.fromstring(path.read_bytes())
    description = next((e for e in root.iter() if e.tag.endswith("description")), None)
    if description is not None:  # a matplotlib chart: its numbers
        return json.loads("".join(description.itertext()))
    return sorted((g.get("id") or "", g.get("class") or "", _texts(g)) for g in root.iter(f"{SVG}g")
                  if (g.get("class") or "").split()[:1] in (["node"], ["cluster"], ["edge"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report differences")
    args = parser.parse_args()
    committed = ROOT / IMAGES
    if not args.check:
        committed.mkdir(parents=True, exist_ok=True)
        for command in COMMANDS:
            run(command, committed)
        return 0
    with tempfile.TemporaryDirectory() as temp:
        fresh = Path(temp)
        for command in COMMANDS:
            run(command, fresh)
        for name in outputs():
            if not (committed / name).is_file():
                print(f"{IMAGES}/{name}: missing; run tools/update_pictures.py")
                return 1
            if summary(committed / name) != summary(fresh / name):
                print(f"{IMAGES}/{name}: differs from what the command draws now; run tools/update_pictures.py")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
