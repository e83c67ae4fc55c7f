"""The interface's language: French first; other languages come from Babel catalogues in locale/.

Labels beside their enums are marked with `_` so that `make messages` extracts them; they are
translated once, in the process's language (SENTINELLE_LOCALE, French by default).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str | None = None) -> NullTranslations:
    locale = locale or os.environ.get("SENTINELLE_LOCALE", "fr")
    if LOCALE_DIR.exists():
        return Translations.load(str(LOCALE_DIR), [locale], domain="messages")
    return NullTranslations()


def _(message: str) -> str:
    """The message in the process's language (the French text itself while no catalogue says otherwise)."""
    return translations().gettext(message)
