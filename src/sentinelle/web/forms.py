"""Form values through the API's own schemas, so that a form and the API refuse the same input."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from sentinelle.errors import Invalid
from sentinelle.store.base import MAX_ID


def form_int(value: str | None, field: str) -> int | None:
    if value is None or not str(value).strip():
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise Invalid(f"nombre entier attendu pour « {field} »", field) from exc
    if abs(number) > MAX_ID:  # past what an INTEGER column holds: no row, no quantity is that large
        raise Invalid(f"nombre trop grand pour « {field} »", field)
    return number


def validated(model: type, **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "formulaire"
        raise Invalid(f"champ « {field} » : {first.get('msg')}", field) from exc
