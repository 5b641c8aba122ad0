"""The translation catalogs: collect the message ids, merge them into each .po, compile the .mo files.

    .venv/bin/python tools/i18n.py extract    # cnncalc/locale/cnncalc.pot, and new ids into every .po
    .venv/bin/python tools/i18n.py compile    # every .po -> its .mo (what cnncalc reads)
    .venv/bin/python tools/i18n.py check      # ids without a translation; exit 1 if any

A message id is the English text of a ``Msg("...")``, the two forms of a
``Plural(n, "one", "many")`` or ``Noun(n, "one", "many")`` anywhere in ``cnncalc/``
(read from the source, never imported), and the text of every layer kind's FLOP
rule (read from the registry, since rules build theirs from their arguments).
A teacher corrects ``cnncalc/locale/ru/LC_MESSAGES/cnncalc.po`` and runs
``compile``; the tests check that the .mo is the compiled .po and that every id
has a translation whose ``{placeholders}`` are the id's.
"""

from __future__ import annotations

import argparse
import ast
import re
import string
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnncalc"
LOCALE = PACKAGE / "locale"
DOMAIN = "cnncalc"
HEADER = {
    "ru": ("Project-Id-Version: cnncalc\n"
           "Language: ru\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=UTF-8\n"
           "Content-Transfer-Encoding: 8bit\n"
           "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
           "(n%100<10 || n%100>=20) ? 1 : 2);\n"),
}


@dataclass
class Entry:
    """One message: its id (and plural id), its translations, where the code uses it, its flags."""

    msgid: str
    plural: str = ""
    strings: list[str] = field(default_factory=list)  # msgstr, or msgstr[0..n]
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # translator comments, kept
    fuzzy: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.strings) and all(self.strings) and not self.fuzzy


