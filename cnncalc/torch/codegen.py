"""Python source pieces that no input text can break: identifiers, literals, expressions, docstrings.

Everything `cnncalc export` and the torch backend write as code goes through
here. Names from a network file become identifiers only after being reduced to
``[A-Za-z0-9_]`` and kept clear of keywords and of the names the generated code
uses; where a name must survive as it is written (a submodule's name, which is
its state_dict path), it is written as a string literal (``repr``) instead, e.g.
``getattr(self, "global")``. Numbers are written by ``repr`` and refused when not
finite; expressions are rebuilt from the syntax tree of the language's safe
subset (names renamed, ``ceil``/``floor`` from ``math``), never pasted as text;
free text (titles, notes) appears only inside docstrings, escaped so that it
cannot end them.
"""

from __future__ import annotations

import ast
import itertools
import keyword
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

# names the generated code itself uses; a network's names never take them
RESERVED = frozenset({"self", "x", "torch", "nn", "math", "super", "i", "Sequence", "OrderedDict",
                      "getattr", "setattr", "range", "len", "min", "max", "abs", "round", "float", "int", "print",
                      "model", "state_dict", "None", "True", "False", "make_divisible"})


def identifier(text: str, taken: Iterable[str] = ()) -> str:
    """`text` as a Python identifier: other characters become ``_``; a keyword, a reserved or
    taken name gets a trailing ``_``. ``my-conv`` -> ``my_conv``, ``global`` -> ``global_``."""
    name = re.sub(r"\W", "_", text, flags=re.ASCII) or "_"
    if name[0].isdigit():
        name = "_" + name
    used = set(taken)
    while keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in RESERVED or name in used:
        name += "_"
    return name


def class_name(text: str, taken: Iterable[str] = ()) -> str:
    """A block or network name as a class name: ``dense_layer`` -> ``DenseLayer``."""
    parts = re.split(r"[^A-Za-z0-9]+", text)
    name = "".join(p[:1].upper() + p[1:] for p in parts if p) or "Net"
    if name[0].isdigit():
        name = "Net" + name
    return identifier(name, {*taken, "Module", "Sequential", "Tensor"})


def usable(name: str) -> bool:
    """Whether ``self.<name>`` is valid code for a submodule called `name`."""
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)


def attr(owner: str, name: str) -> str:
    """Code that reads submodule `name` of `owner`: ``self.conv1``, or ``getattr(self, 'global')``."""
    return f"{owner}.{name}" if usable(name) else f"getattr({owner}, {name!r})"


def literal(value: Any) -> str:
    """Python source of a constant: numbers, booleans, None, strings, tuples and lists of them."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        return repr(float(value))
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, tuple | list):
        items = ", ".join(literal(v) for v in value)
        if isinstance(value, list):
            return f"[{items}]"
        return f"({items},)" if len(value) == 1 else f"({items})"
    raise TypeError(f"cannot write {type(value).__name__} as a constant")


def docstring(text: str, indent: str = "") -> str:
    """`text` as a triple-quoted docstring that nothing in it can end: backslashes and quotes
    escaped, every unprintable character (except the line breaks kept) as an escape."""
    out = []
    for ch in text.replace("\r\n", "\n"):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\n" + indent)
        elif not ch.isprintable():
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    body = "".join(out).rstrip()
    return f'{indent}"""{body}"""'


class _Rename(ast.NodeTransformer):
    """Variables renamed (`names`: DSL name -> Python expression), ``ceil``/``floor`` from math."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.uses_math = False
        self.helpers: set[str] = set()

    def visit_Call(self, node: ast.Call) -> Any:
        node.args = [self.visit(a) for a in node.args]
        if isinstance(node.func, ast.Name) and node.func.id in HELPERS:
            self.helpers.add(node.func.id)
        if isinstance(node.func, ast.Name) and node.func.id in ("ceil", "floor"):
            self.uses_math = True
            node.func = ast.Attribute(ast.Name("math", ast.Load()), node.func.id, ast.Load())
        return node

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id not in self.names:
            raise KeyError(node.id)
        return ast.parse(self.names[node.id], mode="eval").body

    def visit_Constant(self, node: ast.Constant) -> Any:
        literal(node.value)  # numbers and booleans only; refuses what is not finite
        return node


