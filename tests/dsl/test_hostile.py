"""Hostile network files (issue 16): every one is one line naming file:line:column, exit status 2, no
traceback, no hang — or it works, where the input is valid.

Each text is a reproducer from the review that found the defect. The line and column
expected are counted by hand in the text (1-based, as editors show them); the limits
are the documented ones (README, "Errors").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cnncalc.cli import main
from cnncalc.dsl import loader

HEADER = "name: bad\ninput: [3, 8, 8]\n"
BIG = "9" * 5000  # Python refuses to convert a string of more than 4,300 digits to an int


def _nested_skips() -> str:
    """20 blocks, each repeating the next 10 times; the innermost entry is repeated 0 times: no layer is
    ever made, but 10²⁰ instances would be."""
    text = HEADER + "blocks:\n"
    for k in range(20):
        inner = f"{{b{k + 1}, repeat: 10}}" if k < 19 else "{relu, repeat: 0}"
        text += f"  b{k}:\n    layers:\n      - {inner}\n"
    return text + "layers:\n  - b0\n  - relu\n"


def _aliases() -> str:
    """"Billion laughs": each anchor is a list of nine of the previous one (9⁷ ≈ 4.8 million nodes)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]" for k in range(1, 7)]
    return "\n".join(lines) + "\n" + HEADER + "layers: [relu]\n"


# (id, YAML text, "line:col" (None: anywhere in the file), words of the message)
CASES = [
    ("repeat-200000", HEADER + "layers:\n  - {relu, repeat: 200000}\n", "4:20", ["repeat 200,000 is too large"]),
    ("split-200000", HEADER + "layers:\n  - {split: 200000}\n", "4:5", ["more than 10,000 layers"]),
    ("nested-repeat-0", _nested_skips(), None, ["more than 50,000 steps"]),
    ("large-document", HEADER + "layers: [relu]\nvars: {" + ", ".join(f"a{k}: {k}" for k in range(60000)) + "}\n",
     "1:1", ["characters, more than the 524,288"]),
    ("recursive-alias", HEADER + "notes: &a [*a]\nlayers: [relu]\n", "3:8", ["alias is used inside its own"]),
    ("billion-laughs", _aliases(), None, ["more than 100,000 YAML nodes"]),
    ("nesting-600", HEADER + "layers: [relu]\nnotes: " + "[" * 600 + "]" * 600 + "\n", None,
     ["nests more than 64 levels"]),
    ("nesting-600-maps", HEADER + "layers: [relu]\nnotes: " + "{a: " * 600 + "1" + "}" * 600 + "\n", None,
     ["nests more than 64 levels"]),
    ("digits-arg", HEADER + f"layers:\n  - {{conv: {BIG}}}\n", "4:12", ["5,000 digits", "at most 100"]),
    ("digits-title", f"name: bad\ntitle: {BIG}\ninput: [3, 8, 8]\nlayers: [relu]\n", "2:8", ["5,000 digits"]),
    ("digits-input", f"name: bad\ninput: [3, 8, {BIG}]\nlayers: [relu]\n", "2:15", ["5,000 digits"]),
    ("digits-vars", HEADER + f"vars: {{x: -{BIG}}}\nlayers: [relu]\n", "3:11", ["5,000 digits"]),
    ("digits-repeat", HEADER + f"layers:\n  - {{relu, repeat: {BIG}}}\n", "4:20", ["5,000 digits"]),
    ("digits-float", HEADER + f"layers:\n  - {{dropout: {BIG}.5}}\n", "4:15", ["5,001 digits"]),
    ("huge-float-int", HEADER + "layers:\n  - {conv: {out: 4, kernel: 1, stride: 1e30}}\n", "4:40",
     ["at most 1,099,511,627,776"]),
    ("input-elements", "name: bad\ninput: [3, 1099511627776, 1099511627776]\nlayers: [global_avgpool]\n", "2:8",
     ["3,626,777,458,843,887,524,118,528 elements"]),
    ("cycle-through-skips", HEADER + "layers:\n  - {relu, name: a, from: b, repeat: 0}\n"
     "  - {relu, name: b, from: a, repeat: 0}\n", None, ["refers to itself through skipped entries"]),
    ("newline-name", HEADER + 'layers:\n  - {conv: 4, name: "a\\n"}\n', "4:21", ["layer name 'a\\n'"]),
    ("escape-in-title", 'name: bad\ntitle: "\\e[31mred"\ninput: [3, 8, 8]\nlayers: [relu]\n', "2:8",
     ["control character U+001B"]),
    ("control-character", HEADER + "layers:\n  - relu\n  - {relu, name: \"a\x01b\"}\n", "5:20",
     ["control character U+0001"]),
    ("nul", HEADER + "layers:\n  - relu\x00\n", "4:9", ["control character U+0000"]),
    ("undefined-out", HEADER + "layers:\n  - relu\nout: nothere\n", "5:6", ["undefined name 'nothere'"]),
    ("undefined-block-out", HEADER + "blocks:\n  b:\n    layers:\n      - relu\n    out: nothere\nlayers:\n  - b\n",
     "7:10", ["undefined name 'nothere'"]),
    # a var or block argument named `i` was read as the copy index (0): `${i + 1}` silently gave 1 channel, not 7
    # (found by tools/fuzz_exports.py)
    ("var-named-i", HEADER + "vars: {i: 6}\nlayers:\n  - {conv: {out: \"${i + 1}\", kernel: 1}}\n", "3:8",
     ["variable name 'i' is taken by the copy index of `repeat`"]),
    ("block-arg-named-i", HEADER + "blocks:\n  b:\n    args: {i: 6}\n    layers: [{conv: {out: \"${i + 1}\"}}]\n"
     "layers:\n  - {b: {i: 6}}\n", "5:12", ["block 'b': argument name 'i' is taken by the copy index"]),
]


