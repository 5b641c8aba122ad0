"""Bad input: one line on stderr naming file:line:column, exit status 2, no traceback, nothing on stdout.

The line and column expected in each case are counted by hand in the YAML text
of the case (1-based, as editors show them).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnncalc.cli import main

HEADER = "name: bad\ninput: [3, 32, 32]\n"

# (id, YAML text, expected "line:col" or None when the error is about the whole file, key words)
CASES = [
    ("malformed-yaml", HEADER + "layers:\n  - {conv: {out: 8, kernel: 3}\n", "5:1", ["YAML syntax error"]),
    ("unknown-type", HEADER + "layers:\n  - {convv: 8}\n", "4:5",
     ["unknown layer type 'convv'", "did you mean 'conv'"]),
    ("unknown-arg", HEADER + "layers:\n  - {conv: {out: 8, kernal: 3}}\n", "4:21",
     ["no argument 'kernal'", "did you mean 'kernel'"]),
    ("wrong-type", HEADER + "layers:\n  - {conv: {out: eight}}\n", "4:18", ["expected an integer", "'eight'"]),
    ("zero-size", HEADER + "layers:\n  - {conv: {out: 0}}\n", "4:18", ["expected an integer >= 1", "received 0"]),
    ("negative-input", "name: bad\ninput: [3, -32, 32]\nlayers: [relu]\n", "2:8", ["positive integers"]),
    ("kernel-too-large", HEADER + "layers:\n  - {conv: {out: 8, kernel: 40}}\n", "4:5",
     ["larger than the padded input", "32 + 0 + 0 = 32"]),
    ("groups", HEADER + "layers:\n  - {conv: {out: 8, groups: 2}}\n", "4:5",
     ["divisible by the number of groups", "groups=2", "input channels=3"]),
    ("concat", HEADER + "layers:\n  - {conv: 4, name: a}\n  - {conv: {out: 4, kernel: 1}, name: b, from: input}\n"
     "  - {concat: [a, b]}\n", "6:5", ["concat", "30×30", "32×32"]),
    ("add", HEADER + "layers:\n  - {conv: 4, name: a}\n  - {add: [a, input]}\n", "5:5", ["same shape"]),
    ("undefined", HEADER + "layers:\n  - {conv: 4, from: nowhere}\n", "4:21", ["undefined name 'nowhere'"]),
    ("duplicate", HEADER + "layers:\n  - {conv: 4, name: a}\n  - {conv: 4, name: a}\n", "5:5", ["duplicate name 'a'"]),
    ("cycle", HEADER + "layers:\n  - {conv: 4, name: a, from: b}\n  - {conv: 4, name: b, from: a}\n", "4:5",
     ["cycle"]),
    ("missing-block-arg", HEADER + "blocks:\n  b:\n    args: {c: null}\n    layers: [{conv: $c}]\nlayers:\n  - b\n",
     "8:5", ["block 'b' needs the argument 'c'"]),
    ("import", HEADER + "layers:\n  - {conv: \"${__import__('os').system('true')}\"}\n", "4:12",
     ["calls are limited to min, max, ceil, floor, round, abs"]),
    ("attribute", HEADER + "vars: {w: 4}\nlayers:\n  - {conv: \"${w.__class__}\"}\n", "5:12", ["attribute"]),
    ("python-tag", HEADER + "layers:\n  - !!python/object/apply:os.system [\"true\"]\n", "4:5",
     ["tag", "not allowed"]),
    ("repeat-too-large", HEADER + "layers:\n  - {relu, repeat: 100000000}\n", "4:20", ["too large"]),
    ("tensor-too-large", "name: bad\ninput: [3, 1000000, 1000000]\nlayers:\n  - {conv: 1000000}\n", "4:5",
     ["too many to be sensible"]),
    ("if-text", HEADER + "layers:\n  - {relu, if: maybe}\n", "4:16", ["'if' must be true/false", "'maybe'"]),
    ("type-var", HEADER + "vars: {act: 3}\nlayers:\n  - {$act: {}}\n", "5:5",
     ["'$act' names the layer type, but act = 3"]),
    ("variant-var", HEADER + "vars: {w: 1}\nvariants:\n  v: {vars: {x: 2}}\nlayers: [relu]\n", "5:14",
     ["variant 'v' sets 'x'", "declare it in 'vars'"]),
    ("merge-repeat-0", HEADER + "layers:\n  - {add: [input, input], repeat: 0}\n", "4:5",
     ["cannot be repeated 0 times", "use if:"]),
    ("empty", "", "1:1", ["empty"]),
    ("not-a-mapping", "- relu\n", "1:1", ["a network file is a mapping"]),
]


@pytest.mark.parametrize(("text", "where", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_network_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                           text: str, where: str, words: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    monkeypatch.setattr(sys, "argv", ["cnncalc", "shapes", str(path), "--format", "json"])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert out == ""  # nothing half-written
    assert err.count("\n") == 1, err  # one line
    assert err.startswith(f"cnncalc: {path}:{where}: "), err
    for w in words:
        assert w in err, err


def test_unknown_zoo_name_lists_close_ones(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["cnncalc", "shapes", "resnet05"])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "unknown network 'resnet05'" in err and "resnet50" in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["shapes", "alexnet", "--input", "3xfoo"], ["cannot read the shape"]),
        (["shapes", "alexnet", "--set", "nope=1"], ["no variable 'nope'"]),
        (["shapes", "alexnet", "--set", "num_classes"], ["NAME=VALUE"]),
        (["shapes", "alexnet", "--set", "num_classes=open('x')"], ["calls are limited"]),
        (["shapes", "alexnet", "--depth", "-1"], ["--depth must be >= 0"]),
        (["compare", "alexnet"], ["at least two networks"]),
    ],
)
def test_bad_options(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str],
                     words: list[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    with pytest.raises(SystemExit) as info:
        main()
    err = capsys.readouterr().err
    assert info.value.code == 2
    for w in words:
        assert w in err, err


def test_real_process_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "net.yaml"
    path.write_text(textwrap.dedent("""\
        name: t
        input: [3, 8, 8]
        layers:
          - {conv: {out: 4, kernel: 9}}
    """))
    proc = subprocess.run([sys.executable, "-m", "cnncalc", "shapes", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"cnncalc: {path}:4:5: ")
    assert proc.stdout == ""