FUNCTIONS = ("min", "max", "ceil", "floor", "round", "abs", "int", "make_divisible")
HELPERS = ("make_divisible",)  # functions the language has and Python lacks: written into the file


def expression(text: str, names: Mapping[str, str], helpers: set[str] | None = None) -> tuple[str, bool]:
    """The expression `text` (the YAML language's safe subset, already checked by the DSL, or
    built here) as Python, its variables renamed by `names`; and whether it needs ``math``
    (`helpers` collects the functions of `HELPERS` it calls). A name missing from `names` is a
    KeyError."""
    tree = ast.parse(text.strip(), mode="eval")
    allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
               ast.Constant, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.expr_context)
    for node in ast.walk(tree):
        if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            raise ValueError(f"not an arithmetic expression: {type(node).__name__}")
        if isinstance(node, ast.Call) and (node.keywords or not isinstance(node.func, ast.Name)
                                           or node.func.id not in FUNCTIONS):
            raise ValueError(f"only {', '.join(FUNCTIONS)} may be called")
    renamer = _Rename(names)
    body = renamer.visit(tree.body)
    if helpers is not None:
        helpers |= renamer.helpers
    return ast.unparse(body), renamer.uses_math


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`text` with each variable in `values` replaced by its expression (all in the DSL's syntax)."""
    names = {n: f"({v})" for n, v in values.items()}
    tree = ast.parse(text.strip(), mode="eval")
    free = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(FUNCTIONS)
    names |= {n: n for n in free if n not in names}
    names |= {f: f for f in FUNCTIONS if f not in ("ceil", "floor")}

    class Sub(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> Any:
            return ast.parse(names[node.id], mode="eval").body if node.id in names else node

    return ast.unparse(Sub().visit(tree.body))


def condition(text: str) -> str:
    """A repeat count of 0 or 1 read as a condition: ``1 if t != 1 else 0`` -> ``t != 1``."""
    tree = ast.parse(text, mode="eval").body
    if isinstance(tree, ast.IfExp) and isinstance(tree.body, ast.Constant) and isinstance(tree.orelse, ast.Constant):
        if (tree.body.value, tree.orelse.value) == (1, 0):
            return ast.unparse(tree.test)
        if (tree.body.value, tree.orelse.value) == (0, 1):
            return ast.unparse(ast.UnaryOp(ast.Not(), tree.test))
    return text


def wrap(line: str, width: int = 120) -> list[str]:
    """A line of generated code longer than `width`, broken after the opening parenthesis of its
    outermost call and at the commas between its arguments (found by Python's tokenizer, so never
    inside a string)."""
    if len(line) <= width:
        return [line]
    import io
    import tokenize

    indent = line[: len(line) - len(line.lstrip())]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return [line]
    depth, opened, commas, closed = 0, -1, [], -1
    for tok in tokens:
        if tok.type != tokenize.OP:
            continue
        if tok.string in "([{":
            depth += 1
            if depth == 1 and opened < 0:
                opened = tok.start[1]
        elif tok.string in ")]}":
            depth -= 1
            if depth == 0 and opened >= 0 and closed < 0:
                closed = tok.start[1]
        elif tok.string == "," and depth == 1 and closed < 0:
            commas.append(tok.start[1])
    body = line.strip()
    if opened < 0 or closed < 0:
        return [line]
    cuts = [opened + 1, *[c + 1 for c in commas], closed]
    args = [body[a:b].strip() for a, b in itertools.pairwise(cuts)]
    lines, current = [indent + body[: opened + 1]], indent + "    "
    for piece in args:
        if len(current) + len(piece) + 1 > width and current.strip():
            lines.append(current.rstrip())
            current = indent + "    "
        current += piece + " "
    lines.append(current.rstrip())
    lines.append(indent + body[closed:])
    broken: list[str] = []
    for piece in lines:  # an argument longer than the line (a call, a long tuple): broken the same way
        parts = wrap(piece, width) if len(piece) > width and piece != line else [piece]
        broken += parts
    return broken