@pytest.mark.parametrize(("text", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_network_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                               text: str, where: str | None, words: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["cnncalc", "shapes", str(path), "--format", "json"])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert out == ""
    assert err.count("\n") == 1, err  # one line
    assert err.startswith(f"cnncalc: {path}:{where + ': ' if where else ''}"), err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err


def _json(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    monkeypatch.setattr(sys, "argv", ["cnncalc", "shapes", str(path), "--format", "json"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 0
    result: dict[str, object] = json.loads(capsys.readouterr().out)
    return result


def test_a_date_as_title_is_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "net.yaml"
    path.write_text("name: dated\ntitle: 2024-01-01\ninput: [3, 8, 8]\nlayers: [relu]\n")
    assert _json(monkeypatch, capsys, path)["title"] == "2024-01-01"


def test_keyword_names_analyse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(HEADER + "layers:\n  - {conv: 4, name: global}\n  - {relu, name: class}\n"
                    "  - {relu, name: lambda}\n")
    layers = _json(monkeypatch, capsys, path)["layers"]
    assert isinstance(layers, list)
    assert [row["name"] for row in layers] == ["global", "class", "lambda"]


def test_a_chain_of_1500_skipped_entries_resolves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """r0 takes r1, which takes r2 … r1499 takes r1500, each repeated 0 times (passing its input through):
    deeper than Python's recursion limit; the last layer reads r0, which is r1500, the only layer made."""
    chain = "".join(f"  - {{relu, name: r{k}, from: r{k + 1}, repeat: 0}}\n" for k in range(1500))
    path = tmp_path / "chain.yaml"
    path.write_text(HEADER + "layers:\n" + chain + "  - {relu, name: r1500, from: input}\n"
                    "  - {relu, name: last, from: r0}\n")
    layers = _json(monkeypatch, capsys, path)["layers"]
    assert isinstance(layers, list)
    assert [(row["name"], row["inputs"]) for row in layers] == [("r1500", ["input"]), ("last", ["r1500"])]


def test_many_vars_and_many_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """30,000 vars and 2,000 copies: the vars are not copied for each copy (60 million entries)."""
    path = tmp_path / "net.yaml"
    variables = "".join(f"  v{k}: {k}\n" for k in range(30000))
    path.write_text(HEADER + "vars:\n" + variables + "layers:\n  - {relu, repeat: 2000}\n  - {linear: $v7}\n")
    layers = _json(monkeypatch, capsys, path)["layers"]
    assert isinstance(layers, list)
    assert len(layers) == 2001 and layers[-1]["output_shape"] == [7]


def test_the_limits_are_as_documented() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    errors = readme.split("## Errors", 1)[1].split("\n## ", 1)[0]
    for value in (loader.MAX_BYTES, loader.MAX_NODES, loader.MAX_DEPTH, loader.MAX_DIGITS):
        assert f"{value:,}" in errors, value
