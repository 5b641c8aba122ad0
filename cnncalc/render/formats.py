"""Output formats and numbers as people read them: JSON, CSV, Markdown, 1.23 M, 9.19 MiB.

Light on purpose (no analysis, no rich): `cnncalc list` renders from here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any


def to_json(data: Any, depth: int = 2) -> str:
    """`data` as JSON, laid out (indent 1) for `depth` levels and one line per value below them: a
    report has a line per layer. json's C encoder writes each line; an indented dump would use the
    pure-Python encoder, ten times slower on a 500-layer network."""
    return _json(data, depth, 0)


def _json(value: Any, depth: int, level: int) -> str:
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    if depth <= 0 or not any(isinstance(v, dict | list) for v in inner):  # scalars, and lists of them: one line
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (level + 1)
    if isinstance(value, dict):
        parts = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {_json(v, depth - 1, level + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + "\n" + " " * level + "}"
    return "[\n" + ",\n".join(pad + _json(v, depth - 1, level + 1) for v in value) + "\n" + " " * level + "]"


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_markdown(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[bool]) -> str:
    def cell(v: Any) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# -- numbers as people read them -----------------------------------------------------------


def human(n: float, unit: str = "") -> str:
    """1234567 -> '1.23 M'; exact below a thousand."""
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {prefix}{unit}"
    return f"{n:g} {unit}".rstrip()


def human_bytes(n: int) -> str:
    """Binary units, with the decimal megabytes of `compare` beside them: ``97.49 MiB (102.23 MB)``."""
    return binary_bytes(n) + (f" ({n / 1e6:.2f} MB)" if n >= 10**6 else "")


def binary_bytes(n: int) -> str:
    """Binary units alone, for tables of many sizes side by side: ``97.49 MiB``, ``512 B``."""
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n} B"
