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
MAX_NODES = 1_000_000  # a document larger than this is refused: no real network needs it

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
    """Parse YAML text; every error becomes a `CnnCalcError` at its line and column."""
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _loc(filename, mark) if mark else Location(filename)
        problem = exc.problem or exc.context or "malformed YAML"
        raise CnnCalcError(f"YAML syntax error: {problem}; check the indentation and brackets", where) from None
    except yaml.YAMLError as exc:
        raise CnnCalcError(f"YAML error: {exc}", Location(filename)) from None
    if node is None:
        raise CnnCalcError("the file is empty; a network needs at least 'name', 'input' and 'layers'",
                           Location(filename, 1, 1))
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


class _Converter:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.count = 0
        self.constructor = yaml.SafeLoader("")  # scalar construction rules of the safe loader

    def convert(self, node: yaml.Node) -> Any:
        self.count += 1
        where = _loc(self.filename, node.start_mark)
        if self.count > MAX_NODES:
            raise CnnCalcError(f"the document has more than {MAX_NODES:,} YAML nodes; refusing to read it", where)
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
