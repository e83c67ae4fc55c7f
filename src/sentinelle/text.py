"""Text as people type it, made comparable."""

from __future__ import annotations

import html
import re
import unicodedata


def fold(text: str) -> str:
    """Lower case without accents (NFKD: « é » → « e », a no-break space → a space), trimmed, so that
    « épinéphrine » finds « EPINEPHRINE » and « santé » and « sante » are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


# The kinds of hospital a name starts with, which French reads « le CHU », « le CH ».
HOSPITALS = frozenset({"CH", "CHU", "CHR", "CHRU", "CHI", "GH", "GHT", "CHS"})


def of(name: str) -> str:
    """« de » before a name, as French writes it: « d'Amiens », « du Havre », « des Sables-d'Olonne »,
    « de Lyon » (a vowel or a mute h elides; « Le » and « Les » contract)."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.split(" ", 1)[0] in HOSPITALS:  # « du CHU de Lyon », « du CH d'Amiens »
        return "du " + name
    first = fold(name[:1])
    return ("d'" if first and first in "aeiouyh" else "de ") + name


SUPERSCRIPT = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
SUBSCRIPT = str.maketrans("0123456789+-", "₀₁₂₃₄₅₆₇₈₉₊₋")


def plain(markup: str) -> str:
    """Text from the bits of HTML public data sets carry in names (the BDPM's « 2 x 10<sup>6</sup> UI »):
    exponents and indices become their Unicode characters (« 10⁶ »), a line break a space, other tags go,
    entities are decoded; so that pages and exports show one same text, never raw tags."""
    text = re.sub(r"<sup>([0-9+-]+)</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), markup, flags=re.I)
    text = re.sub(r"<sub>([0-9+-]+)</sub>", lambda m: m.group(1).translate(SUBSCRIPT), text, flags=re.I)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.I)
    text = re.sub(r"</?[a-zA-Z][^<>]*>", "", text)
    return " ".join(html.unescape(text).split())