# -- extraction ---------------------------------------------------------------------------------------


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(package: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(msgid, plural id) -> the places that use it: literal Msg, Plural and Noun texts, and FLOP rules."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name == "Msg" and node.args and (text := _text(node.args[0])) is not None:
                found.setdefault((text, ""), []).append(f"{where}:{node.lineno}")
            elif name in ("Plural", "Noun") and len(node.args) == 3:
                one, many = _text(node.args[1]), _text(node.args[2])
                if one is not None and many is not None:
                    found.setdefault((one, many), []).append(f"{where}:{node.lineno}")
    sys.path.insert(0, str(package.parent))
    from cnncalc.layers import REGISTRY

    for kind, cls in sorted(REGISTRY.items()):
        found.setdefault((cls.FLOPS.doc, ""), []).append(f"FLOP rule of {kind}")
    return {key: places for key, places in found.items() if _words(key[0])}


def _words(text: str) -> bool:
    """Whether a message has words to translate (``{a} and {b}`` has; ``{layer}: {note}`` has not)."""
    return any(c.isalpha() for c in re.sub(r"\{[^{}]*\}", "", text))


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (``{f.shown}`` counts as ``f.shown``)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# -- .po files ------------------------------------------------------------------------------------------


def _unquote(line: str) -> str:
    return ast.literal_eval(line.strip())  # a .po string is a C string; these are Python-compatible


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def read_po(path: Path) -> tuple[str, list[Entry]]:
    """The header (msgstr of the empty id) and the entries of a .po file."""
    header, entries = "", []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    comments: list[str] = []
    fuzzy = False
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if current is not None:
                if current.msgid == "":
                    header = current.strings[0] if current.strings else ""
                else:
                    entries.append(current)
                current, target = None, None
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
        elif line.startswith("# "):
            comments.append(line[2:])
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            assert current is not None
            current.plural = _unquote(line[13:])
            target = ("plural", 0)
        elif line.startswith("msgid "):
            current = Entry(_unquote(line[6:]), comments=comments, fuzzy=fuzzy)
            comments, fuzzy = [], False
            target = ("msgid", 0)
        elif line.startswith("msgstr"):
            assert current is not None
            index = int(m.group(1)) if (m := re.match(r"msgstr\[(\d+)\]", line)) else 0
            while len(current.strings) <= index:
                current.strings.append("")
            current.strings[index] = _unquote(line.split(" ", 1)[1])
            target = ("msgstr", index)
        elif line.startswith('"') and current is not None and target is not None:
            piece = _unquote(line)
            kind, index = target
            if kind == "msgid":
                current.msgid += piece
            elif kind == "plural":
                current.plural += piece
            else:
                current.strings[index] += piece
    return header, entries


def write_po(path: Path, header: str, entries: list[Entry]) -> None:
    lines = ["# Russian messages of cnncalc. Correct a msgstr, then run: python tools/i18n.py compile",
             'msgid ""', 'msgstr ""', *(_quote(line) for line in header.splitlines(keepends=True)), ""]
    for e in entries:
        lines += [f"# {c}" for c in e.comments]
        lines += [f"#: {r}" for r in e.references[:3]]
        if e.fuzzy:
            lines.append("#, fuzzy")
        lines.append(f"msgid {_quote(e.msgid)}")
        if e.plural:
            lines.append(f"msgid_plural {_quote(e.plural)}")
            strings = e.strings or ["", "", ""]
            lines += [f"msgstr[{k}] {_quote(s)}" for k, s in enumerate(strings)]
        else:
            lines.append(f"msgstr {_quote(e.strings[0] if e.strings else '')}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def merge(po: Path, ids: dict[tuple[str, str], list[str]], language: str) -> list[Entry]:
    """The .po's entries for exactly `ids`: translations kept, new ids untranslated, old ids dropped."""
    header, old = read_po(po) if po.is_file() else (HEADER[language], [])
    known = {(e.msgid, e.plural): e for e in old}
    entries = []
    for (msgid, plural), places in sorted(ids.items(), key=lambda kv: (kv[1][0], kv[0])):
        entry = known.get((msgid, plural)) or Entry(msgid, plural)
        entry.references = places
        entries.append(entry)
    write_po(po, header, entries)
    return entries


# -- .mo files ------------------------------------------------------------------------------------------


def compile_mo(header: str, entries: list[Entry]) -> bytes:
    """GNU gettext's binary catalog: the translated entries (and the header), sorted by id."""
    pairs = {"": header.encode("utf-8")}
    for e in entries:
        if not e.translated:
            continue
        key = e.msgid + ("\0" + e.plural if e.plural else "")
        pairs[key] = "\0".join(e.strings).encode("utf-8")
    keys = sorted(pairs)
    ids = [k.encode("utf-8") for k in keys]
    strs = [pairs[k] for k in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count
    offsets, data = [], b""
    for blob in ids:
        offsets.append((len(blob), start + len(data)))
        data += blob + b"\0"
    for blob in strs:
        offsets.append((len(blob), start + len(data)))
        data += blob + b"\0"
    head = struct.pack("Iiiiiii", 0x950412DE, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    table = b"".join(struct.pack("ii", n, o) for n, o in offsets)
    return head + table + data


def catalogs() -> list[tuple[str, Path]]:
    return [(p.parent.parent.name, p) for p in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("extract", "compile", "check"))
    args = parser.parse_args()
    if args.action == "extract":
        ids = extract()
        for language, po in catalogs():
            entries = merge(po, ids, language)
            print(f"{po.relative_to(ROOT)}: {len(entries)} messages, "
                  f"{sum(1 for e in entries if not e.translated)} to translate")
        return 0
    if args.action == "compile":
        for _, po in catalogs():
            header, entries = read_po(po)
            po.with_suffix(".mo").write_bytes(compile_mo(header, entries))
        return 0
    missing = 0
    ids = extract()
    for _, po in catalogs():
        translated = {(e.msgid, e.plural) for e in read_po(po)[1] if e.translated}
        for key in sorted(set(ids) - translated):
            missing += 1
            print(f"{po.relative_to(ROOT)}: no translation of {key[0]!r} ({ids[key][0]})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
