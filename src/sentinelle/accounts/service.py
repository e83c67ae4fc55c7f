"""Account use cases: create users, authenticate, issue API tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit, passwords, policy
from sentinelle.accounts.models import ROLES, ApiToken, User
from sentinelle.accounts.security import hash_password, new_token, token_hash, verify_password
from sentinelle.catalogue.models import Organisation
from sentinelle.errors import Invalid

# The organisation kind each role must belong to (citizens and guarantors may have none).
ROLE_ORG_KIND = {
    "establishment": "establishment",
    "region": "region",
    "national": "national",
    "manufacturer": "manufacturer",
    "purchaser": "purchaser",
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
        policy.require(policy.can_manage_users(actor))
    email = email.strip().lower()
    if "@" not in email or len(email) > 320:
        raise Invalid("adresse e-mail invalide", "email")
    if role not in ROLES:
        raise Invalid(f"rôle inconnu : {role} (attendu : {', '.join(ROLES)})", "role")
    passwords.check(password, email=email, name=name)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Invalid("un compte existe déjà avec cette adresse", "email")
    expected = ROLE_ORG_KIND.get(role)
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
    audit.record(session, actor, "user.create", "user", user.id, after={"email": email, "role": role})
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        # Hash anyway so that timing does not tell which addresses exist.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("not-a-real-password")


def issue_token(session: Session, user: User, name: str) -> str:
    token, digest = new_token()
    session.add(ApiToken(user_id=user.id, name=name[:100] or "api", token_hash=digest))
    session.flush()
    audit.record(session, user, "token.create", "user", user.id, after={"name": name})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.active:
        return None
    return row.user
