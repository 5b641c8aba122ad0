"""Plain-language remarks as data: an English message with named values, rendered when shown.

A layer's remarks ("one output channel per filter", "the 3×3 filter does not tile a
7×7 input ...") are `Msg` values, not strings: the English text is the message id
that a translation catalog maps to another language, and the numbers and formulas
in it are filled in only when the remark is shown, so the analysis never pays for
text it does not print.

>>> str(Msg("{n} of {k}", n=Plural(10, "filter", "filters"), k="3×3"))
'10 filters of 3×3'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnncalc.layers.formula import Formula, num

Translate = Callable[[str], str]
PluralTranslate = Callable[[str, str, int], str]


def _identity(text: str) -> str:
    return text


def _english_plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


@dataclass(frozen=True)
class Language:
    """How remarks are rendered: gettext's ``gettext`` and ``ngettext`` of a catalog (English by default)."""

    gettext: Translate = _identity
    ngettext: PluralTranslate = _english_plural
    code: str = "en"


ENGLISH = Language()


@dataclass(frozen=True)
class Plural:
    """A count with its noun, ``1 bias`` / ``10 biases``, chosen by the language's plural rule."""

    count: int
    one: str
    many: str

    def render(self, language: Language = ENGLISH) -> str:
        return f"{num(self.count)} {language.ngettext(self.one, self.many, self.count)}"


@dataclass(frozen=True)
class Noun:
    """A noun in the form its count asks for, without the count: ``row`` / ``rows`` (Russian has three)."""

    count: int
    one: str
    many: str

    def render(self, language: Language = ENGLISH) -> str:
        return language.ngettext(self.one, self.many, self.count)


@dataclass(frozen=True, init=False)
class Msg:
    """An English message id with ``{name}`` placeholders and their values (numbers, formulas,
    other messages, plurals); `render` translates and fills it in."""

    text: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, text: str, /, **values: Any) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "values", values)

    def render(self, language: Language = ENGLISH) -> str:
        filled = {k: _shown(v, language) for k, v in self.values.items()}
        return language.gettext(self.text).format(**filled)

    def __str__(self) -> str:
        return self.render()


def _shown(value: Any, language: Language) -> Any:
    if isinstance(value, Msg | Plural | Noun):
        return value.render(language)
    if isinstance(value, Formula):
        return value  # formats as its text; ``{f.shown}`` gives its value
    return value


def joined(parts: Sequence[Msg], separator: str = "; ") -> Msg | str:
    """Several remarks as one (``""`` for none)."""
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return Msg(separator.join(f"{{p{k}}}" for k in range(len(parts))), **{f"p{k}": m for k, m in enumerate(parts)})


def render(item: Msg | str, language: Language = ENGLISH) -> str:
    """A remark or a plain string as text."""
    return item if isinstance(item, str) else item.render(language)


__all__ = ["ENGLISH", "Language", "Msg", "Noun", "Plural", "joined", "render"]
