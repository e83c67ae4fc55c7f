"""What every write is checked against before it reaches the database, whichever path it came by
(a form, the API, the command line, an import): a text longer than its column, a NUL character, an
integer past its column. SQLite would store them silently and PostgreSQL refuse them with an error
that names no column; here they are refused naming the table's field, in French."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, String, event, inspect
from sqlalchemy.orm import Session

from sentinelle.errors import Invalid
from sentinelle.store.base import MAX_ID  # INTEGER on PostgreSQL
from sentinelle.validation import label


def check(obj: Any) -> None:
    """Refuse the first value of `obj` that its column cannot hold."""
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if len(attr.columns) != 1:
            continue
        column = attr.columns[0]
        value = state.dict.get(attr.key)
        if isinstance(value, str):
            if "\x00" in value:
                raise Invalid(f"{label(attr.key)} : caractère nul (U+0000) refusé", attr.key)
            length = getattr(column.type, "length", None)
            if isinstance(column.type, String) and length and len(value) > length:
                raise Invalid(f"{label(attr.key)} : {len(value)} caractères, au plus {length}", attr.key)
        elif isinstance(value, int) and not isinstance(value, bool) and isinstance(column.type, Integer) \
                and not -MAX_ID - 1 <= value <= MAX_ID:
                raise Invalid(f"{label(attr.key)} : nombre hors limites ({value})", attr.key)


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        check(obj)
