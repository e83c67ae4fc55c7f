"""Users, API tokens and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.accounts.roles import Role
from sentinelle.catalogue.models import Organisation
from sentinelle.store.base import Base, utcnow

ROLES = tuple(Role)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # E-mail of the notifications: "immediate" (one per event), "daily" (a digest), "none" (the inbox only).
    mail_frequency: Mapped[str] = mapped_column(String(10), default="immediate", server_default="immediate")
    digest_sent_at: Mapped[datetime | None]

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def region_code(self) -> str | None:
        return self.organisation.region_code if self.organisation else None

    @property
    def label(self) -> str:
        """How the agencies read who acted: the person and their organisation."""
        org = self.organisation.name if self.organisation else ""
        return f"{self.name} ({org})" if org else self.name


class ApiToken(Base):
    """A machine client's bearer token; only its SHA-256 is stored. It expires, and can be revoked."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginSession(Base):
    """One log-in on one browser. The cookie carries only its random id (its SHA-256 is stored): logging
    out, or revoking it, ends it on the server, whatever copy of the cookie someone kept."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class AuditEntry(Base):
    """Who did what, when, with the state before and after. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
