"""The built-in zoo: architectures shipped as YAML files, found by name.

In a source checkout the files are in ``archs/`` beside the package; an
installed wheel carries them inside the package as ``cnncalc/archs``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from cnncalc import sources
from cnncalc.errors import UnknownArchitecture


def archs_dir() -> Path:
    """The folder that holds the zoo's YAML files."""
    inside = Path(__file__).resolve().parent / "archs"
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / "archs"


def names() -> list[str]:
    """Every zoo network's name, sorted."""
    folder = archs_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def resolve(source: str | Path) -> Path | str:
    """A zoo name or a path to a YAML file -> the file's path.

    A string that names an existing file, or that looks like a path (a slash or a
    .yaml/.yml suffix), is a path; anything else is looked up in the zoo. A
    library's PyTorch model (``torchvision:NAME``) is returned as it is, for
    `cnncalc.load` to import; Python code (``file.py:Name``) is refused, as this is
    how a name written inside a file is resolved (`cnncalc.sources.refuse_code`).
    """
    if isinstance(source, str) and sources.refuse_code(source) is not None:
        return source
    path = Path(source)
    text = str(source)
    if path.is_file():
        return path
    if "/" in text or text.endswith((".yaml", ".yml")):
        raise UnknownArchitecture(f"no such file: {text}")
    candidate = archs_dir() / f"{text}.yaml"
    if candidate.is_file():
        return candidate
    known = names()
    close = difflib.get_close_matches(text, known, n=4, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UnknownArchitecture(
        f"unknown network {text!r}: neither a zoo name nor a file; {hint}`cnncalc list` shows the zoo"
    )
