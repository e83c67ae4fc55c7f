"""Input the database would refuse with an error of its own: a NUL character (PostgreSQL stores none
in text) is refused here, naming the parameter or field, for every route; and what still reaches the
database out of its range (a number past a column, a text past its length) is answered 422, not 500."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from sentinelle.errors import Invalid

NUL = "\x00"


def _nul_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first key or string holding a NUL in a parsed JSON document."""
    if isinstance(value, str):
        return path or "body" if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return where.replace(NUL, "")
            found = _nul_field(item, where)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _nul_field(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _refuse(field: str) -> Invalid:
    clean = field.replace(NUL, "")
    return Invalid(f"caractère nul (U+0000) refusé dans « {clean} »", clean)


async def refuse_nul(request: Request) -> None:
    """An app-wide dependency: a NUL character in the path, a query parameter, a form field or a JSON
    body is refused with 422 before any route reads it."""
    if NUL in request.url.path:
        raise _refuse("adresse")
    for key, value in request.query_params.multi_items():
        if NUL in key or NUL in value:
            raise _refuse(key)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()  # kept by the request: the route reads it again for free
        if b"\\u0000" in body or b"\x00" in body:
            try:
                field = _nul_field(json.loads(body))
            except (ValueError, RecursionError):
                field = "body" if b"\x00" in body else None
            if field:
                raise _refuse(field)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, value in form.multi_items():  # type: ignore[assignment]
            if isinstance(value, str) and (NUL in value or NUL in key):
                raise _refuse(key)
