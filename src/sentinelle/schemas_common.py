"""Types shared by the API schemas of every domain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field

from sentinelle.store.base import MAX_ID


def _as_utc(value: datetime) -> datetime:
    # The store keeps naive UTC; the API says so (RFC 3339 needs the offset).
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
# A reference to a row: refused with 422 before it reaches the database driver when out of range.
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]


MAX_URL = 500


def safe_url(url: str) -> bool:
    """Only http(s) links are kept: a `javascript:` or `data:` link would run in the reader's page."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and len(url) <= MAX_URL


# A link shown to readers: what is not http(s) is left out (None), wherever it came from.
HttpUrlOrNone = Annotated[str | None, AfterValidator(lambda u: u if u and safe_url(u) else None)]


class ErrorOut(BaseModel):
    """A refusal: the reason in French and the field it concerns."""

    detail: str
    field: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in [(401, "Not authenticated"), (403, "Forbidden"), (404, "Not found"),
                       (409, "Conflict: illegal transition or stale version"), (413, "Request too large"),
                       (429, "Too many requests")]
}
