"""Accounts: creating one, logging in, sessions and tokens, the audit log that cannot be rewritten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit, policy, service
from sentinelle.accounts.models import ApiToken, AuditEntry, LoginSession, User
from sentinelle.accounts.roles import ROLE_LABELS, Role
from sentinelle.accounts.security import verify_password
from sentinelle.errors import Forbidden, Invalid, NotFound
from sentinelle.store.base import utcnow
from tests.factories import PASSWORD, World


def test_an_account_is_made_with_a_hashed_password_and_an_audit_row(session: Session, world: World) -> None:
    user = service.create_user(session, world.users["national"], email="  Agent@ARS.fr ", name="Agent",
                               password="seringue-bleue-grenoble", role="region",
                               organisation_id=world.orgs["ars84"].id)
    assert user.email == "agent@ars.fr"  # trimmed and lower-cased: one address, one account
    assert user.password_hash.startswith("$argon2") and "seringue" not in user.password_hash
    assert verify_password(user.password_hash, "seringue-bleue-grenoble")
    row = session.scalar(select(AuditEntry).where(AuditEntry.action == audit.Action.USER_CREATE,
                                                  AuditEntry.entity_id == str(user.id)))
    assert row is not None and row.actor_id == world.users["national"].id and row.after == {
        "email": "agent@ars.fr", "role": "region"}


@pytest.mark.parametrize(("fields", "field"), [
    ({"email": "pas-une-adresse"}, "email"),
    ({"role": "admin"}, "role"),
    ({"password": "azerty"}, "password"),
    ({"email": "lyon@test.fr"}, "email"),  # already taken
    ({"role": "region", "organisation_id": None}, "organisation_id"),  # a region agent belongs to an ARS
])
def test_a_bad_account_is_refused_naming_its_field(session: Session, world: World, fields: dict[str, object],
                                                   field: str) -> None:
    values: dict[str, object] = {"email": "nouveau@test.fr", "name": "Nouveau", "password": "seringue-bleue-grenoble",
                                 "role": "citizen", "organisation_id": None}
    values.update(fields)
    with pytest.raises(Invalid) as refused:
        service.create_user(session, None, **values)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_role_needs_an_organisation_of_its_kind(session: Session, world: World) -> None:
    with pytest.raises(Invalid, match="establishment"):
        service.create_user(session, None, email="x@test.fr", name="X", password="seringue-bleue-grenoble",
                            role="establishment", organisation_id=world.orgs["maker_a"].id)


def test_only_the_national_agency_creates_accounts(session: Session, world: World) -> None:
    for key in ("lyon", "region84", "maker_a", "citizen"):
        with pytest.raises(Forbidden):
            service.create_user(session, world.users[key], email=f"new-{key}@test.fr", name="N",
                                password="seringue-bleue-grenoble", role="citizen")
    assert policy.can_manage_users(world.users["national"]) and not policy.can_browse_audit(world.users["region84"])


def test_log_in_needs_the_right_password_of_an_active_account(session: Session, world: World) -> None:
    assert service.authenticate(session, " LYON@test.fr ", PASSWORD) == world.users["lyon"]
    assert service.authenticate(session, "lyon@test.fr", PASSWORD + "x") is None
    assert service.authenticate(session, "personne@test.fr", PASSWORD) is None
    world.users["lyon"].active = False
    assert service.authenticate(session, "lyon@test.fr", PASSWORD) is None


def test_a_session_ends_on_the_server(session: Session, world: World) -> None:
    lyon = world.users["lyon"]
    first, second = service.open_session(session, lyon, "Firefox"), service.open_session(session, lyon, "Chromium")
    assert service.user_for_session(session, first) == lyon
    assert session.scalar(select(LoginSession.sid_hash).where(LoginSession.user_agent == "Firefox")) != first
    service.close_session(session, first)
    assert service.user_for_session(session, first) is None  # a kept copy of the cookie is worth nothing
    assert service.user_for_session(session, second) == lyon
    assert service.close_all_sessions(session, lyon) == 1
    assert service.user_for_session(session, second) is None


def test_an_expired_session_or_a_closed_account_reads_as_nobody(session: Session, world: World) -> None:
    grenoble = world.users["grenoble"]
    sid = service.open_session(session, grenoble)
    session.execute(update(LoginSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    assert service.user_for_session(session, sid) is None
    sid = service.open_session(session, grenoble)
    grenoble.active = False
    assert service.user_for_session(session, sid) is None


def test_a_token_is_shown_once_kept_hashed_and_ends(session: Session, world: World) -> None:
    maker = world.users["maker_a"]
    row, token = service.issue_token(session, maker, "ERP", days=30)
    assert token not in {row.token_hash, row.name} and session.scalar(
        select(func.count()).where(ApiToken.token_hash == token)) == 0
    assert service.user_for_token(session, token) == maker and row.last_used_at is not None
    with pytest.raises(NotFound):  # another's token is not found, not forbidden: it is not theirs to know
        service.revoke_token(session, world.users["maker_b"], row.id, owner=world.users["maker_b"])
    service.revoke_token(session, maker, row.id, owner=maker)
    assert service.user_for_token(session, token) is None
    row, token = service.issue_token(session, maker, "ERP", days=1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    assert service.user_for_token(session, token) is None
    with pytest.raises(Invalid) as refused:
        service.issue_token(session, maker, "trop long", days=service.MAX_TOKEN_DAYS + 1)
    assert refused.value.field == "days"


def test_every_role_has_a_label() -> None:
    assert set(ROLE_LABELS) == set(Role) and all(ROLE_LABELS.values())


def test_the_audit_log_cannot_be_rewritten(session: Session, world: World) -> None:
    audit.record(session, world.users["national"], audit.Action.MEMBERSHIP_ADD, "organisation", 1)
    session.commit()
    for statement in ("UPDATE audit_entry SET action = 'x'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) > 0
    rows, total = audit.browse(session, action=audit.Action.MEMBERSHIP_ADD)
    assert total == 1 and rows[0].entity_id == "1"


def test_unknown_audit_kinds_are_refused() -> None:
    with pytest.raises(ValueError):
        audit.Action("signal.anything")
    assert audit.Action("signal.publish") is audit.Action.SIGNAL_PUBLISH


def test_users_keep_their_role_as_text(session: Session, world: World) -> None:
    stored = session.scalar(select(User.role).where(User.id == world.users["region84"].id))
    assert stored == "region" == Role.REGION
