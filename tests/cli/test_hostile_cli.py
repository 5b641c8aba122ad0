"""Hostile command lines and titles (issue 16): `--input 1x3²x32`, thousands of digits, rich markup in a
title, draw and --plot refusing a bad output path before the work."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cnncalc.cli import main


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


@pytest.mark.parametrize("shape", ["1x3²x32", "1x32x" + "9" * 5000, "3x٣٢x32", "3x-32x32", "0x32x32"])
def test_bad_inputs_are_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                 shape: str) -> None:
    code, out, err = run(monkeypatch, capsys, "shapes", "lenet5", "--input", shape)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("cnncalc: ") and "Traceback" not in err, err
    assert len(err) < 300


def test_markup_in_a_title_is_printed_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "net.yaml"
    path.write_text('name: n\ntitle: "[/bogus] [bold]C:\\\\users[/bold]"\ninput: [3, 8, 8]\n'
                    "layers:\n  - {conv: 2, name: c}\n")
    code, out, err = run(monkeypatch, capsys, "explain", str(path), "total")  # printed through rich
    assert (code, err) == (0, "")
    assert "[/bogus] [bold]C:\\users[/bold]" in out
    code, out, err = run(monkeypatch, capsys, "shapes", str(path))
    assert (code, err) == (0, "") and "[/bogus] [bold]C:\\users[/bold]" in out


@pytest.mark.parametrize("args", [["draw", "lenet5", "-o", "{missing}/g.dot"],
                                  ["draw", "lenet5", "-o", "{folder}", "-f", "dot"],
                                  ["shapes", "lenet5", "--plot", "{missing}/p.svg"]])
def test_bad_output_paths_are_refused_before_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    monkeypatch.setattr("cnncalc.analyze", lambda *a, **k: pytest.fail("analysed before the path was checked"))
    filled = [a.format(missing=tmp_path / "missing", folder=tmp_path) for a in args]
    code, _, err = run(monkeypatch, capsys, *filled)
    assert code == 2 and ("does not exist" in err or "is a folder" in err), err
