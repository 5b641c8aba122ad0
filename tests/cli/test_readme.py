"""Every command the README shows works as shown, in the environment `make run` creates.

The README's commands are those of tools/update_readme.py (console examples, and the
``cnncalc ...`` lines of sh blocks). Each runs in a subprocess with the modules only
`make test` installs hidden (pytest, hypothesis ...), in a scratch folder that links to the
repository's files (so that relative paths resolve and written files land there):

- an sh line exits 0, without a traceback;
- a console example exits as its output shows (2 after an error line, 1 after a mismatch
  marked ✗, else 0) and prints exactly what the README shows — except measured output
  (`bench`, `compare --bench`), which must have the same lines with other numbers, and is
  measured here with fewer iterations.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from extras_helpers import modules_only_for_tests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import update_readme  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = update_readme.examples(README)
ANALYTIC = {"shapes", "compare", "list", "layer", "explain", "check", "quiz"}  # never import torch
FASTER = ("--warmup", "0", "--min-iters", "1", "--min-time", "0")  # bench: the last of a repeated option wins
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?!\w)")  # not the 32 of fp32


def _param(example: update_readme.Example) -> object:
    torch = example.argv[1] not in ANALYTIC or example.measured
    return pytest.param(example, id=f"README.md:{example.line}: {' '.join(example.argv)}"[:100],
                        marks=[pytest.mark.torch] if torch else [])


def skeleton(output: str) -> list[object]:
    """A measured output without its measurements: numbers masked, table rules and what follows a colon dropped."""
    lines: list[object] = []
    for line in output.splitlines():
        if line[:1] in "┏┡└":
            continue  # rules: their widths follow the numbers
        masked = NUMBER.sub("#", line)
        if line[:1] in "┃│":
            lines.append(tuple(cell.strip() for cell in re.split("[┃│]", masked)))
        else:
            lines.append(masked.split(":")[0])
    return lines


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    for entry in ROOT.iterdir():
        if not entry.name.startswith("."):
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def test_the_readme_shows_commands() -> None:
    assert len([e for e in EXAMPLES if e.output is not None]) >= 10
    assert len([e for e in EXAMPLES if e.output is None]) >= 5
    assert {e.argv[1] for e in EXAMPLES} >= {"shapes", "compare", "list", "layer", "explain", "check", "verify",
                                             "bench"}


@pytest.mark.parametrize("example", [_param(e) for e in EXAMPLES])
def test_every_readme_command_works_as_shown(example: update_readme.Example, scratch: Path) -> None:
    argv = (*example.argv, *FASTER) if example.argv[1] == "bench" else example.argv
    status, output = update_readme.run(argv, hide=modules_only_for_tests(), cwd=scratch)
    assert "Traceback" not in output, output[-3000:]
    if example.output is None:
        assert status == 0, output[-3000:]
        return
    assert status == update_readme.expected_status(example.output), output[-3000:]
    if example.measured:
        assert skeleton(output) == skeleton(example.output)
    else:
        assert output == example.output, "run tools/update_readme.py"


def test_the_skeleton_of_a_measured_output_keeps_its_rows() -> None:
    bench = next(e for e in EXAMPLES if e.argv[1] == "bench").output
    assert bench is not None
    rows = [line for line in skeleton(bench) if isinstance(line, tuple) and line[1:2] != ("network",)]
    assert rows[0][1:4] == ("alexnet", "#", "fp32")  # network, batch, dtype
    assert skeleton(bench.replace("squeezenet1_0", "squeezenet1_1")) != skeleton(bench)
    assert skeleton(bench.replace("25.889", "31.5")) == skeleton(bench)


def test_readme_zoo_table_is_current() -> None:
    table = re.search(r"<!-- zoo:begin -->\n(.*?)<!-- zoo:end -->", README, re.S).group(1)  # type: ignore[union-attr]
    status, output = update_readme.run(["cnncalc", "list", "--format", "markdown"])
    assert status == 0 and output == table, "run tools/update_readme.py"


def test_readme_documents_every_command() -> None:
    from cnncalc.cli import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"cnncalc {name}" in README, name


def test_readme_network_example_is_valid() -> None:
    import cnncalc

    section = README[README.index("## Writing a network"):]
    text = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    report = cnncalc.analyze_text(text, "README.md")
    # conv1 7x7/2 on 224: (224 - 7)//2 + 1 = 109; maxpool 3/2 ceil: ceil(106/2) + 1 = 54; fire3 out 64 + 64
    by = {r.name: r for r in report.layers}
    assert by["maxpool1"].output_shape == (96, 54, 54)
    assert by["fire3.concat1"].output_shape == (128, 54, 54)
    assert report.totals.output_shape == (1000,)
    # the quick start runs it from examples/
    assert (ROOT / "examples" / "squeezenet_mini.yaml").read_text(encoding="utf-8") == text
