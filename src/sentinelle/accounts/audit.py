"""The audit log: one row per write, never changed afterwards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry, User


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
        )
    )


def browse(
    session: Session, *, action: str | None = None, entity: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total
