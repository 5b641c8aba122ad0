"""The language of what people read: gettext catalogs chosen per command.

Every sentence cnncalc shows is an English message id (`cnncalc.layers.text.Msg`,
`Plural`, `Noun`); a catalog maps it to another language. The catalogs are
gettext's: ``cnncalc/locale/LANG/LC_MESSAGES/cnncalc.po`` (the text a teacher
corrects) compiled to ``cnncalc.mo`` (what is shipped and read) with
``python tools/i18n.py compile``; ``python tools/i18n.py extract`` collects the
message ids from the code and merges them into each ``.po``.

The language comes from ``--lang``, else from the first of ``LC_ALL``,
``LC_MESSAGES`` and ``LANG`` that is set (``ru_RU.UTF-8`` -> ``ru``), as POSIX
programs choose theirs; a language without a catalog is English. It is passed
to the renderers as a value; the only state kept is gettext's loaded catalogs.

>>> code_from_environment({"LANG": "ru_RU.UTF-8"}), code_from_environment({"LC_ALL": "C", "LANG": "ru_RU"})
('ru', 'en')
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from cnncalc.errors import CnnCalcError
from cnncalc.layers.text import ENGLISH, Language

DOMAIN = "cnncalc"
LANGUAGES = ("en", "ru")
ENVIRONMENT = ("LC_ALL", "LC_MESSAGES", "LANG")


def locale_dir() -> Path:
    """The folder of the catalogs (inside the package, so that the wheel carries them)."""
    return Path(__file__).resolve().parent.parent / "locale"


def _code(text: str) -> str:
    """``ru_RU.UTF-8``, ``ru-RU`` or ``RU`` -> ``ru``."""
    return text.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()


def code_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set."""
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name, "")
        if value:
            code = _code(value)
            return code if code in LANGUAGES else "en"
    return "en"


def choose(option: str | None, environ: Mapping[str, str] | None = None) -> Language:
    """The language of ``--lang`` (ru or en), else the environment's."""
    if option is None or not option.strip():
        return language(code_from_environment(environ))
    code = _code(option)
    if code not in LANGUAGES:
        raise CnnCalcError(f"--lang {option!r}: the languages are {' and '.join(LANGUAGES)}")
    return language(code)


@cache
def language(code: str) -> Language:
    """The `Language` of a catalog (English: the message ids themselves)."""
    if code == "en":
        return ENGLISH
    try:
        catalog = gettext.translation(DOMAIN, str(locale_dir()), languages=[code])
    except OSError:
        raise CnnCalcError(f"the {code!r} catalog is missing from {locale_dir()}; reinstall cnncalc, or "
                           "compile it with `python tools/i18n.py compile`") from None
    return Language(catalog.gettext, catalog.ngettext, code)


__all__ = ["DOMAIN", "LANGUAGES", "choose", "code_from_environment", "language", "locale_dir"]
