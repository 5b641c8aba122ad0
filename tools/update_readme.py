"""Regenerate the README's example outputs, layer table and zoo table from the real code.

A fenced block whose first line is ``$ cnncalc ...`` is re-run and its output
replaced (except measured output — `bench`, `compare --bench` — which is kept as
recorded); the zoo table between ``<!-- zoo:begin -->`` and ``<!-- zoo:end -->``
is `cnncalc list --format markdown`; the layer table between ``<!-- layers:begin -->``
and ``<!-- layers:end -->`` is written from the layer registry (every kind, alias,
argument with its default and meaning, and FLOP rule); a fenced block right after
``<!-- include: PATH -->`` is the file PATH. With --check, exit 1 (and say where) if
anything in the README differs from what the commands print now, or if a command
exits otherwise than its output shows (2 for an error line ``cnncalc: ...``, 1
for a mismatch marked ``✗``, else 0).

`examples` lists every command the README shows (console blocks and the
``cnncalc ...`` lines of ``sh`` blocks) and `run` runs one as a user would;
tests/cli/test_readme.py walks them with these.

    .venv/bin/python tools/update_readme.py [--check]
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n\$ (cnncalc [^\n]*)\n(.*?)```", re.S)
SH = re.compile(r"```sh\n(.*?)```", re.S)


def section(name: str) -> re.Pattern[str]:
    """The part of the README between ``<!-- NAME:begin -->`` and ``<!-- NAME:end -->`` (groups: the
    opening marker, the text, the closing marker)."""
    return re.compile(rf"(<!-- {name}:begin -->\n)(.*?)(<!-- {name}:end -->)", re.S)


def write_section(name: str, body: str) -> bool:
    """Put `body` between the section's markers in README.md (the tools' --readme); False, said on
    stderr, if the README has no such section."""
    text = README.read_text(encoding="utf-8")
    pattern = section(name)
    if not pattern.search(text):
        print(f"README.md has no <!-- {name}:begin --> … <!-- {name}:end --> markers", file=sys.stderr)
        return False
    README.write_text(pattern.sub(lambda m: m.group(1) + body + m.group(3), text), encoding="utf-8")
    return True


ZOO = section("zoo")
LAYERS = section("layers")
INCLUDE = re.compile(r"(<!-- include: ([^ ]+) -->\n```(\w*)\n)(.*?)(```)", re.S)
# the layer table's order: by what a layer does, in the order a network uses them
FAMILIES = ("conv", "transposed", "pool", "adaptive", "linear", "norm", "act", "merge", "channels", "misc")
# runs `cnncalc.cli.main` with argv[2:], the modules named in argv[1] (comma-separated) hidden
MAIN = ("import sys\nfor m in filter(None, sys.argv[1].split(',')): sys.modules[m] = None\n"
        "sys.argv = ['cnncalc', *sys.argv[2:]]\nfrom cnncalc.cli import main\nmain()")


@dataclass(frozen=True)
class Example:
    """A command the README shows: with its output in a console block, alone in an sh block."""

    argv: tuple[str, ...]  # ("cnncalc", ...)
    line: int              # README line of the command
    output: str | None     # console blocks: the output shown

    @property
    def measured(self) -> bool:
        """Timings: kept as recorded, not regenerated."""
        return self.argv[1] == "bench" or "--bench" in self.argv


def examples(readme: str) -> list[Example]:
    found = [Example(tuple(shlex.split(m.group(1))), readme.count("\n", 0, m.start(1)) + 1, m.group(2))
             for m in BLOCK.finditer(readme)]
    for m in SH.finditer(readme):
        first = readme.count("\n", 0, m.start(1)) + 1
        for k, text in enumerate(m.group(1).splitlines()):
            words = shlex.split(text, comments=True)
            if words[:1] == ["cnncalc"]:
                found.append(Example(tuple(words), first + k, None))
    return sorted(found, key=lambda e: e.line)


def run(argv: Iterable[str], hide: Iterable[str] = (), cwd: Path = ROOT) -> tuple[int, str]:
    """Exit status and output (stdout, then stderr; trailing spaces dropped) of a ``cnncalc ...`` command."""
    env = {**{k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}, "COLUMNS": "120",
           "NO_COLOR": "1", "LANG": "C.UTF-8"}  # English unless the command asks for --lang
    proc = subprocess.run([sys.executable, "-c", MAIN, ",".join(hide), *list(argv)[1:]],
                          capture_output=True, text=True, cwd=cwd, env=env)
    text = proc.stdout + proc.stderr
    return proc.returncode, "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def expected_status(output: str) -> int:
    """The exit status an output shows: 2 for an error line (first: nothing went to stdout before it; a
    ``cnncalc: ...`` line after the output is a note on stderr, such as an alias read), 1 after a
    mismatch (✗ first on a line), else 0."""
    if output.startswith("cnncalc: "):
        return 2
    return 1 if re.search(r"^\s*✗ ", output, re.M) else 0


def render(readme: str, problems: list[str]) -> str:
    by_line = {e.line: e for e in examples(readme)}

    def block(match: re.Match[str]) -> str:
        command = match.group(1)
        example = by_line[readme.count("\n", 0, match.start(1)) + 1]
        if example.measured:
            return match.group(0)
        status, output = run(example.argv)
        if status != expected_status(output):
            problems.append(f"README.md:{example.line}: `{command}` exits {status}, its output shows "
                            f"{expected_status(output)}")
        return f"```console\n$ {command}\n{output}```"

    readme = BLOCK.sub(block, readme)
    readme = INCLUDE.sub(lambda m: m.group(1) + (ROOT / m.group(2)).read_text(encoding="utf-8") + m.group(5), readme)
    readme = LAYERS.sub(lambda m: m.group(1) + layer_table() + m.group(3), readme)
    return ZOO.sub(lambda m: m.group(1) + run(["cnncalc", "list", "--format", "markdown"])[1] + m.group(3), readme)


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
    problems: list[str] = []
    fresh = render(current, problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if not args.check:
        README.write_text(fresh, encoding="utf-8")
        return 1 if problems else 0
    if fresh != current:
        old, new = current.splitlines(), fresh.splitlines()
        line = next((k for k, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
        print(f"README.md:{line + 1}: differs from the commands' output; run tools/update_readme.py")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
