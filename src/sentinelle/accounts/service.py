"""Account use cases: create users, authenticate, log-in sessions kept on the server, API tokens that
expire and are revoked."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sentinelle.accounts import audit, passwords, policy
from sentinelle.accounts.models import ROLES, ApiToken, LoginSession, User
from sentinelle.accounts.roles import Role
from sentinelle.accounts.security import hash_password, new_token, token_hash, verify_password
from sentinelle.catalogue.models import Organisation
from sentinelle.errors import Invalid, NotFound, require
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id

# The organisation kind each role must belong to (citizens and guarantors may have none).
ROLE_ORG_KIND = {
    Role.ESTABLISHMENT: "establishment",
    Role.REGION: "region",
    Role.NATIONAL: "national",
    Role.MANUFACTURER: "manufacturer",
    Role.PURCHASER: "purchaser",
}


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    organisation_id: int | None = None,
) -> User:
    """Create an account. `actor` None is the command line (an operator on the server)."""
    if actor is not None:
        require(actor, policy.can_manage_users(actor), "seule l'agence nationale crée des comptes")
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise Invalid("adresse e-mail invalide", "email")
    if role not in ROLES:
        raise Invalid(f"rôle inconnu : {role} (attendu : {', '.join(ROLES)})", "role")
    passwords.check(password, email=email, name=name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Invalid("un compte existe déjà avec cette adresse", "email")
    expected = ROLE_ORG_KIND.get(Role(role))
    if expected:
        org = session.get(Organisation, organisation_id) if organisation_id else None
        if org is None or org.kind != expected:
            raise Invalid(f"le rôle {role} demande une organisation de type {expected}", "organisation_id")
    user = User(
        email=email, name=name.strip() or email, password_hash=hash_password(password), role=role,
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, audit.Action.USER_CREATE, "user", user.id, after={"email": email, "role": role})
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Hash anyway so that timing does not tell which addresses exist.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("not-a-real-password")


TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
SESSION_HOURS = 8


def issue_token(session: Session, user: User, name: str, *, days: int = TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new API token for `user`, valid `days` days; the token itself is returned once, never stored."""
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(f"durée de validité entre 1 et {MAX_TOKEN_DAYS} jours", "days")
    token, digest = new_token()
    row = ApiToken(user_id=user.id, name=name.strip()[:100] or "api", token_hash=digest,
                   expires_at=utcnow() + timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, user, audit.Action.TOKEN_CREATE, "api_token", row.id, after={"name": row.name, "days": days})
    return row, token


def tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(session: Session, actor: User | None, token_id: int, *, owner: User | None = None) -> ApiToken:
    """Revoke a token: its owner's own (`owner` given), or any for an operator at the command line."""
    row = by_id(session, ApiToken, token_id)
    if row is None or (owner is not None and row.user_id != owner.id):
        raise NotFound(f"jeton introuvable : {token_id}", "token_id")
    if not row.revoked:
        row.revoked, row.revoked_at = True, utcnow()
        session.flush()
        audit.record(session, actor, audit.Action.TOKEN_REVOKE, "api_token", row.id, after={"name": row.name})
    return row


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False)))
    now = utcnow()
    if row is None or not row.user.active or (row.expires_at is not None and row.expires_at <= now):
        return None
    # Last use to the hour: enough for its owner to spot an unknown use, without a write per request
    # (the caller commits it).
    if row.last_used_at is None or now - row.last_used_at > timedelta(hours=1):
        row.last_used_at = now
    return row.user


def open_session(session: Session, user: User, user_agent: str = "") -> str:
    """A log-in: a random session id for the cookie; only its hash is kept."""
    sid = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, sid_hash=token_hash(sid), user_agent=user_agent[:200],
                             expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
    session.flush()
    audit.record(session, user, audit.Action.USER_LOGIN, "user", user.id)
    return sid


def user_for_session(session: Session, sid: str) -> User | None:
    row = session.scalar(select(LoginSession).where(LoginSession.sid_hash == token_hash(sid),
                                                    LoginSession.revoked_at.is_(None)))
    if row is None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def close_session(session: Session, sid: str) -> None:
    """Log out: the session ends on the server (a kept copy of the cookie no longer works)."""
    row = session.scalar(select(LoginSession).where(LoginSession.sid_hash == token_hash(sid),
                                                    LoginSession.revoked_at.is_(None)))
    if row is None:
        return
    row.revoked_at = utcnow()
    session.flush()
    audit.record(session, session.get(User, row.user_id), audit.Action.USER_LOGOUT, "user", row.user_id)


def close_all_sessions(session: Session, user: User) -> int:
    """Log out everywhere: every open session of `user` ends."""
    ended = session.execute(update(LoginSession).where(LoginSession.user_id == user.id,  # type: ignore[attr-defined]
                                                       LoginSession.revoked_at.is_(None))
                            .values(revoked_at=utcnow())).rowcount
    audit.record(session, user, audit.Action.USER_LOGOUT_EVERYWHERE, "user", user.id, after={"sessions": ended})
    return ended
