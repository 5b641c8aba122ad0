"""Hostile answer files and quizzes (issue 16): limits, `network:` confined to the answer file's folder,
answers too large to be numbers, and the files `check --fill` and `quiz -o` write.

A teacher runs `check` on files students wrote: a `network:` outside the answer
file's folder is refused without being opened (the test's secret file would
otherwise show in the message, as /etc/shadow's first line did).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from cnncalc.cli import main
from cnncalc.homework import sheet
from cnncalc.homework.check import check_file

LAYER_PROBLEM = "  - {layer: {conv: {out: 8, kernel: 3}}, input: [3, 32, 32], answers: {params: 224}}\n"
NET = "name: tiny\ninput: [3, 8, 8]\nlayers:\n  - {conv: {out: 2, kernel: 3}}\n"  # params 2·3·3·3 + 2 = 56


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    with pytest.raises(SystemExit) as info:
        main()
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_too_many_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("problems:\n" + LAYER_PROBLEM * 2000)
    code, out, err = run(monkeypatch, capsys, "check", str(path))
    # problem 201 (index 200) is on line 202, after "problems:" and 200 problems; "  - " puts it at column 5
    assert (code, out) == (2, "")
    assert err.startswith(f"cnncalc: {path}:202:5: the file has 2,000 problems, more than the 200"), err


def test_problems_on_one_network_share_its_analysis(tmp_path: Path) -> None:
    path = tmp_path / "same.yaml"
    path.write_text("problems:\n" + LAYER_PROBLEM * 150)  # 3·3·3·8 + 8 = 224 parameters
    report = check_file(path)
    assert report.right == 150


def test_too_many_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.yaml"
    answers = "".join(f"  a{k}.params: 1\n" for k in range(sheet.MAX_ANSWERS + 1))
    path.write_text("network: lenet5\nanswers:\n" + answers)
    code, _, err = run(monkeypatch, capsys, "check", str(path))
    assert code == 2 and "more than 2,000 answers" in err and err.startswith(f"cnncalc: {path}:1:1: "), err


@pytest.mark.parametrize("answer", ["1e999999999", ".inf", ".nan", "-.inf", "9" * 5000 + "e5"])
def test_answers_too_large_to_be_numbers_are_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str], answer: str) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(f"network: lenet5\nanswers:\n  total.params: '{answer}'\n  total.macs: {answer}\n")
    code, out, err = run(monkeypatch, capsys, "check", str(path), "--format", "json")
    assert (code, err) == (1, ""), err  # two wrong answers, each with its reason
    assert out.count('"correct": false') == 2


def test_an_integer_of_5000_digits_as_an_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("network: lenet5\nanswers:\n  total.params: " + "9" * 5000 + "\n")
    code, _, err = run(monkeypatch, capsys, "check", str(path))
    assert code == 2 and err.startswith(f"cnncalc: {path}:3:17: a number of 5,000 digits"), err


def _outside(tmp_path: Path) -> tuple[Path, Path]:
    """A secret network file beside the answer file's folder, and that folder."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("SECRET-FIRST-LINE: 1\n")
    folder = tmp_path / "student"
    folder.mkdir()
    return secret, folder


@pytest.mark.parametrize("network", ["ABSOLUTE", "../secret.yaml", "link.yaml", "./../secret.yaml"])
def test_network_outside_the_answer_folder_is_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str], network: str) -> None:
    secret, folder = _outside(tmp_path)
    (folder / "link.yaml").symlink_to(secret)
    written = str(secret) if network == "ABSOLUTE" else network
    path = folder / "answers.yaml"
    path.write_text(f"network: {written}\nanswers:\n  total.params: 1\n")
    opened: list[str] = []
    real_open = open

    def spy(file: object, *args: object, **kwargs: object) -> object:
        opened.append(os.path.realpath(str(file)))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", spy)
    monkeypatch.setattr("io.open", spy)  # pathlib's read_text opens through io.open
    code, out, err = run(monkeypatch, capsys, "check", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"cnncalc: {path}:1:10: network: ") and "outside" in err, err
    assert "SECRET" not in err
    assert str(secret) not in opened


def test_allow_permits_another_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    nets = tmp_path / "nets"
    nets.mkdir()
    (nets / "tiny.yaml").write_text(NET)
    folder = tmp_path / "student"
    folder.mkdir()
    path = folder / "answers.yaml"
    path.write_text("network: ../nets/tiny.yaml\nanswers:\n  total.params: 56\n")
    code, _, err = run(monkeypatch, capsys, "check", str(path))
    assert code == 2 and "outside" in err
    code, _, err = run(monkeypatch, capsys, "check", str(path), "--allow", str(nets))
    assert (code, err) == (0, "")


