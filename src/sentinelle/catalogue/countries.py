"""Countries by their ISO 3166-1 alpha-2 code, named in French (Babel's CLDR data), and the European
Union's members: where a production site is, inside the Union or outside."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale

# CLDR also names groupings and placeholders with two letters: they are not places a plant can be.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
EU = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())


@lru_cache(maxsize=4)
def names(locale: str = "fr") -> dict[str, str]:
    """Code → name, for every country, sorted by name."""
    found = {code: name for code, name in Locale.parse(locale).territories.items()
             if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES}
    return dict(sorted(found.items(), key=lambda item: item[1]))


def is_country(code: str) -> bool:
    return code.upper() in names()


def name(code: str, locale: str = "fr") -> str:
    return names(locale).get(code.upper(), code)


@lru_cache(maxsize=1)
def outlines() -> dict[str, Any]:
    """The world map's outlines: one SVG path per country code (tools/build_world_map.py made them)."""
    path = Path(__file__).parent.parent / "web" / "static" / "world-countries.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)).strip()


def code_of(text: str) -> str | None:
    """The code a person typed: an ISO code (« cn ») or a country's name in French or English
    (« Chine », « china »); None when it is neither."""
    if is_country(text.strip()):
        return text.strip().upper()
    wanted = _folded(text)
    for locale in ("fr", "en"):
        for code, name in names(locale).items():
            if _folded(name) == wanted:
                return code
    return None
