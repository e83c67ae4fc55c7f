"""Reading a form, one way for every page.

A view builds what its use case takes, and the use case validates it (the same function the API
calls): each field is read from the posted form (`FormDep`, its CSRF token already checked) by
`text`, `optional`, `integer`, `day` or `flag`, inside the view's `try`, so that a bad value is
refused naming its field with the form still on screen (never a dead-end page); `validated` builds
the schema a use case takes (the signals'); `redisplay` shows a refusal on the form again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.errors import DomainError, Invalid
from sentinelle.store.base import MAX_ID
from sentinelle.validation import invalid_from, label

# The longest text a page takes in one field (a use case may allow less, and says so).
MAX_TEXT = 20_000


def form_int(value: str | None, field: str) -> int | None:
    if value is None or not str(value).strip():
        return None
    try:
        number = int(value)
    except ValueError as exc:
        raise Invalid(f"{label(field)} : nombre entier attendu", field) from exc
    if abs(number) > MAX_ID:  # past what an INTEGER column holds: no row, no quantity is that large
        raise Invalid(f"{label(field)} : nombre trop grand", field)
    return number


def integer(form: FormData, name: str) -> int | None:
    """The whole number in field `name`, None when empty; a clear refusal naming it otherwise."""
    value = form.get(name)
    raw = value.strip() if isinstance(value, str) else ""
    if len(raw) > 20:  # past any number a column holds, and too long to read as one
        raise Invalid(f"{label(name)} : nombre entier attendu", name)
    return form_int(raw, name)


def text(form: FormData, name: str, limit: int = MAX_TEXT) -> str:
    """The text of field `name` ("" when absent), refused naming the field past `limit` characters
    rather than cut: nothing typed is lost without saying so."""
    value = form.get(name, "")
    value = value if isinstance(value, str) else ""
    if len(value) > limit:
        raise Invalid(f"{label(name)} : {len(value)} caractères, au plus {limit}", name)
    return value


def optional(form: FormData, name: str, limit: int = MAX_TEXT) -> str | None:
    """As `text`, but None when the form has no such field (a field left out is not a field emptied)."""
    return text(form, name, limit) if name in form else None


def flag(form: FormData, name: str) -> bool:
    """A checkbox: ticked when sent with any value but "false"."""
    value = form.get(name)
    return isinstance(value, str) and value.lower() not in ("", "false", "0", "off")


def day(form: FormData, name: str) -> date | None:
    """A date typed as AAAA-MM-JJ (the date field's value), None when empty."""
    return parse_day(text(form, name, 10), name)


def parse_day(value: str, name: str) -> date | None:
    """A date field's value (AAAA-MM-JJ, in a form or a query), None when empty (a filter left blank)."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"{label(name)} : date attendue (AAAA-MM-JJ)", name) from exc


def validated(model: type, **values: Any) -> Any:
    try:
        return model(**values)
    except ValidationError as exc:
        raise invalid_from(exc) from exc


def redisplay(db: Session, exc: DomainError, statuses: tuple[int, ...] | None = (409, 422)) -> DomainError:
    """A refusal to show on the form again (with what was typed): whatever the use case wrote before
    refusing is rolled back. Other errors (a status not in `statuses`; None: every refusal is shown on
    the form) go on to the error page."""
    if statuses is not None and exc.status not in statuses:
        raise exc
    db.rollback()
    return exc
