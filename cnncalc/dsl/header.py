"""A network file as `cnncalc show` gives it: its text and its header (title, source, notes, accuracy).

For a variant of a family file (``efficientnet_b3``), the family file's text and the
variant's own header: its title, notes and accuracy where it gives them, else the family's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnncalc.dsl.document import parse_document, variant_table
from cnncalc.dsl.loader import YMap, load_text
from cnncalc.spec import Published


@dataclass(frozen=True)
class Header:
    name: str
    title: str
    family: str
    source: str
    notes: str
    accuracy: Published | None
    file: str
    variant: str | None  # the variant of a family file, else None
    variants: tuple[str, ...]  # every variant the file declares
    text: str  # the file as written


def read_header(path: Path, variant: str | None = None) -> Header:
    """The header of the network in `path` (a variant of it if given) and the file's text."""
    text = path.read_text(encoding="utf-8")
    doc = load_text(text, str(path))
    parsed = parse_document(doc, str(path), variant=variant)
    variants = tuple(variant_table(doc)) if isinstance(doc, YMap) else ()
    return Header(parsed.name, parsed.title, parsed.family, parsed.source, parsed.notes, parsed.accuracy,
                  str(path), variant, variants, text)


__all__ = ["Header", "read_header"]
