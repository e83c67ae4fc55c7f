"""Who may do what on accounts and the audit log."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.errors import Forbidden


def can_browse_audit(user: User | None) -> bool:
    return user is not None and user.role == "national"


def can_manage_users(user: User | None) -> bool:
    return user is not None and user.role == "national"


def require(allowed: bool, message: str = "Action non autorisée pour votre rôle") -> None:
    if not allowed:
        raise Forbidden(message)
