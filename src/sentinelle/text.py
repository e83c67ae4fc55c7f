"""Text as people type it, made comparable."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents (NFKD: « é » → « e », a no-break space → a space), trimmed, so that
    « épinéphrine » finds « EPINEPHRINE » and « santé » and « sante » are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()
