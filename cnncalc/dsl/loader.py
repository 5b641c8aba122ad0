"""YAML text -> plain Python values that remember where they were written.

Only YAML's safe subset is accepted: the composer builds the node tree, and this
module converts it itself, so tags such as ``!!python/object`` are refused
rather than constructed. Mappings become `YMap` (a dict with the location of
every key and value), sequences `YList`; scalars become int, float, bool, None
or str, following YAML 1.1's core resolution as PyYAML's safe loader does, with one
addition: a plain (unquoted) number in exponent notation without a dot, such as
``1e-6``, is a float (YAML 1.2 reads it so; YAML 1.1 would make it a string).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cnncalc.errors import CnnCalcError, Location

# libyaml's parser when PyYAML was built with it (same nodes and marks, several times faster)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML 1.2's float without a dot (1e-6, 2E5): YAML 1.1 needs "1.0e-6" and reads "1e-6" as text
_EXPONENT_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
MAX_BYTES = 512 * 1024  # a longer text is refused before it is parsed (the zoo's largest file is 8 KB)
MAX_NODES = 100_000  # YAML nodes, aliases counted as often as they are used (the zoo's largest has ~2,000)
MAX_DEPTH = 64  # nesting of mappings and lists (the zoo's deepest is 6)
MAX_DIGITS = 100  # digits of an integer (sizes stop at 2**40, expressions at 256 bits: 78 digits)
# what YAML allows in a stream (YAML 1.1 §5.1): tab, line ends and printable Unicode
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DIGIT_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# tags YAML 1.1 gives plain scalars that cnncalc reads as text: `2024-01-01` (timestamp), `=` (value)
_TEXT_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class Written(float):
    """A float as written in the file (``3.4e4``): an answer's precision is in its digits."""

    written: str

    def __new__(cls, text: str, value: float) -> Written:
        number = super().__new__(cls, value)
        number.written = text
        return number


class YMap(dict[str, Any]):
    """A YAML mapping: a dict plus the location of the mapping, of each key and of each value."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location
        self.key_locations: dict[str, Location] = {}
        self.value_locations: dict[str, Location] = {}

    def loc(self, key: str) -> Location:
        """Where the value of `key` was written (the mapping itself if absent)."""
        return self.value_locations.get(key, self.location)


class YList(list[Any]):
    """A YAML sequence: a list plus the location of the sequence and of each item."""

    def __init__(self, location: Location) -> None:
        super().__init__()
        self.location = location
        self.item_locations: list[Location] = []

    def loc(self, index: int) -> Location:
        return self.item_locations[index] if 0 <= index < len(self.item_locations) else self.location


def load_text(text: str, filename: str) -> Any:
    """Parse YAML text; every error becomes a `CnnCalcError` at its line and column.

    Work is bounded before it is done: the text's length, then (on the composed node
    graph, each node once however many aliases use it) the nesting depth and the number
    of nodes with aliases expanded, so that neither a recursive alias nor a "billion
    laughs" document is ever walked.
    """
    if len(text) > MAX_BYTES:
        raise CnnCalcError(f"the document has {len(text):,} characters, more than the {MAX_BYTES:,} cnncalc reads; "
                           "split it, or use blocks and repeat", Location(filename, 1, 1))
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise CnnCalcError(f"control character U+{ord(bad.group()):04X} is not allowed in YAML; remove it "
                           "(inside double quotes, write it as an escape such as \\t)",
                           Location(filename, line, column))
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(filename, mark) if mark else Location(filename)
        problem = exc.problem or exc.context or "malformed YAML"
        raise CnnCalcError(f"YAML syntax error: {problem}; check the indentation and brackets", where) from None
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split())
        raise CnnCalcError(f"YAML error: {problem}", Location(filename)) from None
    if node is None:
        raise CnnCalcError("the file is empty; a network needs at least 'name', 'input' and 'layers'",
                           Location(filename, 1, 1))
    _measure(node, filename)
    return _Converter(filename).convert(node)


def load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CnnCalcError("the file is not UTF-8 text", Location(str(path))) from None
    except OSError as exc:
        raise CnnCalcError(f"cannot read the file: {exc.strerror}", Location(str(path))) from None
    return load_text(text, str(path))


def _loc(filename: str, mark: Any) -> Location:
    return Location(filename, mark.line + 1, mark.column + 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _measure(root: yaml.Node, filename: str) -> None:
    """Refuse a node graph that loops (an alias inside its own anchor), nests more than `MAX_DEPTH`
    deep, or has more than `MAX_NODES` nodes once its aliases are expanded; each node is visited once
    (no recursion: the depth is not yet known to be small)."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes with aliases expanded, height)
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            open_nodes.discard(key)
            size = 1 + sum(sizes[id(c)][0] for c in children)
            height = 1 + max((sizes[id(c)][1] for c in children), default=0)
            where = _loc(filename, node.start_mark)
            if height > MAX_DEPTH:
                raise CnnCalcError(f"the document nests more than {MAX_DEPTH} levels deep; flatten it", where)
            if size > MAX_NODES:
                raise CnnCalcError(f"the document has more than {MAX_NODES:,} YAML nodes (aliases counted each "
                                   "time they are used); refusing to read it", where)
            sizes[key] = (size, height)
            continue
        if key in sizes:
            continue
        if key in open_nodes:  # reached again before it was finished: it contains itself
            raise CnnCalcError("an alias is used inside its own anchor, which would make an endless value; "
                               "write the value out", _loc(filename, node.start_mark))
        open_nodes.add(key)
        stack.append((node, True))
        stack += [(c, False) for c in children if id(c) not in sizes]


