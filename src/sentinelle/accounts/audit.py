"""The audit log: one row per write, never changed afterwards."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry, User


class Action(StrEnum):
    """Every kind of write the audit log records: one constant each (Zulip's RealmAuditLog event types)."""

    USER_CREATE = "user.create"
    USER_LOGIN = "user.login"
    USER_LOGOUT = "user.logout"
    USER_LOGOUT_EVERYWHERE = "user.logout_everywhere"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    ORGANISATION_CREATE = "organisation.create"
    PRODUCT_CREATE = "product.create"
    MEMBERSHIP_ADD = "membership.add"
    SUBSCRIPTION_CREATE = "subscription.create"
    SUBSCRIPTION_DELETE = "subscription.delete"
    IMPORT_ANSM = "import.ansm"
    IMPORT_EMDN = "import.emdn"
    IMPORT_BDPM = "import.bdpm"
    SIGNAL_DECLARE = "signal.declare"
    SIGNAL_DECLARE_JOINED = "signal.declare_joined"
    SIGNAL_DECLARE_WAITING = "signal.declare_waiting"
    SIGNAL_ADMIT = "signal.admit"
    SIGNAL_DETECT = "signal.detect"
    SIGNAL_NOTICE = "signal.notice"
    SIGNAL_UPDATE = "signal.update"
    SIGNAL_COMMENT = "signal.comment"
    SIGNAL_MEASURE = "signal.measure"
    # One per lifecycle action (signals/states.ACTION_LABELS): "signal." + the action.
    SIGNAL_QUALIFY = "signal.qualify"
    SIGNAL_REJECT = "signal.reject"
    SIGNAL_MERGE = "signal.merge"
    SIGNAL_VALIDATE = "signal.validate"
    SIGNAL_PUBLISH = "signal.publish"
    SIGNAL_PUBLISH_REGIONAL = "signal.publish_regional"
    SIGNAL_RESOLVE = "signal.resolve"
    SIGNAL_ALTERNATIVE = "signal.alternative"
    SIGNAL_LESSON = "signal.lesson"
    ALTERNATIVE_RATE = "alternative.rate"
    QUESTIONNAIRE_CREATE = "questionnaire.create"
    QUESTIONNAIRE_REVISE = "questionnaire.revise"
    QUESTIONNAIRE_STATUS = "questionnaire.status"
    QUESTIONNAIRE_EXPORT = "questionnaire.export"
    IDEA_POST = "idea.post"
    IDEAS_IMPORT_POLIS = "ideas.import_polis"
    # Moderation: the target ("idea", "comment") + "." + the action ("hide", "restore").
    IDEA_HIDE = "idea.hide"
    IDEA_RESTORE = "idea.restore"
    COMMENT_HIDE = "comment.hide"
    COMMENT_RESTORE = "comment.restore"
    ASSEMBLY_CREATE = "assembly.create"
    ASSEMBLY_DRAW = "assembly.draw"
    SITTING_OPEN = "sitting.open"
    MOTION_PROPOSE = "motion.propose"
    MOTION_CLOSE = "motion.close"
    SYNTHESIS_CREATE = "synthesis.create"
    SYNTHESIS_SENTENCE = "synthesis.sentence"


def record(
    session: Session,
    actor: User | None,
    action: Action,
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
