"""Regenerate the README's example outputs, layer table and zoo table from the real code.

A fenced block whose first line is ``$ cnncalc ...`` is re-run and its output
replaced; the zoo table between ``<!-- zoo:begin -->`` and ``<!-- zoo:end -->``
is `cnncalc list --format markdown`; the layer table between ``<!-- layers:begin -->``
and ``<!-- layers:end -->`` is written from the layer registry (every kind, alias,
argument with its default and meaning, and FLOP rule); a fenced block right after
``<!-- include: PATH -->`` is the file PATH. With --check, exit 1 (and say where) if
anything in the README differs from what the code gives now.

    .venv/bin/python tools/update_readme.py [--check]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n\$ (cnncalc [^\n]*)\n(.*?)```", re.S)
ZOO = re.compile(r"(<!-- zoo:begin -->\n)(.*?)(<!-- zoo:end -->)", re.S)
LAYERS = re.compile(r"(<!-- layers:begin -->\n)(.*?)(<!-- layers:end -->)", re.S)
INCLUDE = re.compile(r"(<!-- include: ([^ ]+) -->\n```(\w*)\n)(.*?)(```)", re.S)
# the layer table's order: by what a layer does, in the order a network uses them
FAMILIES = ("conv", "transposed", "pool", "adaptive", "linear", "norm", "act", "merge", "channels", "misc")
ANALYTIC = {"shapes", "compare", "list", "layer", "explain", "check", "conventions", "import"}


def run(command: str) -> str:
    argv = shlex.split(command)
    exe = str(Path(sys.executable).with_name("cnncalc"))
    env = {**{k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}, "COLUMNS": "120",
           "NO_COLOR": "1", "LANG": "C.UTF-8"}  # English unless the command asks for --lang
    proc = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, cwd=ROOT, env=env)
    text = proc.stdout + proc.stderr
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def render(readme: str) -> str:
    def block(match: re.Match[str]) -> str:
        command = match.group(1)
        if shlex.split(command)[1] not in ANALYTIC:
            return match.group(0)  # measured output (bench, verify) is kept as recorded
        return f"```console\n$ {command}\n{run(command)}```"

    readme = BLOCK.sub(block, readme)
    readme = INCLUDE.sub(lambda m: m.group(1) + (ROOT / m.group(2)).read_text(encoding="utf-8") + m.group(5), readme)
    readme = LAYERS.sub(lambda m: m.group(1) + layer_table() + m.group(3), readme)
    return ZOO.sub(lambda m: m.group(1) + run("cnncalc list --format markdown") + m.group(3), readme)


def layer_table() -> str:
    """Every registered layer kind: what it computes, its arguments (default) and its extra FLOPs."""
    from cnncalc.layers import ALIASES, REGISTRY

    rank = {family: k for k, family in enumerate(FAMILIES)}
    kinds = sorted(REGISTRY, key=lambda k: rank.get(REGISTRY[k].__module__.rsplit(".", 1)[-1], len(rank)))
    lines = ["| type | computes | arguments (default): meaning | FLOPs beyond 2·MACs |", "|---|---|---|---|"]
    for kind in kinds:
        cls = REGISTRY[kind]
        aliases = sorted(a for a, k in ALIASES.items() if k == kind)
        name = f"`{kind}`" + (f" ({', '.join(f'`{a}`' for a in aliases)})" if aliases else "")
        doc = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split()).replace("``", "`")
        args = "; ".join(f"`{a.name}`{'' if a.required else f' ({_default(a.default)})'}: {a.doc}" for a in cls.args())
        lines.append(f"| {name} | {_cell(doc)} | {_cell(args) or '—'} | {_cell(cls.FLOPS.doc)} |")
    return "\n".join(lines) + "\n"


def _default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report differences")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    fresh = render(current)
    if not args.check:
        README.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        old, new = current.splitlines(), fresh.splitlines()
        line = next((k for k, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        print(f"README.md:{line + 1}: differs from the commands' output; run tools/update_readme.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
