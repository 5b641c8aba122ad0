"""The built-in zoo: architectures shipped as YAML files, found by name.

In a source checkout the files are in ``archs/`` beside the package; an
installed wheel carries them inside the package as ``cnncalc/archs``.

A file is one network, named by its stem (``resnet50.yaml``), or a family with
``variants`` (``efficientnet.yaml``: efficientnet_b0 … efficientnet_b7): each
variant is a zoo name of its own, the file read with the variant's settings.
"""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

from cnncalc.dsl.document import variant_table
from cnncalc.dsl.loader import YMap, load_text
from cnncalc.errors import CnnCalcError, UnknownArchitecture

VARIANTS_KEY = "\nvariants:"  # a family file says so at the top level; other files are not parsed to list them


def archs_dir() -> Path:
    """The folder that holds the zoo's YAML files."""
    inside = Path(__file__).resolve().parent / "archs"
    return inside if inside.is_dir() else Path(__file__).resolve().parent.parent / "archs"


def variants_of(path: Path) -> tuple[str, ...]:
    """The variant names a family file declares (none for a single network)."""
    return _variants(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _variants(path: Path, mtime: int) -> tuple[str, ...]:
    text = path.read_text(encoding="utf-8")
    if VARIANTS_KEY not in text:
        return ()
    doc = load_text(text, str(path))
    return tuple(variant_table(doc)) if isinstance(doc, YMap) else ()


def entries() -> list[tuple[str, Path, str | None]]:
    """Every zoo network: (zoo name, file, variant or None), in file order."""
    folder = archs_dir()
    result: list[tuple[str, Path, str | None]] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        found = variants_of(path)
        result += [(v, path, v) for v in found] if found else [(path.stem, path, None)]
    return result


def names() -> list[str]:
    """Every zoo network's name, sorted (a family file lists its variants, not itself)."""
    return sorted(name for name, _, _ in entries())


def locate(source: str | Path) -> tuple[Path, str | None]:
    """A zoo name or a path to a YAML file -> the file's path and the variant to read (None: the file as is).

    A string that names an existing file, or that looks like a path (a slash or a
    .yaml/.yml suffix), is a path; anything else is looked up in the zoo: a file of
    that name, else a variant of a family file (those whose name begins the variant's
    are searched first).
    """
    path = Path(source)
    text = str(source)
    if path.is_file():
        return path, None
    if "/" in text or text.endswith((".yaml", ".yml")):
        raise UnknownArchitecture(f"no such file: {text}")
    folder = archs_dir()
    candidate = folder / f"{text}.yaml"
    if candidate.is_file():
        return candidate, None
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    files.sort(key=lambda p: not text.startswith(p.stem))  # likely families first; stable otherwise
    for family in files:
        try:
            if text in variants_of(family):
                return family, text
        except CnnCalcError:
            continue  # a broken file in the zoo is reported when it is read by name
    close = difflib.get_close_matches(text, names(), n=4, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise UnknownArchitecture(
        f"unknown network {text!r}: neither a zoo name nor a file; {hint}`cnncalc list` shows the zoo"
    )


def resolve(source: str | Path) -> Path:
    """The file a zoo name or path is read from (for a variant: its family's file; see `locate`)."""
    return locate(source)[0]
