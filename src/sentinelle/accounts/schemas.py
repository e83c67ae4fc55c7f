from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from sentinelle.schemas_common import UtcDatetime


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str
    organisation_id: int | None


class TokenOut(BaseModel):
    """A token as its owner lists it: never the token itself, which is shown once at creation."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    created_at: UtcDatetime
    expires_at: UtcDatetime | None
    last_used_at: UtcDatetime | None
    revoked: bool


class TokenCreated(BaseModel):
    id: int
    token: str
    name: str
    expires_at: UtcDatetime | None
