"""Regenerate the README's example outputs and zoo table from the real commands.

A fenced block whose first line is ``$ cnncalc ...`` is re-run and its output
replaced; the zoo table between ``<!-- zoo:begin -->`` and ``<!-- zoo:end -->``
is `cnncalc list --format markdown`. With --check, exit 1 (and say where) if
anything in the README differs from what the commands print now.

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
ANALYTIC = {"shapes", "compare", "list", "layer", "explain", "check"}


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
    return ZOO.sub(lambda m: m.group(1) + run("cnncalc list --format markdown") + m.group(3), readme)


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
