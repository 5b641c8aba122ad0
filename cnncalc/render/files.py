"""Files cnncalc writes (`export -o`): never the input, never an existing file without --force,
through symlinks to their targets, keeping the mode and line endings of the file they replace,
and atomically: a failed write leaves the old file (or nothing) behind, never half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from cnncalc.errors import CnnCalcError


def write_text(path: str | Path, text: str, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> Path:
    """Write `text` (UTF-8) to `path`; returns the file written (the symlink's target)."""
    given = Path(path)
    target = Path(os.path.realpath(given))
    for source in inputs:
        if Path(source).exists() and target.exists() and os.path.samefile(target, source):
            raise CnnCalcError(f"{given} is the network file being read; refusing to replace it with the output "
                               "(write to another file)")
    if target.is_dir():
        raise CnnCalcError(f"{given} is a folder; give a file name, e.g. {given / 'net.py'}")
    if not target.parent.is_dir():
        raise CnnCalcError(f"cannot write {given}: the folder {target.parent} does not exist")
    mode = None
    if target.exists():
        if not force:
            raise CnnCalcError(f"{given} exists; add --force to replace it")
        mode = target.stat().st_mode & 0o7777
        if b"\r\n" in target.read_bytes()[:65536]:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if mode is None:
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
