"""Validation of the identifiers the catalogue holds: FINESS, EMDN, GTIN, CIP13, CIS, ATC."""

from __future__ import annotations

import re

_EMDN = re.compile(r"^[A-Z](\d{2}){0,6}$")
_ATC = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def finess_error(value: str) -> str | None:
    """None when `value` is a valid FINESS number, else the reason in French.

    A FINESS has 9 characters: a 2-character département (digits, or 2A/2B for Corsica),
    6 digits, and a Luhn check digit computed with 2A/2B read as 20.
    """
    if len(value) != 9:
        return "le numéro FINESS doit compter 9 caractères"
    head = value[:2]
    if head in ("2A", "2B"):
        digits = "20" + value[2:]
    else:
        digits = value
    if not digits.isdigit():
        return "le numéro FINESS ne contient que des chiffres (2A/2B pour la Corse)"
    if not luhn_ok(digits):
        return "la clé de contrôle du numéro FINESS est fausse"
    return None


def finess_with_key(prefix8: str) -> str:
    """Completes 8 characters with their Luhn key (used by the demo data)."""
    digits = ("20" + prefix8[2:]) if prefix8[:2] in ("2A", "2B") else prefix8
    for key in "0123456789":
        if luhn_ok(digits + key):
            return prefix8 + key
    raise ValueError(prefix8)


def gtin_ok(value: str) -> bool:
    """GTIN-8/12/13/14 with its GS1 check digit (the UDI-DI of most devices)."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        return False
    body, check = value[:-1], int(value[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def emdn_ok(value: str) -> bool:
    return bool(_EMDN.match(value))


def atc_ok(value: str) -> bool:
    return bool(_ATC.match(value))


def cip13_ok(value: str) -> bool:
    return len(value) == 13 and value.isdigit() and gtin_ok(value)


def cis_ok(value: str) -> bool:
    return len(value) == 8 and value.isdigit()
