"""JSON API for the acting user: who am I, API tokens, inbox, audit log (national)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from sentinelle.accounts import audit, policy, service
from sentinelle.accounts.schemas import TokenCreated, TokenOut, UserOut
from sentinelle.errors import require
from sentinelle.notifications import service as notifications
from sentinelle.schemas_common import ERRORS, UtcDatetime
from sentinelle.web.deps import ApiUserDep, DbDep, LoggedInDep, require_user

router = APIRouter(tags=["account"], responses=ERRORS)


class TokenIn(BaseModel):
    name: str = Field("api", min_length=1, max_length=100)
    days: int = Field(service.TOKEN_DAYS, ge=1, le=service.MAX_TOKEN_DAYS, description="validité en jours")


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    signal_id: int | None
    at: UtcDatetime
    title: str
    body: str
    read_at: UtcDatetime | None


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDatetime
    actor_id: int | None
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/me", response_model=UserOut)
def me(user: LoggedInDep) -> UserOut:
    return UserOut.model_validate(user)


@router.post("/me/tokens", response_model=TokenCreated, status_code=201)
def create_token(data: TokenIn, user: ApiUserDep, db: DbDep) -> TokenCreated:
    user = require_user(user)
    row, token = service.issue_token(db, user, data.name, days=data.days)
    return TokenCreated(id=row.id, token=token, name=row.name, expires_at=row.expires_at)


@router.get("/me/tokens", response_model=list[TokenOut])
def list_tokens(user: LoggedInDep, db: DbDep) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in service.tokens(db, user)]


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, user: ApiUserDep, db: DbDep) -> None:
    user = require_user(user)
    service.revoke_token(db, user, token_id, owner=user)


@router.get("/me/notifications", response_model=list[NotificationOut])
def my_notifications(*, unread: bool = False, user: LoggedInDep,
                     db: DbDep) -> list[NotificationOut]:
    return [NotificationOut.model_validate(n) for n in notifications.inbox(db, user, unread_only=unread)]


@router.get("/audit", response_model=list[AuditOut])
def browse_audit(
    *, action: Annotated[str | None, Query(max_length=60)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    user: LoggedInDep,
    db: DbDep,
) -> list[AuditOut]:
    require(user, policy.can_browse_audit(user), "le journal d'audit est réservé à l'agence nationale")
    rows, _ = audit.browse(db, action=action, offset=(page - 1) * 50, limit=50)
    return [AuditOut.model_validate(r) for r in rows]