class _Converter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.constructor = yaml.SafeLoader("")  # scalar construction rules of the safe loader

    def convert(self, node: yaml.Node) -> Any:
        where = _loc(self.filename, node.start_mark)
        if isinstance(node, yaml.ScalarNode) and not node.style and node.tag in _TEXT_TAGS:
            return node.value  # `title: 2024-01-01` is text, not a date
        if node.tag not in _SAFE_TAGS:
            raise CnnCalcError(
                f"YAML tag {node.tag!r} is not allowed: cnncalc reads plain YAML only "
                "(mappings, lists, numbers, strings); remove the tag",
                where,
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where)
        if isinstance(node, yaml.SequenceNode):
            seq = YList(where)
            for item in node.value:
                seq.append(self.convert(item))
                seq.item_locations.append(_loc(self.filename, item.start_mark))
            return seq
        if (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and not node.style
                and _EXPONENT_FLOAT.match(node.value)):
            return Written(node.value, float(node.value.replace("_", "")))
        if node.tag in _DIGIT_TAGS and sum(c.isdigit() for c in node.value) > MAX_DIGITS:
            raise CnnCalcError(f"a number of {sum(c.isdigit() for c in node.value):,} digits is too long "
                               f"(at most {MAX_DIGITS}); write a smaller number", where)
        value = self.constructor.construct_object(node, deep=True)
        if isinstance(value, float) and isinstance(node, yaml.ScalarNode) and not node.style:
            return Written(node.value, value)
        return value

    def _mapping(self, node: yaml.MappingNode, where: Location) -> YMap:
        result = YMap(where)
        for key_node, value_node in node.value:
            key_where = _loc(self.filename, key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise CnnCalcError("YAML merge keys ('<<') are not supported; write the keys out", key_where)
            key = self.convert(key_node)
            if isinstance(key, YMap | YList) or key is None:
                raise CnnCalcError("a mapping key must be a plain name", key_where)
            key = str(key) if not isinstance(key, bool) else str(key).lower()
            if key in result:
                raise CnnCalcError(
                    f"duplicate key {key!r} (first at line {result.key_locations[key].line}); keep one", key_where
                )
            result[key] = self.convert(value_node)
            result.key_locations[key] = key_where
            result.value_locations[key] = _loc(self.filename, value_node.start_mark)
        return result