def test_network_files_under_the_folder_and_zoo_names_work(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tiny.yaml").write_text(NET)
    path = tmp_path / "answers.yaml"
    path.write_text("problems:\n  - {network: sub/tiny.yaml, answers: {total.params: 56}}\n"
                    "  - {network: lenet5, answers: {total.params: 61706}}\n")  # LeCun's LeNet-5: 61,706
    assert check_file(path).right == 2


def test_markup_and_escapes_in_an_answer_print_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text('title: "[/bogus] exam"\nnetwork: lenet5\nanswers:\n  total.params: "[red]x\\e[31m"\n')
    code, out, err = run(monkeypatch, capsys, "check", str(path))
    assert (code, err) == (1, "")  # one wrong answer, no MarkupError
    assert "[/bogus] exam" in out and "[red]x\\x1b[31m" in out  # as written, the escape made visible
    assert "\x1b" not in out


def test_a_control_character_in_the_title_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text('title: "exam\\e[2J"\nnetwork: lenet5\nanswers:\n  total.params: 1\n')
    code, _, err = run(monkeypatch, capsys, "check", str(path))
    assert code == 2 and err.startswith(f"cnncalc: {path}:1:8: 'title' contains the control character U+001B")


# -- files written ---------------------------------------------------------------------------------

SHEET = "network: lenet5\nanswers:\n  total.params: ?\n"  # filled: 61706


def test_fill_keeps_mode_crlf_symlink_and_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sheet.yaml"
    target.write_bytes(SHEET.replace("\n", "\r\n").encode())
    target.chmod(0o664)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    other = tmp_path / "other-name.yaml"
    os.link(target, other)
    code, _, err = run(monkeypatch, capsys, "check", str(link), "--fill")
    assert (code, err) == (0, "")
    assert link.is_symlink()
    assert target.read_bytes() == b"network: lenet5\r\nanswers:\r\n  total.params: 61706\r\n"
    assert other.read_bytes() == target.read_bytes() and os.path.samefile(other, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


def test_fill_keeps_a_read_only_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sheet.yaml"
    target.write_text(SHEET)
    target.chmod(0o444)
    code, _, err = run(monkeypatch, capsys, "check", str(target), "--fill")
    assert (code, err) == (0, "")
    assert "61706" in target.read_text() and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_fill_to_an_existing_file_needs_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source, key = tmp_path / "sheet.yaml", tmp_path / "key.yaml"
    source.write_text(SHEET)
    key.write_text("keep me\n")
    code, _, err = run(monkeypatch, capsys, "check", str(source), "--fill", "-o", str(key))
    assert code == 2 and "add --force" in err and key.read_text() == "keep me\n"
    code, _, err = run(monkeypatch, capsys, "check", str(source), "--fill", "-o", str(key), "--force")
    assert code == 0 and "61706" in key.read_text() and source.read_text() == SHEET


def test_fill_into_a_missing_folder_fails_before_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "sheet.yaml"
    source.write_text(SHEET)
    monkeypatch.setattr("cnncalc.homework.check.check_file", lambda *a, **k: pytest.fail("checked first"))
    code, _, err = run(monkeypatch, capsys, "check", str(source), "--fill", "-o", str(tmp_path / "no" / "key.yaml"))
    assert code == 2 and "does not exist" in err


def test_a_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sheet.yaml"
    target.write_text(SHEET)

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, _, err = run(monkeypatch, capsys, "check", str(target), "--fill")
    assert code == 2 and "No space left on device" in err
    assert target.read_text() == SHEET
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet.yaml"]  # no temporary file left


def test_quiz_refuses_to_overwrite_without_force(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.key.yaml").write_text("mine\n")
    code, _, err = run(monkeypatch, capsys, "quiz", "lenet5", "-n", "2", "-o", "q")
    assert code == 2 and "add --force" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.key.yaml"]  # none of the three written
    assert (tmp_path / "q.key.yaml").read_text() == "mine\n"
    code, _, err = run(monkeypatch, capsys, "quiz", "lenet5", "-n", "2", "-o", "q", "--force")
    assert code == 0 and "answers:" in (tmp_path / "q.key.yaml").read_text()


@pytest.mark.parametrize("output", ["outdir/", "outdir", "."])
def test_quiz_into_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                            output: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outdir").mkdir()
    code, _, err = run(monkeypatch, capsys, "quiz", "lenet5", "-n", "2", "--seed", "3", "-o", output)
    assert (code, err) == (0, "")
    folder = tmp_path / ("." if output == "." else "outdir")
    names = {p.name for p in folder.iterdir() if p.is_file()}
    assert names == {"quiz_lenet5_3.md", "quiz_lenet5_3.key.yaml", "quiz_lenet5_3.sheet.yaml"}
    assert check_file(folder / "quiz_lenet5_3.key.yaml").wrong == 0
