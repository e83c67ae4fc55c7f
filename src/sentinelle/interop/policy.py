"""Who may run the exchanges with other systems."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role


def can_import_ansm(user: User | None) -> bool:
    """The ANSM's list of shortages rewrites the public record: the national agency imports it."""
    return user is not None and user.role == Role.NATIONAL
