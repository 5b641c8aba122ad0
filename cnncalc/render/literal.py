"""User text (a title, an answer as written, a file name) made safe to print through rich.

Rich reads ``[bold]`` in a printed string as markup, so a title such as
``[/bogus]`` would be an error and ``[red]`` a style; a control character such as
ESC would reach the terminal as a command. `shown` makes control characters (and
the bidirectional overrides that reorder a line) visible as escapes; `literal` also
escapes rich's markup, for text placed inside a markup string.

>>> shown("a\\x1b[31mb"), literal("[/bogus] C:\\\\users")
('a\\\\x1b[31mb', '\\\\[/bogus] C:\\\\users')
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """`text` with every control character written as an escape (``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def literal(text: str) -> str:
    """`text` as it is written, inside a rich markup string: markup escaped, control characters visible."""
    from rich.markup import escape

    return escape(shown(text))


__all__ = ["literal", "shown"]
