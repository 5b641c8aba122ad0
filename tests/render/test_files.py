"""The file writer every output goes through (`cnncalc.render.files`): whole or not at all, through
symbolic links, keeping mode, hard links and CRLF, never the input, never an existing file without force."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cnncalc.errors import CnnCalcError
from cnncalc.render.files import writable, write_bytes, write_text


def test_a_new_file_gets_the_umask_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "new.txt", "a\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_replacing_keeps_mode_links_and_line_endings(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_bytes(b"old\r\n")
    target.chmod(0o640)
    os.link(target, tmp_path / "second-name.txt")
    (tmp_path / "link.txt").symlink_to(target)
    assert write_text(tmp_path / "link.txt", "one\ntwo\n", force=True) == target
    assert target.read_bytes() == b"one\r\ntwo\r\n"
    assert (tmp_path / "second-name.txt").read_bytes() == b"one\r\ntwo\r\n"
    assert (tmp_path / "link.txt").is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_refusals(tmp_path: Path) -> None:
    existing = tmp_path / "e.txt"
    existing.write_text("keep\n")
    with pytest.raises(CnnCalcError, match="add --force"):
        write_text(existing, "new")
    with pytest.raises(CnnCalcError, match="network file being read"):
        write_text(existing, "new", force=True, inputs=[existing])
    with pytest.raises(CnnCalcError, match="is a folder"):
        writable(tmp_path)
    with pytest.raises(CnnCalcError, match="does not exist"):
        writable(tmp_path / "missing" / "f.txt")
    assert existing.read_text() == "keep\n"


def test_a_failed_write_leaves_the_old_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd: int, mode: str) -> None:
            self.stream = real_fdopen(fd, mode)

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *args: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> None:
            self.stream.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", Full)
    with pytest.raises(CnnCalcError, match="No space left"):
        write_bytes(target, b"new contents", force=True)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]
