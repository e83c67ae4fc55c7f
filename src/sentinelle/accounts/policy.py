"""Who may do what on accounts and the audit log."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role


def can_browse_audit(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL


def can_manage_users(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL
