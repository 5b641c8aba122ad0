"""Files cnncalc writes (`export -o`, `check --fill`, `quiz -o`, `draw -o`, `--plot`, `bench -o`).

Never the input, never an existing file without ``force``; through symbolic links to
their targets; keeping the mode, the hard links and the line endings (CRLF) of the file
they replace; and whole: the text is written to a temporary file beside the target
first, so a failed write (a full disk, a folder that cannot be written) leaves the old
file, or nothing, behind, never half a file. A file with other hard links is then
rewritten in place (a rename would cut it off from its other names); the space the
temporary file held is what it needs, and the old bytes are put back if it fails.
`writable` makes every check without writing, so that a command can refuse a bad
output path before its long run rather than lose the results after it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cnncalc.errors import CnnCalcError


def writable(path: str | Path, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """The file that writing `path` would replace (symbolic links followed), after every check."""
    given = Path(path)
    target = Path(os.path.realpath(given))
    for source in inputs:
        if Path(source).exists() and target.exists() and os.path.samefile(target, source):
            raise CnnCalcError(f"{given} is the network file being read; refusing to replace it with the output "
                               "(write to another file)")
    if target.is_dir():
        raise CnnCalcError(f"{given} is a folder; give a file name, e.g. {given / 'out'}")
    if not target.parent.is_dir():
        raise CnnCalcError(f"cannot write {given}: the folder {target.parent} does not exist; create it first")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise CnnCalcError(f"cannot write {given}: the folder {target.parent} is not writable")
    if target.exists():
        if not force:
            raise CnnCalcError(f"{given} exists; add --force to replace it, or name another file")
        if not os.access(target, os.W_OK) and target.stat().st_nlink > 1:
            raise CnnCalcError(f"cannot write {given}: the file is read-only")
    return target


def write_text(path: str | Path, text: str, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write `text` (UTF-8; CRLF line ends where the replaced file has them); returns the file written."""
    target = writable(path, force=force, inputs=inputs)
    if target.exists():
        with open(target, "rb") as old:
            if b"\r\n" in old.read(65536):
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return write_bytes(path, text.encode("utf-8"), force=force, inputs=inputs)


def write_bytes(path: str | Path, data: bytes, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write `data` whole (see the module's notes); returns the file written (a symbolic link's target)."""
    given = Path(path)
    target = writable(path, force=force, inputs=inputs)
    info = target.stat() if target.exists() else None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise CnnCalcError(f"cannot write {given}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if info is not None and info.st_nlink > 1:
            os.unlink(tmp)  # its space is now free for the rewrite
            _rewrite(target, data)
            return target
        if info is not None:
            mode = info.st_mode & 0o7777
        else:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise CnnCalcError(f"cannot write {given}: {exc.strerror or exc}") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def _rewrite(target: Path, data: bytes) -> None:
    """Replace a hard-linked file's bytes in place (every name sees them); the old bytes back on failure."""
    with open(target, "r+b") as f:
        old = f.read()
        try:
            f.seek(0)
            f.write(data)
            f.truncate()
            f.flush()
            os.fsync(f.fileno())
        except OSError:
            f.seek(0)
            f.write(old)
            f.truncate()
            raise


__all__ = ["writable", "write_bytes", "write_text"]
